/**
 * `add-scheduler`, `remove-scheduler`, `list-schedulers`: extra kube-scheduler instances as
 * static pods on a node that nodeadm initialised. Each reads the saved node configuration
 * (etc/kubernetes/nodeadm/config.yaml) for version, images and paths, and keeps its
 * `extraSchedulers` list up to date, so `init`, `add-scheduler` and `remove-scheduler` agree.
 */
import { resolve } from 'node:path';
import { requireSavedConfig, writeSavedConfig } from '../config/saved.js';
import type { NodeConfig } from '../config/types.js';
import { OperationalError, UsageError } from '../errors.js';
import type { Host } from '../host/types.js';
import { applyOrRecord, connectKube, type KubeClient } from '../kube/index.js';
import { COMPONENT } from '../manifests/constants.js';
import { schedulerConfigPath } from '../manifests/control-plane.js';
import { fromYaml } from '../manifests/yaml.js';
import { ADDONS_DIR, SCHEDULERS_DIR } from '../paths.js';
import { containerStates, containersOfPod, type ContainerState } from '../runtime/crictl.js';
import {
  isNodeadmScheduler,
  listSchedulers,
  planExtraScheduler,
  removeIfEmpty,
  schedulerManifestPath,
  writeSchedulerFiles,
  type SchedulerInfo,
} from '../schedulers/manage.js';
import { deleteRbacCommand, leaseRbacFile, leaseRbacName, leaseRbacObjects } from '../schedulers/rbac.js';
import { extraSchedulerName, extraSchedulerPort, schedulerImage, type ExtraSchedulerSpec } from '../schedulers/spec.js';
import type { Reporter } from '../workflow/reporter.js';
import { checkHealth, healthTargetsFromManifests, type HealthTarget } from '../waiter/index.js';
import { startRun, type GlobalOptions, type Io, type Run } from './global.js';

export interface AddSchedulerFlags {
  name: string;
  port?: string;
  image?: string;
  leaderElect?: boolean;
  profileConfig?: string;
}

export interface RemoveSchedulerFlags {
  name: string;
  ignoreNotFound?: boolean;
}

/** Test seams: an API client instead of connecting with admin.conf; runtime state on a fake live host. */
export interface SchedulerDeps {
  client?: KubeClient;
  states?: (host: Host) => Promise<ContainerState[] | undefined>;
  health?: (host: Host, target: HealthTarget) => Promise<{ ok: boolean; detail: string }>;
}

/** add/remove wait this long for the API server: a node whose control plane is down should not hang the command. */
const CONNECT_TIMEOUT_MS = 5_000;

/** The saved configuration of a control-plane node nodeadm initialised; a clear error on any other node. */
export async function loadNodeConfig(host: Host): Promise<NodeConfig> {
  const config = await requireSavedConfig(host);
  if (config.standalone) throw new OperationalError('this is a standalone node: there is no control plane for an extra scheduler to serve', 'run extra schedulers on a control-plane node');
  return config;
}

function runFor(global: GlobalOptions, io: Io, command: string): { run: Run; out: Reporter } {
  // One step, no task list: plain lines or JSON.
  const run = startRun(global, { ...io, isTTY: false });
  run.bus.phase = command;
  return { run, out: run.bus.reporter(command) };
}

async function client(host: Host, deps: SchedulerDeps): Promise<KubeClient | undefined> {
  return deps.client ?? (await connectKube(host, { timeoutMs: CONNECT_TIMEOUT_MS }));
}

/** Deletes scheduler N's lease RBAC from the cluster, or says how to. */
async function deleteRbac(host: Host, name: string, out: Reporter, deps: SchedulerDeps): Promise<void> {
  const api = await client(host, deps);
  const objects = leaseRbacObjects(name).reverse(); // the binding before the role it refers to
  if (api === undefined) {
    const why = host.dryRun ? 'dry run: not deleting' : host.isLiveRoot ? 'the API server did not answer' : 'a node image has no API server';
    out.warn(`${why}; if the lease RBAC ${leaseRbacName(name)} was applied to the cluster, delete it with: ${deleteRbacCommand(name)}`);
    return;
  }
  for (const o of objects) {
    const deleted = await api.delete(o.apiVersion, o.kind, o.metadata.name);
    out.info(`${o.kind} ${o.metadata.name} ${deleted ? 'deleted' : 'was not in the cluster'}`);
  }
}

export async function addScheduler(global: GlobalOptions, flags: AddSchedulerFlags, io: Io, deps: SchedulerDeps = {}): Promise<number> {
  // Flags first: exit 2 before anything is read from the node.
  const name = extraSchedulerName(flags.name, '--name');
  if (flags.profileConfig !== undefined && flags.profileConfig.trim() === '') throw new UsageError('--profile-config: invalid value "": must be a file path');
  const image = flags.image === undefined ? undefined : schedulerImage(flags.image, '--image');
  const { run, out } = runFor(global, io, 'add-scheduler');
  const { host } = run;
  const config = await loadNodeConfig(host);
  const spec: ExtraSchedulerSpec = {
    name,
    ...(flags.port !== undefined ? { port: extraSchedulerPort(flags.port, '--port', config.bindPort) } : {}),
    ...(image !== undefined ? { image } : {}),
    ...(flags.leaderElect ? { leaderElect: true } : {}),
    ...(flags.profileConfig !== undefined ? { profileConfig: resolve(flags.profileConfig) } : {}),
  };
  const plan = await planExtraScheduler(host, config, spec);

  // Input is checked; now the node.
  let rbac: 'applied' | 'recorded' | 'none' = 'none';
  try {
    await writeSchedulerFiles(host, plan);
    if (plan.rbac.length > 0) {
      const api = await client(host, deps);
      rbac = await applyOrRecord(host, plan.rbac, plan.rbacFile, out, api ? { client: api } : { connect: { timeoutMs: 0 } });
    } else if (await host.exists(plan.rbacFile)) {
      // Leader election was on before: its RBAC goes with it.
      await host.remove(plan.rbacFile);
      await deleteRbac(host, name, out, deps);
      await removeIfEmpty(host, ADDONS_DIR);
    }
    const known = config.extraSchedulers.some((s) => s.name === name);
    const extraSchedulers = known ? config.extraSchedulers.map((s) => (s.name === name ? spec : s)) : [...config.extraSchedulers, spec];
    await writeSavedConfig(host, { ...config, extraSchedulers });
  } finally {
    await run.finish(); // reset must know what this command created, also after a failure
  }

  const result = {
    name,
    pod: plan.pod.metadata.name,
    port: plan.port,
    image: plan.pod.spec.containers[0]!.image,
    leaderElect: plan.rbac.length > 0,
    manifest: plan.manifestPath,
    config: plan.configPath,
    ...(plan.rbac.length > 0 ? { rbac: { file: plan.rbacFile, status: rbac } } : {}),
  };
  if (run.json) {
    io.out(JSON.stringify({ command: 'add-scheduler', root: global.root, dryRun: global.dryRun, scheduler: result, files: run.json.phases.flatMap((p) => p.files), messages: run.json.phases.flatMap((p) => p.messages) }, null, 2));
  } else {
    const changed = run.tally.counts.created + run.tally.counts.updated + run.tally.counts.removed;
    io.out(
      `${global.dryRun ? 'would add' : changed === 0 ? 'unchanged:' : 'added'} scheduler ${name}: pod ${result.pod}, port ${plan.port}, leader election ${result.leaderElect ? `on (lease kube-system/${name})` : 'off'}, image ${result.image}`,
    );
    io.out(`pods select it with "spec.schedulerName: ${name}"; the kubelet (re)starts ${result.pod} from ${plan.manifestPath}`);
  }
  return 0;
}

export async function removeScheduler(global: GlobalOptions, flags: RemoveSchedulerFlags, io: Io, deps: SchedulerDeps = {}): Promise<number> {
  if (flags.name === 'default-scheduler' || flags.name === COMPONENT.scheduler) {
    throw new UsageError(`--name: invalid value ${JSON.stringify(flags.name)}: the default scheduler is part of the control plane and cannot be removed; only extra schedulers can`);
  }
  const name = extraSchedulerName(flags.name, '--name');
  const { run, out } = runFor(global, io, 'remove-scheduler');
  const { host } = run;
  const config = await loadNodeConfig(host);
  const manifestPath = schedulerManifestPath(name);
  const manifestText = await host.readText(manifestPath);
  if (manifestText !== undefined) {
    let doc: unknown;
    try {
      doc = fromYaml(manifestText);
    } catch {
      doc = undefined;
    }
    if (!isNodeadmScheduler(doc, name)) throw new UsageError(`--name: invalid value "${name}": ${manifestPath} is not a scheduler nodeadm added; remove it with "nodeadm pod remove"`);
  }
  const inConfig = config.extraSchedulers.some((s) => s.name === name);
  const files = [manifestPath, schedulerConfigPath(name), leaseRbacFile(name)];
  const present = await Promise.all(files.map((f) => host.exists(f)));
  if (!inConfig && !present.some(Boolean)) {
    if (flags.ignoreNotFound) {
      io.out(run.json ? JSON.stringify({ command: 'remove-scheduler', name, removed: false }, null, 2) : `scheduler ${name} not found; nothing to do`);
      return 0;
    }
    const known = (await listSchedulers(host, config)).filter((s) => !s.default).map((s) => s.name);
    throw new UsageError(`--name: no extra scheduler "${name}" on this node (extra schedulers: ${known.length > 0 ? known.join(', ') : 'none'}); use --ignore-not-found to accept that`);
  }

  try {
    // The manifest first: the kubelet stops the pod before its config disappears.
    for (const file of files.slice(0, 2)) await host.remove(file);
    if (present[2]) {
      await host.remove(leaseRbacFile(name));
      await deleteRbac(host, name, out, deps);
    }
    await writeSavedConfig(host, { ...config, extraSchedulers: config.extraSchedulers.filter((s) => s.name !== name) });
    await removeIfEmpty(host, SCHEDULERS_DIR);
    await removeIfEmpty(host, ADDONS_DIR);
  } finally {
    await run.finish();
  }

  if (run.json) io.out(JSON.stringify({ command: 'remove-scheduler', root: global.root, dryRun: global.dryRun, name, removed: true, files: run.json.phases.flatMap((p) => p.files), messages: run.json.phases.flatMap((p) => p.messages) }, null, 2));
  else io.out(`${global.dryRun ? 'would remove' : 'removed'} scheduler ${name}`);
  return 0;
}

/** Adds crictl state and health to each row (live host only). */
export async function withRuntimeState(host: Host, nodeName: string, rows: SchedulerInfo[], deps: SchedulerDeps = {}): Promise<SchedulerInfo[]> {
  const states = await (deps.states ?? containerStates)(host);
  const targets = await healthTargetsFromManifests(host);
  return Promise.all(
    rows.map(async (row) => {
      const container = states === undefined ? undefined : containersOfPod(states, row.pod, nodeName)[0];
      const target = targets.find((t) => t.pod === row.pod);
      return {
        ...row,
        state: states === undefined ? 'unknown (crictl unavailable)' : (container?.state ?? 'not running'),
        ...(target ? { health: await (deps.health ?? ((h, t) => checkHealth(h, t, { timeoutMs: 2_000 })))(host, target) } : {}),
      };
    }),
  );
}

export async function listSchedulersCommand(global: GlobalOptions, io: Io, deps: SchedulerDeps = {}): Promise<number> {
  const { run } = runFor(global, io, 'list-schedulers');
  const { host } = run;
  const config = await loadNodeConfig(host);
  let rows = await listSchedulers(host, config);
  if (host.isLiveRoot || deps.states !== undefined) rows = await withRuntimeState(host, config.nodeName, rows, deps);
  if (global.output === 'json') {
    io.out(JSON.stringify({ schedulers: rows }, null, 2));
    return 0;
  }
  const live = rows.some((r) => r.state !== undefined);
  const header = ['NAME', 'POD', 'PORT', 'LEADER-ELECT', 'IMAGE', ...(live ? ['STATE', 'HEALTH'] : [])];
  const table = rows.map((r) => [
    r.name,
    r.pod,
    r.port === undefined ? '-' : String(r.port),
    r.leaderElect === undefined ? '-' : r.leaderElect ? 'on' : 'off',
    r.image ?? '(manifest missing)',
    ...(live ? [r.state ?? '-', r.health === undefined ? '-' : r.health.ok ? 'ok' : `failing: ${r.health.detail}`] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  for (const row of [header, ...table]) io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return 0;
}
