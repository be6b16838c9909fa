/**
 * What a failed wait leaves behind: a folder a user can attach to a bug report, written
 * through the host layer. Manifests are listed, not copied (a user's pod may carry secrets
 * in its env); nothing here reads a private key.
 */
import type { Host } from '../host/types.js';
import { containerLogs, containersOfPod, type ContainerState } from '../runtime/crictl.js';
import { kubeletJournal, type TargetOutcome } from './index.js';
import type { StaticPod } from './static-pods.js';

export const DIAGNOSTICS_PARENT = '/var/log/nodeadm';
const LOG_LINES = 20;
const FULL_JOURNAL_LINES = 300;

export interface FailedComponent {
  outcome: TargetOutcome;
  /** A short guess at the cause, from the container state, its logs and the kubelet journal. */
  reason?: string;
  /** Kubelet journal lines that name this pod (image pulls, sandbox and mount errors). */
  journalLines?: string[];
  /** The newest container of the pod; undefined when the runtime shows none (or is unavailable). */
  container?: ContainerState;
  logTail?: string;
}

export interface Diagnostics {
  dir: string;
  failed: FailedComponent[];
  runtimeAvailable: boolean;
  journalTail: string;
}

/** Collects container states, logs and the kubelet journal for the failed targets, and writes the folder. */
export async function collectDiagnostics(
  host: Host,
  input: { pods: StaticPod[]; outcomes: TargetOutcome[]; states: ContainerState[] | undefined; now: number },
): Promise<Diagnostics> {
  const { pods, outcomes, states, now } = input;
  const fullJournal = await kubeletJournal(host, FULL_JOURNAL_LINES);
  const failed: FailedComponent[] = [];
  for (const outcome of outcomes.filter((o) => !o.ok)) {
    const container = states ? containersOfPod(states, outcome.target.pod)[0] : undefined;
    const logTail = container ? await containerLogs(host, container.id, LOG_LINES) : undefined;
    const journalLines = fullJournal.split('\n').filter((l) => l.includes(`${outcome.target.pod}-`) || l.includes(`"${outcome.target.pod}"`)).slice(-5);
    const f: FailedComponent = { outcome, ...(container ? { container } : {}), ...(logTail !== undefined ? { logTail } : {}), ...(journalLines.length ? { journalLines } : {}) };
    const reason = likelyReason(f);
    failed.push(reason ? { ...f, reason } : f);
  }
  const journalTail = await kubeletJournal(host);
  const dir = `${DIAGNOSTICS_PARENT}/diagnostics-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
  const write = (name: string, text: string): Promise<unknown> => host.writeFile(`${dir}/${name}`, text.endsWith('\n') ? text : `${text}\n`, { mode: 0o600 });

  await host.ensureDir(dir, 0o700);
  await write('health.json', JSON.stringify(outcomes.map((o) => ({ pod: o.target.pod, url: o.target.url, healthy: o.ok, seconds: o.ms / 1000, detail: o.detail })), null, 2));
  await write('manifests.txt', pods.map((p) => [p.file, p.name, p.owner, p.target?.url ?? '(no HTTP probe)', p.problem ?? ''].join('\t').trimEnd()).join('\n') || '(no static pod manifests)');
  await write('containers.json', states ? JSON.stringify(states, null, 2) : 'container runtime unavailable (crictl missing or the runtime does not answer)');
  for (const f of failed) {
    if (f.logTail !== undefined) await write(`logs-${f.outcome.target.pod}.txt`, f.logTail || '(no output)');
  }
  await write('kubelet-journal.txt', fullJournal || '(journalctl unavailable)');
  const status = await host.run(['systemctl', 'status', '--no-pager', 'kubelet']).catch(() => undefined);
  await write('kubelet-status.txt', status ? `${status.stdout}${status.stderr ? `\n${status.stderr}` : ''}` : '(systemctl unavailable)');
  return { dir, failed, runtimeAvailable: states !== undefined, journalTail };
}

/** The error text: each failing component with its container state and last log lines, then the kubelet journal. */
export function describeFailure(d: Diagnostics, timeoutMs: number): string {
  const lines: string[] = [];
  for (const f of d.failed) {
    const o = f.outcome;
    lines.push(`${o.target.pod} is not healthy after ${timeoutMs / 1000}s: ${o.target.url}: ${o.detail}`);
    if (f.reason) lines.push(`  likely cause: ${f.reason}`);
    if (!d.runtimeAvailable) lines.push('  container: unknown (container runtime unavailable)');
    else if (!f.container) lines.push('  container: none (the kubelet has not started it: check the manifest and the kubelet journal)');
    else lines.push(`  container: ${f.container.state}, restarts ${f.container.attempt}, id ${f.container.id.slice(0, 13)}`);
    if (f.logTail) lines.push(`  last log lines:`, ...f.logTail.split('\n').map((l) => `    ${l}`));
    if (f.journalLines) lines.push(`  kubelet about ${o.target.pod}:`, ...f.journalLines.map((l) => `    ${l}`));
  }
  if (d.journalTail) lines.push('kubelet journal (last lines):', ...d.journalTail.split('\n').map((l) => `  ${l}`));
  lines.push(`diagnostics written to ${d.dir}`);
  return lines.join('\n');
}

/** The usual reasons a static pod does not come up, recognised from what was collected. */
function likelyReason(f: FailedComponent): string | undefined {
  const text = [f.logTail ?? '', ...(f.journalLines ?? [])].join('\n');
  if (/ErrImagePull|ImagePullBackOff|failed to pull (and unpack )?image/i.test(text)) return 'the image cannot be pulled (registry, name or network)';
  if (/address already in use/i.test(text)) return 'its port is already in use by another process';
  if (/HTTP 40[13]\b|refused the client certificate/.test(f.outcome.detail)) return `the API server refused the credentials in admin.conf (a client certificate not signed by the cluster CA?)`;
  if (/x509|certificate|tls:/i.test(`${text}\n${f.outcome.detail}`)) return 'a certificate problem (see the log lines)';
  if (f.container && f.container.state !== 'running' && f.container.attempt > 0) return `it keeps crashing (restarted ${f.container.attempt} times); its log lines say why`;
  if (!f.container && /connection refused/.test(f.outcome.detail)) return 'it was never started: the kubelet journal says why';
  return undefined;
}
