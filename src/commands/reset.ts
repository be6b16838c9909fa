/**
 * `nodeadm reset`: undoes what nodeadm did on this node, and nothing else. It works from the
 * record of created files (src/record.ts): a path nodeadm did not create is never removed, a
 * directory only when empty, nothing across a mount point, etcd data only when confirmed.
 * Every removal is idempotent and the record is rewritten with what is left, so a reset that
 * failed part-way can simply be run again.
 */
import { UsageError } from '../errors.js';
import { createHost } from '../host/index.js';
import type { Host } from '../host/types.js';
import { ETCD_DATA_DIR } from '../paths.js';
import { isWithin, readRecord, RECORD_FILE, writeRecord, type RecordedPath } from '../record.js';
import { containerStates, containersOfPod, crictlArgv } from '../runtime/crictl.js';
import { formatSeconds, parseStaticPod, POLL_INTERVAL_MS, readNodeSettings, realClock, type Clock } from '../waiter/index.js';
import type { Phase } from '../workflow/phase.js';
import type { Reporter } from '../workflow/reporter.js';
import { runWithListr } from '../workflow/listr.js';
import { plan } from '../workflow/select.js';
import { runSteps } from '../workflow/run.js';
import { startRun, type GlobalOptions, type Io } from './global.js';

export interface ResetContext {
  host: Host;
  /** What is still recorded; phases delete from it as paths go. */
  remaining: Map<string, RecordedPath['kind']>;
  staticPodPath: string;
  removeEtcdData: boolean;
  clock: Clock;
  /** How long to wait for the kubelet to stop the removed pods' containers. */
  containerWaitMs: number;
}

export type ResetPhase = Phase<ResetContext>;

const CONTAINER_WAIT_MS = 60_000;

/** Reset, in order: static pods first (while the kubelet can still stop them), then the kubelet, etcd data, files. */
export function resetPhases(): ResetPhase[] {
  return [removeManifestsPhase, stopKubeletPhase, etcdDataPhase, cleanupNodePhase];
}

/** What tests inject: a wrapper around the run's host (to fail a removal, fake a mount point) and a clock. */
export interface ResetInjection {
  wrapHost?: (host: Host) => Host;
  clock?: Clock;
}

export async function runReset(global: GlobalOptions, io: Io, inject: ResetInjection = {}): Promise<number> {
  // Input and prompts first, before anything changes.
  const setup = createHost({ root: global.root });
  const record = await readRecord(setup);
  const { staticPodPath } = await readNodeSettings(setup);
  const hasEtcd = record.some((r) => r.path === `${staticPodPath}/etcd.yaml`);
  let removeEtcdData = global.yes;
  if (!global.yes && !global.dryRun) {
    if (!io.isTTY || global.output === 'json') {
      throw new UsageError('reset: needs confirmation and there is no terminal to ask on: pass --yes to reset without a prompt (see what it would do with --dry-run)');
    }
    const { confirm } = await import('@inquirer/prompts');
    const files = record.filter((r) => r.kind === 'file').length;
    const go = await confirm({
      message: `Reset ${global.root === '/' ? 'this node' : global.root}? This stops the kubelet and removes the ${files} files nodeadm created (see them with --dry-run).`,
      default: false,
    });
    if (!go) {
      io.out('reset: cancelled, nothing changed');
      return 0;
    }
    removeEtcdData = hasEtcd && (await confirm({ message: `Also delete the etcd data in ${ETCD_DATA_DIR} (the cluster's state; it cannot be recovered)?`, default: false }));
  }

  const run = startRun(global, io);
  const host = inject.wrapHost ? inject.wrapHost(run.host) : run.host;
  const ctx: ResetContext = {
    host,
    remaining: new Map(record.map((r) => [r.path, r.kind])),
    staticPodPath,
    removeEtcdData,
    clock: inject.clock ?? realClock,
    containerWaitMs: CONTAINER_WAIT_MS,
  };
  const steps = plan(resetPhases(), { skip: [], liveHost: host.isLiveRoot, ctx });
  const again = (): string => `run "nodeadm reset${global.root !== '/' ? ` --root ${global.root}` : ''}" again: it resumes where this one stopped`;
  try {
    if (run.interactive) await runWithListr(steps, ctx, run.bus, again);
    else await runSteps(steps, ctx, run.bus, again);
  } finally {
    // The record now lists only what is left, so a retry starts from here.
    if (!global.dryRun) await persistRemaining(createHost({ root: global.root }), ctx.remaining);
  }

  const left = [...ctx.remaining.keys()];
  const { removed } = run.tally.counts;
  const data = { root: global.root, dryRun: global.dryRun, removed, kept: left };
  if (run.json) io.out(JSON.stringify({ command: 'reset', phases: run.json.phases, summary: data }, null, 2));
  else {
    const verb = global.dryRun ? 'would remove' : 'removed';
    const lines = [record.length === 0 ? `\nReset: nothing to do: nodeadm has no record of creating anything here (${RECORD_FILE} is absent).` : `\nReset: ${verb} ${removed} paths.`];
    if (left.length > 0) lines.push(`Kept ${left.length} recorded paths (listed in ${RECORD_FILE}): ${left.slice(0, 5).join(', ')}${left.length > 5 ? ', …' : ''}`);
    lines.push('Not touched: iptables/IPVS rules, CNI configuration not written by nodeadm, and $HOME/.kube/config; clean those by hand if needed.');
    io.out(lines.join('\n'));
  }
  return 0;
}

async function persistRemaining(host: Host, remaining: Map<string, RecordedPath['kind']>): Promise<void> {
  if (remaining.size === 0) return;
  await writeRecord(host, [...remaining].map(([path, kind]) => ({ path, kind })));
}

/** Removes one recorded path unless it sits on another filesystem than the root; drops it from the record when gone. */
async function removeRecorded(ctx: ResetContext, path: string, rootDevice: number | undefined, out: Reporter): Promise<'removed' | 'absent' | 'kept'> {
  if (path === '/') {
    ctx.remaining.delete(path);
    return 'kept';
  }
  const device = await ctx.host.device(path);
  if (device === undefined && !(await ctx.host.exists(path))) {
    ctx.remaining.delete(path);
    return 'absent';
  }
  if (device !== undefined && rootDevice !== undefined && device !== rootDevice) {
    out.warn(`kept ${path}: it is on another filesystem (a mount point); nodeadm never deletes across one`);
    return 'kept';
  }
  await ctx.host.remove(path);
  ctx.remaining.delete(path);
  return 'removed';
}

const removeManifestsPhase: ResetPhase = {
  name: 'remove-manifests',
  title: 'Remove the static pod manifests nodeadm wrote and wait for their containers to stop',
  async run(ctx, out) {
    const { host } = ctx;
    const rootDevice = await host.device('/');
    const manifests = [...ctx.remaining].filter(([p, kind]) => kind === 'file' && isWithin(p, ctx.staticPodPath) && p !== ctx.staticPodPath).map(([p]) => p);
    const pods: string[] = [];
    for (const file of manifests) {
      const text = await host.readText(file);
      if (text !== undefined) pods.push(parseStaticPod(file, text).name);
      await removeRecorded(ctx, file, rootDevice, out);
    }
    if (pods.length === 0 || !host.isLiveRoot) return;
    await stopContainers(ctx, pods, out);
  },
};

/** The kubelet stops a pod whose manifest is gone; containers still there after the wait are removed with crictl. */
async function stopContainers(ctx: ResetContext, pods: string[], out: Reporter): Promise<void> {
  const { host, clock } = ctx;
  const running = (states: Awaited<ReturnType<typeof containerStates>>): string[] =>
    (states ?? []).filter((s) => s.state === 'running' && pods.some((p) => containersOfPod([s], p).length > 0)).map((s) => s.id);
  if (host.dryRun) {
    out.info(`would wait up to ${formatSeconds(ctx.containerWaitMs)} for the containers of ${pods.join(', ')} to stop`);
    return;
  }
  let states = await containerStates(host);
  if (states === undefined) {
    out.info('container runtime unavailable: no containers to wait for');
    return;
  }
  const kubelet = await host.run(['systemctl', 'is-active', 'kubelet']).catch(() => undefined);
  if (kubelet?.stdout.trim() === 'active') {
    const deadline = clock.now() + ctx.containerWaitMs;
    while (running(states).length > 0 && clock.now() < deadline) {
      await clock.sleep(POLL_INTERVAL_MS);
      states = (await containerStates(host)) ?? [];
    }
  }
  const leftovers = (states ?? []).filter((s) => pods.some((p) => containersOfPod([s], p).length > 0)).map((s) => s.id);
  if (leftovers.length > 0) {
    const result = await host.run(await crictlArgv(host, 'rm', '--force', ...leftovers), { mutating: true });
    if (result.exitCode !== 0) out.warn(`crictl rm --force exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  out.info(`containers of ${pods.join(', ')} are gone`);
}

const stopKubeletPhase: ResetPhase = {
  name: 'stop-kubelet',
  title: 'Stop the kubelet',
  liveHostOnly: true,
  // A kubelet nodeadm never configured is not nodeadm's to stop.
  guard: (ctx) => (ctx.remaining.size === 0 ? 'nodeadm has no record of creating anything on this node' : undefined),
  async run({ host }, out) {
    try {
      const result = await host.run(['systemctl', 'stop', 'kubelet'], { mutating: true });
      if (result.exitCode !== 0) out.warn(`systemctl stop kubelet exited ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim()}`);
    } catch (error) {
      out.warn(`could not stop the kubelet: ${(error as Error).message}`);
    }
  },
};

const etcdDataPhase: ResetPhase = {
  name: 'etcd-data',
  title: `Delete the etcd data in ${ETCD_DATA_DIR}`,
  guard: (ctx) => (etcdWasOurs(ctx) ? undefined : 'nodeadm did not set up etcd on this node'),
  async run(ctx, out) {
    const { host } = ctx;
    const entries = await host.listDir(ETCD_DATA_DIR);
    if (!ctx.removeEtcdData) {
      if (entries.length > 0) out.warn(`kept the etcd data in ${ETCD_DATA_DIR}: confirm when asked, or pass --yes, to delete it`);
      return;
    }
    // Its contents, not the directory: it may be a mounted volume, and then only what is on it goes.
    const dataDevice = await host.device(ETCD_DATA_DIR);
    for (const name of entries) {
      const path = `${ETCD_DATA_DIR}/${name}`;
      if ((await host.device(path)) !== dataDevice) {
        out.warn(`kept ${path}: it is a mount point`);
        continue;
      }
      await host.remove(path);
    }
  },
};

function etcdWasOurs(ctx: ResetContext): boolean {
  return ctx.remaining.has(ETCD_DATA_DIR) || ctx.remaining.has(`${ctx.staticPodPath}/etcd.yaml`);
}

const cleanupNodePhase: ResetPhase = {
  name: 'cleanup-node',
  title: 'Remove the files and directories nodeadm created',
  async run(ctx, out) {
    const { host } = ctx;
    const rootDevice = await host.device('/');
    const deepestFirst = (kind: RecordedPath['kind']): string[] =>
      [...ctx.remaining].filter(([p, k]) => k === kind && p !== RECORD_FILE).map(([p]) => p).sort((a, b) => b.length - a.length || b.localeCompare(a));
    for (const path of deepestFirst('file')) await removeRecorded(ctx, path, rootDevice, out);
    await removeEmptyDirs(ctx, deepestFirst('dir'), rootDevice, out);
    // The record goes last, once nothing else of nodeadm's is left (its own directories aside).
    const bookkeeping = (p: string): boolean => p === RECORD_FILE || isWithin(RECORD_FILE, p);
    if ([...ctx.remaining.keys()].every(bookkeeping)) {
      await removeRecorded(ctx, RECORD_FILE, rootDevice, out);
      await removeEmptyDirs(ctx, deepestFirst('dir'), rootDevice, out);
    }
  },
};

async function removeEmptyDirs(ctx: ResetContext, dirs: string[], rootDevice: number | undefined, out: Reporter): Promise<void> {
  for (const dir of dirs) {
    if (!ctx.remaining.has(dir)) continue;
    const entries = await ctx.host.listDir(dir);
    if (entries.length > 0) {
      // Not ours to empty: something nodeadm did not create lives there.
      if (!entries.some((e) => ctx.remaining.has(`${dir === '/' ? '' : dir}/${e}`))) out.info(`kept ${dir}: it holds files nodeadm did not create (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`);
      continue;
    }
    await removeRecorded(ctx, dir, rootDevice, out);
  }
}
