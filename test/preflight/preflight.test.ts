/** Preflight: every check failing, each ignored, re-runs over nodeadm's own work, --root, dry-run. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deriveValues } from '../../src/config/derive.js';
import { OperationalError, UsageError } from '../../src/errors.js';
import { CommandNotFoundError } from '../../src/host/index.js';
import { resolveVersion } from '../../src/versions/index.js';
import { buildApiServerPod, buildControllerManagerPod, buildEtcdPod, buildKubeletDropIn, buildSchedulerPod, toYaml } from '../../src/manifests/index.js';
import { bindPortProbe, checkIgnoreList, FIXED_CHECK_NAMES, FIXED_CHECKS, runPreflight, type Finding } from '../../src/preflight/index.js';
import { useTempDirs } from '../host/helpers.js';
import { runCli } from '../cli/helpers.js';
import { CRI_INFO, GETENT, healthyCommands, healthyRoot, KUBELET_VERSION, makeEnv, put } from './helpers.js';

const tempDir = useTempDirs();

/** Every way a fresh, wrong machine can fail at once. */
async function brokenRoot(): Promise<string> {
  const root = await tempDir();
  await put(root, '/proc/cpuinfo', 'processor\t: 0\n');
  await put(root, '/proc/meminfo', 'MemTotal:        1024000 kB\n');
  await put(root, '/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n/dev/sda2 partition 1048572 0 -2\n');
  await put(root, '/proc/sys/net/ipv4/ip_forward', '0\n');
  await put(root, '/etc/kubernetes/manifests/kube-apiserver.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n');
  await put(root, '/etc/kubernetes/manifests/kube-vip.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-vip\n');
  await put(root, '/var/lib/etcd/member/snap/db', 'old cluster');
  return root;
}

const brokenCommands = healthyCommands({
  [GETENT]: { exitCode: 2 },
  [CRI_INFO]: { exitCode: 1, stderr: 'validate service connection: connection refused' },
  [KUBELET_VERSION]: { stdout: 'Kubernetes v1.37.0' },
});

const ERROR_NAMES = [
  'IsPrivilegedUser',
  'NumCPU',
  'Mem',
  'Swap',
  'FileContent--proc-sys-net-ipv4-ip_forward',
  'SystemVerification',
  'FileExisting-kubelet',
  'FileExisting-crictl',
  'FileExisting-ip',
  'FileExisting-iptables',
  'FileExisting-mount',
  'FileExisting-nsenter',
  'CRI',
  'KubeletVersion',
  'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml',
  'FileAvailable--etc-kubernetes-manifests-kube-vip.yaml',
  'DirAvailable--var-lib-etcd',
  'Port-6443',
  'Port-2379',
  'Port-2380',
  'Port-10250',
  'Port-10257',
  'Port-10259',
  'Port-10260',
];
const WARNING_NAMES = ['Hostname', 'FileExisting-ethtool', 'FileExisting-socat', 'FileExisting-tc', 'FileExisting-touch'];

function brokenEnv(root: string, ignore: string[] = []) {
  return makeEnv(root, { uid: 1000, commands: brokenCommands, busy: () => 'EADDRINUSE', config: { extraSchedulers: ['batch'] as never, ignorePreflightErrors: ignore } });
}

async function failure(promise: Promise<unknown>): Promise<OperationalError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperationalError);
  return error as OperationalError;
}

describe('preflight on a healthy machine', () => {
  it('passes every check and says how many ran', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    const { env, out } = makeEnv(root);
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.findings).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(out.infos.at(-1)).toMatch(/^\d+ checks passed$/);
  });
});

describe('preflight with every check failing', () => {
  it('reports every error together, one line each with its name and a fix, and warns on the rest', async () => {
    const root = await brokenRoot();
    const { env, out } = brokenEnv(root);
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    const lines = error.message.split('\n').slice(1);
    const names = lines.map((l) => /^ {2}\[ERROR ([^\]]+)\]: .+; fix: .+$/.exec(l)?.[1]);
    expect(names.sort()).toEqual([...ERROR_NAMES].sort());
    expect(error.message).toMatch(/^24 preflight checks failed:/);
    expect(error.hint).toMatch(/--ignore-preflight-errors/);
    const warned = out.warnings.map((w) => /^\[WARNING ([^\]]+)\]/.exec(w)?.[1]);
    expect(warned.sort()).toEqual([...WARNING_NAMES].sort());
    expect(error.message).toContain('kubelet v1.37.0 is newer than the control plane v1.36.5');
    expect(error.message).toContain('swap is on (/dev/sda2)');
  });

  it.each(ERROR_NAMES)('ignoring %s turns only that error into a warning', async (name) => {
    const root = await brokenRoot();
    // Case-insensitive, as kubeadm.
    const { env, out } = brokenEnv(root, [name.toLowerCase()]);
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).not.toContain(`[ERROR ${name}]`);
    expect(error.message.split('\n')).toHaveLength(ERROR_NAMES.length); // header + the 22 others
    expect(out.warnings.some((w) => w.startsWith(`[IGNORED ${name}]`))).toBe(true);
  });

  it('ignoring all lets it pass, still reporting each as ignored', async () => {
    const root = await brokenRoot();
    const { env, out } = brokenEnv(root, ['ALL']);
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.errors).toEqual([]);
    expect(result.findings.filter((f: Finding) => f.ignored)).toHaveLength(ERROR_NAMES.length);
  });

  it('dry-run reports what would stop init and does not abort', async () => {
    const root = await brokenRoot();
    const { env, out } = makeEnv(root, { uid: 1000, dryRun: true, commands: brokenCommands, busy: () => 'EADDRINUSE' });
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.errors.length).toBeGreaterThan(0);
    expect(out.warnings.filter((w) => w.startsWith('would stop init: [ERROR '))).toHaveLength(result.errors.length);
  });
});

describe('single checks', () => {
  it('warnings never abort', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    await fs.rm(path.join(root, 'usr/bin/socat'));
    const { env, out } = makeEnv(root, { commands: healthyCommands({ [GETENT]: { exitCode: 2 } }) });
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.errors).toEqual([]);
    expect(out.warnings).toEqual([expect.stringMatching(/^\[WARNING Hostname\]: .*cp-1.*fix: add "127\.0\.0\.1 cp-1" to \/etc\/hosts/), expect.stringMatching(/^\[WARNING FileExisting-socat\]/)]);
  });

  it.each([
    ['Kubernetes v1.33.4', undefined],
    ['Kubernetes v1.36.9', undefined],
    ['Kubernetes v1.32.1', 'more than 3 minor versions older'],
    ['Kubernetes v1.37.0', 'newer than the control plane'],
    ['garbage', 'did not print a version'],
  ])('kubelet version skew: %s', async (stdout, wanted) => {
    const root = await tempDir();
    await healthyRoot(root);
    const { env, out } = makeEnv(root, { commands: healthyCommands({ [KUBELET_VERSION]: { stdout } }) });
    const run = runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    if (wanted === undefined) await run;
    else expect((await failure(run)).message).toMatch(new RegExp(`\\[ERROR KubeletVersion\\]: .*${wanted}`));
  });

  it('a missing crictl or kubelet is reported, not thrown', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    const gone = (argv: readonly string[]): never => {
      throw new CommandNotFoundError(argv[0]!);
    };
    const { env, out } = makeEnv(root, { commands: healthyCommands({ [CRI_INFO]: gone, [KUBELET_VERSION]: gone }) });
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).toMatch(/\[ERROR CRI\]: crictl is not installed.*fix: apt-get install cri-tools/);
    expect(error.message).toMatch(/\[ERROR KubeletVersion\]: the kubelet is not installed/);
  });

  it.each([
    ['v1.36', 'ERROR', /kubelet v1\.36\.5 refuses to start on it/],
    ['v1.34', 'WARNING', /deprecated/],
  ])('cgroup v1 with %s is an %s', async (version, tag, text) => {
    const root = await tempDir();
    await healthyRoot(root);
    await fs.rm(path.join(root, 'sys/fs/cgroup/cgroup.controllers'));
    const { env, out } = makeEnv(root, { config: { kubernetesVersion: resolveVersion(version) }, commands: healthyCommands({ [KUBELET_VERSION]: { stdout: 'Kubernetes v1.34.1' } }) });
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false }).catch((e: OperationalError) => e.message);
    const text_ = typeof result === 'string' ? result : out.warnings.join('\n');
    expect(text_).toMatch(new RegExp(`\\[${tag} SystemVerification\\]: this host uses cgroup v1`));
    expect(text_).toMatch(text);
  });

  it('an IPv6 node checks IPv6 forwarding', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    await put(root, '/proc/sys/net/ipv6/conf/default/forwarding', '0\n');
    const { env, out } = makeEnv(root, { config: { advertiseAddress: '::1' } });
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).toMatch(/\[ERROR FileContent--proc-sys-net-ipv6-conf-default-forwarding\]/);
  });
});

describe('port checks bind the port', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  async function occupy(): Promise<number> {
    const server = createServer();
    servers.push(server);
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    return (server.address() as { port: number }).port;
  }

  it('finds a port in use and a free one', async () => {
    const port = await occupy();
    expect(await bindPortProbe('127.0.0.1', port)).toBe('EADDRINUSE');
    servers.pop()!.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(await bindPortProbe('127.0.0.1', port)).toBeUndefined();
    expect(await bindPortProbe('192.0.2.99', 0)).toBe('EADDRNOTAVAIL');
  });

  it('fails Port-N for the configured API server port when something holds it', async () => {
    const port = await occupy();
    const root = await tempDir();
    await healthyRoot(root);
    const { env, out } = makeEnv(root, { config: { bindPort: port } });
    env.bindPort = async (address, p) => (p === port ? bindPortProbe(address, p) : undefined);
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).toMatch(new RegExp(`\\[ERROR Port-${port}\\]: port ${port} on 0\\.0\\.0\\.0 is in use \\(EADDRINUSE\\); kube-apiserver needs it; fix: .*ss -ltnp`));
  });

  it('says when the advertise address is not on this machine', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    const { env, out } = makeEnv(root, { config: { advertiseAddress: '192.0.2.99' } });
    env.bindPort = (address, p) => (address === '192.0.2.99' ? bindPortProbe(address, p) : Promise.resolve(undefined));
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).toMatch(/\[ERROR Port-2380\]: etcd cannot listen on 192\.0\.2\.99:2380: 192\.0\.2\.99 is not an address of this machine/);
  });
});

describe('re-runs over nodeadm\'s own work', () => {
  async function initialisedRoot(config = makeEnv('/').env.config): Promise<string> {
    const root = await tempDir();
    await healthyRoot(root);
    const derived = deriveValues(config);
    const m = '/etc/kubernetes/manifests';
    await put(root, `${m}/etcd.yaml`, toYaml(buildEtcdPod(config, derived)));
    await put(root, `${m}/kube-apiserver.yaml`, toYaml(buildApiServerPod(config, derived, { caCertDirs: [] })));
    await put(root, `${m}/kube-controller-manager.yaml`, toYaml(buildControllerManagerPod(config, derived, { caCertDirs: [] })));
    await put(root, `${m}/kube-scheduler.yaml`, toYaml(buildSchedulerPod(config, derived)));
    await put(root, '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf', buildKubeletDropIn());
    await put(root, '/var/lib/etcd/member/snap/db', 'this cluster');
    return root;
  }

  it('passes with the components running: their ports, manifests and etcd data are nodeadm\'s', async () => {
    const root = await initialisedRoot();
    // Every component of the node holds its port.
    const { env, out } = makeEnv(root, { busy: () => 'EADDRINUSE' });
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.findings).toEqual([]);
  });

  it('passes after changed input when the saved config lists the components', async () => {
    const root = await initialisedRoot();
    await put(root, '/etc/kubernetes/nodeadm/config.yaml', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnodeName: cp-1\nadvertiseAddress: 192.0.2.10\nextraSchedulers: []\n');
    const { env, out } = makeEnv(root, { busy: () => 'EADDRINUSE', config: { apiServer: { certSANs: ['cp.example.com'] } } as never });
    env.config = { ...env.config, networking: { ...env.config.networking, serviceSubnet: '10.112.0.0/12' } };
    env.derived = deriveValues(env.config);
    expect((await runPreflight(env, out, { stage: 'before', prepareHostFollows: false })).findings).toEqual([]);
  });

  it('without a saved config, a changed manifest is foreign and its port is checked', async () => {
    const root = await initialisedRoot();
    const { env, out } = makeEnv(root, { busy: (_a, p) => (p === 6443 ? 'EADDRINUSE' : undefined) });
    env.config = { ...env.config, networking: { ...env.config.networking, serviceSubnet: '10.112.0.0/12' } };
    env.derived = deriveValues(env.config);
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    expect(error.message).toMatch(/\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]: \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml exists and was not written by nodeadm/);
    expect(error.message).toMatch(/\[ERROR Port-6443\]/);
  });
});

describe('where the checks run', () => {
  it('with --root other than /, only file checks run; the rest are reported as skipped', async () => {
    const root = await brokenRoot();
    const { env, out, runner } = makeEnv(root, { live: false, uid: 1000, busy: () => 'EADDRINUSE' });
    const error = await failure(runPreflight(env, out, { stage: 'before', prepareHostFollows: false }));
    const names = error.message.split('\n').slice(1).map((l) => /\[ERROR ([^\]]+)\]/.exec(l)?.[1]);
    expect(names.sort()).toEqual(['DirAvailable--var-lib-etcd', 'FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml', 'FileAvailable--etc-kubernetes-manifests-kube-vip.yaml']);
    expect(out.infos[0]).toMatch(/^skipped 20 checks that need the live host: IsPrivilegedUser, Port-\*, NumCPU/);
    expect(runner.calls).toEqual([]);
  });

  it('with prepare-host to follow, what it sets up is checked after it instead', async () => {
    const root = await brokenRoot();
    await fs.rm(path.join(root, 'etc/kubernetes/manifests'), { recursive: true });
    await fs.rm(path.join(root, 'var/lib/etcd'), { recursive: true });
    await put(root, '/proc/cpuinfo', 'processor : 0\nprocessor : 1\n');
    await put(root, '/proc/meminfo', 'MemTotal: 4000000 kB\n');
    await put(root, '/sys/fs/cgroup/cgroup.controllers', 'cpu memory\n');
    const { env, out, runner } = makeEnv(root, { commands: brokenCommands });
    await runPreflight(env, out, { stage: 'before', prepareHostFollows: true });
    expect(out.infos.join('\n')).toMatch(/they run after it: Swap, FileContent--proc-sys-net-ipv4-ip_forward, FileExisting-kubelet/);
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual([GETENT]);
    // After prepare-host the same checks run, and fail if it did not fix them.
    const after = await failure(runPreflight(env, out, { stage: 'after-prepare' }));
    expect(after.message).toMatch(/\[ERROR Swap\]/);
    expect(after.message).not.toMatch(/NumCPU|Port-/);
  });
});

describe('--ignore-preflight-errors input', () => {
  it('accepts known names in any case, Port-N and file names', () => {
    expect(() => checkIgnoreList(['swap', 'PORT-6443', 'FileAvailable--etc-kubernetes-manifests-kube-vip.yaml', 'cri'])).not.toThrow();
    expect(() => checkIgnoreList(['all'])).not.toThrow();
  });

  it('knows every fixed check by the name the check reports (names.ts is their table)', () => {
    expect(FIXED_CHECK_NAMES).toEqual(FIXED_CHECKS.map((c) => c.name));
    expect(new Set(FIXED_CHECK_NAMES).size).toBe(FIXED_CHECK_NAMES.length);
  });

  it('refuses an unknown name and "all" with others', () => {
    expect(() => checkIgnoreList(['Swp'])).toThrow(UsageError);
    expect(() => checkIgnoreList(['Swp'])).toThrow(/--ignore-preflight-errors: unknown preflight check "Swp" \(known: IsPrivilegedUser/);
    expect(() => checkIgnoreList(['all', 'Swap'])).toThrow(/cannot be combined/);
  });

  it('the CLI exits 2 on an unknown name and writes nothing', async () => {
    const root = await tempDir();
    const { code, err } = await runCli(['init', '--root', root, '--yes', '--advertise-address', '192.0.2.10', '--node-name', 'cp-1', '--ignore-preflight-errors', 'Swap,nope']);
    expect(code).toBe(2);
    expect(err).toMatch(/^error: --ignore-preflight-errors: unknown preflight check "nope"/);
    expect(await fs.readdir(root)).toEqual([]);
  });
});

describe('ignoring by group', () => {
  it('ExistingManifests ignores every foreign manifest at once', async () => {
    const root = await tempDir();
    await healthyRoot(root);
    await put(root, '/etc/kubernetes/manifests/kube-vip.yaml', 'kind: Pod\n');
    await put(root, '/etc/kubernetes/manifests/haproxy.yaml', 'kind: Pod\n');
    const { env, out } = makeEnv(root, { config: { ignorePreflightErrors: ['existingmanifests'] } });
    const result = await runPreflight(env, out, { stage: 'before', prepareHostFollows: false });
    expect(result.findings.map((f) => `${f.name} ${f.ignored}`)).toEqual(['FileAvailable--etc-kubernetes-manifests-haproxy.yaml true', 'FileAvailable--etc-kubernetes-manifests-kube-vip.yaml true']);
  });
});
