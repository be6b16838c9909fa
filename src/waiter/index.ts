/**
 * Waiting for the node to come up, the way kubeadm's wait-control-plane does: the kubelet's
 * healthz first, then every static pod's own health endpoint in parallel. Time comes from an
 * injectable Clock so tests exercise timeouts instantly.
 */
import type http from 'node:http';
import type https from 'node:https';
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { parseKubeconfig } from '../kubeconfig/build.js';
import { KUBECONFIG_FILES } from '../paths.js';
import { readNodeSettings } from './node-settings.js';
import type { HealthTarget } from './static-pods.js';

export { readNodeSettings, type NodeSettings } from './node-settings.js';
export { healthTargetsFromManifests, parseStaticPod, readStaticPods, type HealthTarget, type PodOwner, type StaticPod } from './static-pods.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** kubeadm polls once a second. */
export const POLL_INTERVAL_MS = 1000;
const REQUEST_TIMEOUT_MS = 5000;
/** The last poll before the deadline still gets a fair chance to answer. */
const MIN_REQUEST_TIMEOUT_MS = 1000;
const JOURNAL_LINES = 30;

export interface HealthResult {
  ok: boolean;
  /** "200 ok", "500: [-]etcd failed", "connection refused", … */
  detail: string;
}

/**
 * One GET against a health endpoint. The API server is checked with mTLS as admin.conf's user
 * against the cluster CA, so a bad admin.conf fails here. Other components serve self-signed
 * certificates the kubelet's probes do not verify either.
 */
export async function checkHealth(host: Host, target: HealthTarget, options: { timeoutMs?: number } = {}): Promise<HealthResult> {
  const timeout = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  // Loaded when first needed: node:https costs milliseconds of start-up, and a run under
  // --root never probes anything.
  const [{ default: http }, { default: https }] = await Promise.all([import('node:http'), import('node:https')]);
  if (target.scheme === 'HTTP') return get(http, target.url, { timeout });
  if (target.pod !== 'kube-apiserver') return get(https, target.url, { timeout, rejectUnauthorized: false });
  const admin = await host.readText(KUBECONFIG_FILES.admin);
  const kc = admin === undefined ? undefined : parseKubeconfig(admin);
  if (!kc?.caCertPem || !kc.clientCertPem || !kc.clientKeyPem) {
    return { ok: false, detail: `${KUBECONFIG_FILES.admin} is missing or has no embedded CA, client certificate and key` };
  }
  const result = await get(https, target.url, { timeout, ca: kc.caCertPem, cert: kc.clientCertPem, key: kc.clientKeyPem });
  // With TLS 1.3 a refused client certificate reaches the client as a reset after the handshake.
  if (!result.ok && /^connection reset|socket hang up/.test(result.detail)) {
    return { ok: false, detail: `${result.detail} (the server may have refused the client certificate in ${KUBECONFIG_FILES.admin})` };
  }
  return result;
}

function get(client: typeof http | typeof https, url: string, options: https.RequestOptions): Promise<HealthResult> {
  return new Promise((resolve) => {
    const request = client.get(url, { ...options, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 2048) body += chunk;
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const text = body.trim().split('\n').filter((l) => !l.startsWith('[+]')).join('; ').slice(0, 300);
        resolve({ ok: status === 200, detail: `HTTP ${status}${text ? `: ${text}` : ''}` });
      });
      response.on('error', (error) => resolve({ ok: false, detail: describeNetError(error) }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${options.timeout} ms`), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => resolve({ ok: false, detail: describeNetError(error) }));
  });
}

function describeNetError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listening yet)',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    EADDRNOTAVAIL: 'address not available on this machine',
  };
  if (code && known[code]) return known[code];
  // TLS failures (bad certificate, unknown CA) keep their own words: they are the diagnosis.
  return error.message;
}

export interface WaitOptions {
  timeoutMs: number;
  clock?: Clock;
}

/** Polls the kubelet's healthz (from its config; http://127.0.0.1:10248/healthz by default). */
export async function waitForKubelet(host: Host, options: WaitOptions): Promise<void> {
  const { kubeletHealthzUrl } = await readNodeSettings(host);
  const target: HealthTarget = { pod: 'kubelet', url: kubeletHealthzUrl, scheme: 'HTTP' };
  const result = await pollUntilHealthy(host, target, options);
  if (result.ok) return;
  const journal = await kubeletJournal(host);
  throw new OperationalError(
    `the kubelet is not healthy after ${formatSeconds(options.timeoutMs)} (${kubeletHealthzUrl}: ${result.detail})${journal ? `\nkubelet journal (last ${JOURNAL_LINES} lines):\n${journal}` : ''}`,
    'see "systemctl status kubelet" and "journalctl -xeu kubelet"; a common cause is a cgroup driver mismatch with the container runtime, or swap left on',
  );
}

export interface TargetOutcome {
  target: HealthTarget;
  ok: boolean;
  /** Time until healthy, or until giving up. */
  ms: number;
  /** The last check's detail. */
  detail: string;
}

/** Waits for all targets in parallel; resolves (never rejects) with each one's outcome. */
export async function waitForTargets(
  host: Host,
  targets: readonly HealthTarget[],
  options: WaitOptions & { onHealthy?: (outcome: TargetOutcome) => void },
): Promise<TargetOutcome[]> {
  return Promise.all(
    targets.map(async (target) => {
      const outcome = await pollUntilHealthy(host, target, options);
      if (outcome.ok) options.onHealthy?.(outcome);
      return outcome;
    }),
  );
}

async function pollUntilHealthy(host: Host, target: HealthTarget, { timeoutMs, clock = realClock }: WaitOptions): Promise<TargetOutcome> {
  const start = clock.now();
  const deadline = start + timeoutMs;
  for (;;) {
    const { ok, detail } = await checkHealth(host, target, { timeoutMs: Math.max(MIN_REQUEST_TIMEOUT_MS, Math.min(REQUEST_TIMEOUT_MS, deadline - clock.now())) });
    const ms = clock.now() - start;
    if (ok || clock.now() + POLL_INTERVAL_MS > deadline) return { target, ok, ms, detail };
    await clock.sleep(POLL_INTERVAL_MS);
  }
}

/** The kubelet's last journal lines; '' when journalctl has nothing or is not there. */
export async function kubeletJournal(host: Host, lines = JOURNAL_LINES): Promise<string> {
  if (!host.isLiveRoot) return '';
  try {
    const result = await host.run(['journalctl', '-u', 'kubelet', '-n', String(lines), '--no-pager']);
    return result.stdout.trim();
  } catch (error) {
    if (error instanceof OperationalError) return '';
    throw error;
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}
