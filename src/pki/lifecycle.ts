/**
 * The certificate lifecycle after init: what expires when (`certs check-expiration`, `status`,
 * the init summary) and renewal from the existing CAs (`certs renew`). Subjects and SANs are
 * re-derived from the saved configuration, so a changed advertise address or SAN is picked up.
 */
import { requireSavedConfig } from '../config/saved.js';
import type { NodeConfig } from '../config/types.js';
import { OperationalError, PkiError, UsageError } from '../errors.js';
import type { Host, WriteResult } from '../host/types.js';
import { buildKubeconfig, parseKubeconfig, serializeKubeconfig } from '../kubeconfig/build.js';
import { kubeconfigList, type KubeconfigSpec } from '../kubeconfig/list.js';
import { ETCD_PKI_DIR, MODE, PKI_DIR } from '../paths.js';
import { CA_BASE_PATHS, certificateList, certPath, keyPath, type CaId, type CertificateSpec } from './certificates.js';
import { certificateAuthority, createPkiContext, type CertificateAuthority, type PkiContext } from './ensure.js';
import { loadPrivateKey, type KeyPool } from './keys.js';
import { certificateExpiry, createCertificateRequest, createSignedCertificate, inspectCertificate, isIssuedBy, type Validity } from './x509.js';

const DAY_MS = 24 * 3600 * 1000;
/** check-expiration warns below this residual time. */
export const EXPIRY_WARNING_MS = 30 * DAY_MS;


/** One line of check-expiration. */
export interface ExpiryEntry {
  /** kubeadm's names: "apiserver", "etcd-server", "admin.conf"; CAs by their id ("ca", "etcd-ca"). */
  name: string;
  /** The certificate file, or the kubeconfig that embeds it. */
  path: string;
  /** undefined: missing or unreadable (see `problem`). */
  notAfter?: Date;
  /** The signing CA's id; undefined for a CA. */
  authority?: CaId;
  /** The signing CA's key is on disk (not an external CA), so `certs renew` can renew it. */
  renewable: boolean;
  problem?: string;
}

export interface ExpiryReport {
  certificates: ExpiryEntry[];
  authorities: ExpiryEntry[];
}

/** The renewable names, in check-expiration order: leaves of certificateList, then kubeconfigs. */
export function renewableNames(config: NodeConfig): string[] {
  return [...leafSpecs(config).map((s) => s.id), ...kubeconfigList(config).map(kubeconfigName)];
}

const kubeconfigName = (spec: KubeconfigSpec): string => spec.path.split('/').pop()!;
const leafSpecs = (config: NodeConfig): (CertificateSpec & { caId: CaId })[] =>
  certificateList(config).filter((s): s is CertificateSpec & { caId: CaId } => s.caId !== undefined);

/** Every certificate nodeadm manages, kubeconfig client certificates included, and the CAs apart. */
export async function expiryReport(host: Host, config: NodeConfig): Promise<ExpiryReport> {
  const authorities: ExpiryEntry[] = [];
  const caKeys = new Map<CaId, boolean>();
  for (const id of Object.keys(CA_BASE_PATHS) as CaId[]) {
    const base = { basePath: CA_BASE_PATHS[id] };
    const hasKey = await host.exists(keyPath(base));
    caKeys.set(id, hasKey);
    authorities.push({ name: id, path: certPath(base), renewable: false, ...(await readExpiry(host, certPath(base))) });
  }
  const certificates: ExpiryEntry[] = [];
  for (const spec of leafSpecs(config)) {
    certificates.push({ name: spec.id, path: certPath(spec), authority: spec.caId, renewable: caKeys.get(spec.caId) === true, ...(await readExpiry(host, certPath(spec))) });
  }
  for (const spec of kubeconfigList(config)) {
    certificates.push({ name: kubeconfigName(spec), path: spec.path, authority: 'ca', renewable: caKeys.get('ca') === true, ...(await readExpiry(host, spec.path, true)) });
  }
  return { certificates, authorities };
}

async function readExpiry(host: Host, file: string, kubeconfig = false): Promise<Pick<ExpiryEntry, 'notAfter' | 'problem'>> {
  const text = await host.readText(file);
  if (text === undefined) return { problem: 'missing' };
  const pem = kubeconfig ? parseKubeconfig(text)?.clientCertPem : text;
  if (pem === undefined) return { problem: 'no embedded client certificate' };
  const notAfter = certificateExpiry(pem);
  return notAfter ? { notAfter } : { problem: 'not a PEM certificate' };
}

export interface NearestExpiry {
  name: string;
  path: string;
  notAfter: Date;
}

/**
 * The certificate (CAs and kubeconfigs included) that expires first, for `status` and the init
 * summary; undefined when the node has none. Without a saved configuration it reads every
 * certificate in the PKI directories and the kubeconfigs.
 */
export async function nearestExpiry(host: Host): Promise<NearestExpiry | undefined> {
  let entries: ExpiryEntry[];
  try {
    const report = await expiryReport(host, await requireSavedConfig(host));
    entries = [...report.authorities, ...report.certificates];
  } catch (error) {
    if (!(error instanceof OperationalError) && !(error instanceof UsageError)) throw error;
    entries = [];
    for (const dir of [PKI_DIR, ETCD_PKI_DIR]) {
      for (const name of (await host.listDir(dir)).filter((n) => n.endsWith('.crt'))) {
        entries.push({ name: name.replace(/\.crt$/, ''), path: `${dir}/${name}`, renewable: false, ...(await readExpiry(host, `${dir}/${name}`)) });
      }
    }
  }
  let first: NearestExpiry | undefined;
  for (const e of entries) {
    if (e.notAfter && (!first || e.notAfter < first.notAfter)) first = { name: e.name, path: e.path, notAfter: e.notAfter };
  }
  return first;
}

/** "364d", "5h", "expired" — residual time as kubeadm prints it. */
export function residualTime(notAfter: Date, now: Date): string {
  const ms = notAfter.getTime() - now.getTime();
  if (ms <= 0) return 'expired';
  if (ms >= DAY_MS) return `${Math.floor(ms / DAY_MS)}d`;
  if (ms >= 3600_000) return `${Math.floor(ms / 3600_000)}h`;
  return `${Math.max(1, Math.floor(ms / 60_000))}m`;
}

export interface RenewOptions {
  keys: KeyPool;
  now: Date;
  validity: Validity;
  /** Renew only certificates that expire within this many ms (the timer's --if-expiring-within). */
  ifExpiringWithinMs?: number;
}

export interface RenewResult {
  name: string;
  /** Files written: certificate and key, or the kubeconfig. */
  paths: string[];
  action: 'renewed' | 'skipped';
  reason: string;
  /** The new expiry, when renewed. */
  notAfter?: Date;
}

/**
 * Renews the named certificates ("all": every renewable one) from their CAs, with new keys of
 * the configured algorithm, as kubeadm's `certs renew` does. Each file is written atomically;
 * a certificate and its key are written key first, so a reader never pairs a new certificate
 * with an old key for longer than one rename.
 */
export async function renewCertificates(host: Host, config: NodeConfig, names: readonly string[], options: RenewOptions): Promise<RenewResult[]> {
  const known = renewableNames(config);
  const all = names.includes('all');
  for (const name of names) {
    if (name !== 'all' && !known.includes(name)) {
      throw new UsageError(`certs renew: unknown certificate "${name}" (accepted: all, ${known.join(', ')})`);
    }
  }
  const wanted = all ? known : known.filter((n) => names.includes(n));
  const ctx = createPkiContext(host, options.keys, { now: options.now, validity: options.validity });
  // Key generation dominates: start them all now, on every core. With a window, most are not
  // needed; the pool is closed by the caller and drops what was not taken.
  if (options.ifExpiringWithinMs === undefined) options.keys.prefetch(wanted.length);
  const results: RenewResult[] = [];
  for (const spec of leafSpecs(config).filter((s) => wanted.includes(s.id))) {
    results.push(await renewOne(ctx, spec.id, certPath(spec), options, all, spec.caId, async (ca) => {
      const key = await ctx.keys.take();
      const pem = createSignedCertificate(spec, key.publicKeyPem, ca, { now: ctx.now, hours: ctx.validity.leafHours });
      await host.writeFile(keyPath(spec), key.privateKeyPem, { mode: MODE.privateKey, secret: true });
      await host.writeFile(certPath(spec), pem, { mode: MODE.certificate });
      return { pem, paths: [certPath(spec), keyPath(spec)] };
    }));
  }
  for (const spec of kubeconfigList(config).filter((s) => wanted.includes(kubeconfigName(s)))) {
    results.push(await renewOne(ctx, kubeconfigName(spec), spec.path, options, all, 'ca', async (ca) => {
      const key = await ctx.keys.take();
      const pem = createSignedCertificate(spec.client, key.publicKeyPem, ca, { now: ctx.now, hours: ctx.validity.leafHours });
      const object = buildKubeconfig({
        clusterName: spec.clusterName,
        server: spec.server,
        caCertPem: ca.certPem,
        userName: spec.client.commonName,
        clientCertPem: pem,
        clientKeyPem: key.privateKeyPem,
      });
      await host.writeFile(spec.path, serializeKubeconfig(object), { mode: MODE.kubeconfig, secret: true });
      return { pem, paths: [spec.path] };
    }));
  }
  return results;
}

async function renewOne(
  ctx: PkiContext,
  name: string,
  file: string,
  options: RenewOptions,
  all: boolean,
  caId: CaId,
  issue: (ca: CertificateAuthority) => Promise<{ pem: string; paths: string[] }>,
): Promise<RenewResult> {
  const ca = await certificateAuthority(ctx, caId);
  if (ca.external) {
    const reason = `signed by the external ${caId} CA (${ca.keyPath} is absent): renew it with that CA ("nodeadm certs generate-csr" writes the request)`;
    if (!all) throw new PkiError(`cannot renew ${name}: ${reason}`);
    return { name, paths: [], action: 'skipped', reason };
  }
  const existing = await currentCertificate(ctx.host, file);
  if (options.ifExpiringWithinMs !== undefined && existing) {
    const left = existing.notAfter.getTime() - ctx.now.getTime();
    if (left > options.ifExpiringWithinMs) {
      return { name, paths: [], action: 'skipped', reason: `expires in ${residualTime(existing.notAfter, ctx.now)}, not within the window` };
    }
  }
  const { pem, paths } = await issue(ca);
  const info = inspectCertificate(pem)!;
  const was = existing ? `was ${existing.notAfter.toISOString()}${isIssuedBy(existing, ca.info) ? '' : ', from another CA'}` : 'was missing';
  return { name, paths, action: 'renewed', reason: `valid until ${info.notAfter.toISOString()} (${was})`, notAfter: info.notAfter };
}

async function currentCertificate(host: Host, file: string): Promise<ReturnType<typeof inspectCertificate>> {
  const text = await host.readText(file);
  if (text === undefined) return undefined;
  const pem = file.endsWith('.conf') ? parseKubeconfig(text)?.clientCertPem : text;
  return pem === undefined ? undefined : inspectCertificate(pem);
}

export interface CsrResult {
  name: string;
  /** The key and the request. */
  paths: string[];
  action: WriteResult;
}

/**
 * kubeadm's `certs generate-csr`: a key (kept when present) and a PKCS#10 request for every
 * leaf certificate and every kubeconfig client certificate, for an external CA to sign. Requests
 * sit next to their key: `<name>.csr`, `<kubeconfig>.csr` and `<kubeconfig>.key`; all 0600.
 */
export async function generateCsrs(host: Host, config: NodeConfig, keys: KeyPool): Promise<CsrResult[]> {
  const items = [
    ...leafSpecs(config).map((spec) => ({ name: spec.id, profile: spec, key: keyPath(spec), csr: `${spec.basePath}.csr` })),
    ...kubeconfigList(config).map((spec) => ({ name: kubeconfigName(spec), profile: spec.client, key: `${spec.path}.key`, csr: `${spec.path}.csr` })),
  ];
  const results: CsrResult[] = [];
  for (const item of items) {
    const existing = await host.readText(item.key);
    const key = existing === undefined ? await keys.take() : loadPrivateKey(existing, item.key).pair;
    const keyWrite = await host.writeFile(item.key, key.privateKeyPem, { mode: MODE.privateKey, secret: true });
    const csrWrite = await host.writeFile(item.csr, createCertificateRequest(item.profile, key, item.key), { mode: MODE.privateKey });
    const action: WriteResult = keyWrite === 'created' ? 'created' : csrWrite;
    results.push({ name: item.name, paths: [item.key, item.csr], action });
  }
  return results;
}

/** How many keys generateCsrs will generate (to prefetch them all at once). */
export async function countMissingCsrKeys(host: Host, config: NodeConfig): Promise<number> {
  const files = [...leafSpecs(config).map(keyPath), ...kubeconfigList(config).map((s) => `${s.path}.key`)];
  return (await Promise.all(files.map((f) => host.exists(f)))).filter((e) => !e).length;
}
