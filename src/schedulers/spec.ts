/**
 * What the user asked for one extra scheduler: the `extraSchedulers` entries of the node
 * configuration and the flags of `add-scheduler` both become an ExtraSchedulerSpec. It is
 * saved as given (plus the resolved profile path), so re-running init or add-scheduler with
 * the same input is a no-op and remove-scheduler knows what add did.
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import * as v from '../config/validate.js';
import { COMPONENT, SCHEDULER_PORT } from '../manifests/constants.js';

export interface ExtraSchedulerSpec {
  /** profiles[0].schedulerName; the pod is kube-scheduler-NAME. */
  name: string;
  /** Secure port; absent: the next free port from FIRST_EXTRA_SCHEDULER_PORT. */
  port?: number;
  /** Scheduler image; absent: the control plane's kube-scheduler image. */
  image?: string;
  /** Leader election with lease NAME (default off: one instance on a single control-plane node). */
  leaderElect?: boolean;
  /** Absolute path of the user's KubeSchedulerConfiguration or single profile. */
  profileConfig?: string;
}

/** Where port allocation starts: 10259 is the default scheduler's, 10260 is the first free one. */
export const FIRST_EXTRA_SCHEDULER_PORT = 10260;
/** Below this, binding needs privileges a scheduler should not have. */
export const FIRST_UNPRIVILEGED_PORT = 1024;

/**
 * Ports nodeadm never gives a scheduler even when no manifest names them: the kubelet
 * (healthz, API, read-only), kube-proxy (metrics, healthz), etcd, and the control-plane
 * components' fixed secure ports. The API server port comes from the config.
 */
export const RESERVED_PORTS: ReadonlyMap<number, string> = new Map([
  [2379, 'etcd client'],
  [2380, 'etcd peer'],
  [2381, 'etcd metrics'],
  [10248, 'kubelet healthz'],
  [10249, 'kube-proxy metrics'],
  [10250, 'kubelet'],
  [10255, 'kubelet read-only'],
  [10256, 'kube-proxy healthz'],
  [10257, 'kube-controller-manager'],
  [10258, 'cloud-controller-manager'],
  [SCHEDULER_PORT, 'kube-scheduler'],
]);

/**
 * Names an extra scheduler cannot take: the default profile, and component names, whose
 * pods, labels and leader-election leases (kube-scheduler, kube-controller-manager) it would share.
 */
const TAKEN_NAMES = new Set<string>(['default-scheduler', ...Object.values(COMPONENT), 'kube-proxy', 'coredns', 'cloud-controller-manager']);

const ENTRY_KEYS = ['name', 'port', 'image', 'leaderElect', 'profileConfig'];

/** A DNS-1123 label that is not taken by the default scheduler or a component. */
export function extraSchedulerName(value: unknown, label: string): string {
  const name = v.schedulerName(value, label);
  if (TAKEN_NAMES.has(name)) throw new UsageError(`${label}: invalid value ${v.show(name)}: is the name of a built-in component; choose another`);
  return name;
}

/** A port a scheduler may bind: unprivileged, in range, not one of the fixed ones. */
export function extraSchedulerPort(value: unknown, label: string, apiServerPort?: number): number {
  const n = typeof value === 'number' ? value : Number(v.asString(value, label));
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${label}: invalid value ${v.show(value)}: must be a port number from ${FIRST_UNPRIVILEGED_PORT} to 65535`);
  if (n < FIRST_UNPRIVILEGED_PORT) throw new UsageError(`${label}: invalid value ${n}: is a privileged port; use ${FIRST_UNPRIVILEGED_PORT} to 65535`);
  const owner = n === apiServerPort ? 'kube-apiserver' : RESERVED_PORTS.get(n);
  if (owner !== undefined) throw new UsageError(`${label}: invalid value ${n}: is taken by ${owner}; omit the port to get the next free one from ${FIRST_EXTRA_SCHEDULER_PORT}`);
  return n;
}

/** An image reference: no whitespace or quotes (it becomes a field, never text, but must be pullable). */
export function schedulerImage(value: unknown, label: string): string {
  const s = v.asString(value, label).trim();
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(s) || s.length > 512) {
    throw new UsageError(`${label}: invalid value ${v.show(s)}: must be an image reference such as registry.k8s.io/scheduler-plugins/kube-scheduler:v0.31.8`);
  }
  return s;
}

/** One entry: a plain name, or {name, port?, image?, leaderElect?, profileConfig?}. */
export function parseExtraScheduler(value: unknown, label: string, apiServerPort?: number): ExtraSchedulerSpec {
  if (typeof value === 'string') return { name: extraSchedulerName(value.trim(), label) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${label}: invalid value ${v.show(value)}: expected a scheduler name or a mapping with name, port, image, leaderElect, profileConfig`);
  }
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!ENTRY_KEYS.includes(key)) throw new UsageError(`${label}: unknown field "${key}" (accepted: ${ENTRY_KEYS.join(', ')})`);
  }
  if (entry.name === undefined) throw new UsageError(`${label}: name: missing`);
  const spec: ExtraSchedulerSpec = { name: extraSchedulerName(entry.name, `${label}.name`) };
  if (entry.port !== undefined && entry.port !== null) spec.port = extraSchedulerPort(entry.port, `${label}.port`, apiServerPort);
  if (entry.image !== undefined && entry.image !== null) spec.image = schedulerImage(entry.image, `${label}.image`);
  if (entry.leaderElect !== undefined && entry.leaderElect !== null) spec.leaderElect = v.asBoolean(entry.leaderElect, `${label}.leaderElect`);
  if (entry.profileConfig !== undefined && entry.profileConfig !== null) {
    const path = v.asString(entry.profileConfig, `${label}.profileConfig`);
    if (path.trim() === '') throw new UsageError(`${label}.profileConfig: invalid value "": must be a file path`);
    spec.profileConfig = resolve(path);
  }
  return spec;
}

/** The list: a YAML sequence of entries, or comma-separated names from the flag; names unique, explicit ports unique. */
export function parseExtraSchedulers(value: unknown, label: string, apiServerPort?: number): ExtraSchedulerSpec[] {
  const items: Array<{ raw: unknown; label: string }> = Array.isArray(value)
    ? value.map((raw, i) => ({ raw, label: label.startsWith('--') ? label : `${label}[${i}]` }))
    : v.asList(value, label).map((raw) => ({ raw, label }));
  const specs = items.filter((i) => !(typeof i.raw === 'string' && i.raw.trim() === '')).map((i) => parseExtraScheduler(i.raw, i.label, apiServerPort));
  const names = specs.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`${label}: scheduler "${dup}" is given twice; names must be unique`);
  const ports = specs.map((s) => s.port).filter((p): p is number => p !== undefined);
  const dupPort = ports.find((p, i) => ports.indexOf(p) !== i);
  if (dupPort !== undefined) throw new UsageError(`${label}: port ${dupPort} is given to two schedulers; each needs its own`);
  return specs;
}

/** The saved form: a plain name when nothing else was asked, so simple configs stay simple. */
export function toConfigEntry(spec: ExtraSchedulerSpec): string | Record<string, unknown> {
  const { name, port, image, leaderElect, profileConfig } = spec;
  if (port === undefined && image === undefined && leaderElect === undefined && profileConfig === undefined) return name;
  return { name, ...(port !== undefined ? { port } : {}), ...(image !== undefined ? { image } : {}), ...(leaderElect !== undefined ? { leaderElect } : {}), ...(profileConfig !== undefined ? { profileConfig } : {}) };
}
