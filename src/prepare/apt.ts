/**
 * apt repositories and packages (reference/host-prep.md §1, §2.1). Keys are stored armored
 * (.asc, which apt reads since 1.4), so they are text the host layer writes and dry-run shows,
 * and no gpg is needed. Package state is read with dpkg-query; installs run only for what is
 * missing or at the wrong minor.
 */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import type { KubernetesVersion } from '../versions/index.js';
import type { Reporter } from '../workflow/reporter.js';
import type { Distro } from './os.js';

export const KEYRINGS_DIR = '/etc/apt/keyrings';
export const SOURCES_DIR = '/etc/apt/sources.list.d';

export interface AptRepository {
  /** File stem: /etc/apt/keyrings/<name>.asc and /etc/apt/sources.list.d/<name>.list */
  name: string;
  keyUrl: string;
  /** The one-line source entry, with signed-by pointing at the keyring. */
  line: string;
}

export const keyringPath = (repo: AptRepository): string => `${KEYRINGS_DIR}/${repo.name}.asc`;
export const sourcesPath = (repo: AptRepository): string => `${SOURCES_DIR}/${repo.name}.list`;

/** pkgs.k8s.io: one flat repository per minor (suite "/", no component). */
export function kubernetesRepository(version: KubernetesVersion): AptRepository {
  const base = `https://pkgs.k8s.io/${version.info.packageChannel}/deb/`;
  const name = 'kubernetes-nodeadm';
  return { name, keyUrl: `${base}Release.key`, line: `deb [signed-by=${KEYRINGS_DIR}/${name}.asc] ${base} /` };
}

/** Docker's repository, for containerd.io on Debian. */
export function dockerRepository(distro: Distro, arch: string): AptRepository {
  const base = `https://download.docker.com/linux/${distro.id}`;
  const name = 'docker-nodeadm';
  return { name, keyUrl: `${base}/gpg`, line: `deb [arch=${arch} signed-by=${KEYRINGS_DIR}/${name}.asc] ${base} ${distro.codename} stable` };
}

export interface PackageWant {
  name: string;
  /** "1.36": installed must be this minor; undefined: any version. */
  minor?: string;
  /** What apt-get install asks for, e.g. "kubelet=1.36.5-*". */
  request: string;
}

/** The packages of this node: containerd, the kubelet of the control plane's exact patch, crictl and the CNI plugins of its minor. */
export function wantedPackages(distro: Distro, version: KubernetesVersion): PackageWant[] {
  const minor = `${version.major}.${version.minor}`;
  const patch = `${version.major}.${version.minor}.${version.patch}`;
  return [
    distro.containerd === 'docker' ? { name: 'containerd.io', request: 'containerd.io' } : { name: 'containerd', request: 'containerd' },
    // The control plane's own patch: a kubelet may not be newer than the API server.
    { name: 'kubelet', minor, request: `kubelet=${patch}-*` },
    { name: 'cri-tools', minor, request: 'cri-tools' },
    // The pkgs.k8s.io plugins, into /opt/cni/bin (the distro's are too old on Ubuntu 22.04); versioned on its own.
    { name: 'kubernetes-cni', request: 'kubernetes-cni' },
  ];
}

/** Installed version of a package, or undefined (dpkg-query -W exits 1 for unknown packages). */
export async function installedVersion(host: Host, name: string): Promise<string | undefined> {
  const result = await host.run(['dpkg-query', '-W', '-f=${Status}\t${Version}', name]);
  if (result.exitCode !== 0) return undefined;
  const [status, version] = result.stdout.trim().split('\t');
  return status === 'install ok installed' && version ? version : undefined;
}

/** "1.36.5-1.1" has minor "1.36"; a containerd "1.7.24~ds1-6" has "1.7". */
export function minorOf(debVersion: string): string | undefined {
  const m = /^(?:\d+:)?(\d+)\.(\d+)/.exec(debVersion);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** Packages not installed, or installed at another minor than wanted. */
export async function missingPackages(host: Host, wants: readonly PackageWant[]): Promise<Array<PackageWant & { installed?: string }>> {
  const versions = await Promise.all(wants.map((w) => installedVersion(host, w.name)));
  return wants
    .map((w, i) => ({ ...w, ...(versions[i] !== undefined ? { installed: versions[i] } : {}) }))
    .filter((w) => w.installed === undefined || (w.minor !== undefined && minorOf(w.installed) !== w.minor));
}

/** Fetches text over HTTPS; injected so tests serve keys without a network. */
export type FetchText = (url: string) => Promise<string>;

export const httpsFetch: FetchText = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new OperationalError(`GET ${url}: HTTP ${response.status}`, 'check the network and any proxy settings, then re-run');
  return response.text();
};

/**
 * Writes a repository's keyring and source entry. The key is fetched on every run (it has
 * expired and been re-issued before) and written only when its bytes changed.
 * Returns true when either file changed, i.e. apt's lists are stale.
 */
export async function ensureRepository(host: Host, repo: AptRepository, fetchText: FetchText, out: Reporter): Promise<boolean> {
  let key: string | undefined;
  try {
    key = await fetchText(repo.keyUrl);
    if (!key.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----')) {
      throw new OperationalError(`${repo.keyUrl} did not return an armored OpenPGP key`, 'a proxy or captive portal may be answering instead; check with curl and re-run');
    }
  } catch (e) {
    const error = e instanceof OperationalError ? e : new OperationalError(`cannot download the signing key ${repo.keyUrl}: ${e instanceof Error ? e.message : String(e)}`, 'check the network and any proxy settings, then re-run');
    // A dry-run still shows the rest of the plan from a machine that cannot reach the repository.
    if (!host.dryRun) throw error;
    out.warn(`would download ${repo.keyUrl} to ${keyringPath(repo)}, but a real run would stop here: ${error.message}`);
    key = undefined;
  }
  await host.ensureDir(KEYRINGS_DIR, 0o755);
  // 0644: apt's unprivileged _apt user must read the keyring.
  const keyAction = key === undefined ? 'updated' : await host.writeFile(keyringPath(repo), key.endsWith('\n') ? key : `${key}\n`, { mode: 0o644 });
  const listAction = await host.writeFile(sourcesPath(repo), `# Written by nodeadm --prepare-host.\n${repo.line}\n`, { mode: 0o644 });
  return keyAction !== 'unchanged' || listAction !== 'unchanged';
}

/** A failed apt/dpkg command, with its own last lines (e.g. "Signature Packet v3 is not considered secure"). */
export function commandFailed(argv: readonly string[], result: { exitCode: number; stderr: string; stdout: string }, hint: string): OperationalError {
  const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
  return new OperationalError(`${argv.join(' ')} exited ${result.exitCode}${tail ? `:\n${tail}` : ''}`, hint);
}

/** What a step did, or in dry-run what it would do. */
export function tell(host: Host, out: Reporter, did: string, wouldDo: string): void {
  out.info(host.dryRun ? `would ${wouldDo}` : did);
}

export async function runChecked(host: Host, argv: string[], hint: string): Promise<void> {
  const result = await host.run(argv, { mutating: true, timeoutMs: 15 * 60_000 });
  if (result.exitCode !== 0) throw commandFailed(argv, result, hint);
}

const APT_ENV = ['env', 'DEBIAN_FRONTEND=noninteractive'];

export const aptUpdate = (host: Host): Promise<void> =>
  runChecked(host, [...APT_ENV, 'apt-get', 'update'], 'fix the repository error shown (a stale or expired key, a proxy), then re-run');

/**
 * --force-confold: keep the config nodeadm wrote if a package ships its own (containerd.io does).
 * --allow-change-held-packages: moving a held kubelet to the chosen minor is the point of the
 * request (upstream's unhold/install/hold); without it apt-get -y refuses.
 */
export const aptInstall = (host: Host, requests: readonly string[]): Promise<void> =>
  runChecked(host, [...APT_ENV, 'apt-get', 'install', '-y', '--allow-change-held-packages', '-o', 'Dpkg::Options::=--force-confold', ...requests], 'see apt\'s message above; "apt-cache madison kubelet" lists the versions the repository has');
