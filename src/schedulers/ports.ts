/**
 * Which ports are taken on this node, read from every static pod manifest (all of them run on
 * the host network) plus the fixed ones no manifest names, and the next free one for a scheduler.
 */
import { fromYaml } from '../manifests/yaml.js';
import type { Host } from '../host/types.js';
import { MANIFESTS_DIR } from '../paths.js';
import { FIRST_EXTRA_SCHEDULER_PORT, RESERVED_PORTS } from './spec.js';

/** port → who uses it ("kube-apiserver.yaml --secure-port", "kubelet"). */
export type PortMap = Map<number, string>;

const URL_PORT = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/:]*):(\d+)/i;
const HOST_PORT = /^(?:\[[^\]]*\]|[0-9a-z.-]*):(\d+)$/i;

function addPort(map: PortMap, value: unknown, owner: string): void {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n > 0 && n <= 65535 && !map.has(n)) map.set(n, owner);
}

/** Ports in one command-line argument: `--x-port=N`, `--port N`, URLs and HOST:PORT lists. */
function argPorts(map: PortMap, flag: string, value: string, owner: string): void {
  if (/port$/.test(flag)) addPort(map, value, `${owner} --${flag}`);
  for (const item of value.split(',')) {
    const m = URL_PORT.exec(item.trim()) ?? HOST_PORT.exec(item.trim());
    if (m) addPort(map, m[1], `${owner} --${flag}`);
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Every port a pod manifest binds or probes: flags, container/host ports, numeric probe ports. */
export function podPorts(pod: unknown, owner: string, into: PortMap = new Map()): PortMap {
  const spec = asRecord(asRecord(pod)?.spec);
  const containers = [...((spec?.containers as unknown[]) ?? []), ...((spec?.initContainers as unknown[]) ?? [])];
  for (const raw of containers) {
    const c = asRecord(raw);
    if (!c) continue;
    const args = [...((c.command as unknown[]) ?? []), ...((c.args as unknown[]) ?? [])].filter((a): a is string => typeof a === 'string');
    args.forEach((arg, i) => {
      const eq = /^--?([a-z0-9-]+)=(.*)$/is.exec(arg);
      if (eq) argPorts(into, eq[1]!, eq[2]!, owner);
      else {
        const bare = /^--?([a-z0-9-]+)$/i.exec(arg);
        const next = args[i + 1];
        if (bare && next !== undefined && !next.startsWith('-')) argPorts(into, bare[1]!, next, owner);
      }
    });
    for (const p of (c.ports as unknown[]) ?? []) {
      const port = asRecord(p);
      addPort(into, port?.containerPort, `${owner} containerPort`);
      addPort(into, port?.hostPort, `${owner} hostPort`);
    }
    for (const probeName of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const probe = asRecord(c[probeName]);
      for (const handler of ['httpGet', 'tcpSocket', 'grpc']) addPort(into, asRecord(probe?.[handler])?.port, `${owner} ${probeName}`);
    }
  }
  return into;
}

/**
 * Ports in use on the node: the fixed ones, the API server's, and every manifest's except
 * `exclude` (the scheduler being re-added keeps its own port available to itself).
 */
export async function usedPorts(host: Host, apiServerPort: number, exclude?: string): Promise<PortMap> {
  const map: PortMap = new Map([[apiServerPort, 'kube-apiserver'], ...RESERVED_PORTS]);
  for (const file of await host.listDir(MANIFESTS_DIR)) {
    if (file.startsWith('.') || file === exclude || !/\.(ya?ml|json)$/.test(file)) continue;
    const text = await host.readText(`${MANIFESTS_DIR}/${file}`);
    if (text === undefined) continue;
    let doc: unknown;
    try {
      doc = fromYaml(text);
    } catch {
      // The kubelet skips a file it cannot parse; its ports are not in use either.
      continue;
    }
    podPorts(doc, file, map);
  }
  return map;
}

/** The lowest port from 10260 that nobody uses. */
export function nextFreePort(used: PortMap, from = FIRST_EXTRA_SCHEDULER_PORT): number {
  for (let p = from; p <= 65535; p++) if (!used.has(p)) return p;
  throw new Error('no free port left above 10260');
}

/** Secure port of a scheduler manifest (--secure-port), if it has one. */
export function securePortOf(pod: unknown): number | undefined {
  const c = asRecord((asRecord(asRecord(pod)?.spec)?.containers as unknown[] | undefined)?.[0]);
  const arg = ((c?.command as unknown[]) ?? []).find((a): a is string => typeof a === 'string' && a.startsWith('--secure-port='));
  return arg === undefined ? undefined : Number(arg.slice('--secure-port='.length));
}
