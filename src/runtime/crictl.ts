/**
 * The container runtime as crictl sees it. Absent crictl or an unanswering runtime is not an
 * error here: a node image or a fresh VM has neither, and callers say so plainly.
 */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { readNodeSettings } from '../waiter/node-settings.js';

export interface ContainerState {
  /** The pod's name as the kubelet runs it (a static pod: "<manifest name>-<node name>"). */
  pod: string;
  container: string;
  /** running | exited | created | unknown */
  state: string;
  attempt: number;
  id: string;
  /** When the container was created, ms since the epoch (0 when crictl did not say). */
  createdAt: number;
}

const CRICTL_TIMEOUT_MS = 10_000;

/** crictl with the node's own runtime endpoint, so it does not depend on /etc/crictl.yaml. */
export async function crictlArgv(host: Host, ...args: string[]): Promise<string[]> {
  const { runtimeEndpoint } = await readNodeSettings(host);
  return ['crictl', ...(runtimeEndpoint ? ['--runtime-endpoint', runtimeEndpoint] : []), ...args];
}

/** Every container (running or not), newest attempt first; undefined when the runtime is unavailable. */
export async function containerStates(host: Host): Promise<ContainerState[] | undefined> {
  if (!host.isLiveRoot) return undefined;
  const result = await runCrictl(host, ['ps', '-a', '-o', 'json']);
  if (result === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    return undefined;
  }
  const list = (parsed as { containers?: unknown }).containers;
  if (!Array.isArray(list)) return [];
  return list.map(toState).sort((a, b) => a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container) || b.attempt - a.attempt);
}

/** The last `lines` lines a container logged (stdout and stderr); undefined when crictl cannot say. */
export async function containerLogs(host: Host, id: string, lines: number): Promise<string | undefined> {
  if (!host.isLiveRoot) return undefined;
  return runCrictl(host, ['logs', '--tail', String(lines), id], true);
}

/** The newest container of each static pod whose pod name starts with `<manifestName>-`. */
export function containersOfPod(states: readonly ContainerState[], manifestName: string, nodeName?: string): ContainerState[] {
  const matches = states.filter((s) => (nodeName ? s.pod === `${manifestName}-${nodeName}` : s.pod.startsWith(`${manifestName}-`)));
  return [...matches].sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

async function runCrictl(host: Host, args: string[], withStderr = false): Promise<string | undefined> {
  try {
    const result = await host.run(await crictlArgv(host, ...args), { timeoutMs: CRICTL_TIMEOUT_MS });
    if (result.exitCode !== 0) return undefined;
    // crictl logs copies the container's stderr to its own stderr.
    return withStderr ? [result.stdout, result.stderr].filter((s) => s.trim() !== '').join('\n') : result.stdout;
  } catch (error) {
    // Not installed, or timed out against a hung runtime: unavailable, not a failure of ours.
    if (error instanceof OperationalError) return undefined;
    throw error;
  }
}

interface CrictlContainer {
  id?: string;
  metadata?: { name?: string; attempt?: number };
  state?: string;
  createdAt?: string;
  labels?: Record<string, string>;
}

function toState(raw: unknown): ContainerState {
  const c = (raw ?? {}) as CrictlContainer;
  const created = Number(c.createdAt ?? 0);
  return {
    pod: c.labels?.['io.kubernetes.pod.name'] ?? '',
    container: c.metadata?.name ?? c.labels?.['io.kubernetes.container.name'] ?? '',
    // CONTAINER_RUNNING → running
    state: (c.state ?? 'CONTAINER_UNKNOWN').replace(/^CONTAINER_/, '').toLowerCase(),
    attempt: c.metadata?.attempt ?? 0,
    id: c.id ?? '',
    // crictl prints nanoseconds since the epoch as a string.
    createdAt: Number.isFinite(created) ? Math.floor(created / 1e6) : 0,
  };
}
