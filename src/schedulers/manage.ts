/**
 * Extra schedulers on a node: plan (everything computed and checked, nothing written), write,
 * remove, list. `init --extra-scheduler`, `add-scheduler` and `remove-scheduler` all go
 * through these, so their results are identical.
 */
import { deriveValues } from '../config/derive.js';
import type { NodeConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { Host } from '../host/types.js';
import { buildSchedulerPod, schedulerConfigPath, schedulerPodName } from '../manifests/control-plane.js';
import { COMPONENT, SCHEDULER_PORT } from '../manifests/constants.js';
import type { Pod } from '../manifests/k8s-types.js';
import { fromYaml, toYaml, toYamlStream } from '../manifests/yaml.js';
import { MANIFESTS_DIR, MODE, SCHEDULERS_DIR } from '../paths.js';
import type { Reporter } from '../workflow/reporter.js';
import { nextFreePort, securePortOf, usedPorts, type PortMap } from './ports.js';
import { deleteRbacCommand, leaseRbacFile, leaseRbacObjects, type RbacObject } from './rbac.js';
import { buildSchedulerConfiguration, loadUserProfile, type UserProfile } from './scheduler-config.js';
import type { ExtraSchedulerSpec } from './spec.js';

/** kube-scheduler-N.yaml */
export function schedulerManifestFile(name: string): string {
  return `${schedulerPodName(name)}.yaml`;
}

export function schedulerManifestPath(name: string): string {
  return `${MANIFESTS_DIR}/${schedulerManifestFile(name)}`;
}

/** Everything add-scheduler will write for one scheduler, computed and checked up front. */
export interface SchedulerPlan {
  spec: ExtraSchedulerSpec;
  port: number;
  configPath: string;
  configuration: Record<string, unknown>;
  manifestPath: string;
  pod: Pod;
  /** The lease RBAC when leader election is on, else []. */
  rbac: RbacObject[];
  rbacFile: string;
}

interface ManifestInfo {
  file: string;
  doc: unknown;
}

/** The manifests (`only`: those whose file name matches), parsed. */
async function readManifests(host: Host, only = /\.(ya?ml|json)$/): Promise<ManifestInfo[]> {
  const out: ManifestInfo[] = [];
  for (const file of await host.listDir(MANIFESTS_DIR)) {
    if (file.startsWith('.') || !only.test(file)) continue;
    const text = await host.readText(`${MANIFESTS_DIR}/${file}`);
    if (text === undefined) continue;
    try {
      out.push({ file, doc: fromYaml(text) });
    } catch {
      out.push({ file, doc: undefined });
    }
  }
  return out;
}

function podName(doc: unknown): string | undefined {
  const name = (doc as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
}

function commandOf(doc: unknown): string[] {
  const c = (doc as { spec?: { containers?: Array<{ command?: unknown }> } } | undefined)?.spec?.containers?.[0]?.command;
  return Array.isArray(c) ? c.filter((a): a is string => typeof a === 'string') : [];
}

function imageOf(doc: unknown): string | undefined {
  const image = (doc as { spec?: { containers?: Array<{ image?: unknown }> } } | undefined)?.spec?.containers?.[0]?.image;
  return typeof image === 'string' ? image : undefined;
}

/** True when the manifest is an extra scheduler nodeadm wrote: it runs with --config=schedulers/N.yaml. */
export function isNodeadmScheduler(doc: unknown, name: string): boolean {
  return podName(doc) === schedulerPodName(name) && commandOf(doc).includes(`--config=${schedulerConfigPath(name)}`);
}

/**
 * Plans scheduler `spec` against the node as it is (and `taken`, the ports already promised to
 * schedulers planned before it in the same run). Throws UsageError for a name or port clash.
 */
export async function planExtraScheduler(host: Host, config: NodeConfig, spec: ExtraSchedulerSpec, taken: PortMap = new Map(), label = '--name'): Promise<SchedulerPlan> {
  const { name } = spec;
  const manifestFile = schedulerManifestFile(name);
  const manifests = await readManifests(host);
  for (const m of manifests) {
    if (m.file !== manifestFile && podName(m.doc) === schedulerPodName(name)) {
      throw new UsageError(`${label}: invalid value "${name}": its pod name ${schedulerPodName(name)} is taken by ${MANIFESTS_DIR}/${m.file}; choose another name`);
    }
  }
  const own = manifests.find((m) => m.file === manifestFile);
  if (own !== undefined && !isNodeadmScheduler(own.doc, name)) {
    throw new UsageError(`${label}: invalid value "${name}": ${MANIFESTS_DIR}/${manifestFile} exists and is not a scheduler nodeadm added; choose another name or remove that file`);
  }

  const used = await usedPorts(host, config.bindPort, manifestFile);
  for (const [p, owner] of taken) if (!used.has(p)) used.set(p, owner);
  // Ports other configured schedulers asked for are theirs even before their manifests exist.
  for (const other of config.extraSchedulers) {
    if (other.name !== name && other.port !== undefined && !used.has(other.port)) used.set(other.port, `extra scheduler ${other.name} (extraSchedulers)`);
  }
  let port: number;
  if (spec.port !== undefined) {
    const owner = used.get(spec.port);
    if (owner !== undefined) throw new UsageError(`${label === '--name' ? '--port' : `${label}.port`}: invalid value ${spec.port}: is taken by ${owner}; omit it to get the next free port from 10260`);
    port = spec.port;
  } else {
    // Keep the port this scheduler already has, so a re-run changes nothing.
    const current = own === undefined ? undefined : securePortOf(own.doc);
    port = current !== undefined && !used.has(current) ? current : nextFreePort(used);
  }

  const profile: UserProfile | undefined = spec.profileConfig === undefined ? undefined : await loadUserProfile(spec.profileConfig, name, label === '--name' ? '--profile-config' : `${label}.profileConfig`);
  const leaderElect = spec.leaderElect ?? false;
  return {
    spec,
    port,
    configPath: schedulerConfigPath(name),
    configuration: buildSchedulerConfiguration({ name, leaderElect, ...(profile ? { profile } : {}) }),
    manifestPath: schedulerManifestPath(name),
    pod: buildSchedulerPod(config, deriveValues(config), { name, port, ...(spec.image !== undefined ? { image: spec.image } : {}) }),
    rbac: leaderElect ? leaseRbacObjects(name) : [],
    rbacFile: leaseRbacFile(name),
  };
}

/** Plans several schedulers in order, each getting a port distinct from the ones before it. */
export async function planExtraSchedulers(host: Host, config: NodeConfig, specs: readonly ExtraSchedulerSpec[], label = 'extraSchedulers'): Promise<SchedulerPlan[]> {
  const taken: PortMap = new Map();
  const plans: SchedulerPlan[] = [];
  for (const [i, spec] of specs.entries()) {
    const plan = await planExtraScheduler(host, config, spec, taken, `${label}[${i}]`);
    taken.set(plan.port, `extra scheduler ${spec.name}`);
    plans.push(plan);
  }
  return plans;
}

/**
 * Writes the scheduler's config, then its manifest (the pod mounts the config as a `File`, so
 * the config must exist first).
 */
export async function writeSchedulerFiles(host: Host, plan: SchedulerPlan): Promise<void> {
  await host.ensureDir(SCHEDULERS_DIR, MODE.privateDir);
  await host.writeFile(plan.configPath, toYaml(plan.configuration), { mode: MODE.config });
  await host.ensureDir(MANIFESTS_DIR, MODE.privateDir);
  await host.writeFile(plan.manifestPath, toYaml(plan.pod), { mode: MODE.manifest });
}

/**
 * Init's side of the lease RBAC: recorded for post-init to apply (the API server is not up
 * yet), or, once leader election is off again, no longer recorded.
 */
export async function recordRbac(host: Host, plan: SchedulerPlan, out: Reporter): Promise<void> {
  if (plan.rbac.length > 0) {
    await host.writeFile(plan.rbacFile, toYamlStream(plan.rbac), { mode: MODE.config });
    out.info(`leader election for ${plan.spec.name}: lease RBAC recorded in ${plan.rbacFile}; post-init applies it`);
  } else if (await host.remove(plan.rbacFile)) {
    out.warn(`leader election for ${plan.spec.name} is off now; if its lease RBAC was applied, delete it: ${deleteRbacCommand(plan.spec.name)}`);
  }
}

/** Removes a directory nodeadm created for schedulers once nothing is left in it. */
export async function removeIfEmpty(host: Host, dir: string): Promise<void> {
  if ((await host.exists(dir)) && (await host.listDir(dir)).length === 0) await host.remove(dir);
}

/** One row of list-schedulers. */
export interface SchedulerInfo {
  name: string;
  pod: string;
  manifest: string;
  /** undefined when the manifest is missing (configured, not written yet). */
  port?: number;
  image?: string;
  leaderElect?: boolean;
  default: boolean;
  config?: string;
  profileConfig?: string;
  /** Live host only: container state from crictl, and the health endpoint's answer. */
  state?: string;
  health?: { ok: boolean; detail: string };
}

function leaderElectFromConfig(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = fromYaml(text) as { leaderElection?: { leaderElect?: unknown } } | undefined;
    const value = doc?.leaderElection?.leaderElect;
    return typeof value === 'boolean' ? value : true; // kube-scheduler's default
  } catch {
    return undefined;
  }
}

/** The default scheduler and every extra one, from the manifests and the saved config. */
export async function listSchedulers(host: Host, config: NodeConfig): Promise<SchedulerInfo[]> {
  // Only the schedulers' files: parsing the API server's manifest for nothing cost milliseconds.
  const manifests = await readManifests(host, /^kube-scheduler(-.+)?\.ya?ml$/);
  const rows: SchedulerInfo[] = [];
  const byFile = new Map(manifests.map((m) => [m.file, m.doc]));
  const defaultDoc = byFile.get(`${COMPONENT.scheduler}.yaml`);
  if (defaultDoc !== undefined) {
    const flags = commandOf(defaultDoc);
    const le = flags.find((a) => a.startsWith('--leader-elect='));
    rows.push({
      name: 'default-scheduler',
      pod: COMPONENT.scheduler,
      manifest: `${MANIFESTS_DIR}/${COMPONENT.scheduler}.yaml`,
      port: securePortOf(defaultDoc) ?? SCHEDULER_PORT,
      ...(imageOf(defaultDoc) !== undefined ? { image: imageOf(defaultDoc)! } : {}),
      leaderElect: le === undefined ? true : le === '--leader-elect=true',
      default: true,
    });
  }
  const names = new Set(config.extraSchedulers.map((s) => s.name));
  for (const m of manifests) {
    const match = /^kube-scheduler-(.+)\.ya?ml$/.exec(m.file);
    if (match && isNodeadmScheduler(m.doc, match[1]!)) names.add(match[1]!);
  }
  for (const name of [...names].sort()) {
    const doc = byFile.get(schedulerManifestFile(name));
    const spec = config.extraSchedulers.find((s) => s.name === name);
    const port = doc === undefined ? undefined : securePortOf(doc);
    const image = doc === undefined ? undefined : imageOf(doc);
    const leaderElect = leaderElectFromConfig(await host.readText(schedulerConfigPath(name)));
    rows.push({
      name,
      pod: schedulerPodName(name),
      manifest: schedulerManifestPath(name),
      ...(port !== undefined ? { port } : {}),
      ...(image !== undefined ? { image } : {}),
      ...(leaderElect !== undefined ? { leaderElect } : {}),
      default: false,
      config: schedulerConfigPath(name),
      ...(spec?.profileConfig !== undefined ? { profileConfig: spec.profileConfig } : {}),
    });
  }
  return rows;
}

/**
 * Schedulers added with add-scheduler after init belong to the node: a later `init` with its
 * original input keeps them (in the saved configuration and on disk) instead of forgetting
 * them. remove-scheduler is the way to drop one.
 */
export async function keepAddedSchedulers(host: Host, config: NodeConfig, saved: NodeConfig | undefined): Promise<NodeConfig> {
  if (!saved || config.standalone) return config;
  const named = new Set(config.extraSchedulers.map((s) => s.name));
  const added = saved.extraSchedulers.filter((s) => !named.has(s.name));
  const present = await Promise.all(added.map((s) => host.exists(schedulerManifestPath(s.name))));
  const kept = added.filter((_, i) => present[i]);
  return kept.length === 0 ? config : { ...config, extraSchedulers: [...config.extraSchedulers, ...kept] };
}
