/**
 * `nodeadm certs check-expiration | renew | generate-csr`: the PKI after init. Everything is read
 * from, and re-derived from, the configuration init saved in /etc/kubernetes/nodeadm/config.yaml.
 */
import { UsageError } from '../errors.js';
import { createHost } from '../host/index.js';
import {
  countMissingCsrKeys,
  expiryReport,
  EXPIRY_WARNING_MS,
  generateCsrs,
  KeyPool,
  planRestarts,
  renewCertificates,
  residualTime,
  type ExpiryEntry,
  type RestartDeps,
} from '../pki/index.js';
import { requireSavedConfig } from '../config/saved.js';
import { startRun, type GlobalOptions, type Io } from './global.js';

const DAY_MS = 24 * 3600 * 1000;

/** `certs check-expiration`: exit 0; a warning line under 30 days, an error line once expired. */
export async function checkExpiration(global: GlobalOptions, io: Io, now = new Date()): Promise<number> {
  // Read-only: a plain host, no record of created files.
  const host = createHost({ root: global.root });
  const report = await expiryReport(host, await requireSavedConfig(host));
  const row = (e: ExpiryEntry): Record<string, unknown> => ({
    name: e.name,
    path: e.path,
    ...(e.notAfter ? { expires: e.notAfter.toISOString(), residual: residualTime(e.notAfter, now), expired: e.notAfter <= now } : { problem: e.problem }),
    ...(e.authority ? { authority: e.authority, renewable: e.renewable } : {}),
  });
  if (global.output === 'json') {
    io.out(JSON.stringify({ now: now.toISOString(), certificates: report.certificates.map(row), authorities: report.authorities.map(row) }, null, 2));
    return 0;
  }
  const when = (e: ExpiryEntry): string => (e.notAfter ? formatDate(e.notAfter) : `(${e.problem})`);
  const left = (e: ExpiryEntry): string => (e.notAfter ? residualTime(e.notAfter, now) : '-');
  io.out(table(['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'RENEWABLE'], report.certificates.map((e) => [e.name, when(e), left(e), e.authority ?? '', e.renewable ? 'yes' : 'no (external CA)'])));
  io.out('');
  io.out(table(['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'KEY'], report.authorities.map((e) => [e.name, when(e), left(e), e.problem ? '-' : e.path.replace(/\.crt$/, '.key')])));
  for (const e of [...report.certificates, ...report.authorities]) {
    if (!e.notAfter) continue;
    const ms = e.notAfter.getTime() - now.getTime();
    const isCa = e.authority === undefined;
    if (ms <= 0) io.err(`error: ${e.name} (${e.path}) expired on ${formatDate(e.notAfter)}${isCa ? '' : `; renew it: nodeadm certs renew ${e.name}`}`);
    else if (ms < EXPIRY_WARNING_MS) io.err(`warning: ${e.name} (${e.path}) expires in ${residualTime(e.notAfter, now)}${isCa ? '' : `; renew it: nodeadm certs renew ${e.name}`}`);
  }
  return 0;
}

export interface RenewFlags {
  ifExpiringWithin?: string;
}

/**
 * `certs renew <name…|all>`: new certificates and keys from the existing CAs; on a live host
 * the static pods (and the kubelet) that read a renewed file are restarted one at a time.
 */
export async function renewCommand(global: GlobalOptions, names: string[], flags: RenewFlags, io: Io, deps?: RestartDeps): Promise<number> {
  if (names.length === 0) throw new UsageError('certs renew: name a certificate, or all');
  const window = flags.ifExpiringWithin === undefined ? undefined : parseWindow(flags.ifExpiringWithin);
  const run = startRun(global, io);
  const out = run.bus.reporter('certs renew');
  run.bus.phase = 'certs renew';
  try {
    const config = await requireSavedConfig(run.host);
    const keys = new KeyPool(config.encryptionAlgorithm);
    const now = new Date();
    let results;
    try {
      results = await renewCertificates(run.host, config, names, {
        keys,
        now,
        validity: { leafHours: config.certificateValidityHours, caHours: config.caCertificateValidityHours },
        ...(window === undefined ? {} : { ifExpiringWithinMs: window }),
      });
    } finally {
      keys.close();
    }
    for (const r of results) out.info(`${r.name}: ${r.action === 'renewed' ? (global.dryRun ? 'would renew' : 'renewed') : 'skipped'}: ${r.reason}`);
    const renewed = results.filter((r) => r.action === 'renewed');
    const { readStaticPods } = await import('../waiter/index.js');
    const plan = await planRestarts(run.host, renewed.flatMap((r) => r.paths), await readStaticPods(run.host));
    const restarts = [...plan.pods.map((p) => `${p.name} (reads ${p.uses.join(', ')})`), ...(plan.kubelet.length > 0 ? [`the kubelet (reads ${plan.kubelet.join(', ')})`] : [])];
    if (restarts.length === 0) {
      out.info(renewed.length === 0 ? 'nothing renewed, nothing to restart' : 'no running component reads the renewed files: nothing to restart');
    } else if (!run.host.isLiveRoot || global.dryRun) {
      const why = global.dryRun ? 'dry run' : `--root ${global.root}`;
      out.info(`a live host would now restart, one at a time, each waited for until healthy (${why}): ${restarts.join('; ')}`);
    } else {
      const { restartComponents } = await import('../pki/index.js');
      await restartComponents(run.host, plan, deps ?? (await liveDeps()), out);
    }
    if (run.json) io.out(JSON.stringify({ command: 'certs renew', root: global.root, dryRun: global.dryRun, results, restarts, events: run.json.phases }, null, 2));
    else io.out(`${global.dryRun ? 'Dry run: would renew' : 'Renewed'} ${renewed.length} of ${results.length} certificates.`);
    return 0;
  } finally {
    await run.finish();
  }
}

async function liveDeps(): Promise<RestartDeps> {
  const waiter = await import('../waiter/index.js');
  return { checkHealth: waiter.checkHealth, waitForKubelet: waiter.waitForKubelet, clock: waiter.realClock };
}

/** `certs generate-csr`: keys and CSRs for an external CA to sign. */
export async function generateCsrCommand(global: GlobalOptions, io: Io): Promise<number> {
  const run = startRun(global, io);
  run.bus.phase = 'certs generate-csr';
  const out = run.bus.reporter('certs generate-csr');
  try {
    const config = await requireSavedConfig(run.host);
    const keys = new KeyPool(config.encryptionAlgorithm);
    keys.prefetch(await countMissingCsrKeys(run.host, config));
    let results;
    try {
      results = await generateCsrs(run.host, config, keys);
    } finally {
      keys.close();
    }
    for (const r of results) if (r.action !== 'unchanged') out.info(`${r.name}: ${r.paths[1]}`);
    if (run.json) io.out(JSON.stringify({ command: 'certs generate-csr', root: global.root, dryRun: global.dryRun, results, events: run.json.phases }, null, 2));
    else io.out(`${results.length} certificate signing requests ${global.dryRun ? 'would be written' : 'written'}; sign them with the external CA and place each certificate next to its key (README "External CA").`);
    return 0;
  } finally {
    await run.finish();
  }
}

/** "60d", "720h", "90m" → ms. */
export function parseWindow(text: string): number {
  const m = /^(\d+)(d|h|m)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--if-expiring-within: invalid value ${JSON.stringify(text)}: must be a positive duration such as 60d, 720h or 90m`);
  return Number(m[1]) * { d: DAY_MS, h: 3600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
}

/** "Dec 03, 2027 17:25 UTC", as kubeadm prints expiry dates. */
function formatDate(d: Date): string {
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${month} ${pad(d.getUTCDate())}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('   ').trimEnd()).join('\n');
}
