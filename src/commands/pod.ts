/**
 * `nodeadm pod add FILE|-`, `pod remove NAME [--force]`, `pod list`: validated static pod
 * management on any node, standalone or control-plane. The input is checked in full before
 * anything is written; pods are re-serialised from parsed data, never copied as text.
 */
import { savedNodeName } from '../config/saved.js';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { createHost, type Host } from '../host/index.js';
import { addPods, listManifests, manifestsDir, removePod, type ManifestEntry } from '../pods/manifests.js';
import { validatePodManifests } from '../pods/validate.js';
import { containersOfPod, containerStates, type ContainerState } from '../runtime/crictl.js';
import { PlainSink } from '../workflow/render.js';
import { startRun, type GlobalOptions, type Io, type Run } from './global.js';

/** Reads all of stdin (for `pod add -`). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(file: string, stdin: () => Promise<string>): Promise<{ text: string; source: string }> {
  if (file === '-') return { text: await stdin(), source: 'stdin' };
  try {
    return { text: await readFile(file, 'utf8'), source: file };
  } catch (e) {
    throw new UsageError(`pod add: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** A Run whose file changes and messages are printed as plain lines, also on a TTY (there is no task list here). */
function startPodRun(global: GlobalOptions, io: Io, command: string): Run {
  const run = startRun(global, io);
  if (run.interactive) run.bus.attach(new PlainSink(io.out, global.dryRun, global.verbose));
  run.bus.phase = command;
  return run;
}

export async function podAdd(global: GlobalOptions, file: string, io: Io, stdin: () => Promise<string> = readStdin): Promise<number> {
  const { text, source } = await readInput(file, stdin);
  const { pods, warnings } = validatePodManifests(text, source);
  const run = startPodRun(global, io, 'pod add');
  const out = run.bus.reporter('pod add');
  for (const warning of warnings) out.warn(warning);
  let results;
  try {
    results = await addPods(run.host, pods);
  } finally {
    await run.finish();
  }
  const would = global.dryRun ? 'would be ' : '';
  for (const r of results) {
    if (r.action === 'created') out.info(`pod ${r.name} ${would}added as ${r.path}; the kubelet starts it on its next scan of the directory (within 20 s)`);
    else if (r.action === 'updated') out.info(`pod ${r.name} ${would}replaced in ${r.path}: its manifest changed, so the kubelet recreates the pod (its containers restart)`);
    else out.info(`pod ${r.name} is unchanged (${r.path}): nothing to do`);
  }
  if (run.json) io.out(JSON.stringify({ command: 'pod add', root: global.root, dryRun: global.dryRun, pods: results, warnings, files: run.json.phases.flatMap((p) => p.files) }, null, 2));
  return 0;
}

export async function podRemove(global: GlobalOptions, name: string, force: boolean, io: Io): Promise<number> {
  const run = startPodRun(global, io, 'pod remove');
  const out = run.bus.reporter('pod remove');
  let entry: ManifestEntry;
  try {
    entry = await removePod(run.host, name, force);
  } finally {
    await run.finish();
  }
  out.info(`pod ${entry.name} ${global.dryRun ? 'would be' : 'was'} removed (${entry.path}); the kubelet stops its containers on its next scan of the directory`);
  if (run.json) io.out(JSON.stringify({ command: 'pod remove', root: global.root, dryRun: global.dryRun, removed: { name: entry.name, path: entry.path, owner: entry.owner } }, null, 2));
  return 0;
}

/** The newest attempt of each container of the pod. */
function newestPerContainer(states: readonly ContainerState[], name: string, nodeName: string | undefined): ContainerState[] {
  const seen = new Set<string>();
  return containersOfPod(states, name, nodeName).filter((c) => !seen.has(c.container) && seen.add(c.container));
}

export interface PodListing {
  manifestsDir: string;
  /** Whether crictl answered: container states are known. */
  runtime: boolean;
  live: boolean;
  pods: Array<{
    name: string;
    namespace: string;
    file: string;
    owner: ManifestEntry['owner'];
    problem?: string;
    containers?: Array<Pick<ContainerState, 'container' | 'state' | 'attempt' | 'id'>>;
  }>;
}

/** Every manifest with its owner and, when the runtime answers, its containers' newest state. */
export async function collectPodListing(host: Host): Promise<PodListing> {
  const dir = await manifestsDir(host);
  const entries = await listManifests(host);
  const states = await containerStates(host);
  const nodeName = await savedNodeName(host);
  const pods = entries.map((e) => ({
    name: e.name,
    namespace: e.namespace,
    file: e.path,
    owner: e.owner,
    ...(e.problem !== undefined ? { problem: e.problem } : {}),
    ...(states ? { containers: newestPerContainer(states, e.name, nodeName).map(({ container, state, attempt, id }) => ({ container, state, attempt, id })) } : {}),
  }));
  return { manifestsDir: dir, runtime: states !== undefined, live: host.isLiveRoot, pods };
}

/** The listing as a table, with a note when container states are unknown. */
export function renderPodListing(listing: PodListing): string {
  if (listing.pods.length === 0) return `No static pod manifests in ${listing.manifestsDir}.`;
  const stateOf = (p: PodListing['pods'][number]): string => {
    if (p.problem !== undefined) return `not runnable: ${p.problem}`;
    if (!p.containers) return '-';
    if (p.containers.length === 0) return 'no containers yet';
    return p.containers.map((c) => `${c.container} ${c.state}${c.attempt > 0 ? ` (restarts: ${c.attempt})` : ''}`).join(', ');
  };
  const rows = [['NAME', 'NAMESPACE', 'OWNER', 'FILE', 'STATE'], ...listing.pods.map((p) => [p.name, p.namespace, p.owner, p.file, stateOf(p)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  if (!listing.runtime) {
    lines.push('', listing.live ? 'Container states: crictl or the container runtime did not answer.' : 'Container states: not available for a node image (--root is not /).');
  }
  return lines.join('\n');
}

export async function podList(global: GlobalOptions, io: Io): Promise<number> {
  // Read-only: a plain host, no run record and no progress lines.
  const listing = await collectPodListing(createHost({ root: global.root, dryRun: global.dryRun }));
  io.out(global.output === 'json' ? JSON.stringify(listing, null, 2) : renderPodListing(listing));
  return 0;
}
