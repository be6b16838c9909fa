/**
 * The KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) of an extra scheduler, and
 * the user's profile merged into it. kube-scheduler decodes its config strictly: one unknown
 * field and it does not start. So every key nodeadm writes or accepts from the user is checked
 * against the v1 API's field names (staging/src/k8s.io/kube-scheduler/config/v1/types.go and
 * component-base/config/v1alpha1/types.go, as of v1.32–v1.36).
 */
import { readFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import { UsageError } from '../errors.js';
import { show } from '../config/validate.js';
import { KUBECONFIG_FILES } from '../paths.js';

export const KSC_API_VERSION = 'kubescheduler.config.k8s.io/v1';
export const KSC_KIND = 'KubeSchedulerConfiguration';
export const LEADER_ELECTION_NAMESPACE = 'kube-system';

/** JSON field names of the v1 types; `*` entries are free-form (plugin args). */
export const KSC_V1_FIELDS = {
  KubeSchedulerConfiguration: [
    'apiVersion',
    'kind',
    'parallelism',
    'leaderElection',
    'clientConnection',
    // DebuggingConfiguration is embedded inline.
    'enableProfiling',
    'enableContentionProfiling',
    'percentageOfNodesToScore',
    'podInitialBackoffSeconds',
    'podMaxBackoffSeconds',
    'profiles',
    'extenders',
    'delayCacheUntilActive',
  ],
  LeaderElectionConfiguration: ['leaderElect', 'leaseDuration', 'renewDeadline', 'retryPeriod', 'resourceLock', 'resourceName', 'resourceNamespace'],
  ClientConnectionConfiguration: ['kubeconfig', 'acceptContentTypes', 'contentType', 'qps', 'burst'],
  KubeSchedulerProfile: ['schedulerName', 'percentageOfNodesToScore', 'plugins', 'pluginConfig'],
  Plugins: ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind', 'multiPoint'],
  PluginSet: ['enabled', 'disabled'],
  Plugin: ['name', 'weight'],
  PluginConfig: ['name', 'args'],
  Extender: ['urlPrefix', 'filterVerb', 'preemptVerb', 'prioritizeVerb', 'weight', 'bindVerb', 'enableHTTPS', 'tlsConfig', 'httpTimeout', 'nodeCacheCapable', 'managedResources', 'ignorable'],
  ExtenderTLSConfig: ['insecure', 'serverName', 'certFile', 'keyFile', 'caFile', 'certData', 'keyData', 'caData'],
  ExtenderManagedResource: ['name', 'ignoredByScheduler'],
} as const satisfies Record<string, readonly string[]>;

export type KscType = keyof typeof KSC_V1_FIELDS;

/** Field → type of its value (or of its list items), for walking a config against the schema. */
const NESTED: Partial<Record<KscType, Record<string, KscType | 'free'>>> = {
  KubeSchedulerConfiguration: { leaderElection: 'LeaderElectionConfiguration', clientConnection: 'ClientConnectionConfiguration', profiles: 'KubeSchedulerProfile', extenders: 'Extender' },
  KubeSchedulerProfile: { plugins: 'Plugins', pluginConfig: 'PluginConfig' },
  Plugins: Object.fromEntries(KSC_V1_FIELDS.Plugins.map((k) => [k, 'PluginSet'])) as Record<string, KscType>,
  PluginSet: { enabled: 'Plugin', disabled: 'Plugin' },
  PluginConfig: { args: 'free' },
  Extender: { tlsConfig: 'ExtenderTLSConfig', managedResources: 'ExtenderManagedResource' },
};

/** Paths of keys that are not fields of the v1 types; [] when the object decodes strictly. */
export function unknownFields(value: unknown, type: KscType = 'KubeSchedulerConfiguration', at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownFields(item, type, `${at}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  const problems: string[] = [];
  const known: readonly string[] = KSC_V1_FIELDS[type];
  for (const [key, child] of Object.entries(value)) {
    const path = at === '' ? key : `${at}.${key}`;
    if (!known.includes(key)) {
      problems.push(path);
      continue;
    }
    const nested = NESTED[type]?.[key];
    if (nested !== undefined && nested !== 'free') problems.push(...unknownFields(child, nested, path));
  }
  return problems;
}

export interface SchedulerConfigOptions {
  name: string;
  leaderElect: boolean;
  /** The user's profile and top-level tuning (already validated), if any. */
  profile?: UserProfile;
}

/** What a --profile-config file contributes: one profile, and top-level tuning fields. */
export interface UserProfile {
  profile: Record<string, unknown>;
  topLevel: Record<string, unknown>;
}

/**
 * /etc/kubernetes/schedulers/N.yaml. nodeadm owns clientConnection (the scheduler.conf
 * identity, which the default RBAC binds to system:kube-scheduler) and leaderElection (lease N
 * in kube-system, never the default scheduler's lease). Profiling is off, as CIS asks of the
 * control plane: with --config, kube-scheduler ignores --profiling, so it goes here.
 */
export function buildSchedulerConfiguration(opts: SchedulerConfigOptions): Record<string, unknown> {
  const topLevel = opts.profile?.topLevel ?? {};
  return {
    apiVersion: KSC_API_VERSION,
    kind: KSC_KIND,
    clientConnection: { kubeconfig: KUBECONFIG_FILES.scheduler },
    enableProfiling: false,
    ...topLevel,
    // Even with leader election off the lease name is N, so turning it on later can never
    // make this scheduler compete for the default scheduler's lease.
    leaderElection: {
      leaderElect: opts.leaderElect,
      resourceLock: 'leases',
      resourceName: opts.name,
      resourceNamespace: LEADER_ELECTION_NAMESPACE,
    },
    profiles: [{ ...(opts.profile?.profile ?? {}), schedulerName: opts.name }],
  };
}

/** Top-level fields a profile file may set; nodeadm owns clientConnection and leaderElection. */
const OWNED_BY_NODEADM = ['clientConnection', 'leaderElection'];

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Checks a --profile-config document: a KubeSchedulerConfiguration with at most one profile,
 * or one KubeSchedulerProfile on its own. Its schedulerName, if set, must be `name`.
 */
export function parseUserProfile(text: string, name: string, label: string): UserProfile {
  let doc: unknown;
  try {
    const docs = yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
    if (docs.length > 1) throw new UsageError(`${label}: expected one YAML document, found ${docs.length}`);
    doc = docs[0];
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const reason = e instanceof yaml.YAMLException ? e.reason : String(e);
    const line = e instanceof yaml.YAMLException ? ` at line ${e.mark.line + 1}` : '';
    throw new UsageError(`${label}: malformed YAML${line}: ${reason}`);
  }
  if (doc === undefined) throw new UsageError(`${label}: is empty: expected a KubeSchedulerConfiguration or a single scheduler profile`);
  if (!isMapping(doc)) throw new UsageError(`${label}: expected a KubeSchedulerConfiguration or a single scheduler profile (a mapping), got ${show(doc)}`);

  let profile: Record<string, unknown>;
  let topLevel: Record<string, unknown> = {};
  if ('apiVersion' in doc || 'kind' in doc) {
    if (doc.apiVersion !== KSC_API_VERSION) throw new UsageError(`${label}: apiVersion: invalid value ${show(doc.apiVersion)}: expected ${KSC_API_VERSION}`);
    if (doc.kind !== KSC_KIND) throw new UsageError(`${label}: kind: invalid value ${show(doc.kind)}: expected ${KSC_KIND}`);
    const unknown = unknownFields(doc);
    if (unknown.length > 0) throw new UsageError(`${label}: unknown field "${unknown[0]}" (not in ${KSC_API_VERSION} ${KSC_KIND}; kube-scheduler would refuse it)`);
    const owned = OWNED_BY_NODEADM.find((k) => k in doc);
    if (owned !== undefined) throw new UsageError(`${label}: ${owned}: is set by nodeadm (scheduler.conf identity, lease "${name}", --leader-elect); remove it`);
    const profiles = doc.profiles ?? [];
    if (!Array.isArray(profiles)) throw new UsageError(`${label}: profiles: expected a list`);
    if (profiles.length > 1) throw new UsageError(`${label}: profiles: has ${profiles.length} profiles; an extra scheduler takes exactly one (add another scheduler for another profile)`);
    const first: unknown = profiles[0] ?? {};
    if (!isMapping(first)) throw new UsageError(`${label}: profiles[0]: expected a mapping`);
    profile = first;
    const { apiVersion: _a, kind: _k, profiles: _p, ...rest } = doc;
    topLevel = rest;
  } else {
    const unknown = unknownFields(doc, 'KubeSchedulerProfile');
    if (unknown.length > 0) {
      throw new UsageError(`${label}: unknown field "${unknown[0]}" in a scheduler profile (accepted: ${KSC_V1_FIELDS.KubeSchedulerProfile.join(', ')}; or give a whole ${KSC_KIND})`);
    }
    profile = doc;
  }
  if (profile.schedulerName !== undefined && profile.schedulerName !== name) {
    throw new UsageError(`${label}: schedulerName: invalid value ${show(profile.schedulerName)}: this file is for scheduler "${name}"; set it to "${name}" or leave it out`);
  }
  checkProfileShape(profile, label);
  const { schedulerName: _s, ...rest } = profile;
  return { profile: rest, topLevel };
}

/** Shapes the strict decoder would refuse: plugin lists of named entries, pluginConfig names. */
function checkProfileShape(profile: Record<string, unknown>, label: string): void {
  const plugins = profile.plugins;
  if (plugins !== undefined) {
    if (!isMapping(plugins)) throw new UsageError(`${label}: plugins: expected a mapping of extension points`);
    for (const [point, set] of Object.entries(plugins)) {
      if (!isMapping(set)) throw new UsageError(`${label}: plugins.${point}: expected a mapping with enabled/disabled`);
      for (const [which, list] of Object.entries(set)) {
        if (!Array.isArray(list)) throw new UsageError(`${label}: plugins.${point}.${which}: expected a list of plugins`);
        list.forEach((p: unknown, i) => {
          if (!isMapping(p) || typeof p.name !== 'string' || p.name === '') throw new UsageError(`${label}: plugins.${point}.${which}[${i}]: expected {name, weight?}`);
          if (p.weight !== undefined && !Number.isInteger(p.weight)) throw new UsageError(`${label}: plugins.${point}.${which}[${i}].weight: invalid value ${show(p.weight)}: expected an integer`);
        });
      }
    }
  }
  const pluginConfig = profile.pluginConfig;
  if (pluginConfig !== undefined) {
    if (!Array.isArray(pluginConfig)) throw new UsageError(`${label}: pluginConfig: expected a list`);
    const names: string[] = [];
    pluginConfig.forEach((c: unknown, i) => {
      if (!isMapping(c) || typeof c.name !== 'string' || c.name === '') throw new UsageError(`${label}: pluginConfig[${i}]: expected {name, args}`);
      if (names.includes(c.name)) throw new UsageError(`${label}: pluginConfig[${i}]: plugin "${c.name}" is configured twice`);
      names.push(c.name);
      if (c.args !== undefined && !isMapping(c.args)) throw new UsageError(`${label}: pluginConfig[${i}].args: expected a mapping`);
    });
  }
  const pct = profile.percentageOfNodesToScore;
  if (pct !== undefined && (!Number.isInteger(pct) || (pct as number) < 0 || (pct as number) > 100)) {
    throw new UsageError(`${label}: percentageOfNodesToScore: invalid value ${show(pct)}: expected an integer from 0 to 100`);
  }
}

/** Reads and checks the user's profile file (on this machine, not under --root, like --config). */
export async function loadUserProfile(path: string, name: string, label: string): Promise<UserProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${label}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseUserProfile(text, name, `${label} ${path}`);
}

/** Loads every profile file the specs name, so a bad one stops init before it writes anything. */
export async function checkSchedulerProfiles(specs: ReadonlyArray<{ name: string; profileConfig?: string }>, label: string): Promise<void> {
  for (const [i, spec] of specs.entries()) {
    if (spec.profileConfig !== undefined) await loadUserProfile(spec.profileConfig, spec.name, `${label}[${i}].profileConfig`);
  }
}
