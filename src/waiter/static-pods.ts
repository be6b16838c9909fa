/**
 * The static pods on this node as their manifests describe them: name, file, and where the
 * kubelet's own probe checks their health.
 */
import type { Host } from '../host/types.js';
import { fromYaml } from '../manifests/yaml.js';
import { SCHEDULERS_DIR } from '../paths.js';
import { hostPort, readNodeSettings } from './node-settings.js';

export interface HealthTarget {
  pod: string;
  url: string;
  scheme: 'HTTP' | 'HTTPS';
}

export type PodOwner = 'control plane' | 'extra scheduler' | 'user';

export interface StaticPod {
  /** Node path of the manifest. */
  file: string;
  /** metadata.name; the file name without extension when the manifest cannot be read. */
  name: string;
  owner: PodOwner;
  /** From the first container's liveness (else readiness, startup) httpGet probe. */
  target?: HealthTarget;
  /** Why the manifest could not be read as a pod. */
  problem?: string;
}

const CONTROL_PLANE_PODS = new Set(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);

/** Every manifest in the kubelet's staticPodPath, sorted by file name. Dot-files are ignored, as the kubelet does. */
export async function readStaticPods(host: Host): Promise<StaticPod[]> {
  const { staticPodPath } = await readNodeSettings(host);
  const pods: StaticPod[] = [];
  for (const name of await host.listDir(staticPodPath)) {
    if (name.startsWith('.') || !/\.(ya?ml|json)$/.test(name)) continue;
    const file = `${staticPodPath.replace(/\/+$/, '')}/${name}`;
    pods.push(parseStaticPod(file, (await host.readText(file)) ?? ''));
  }
  return pods;
}

export async function healthTargetsFromManifests(host: Host): Promise<HealthTarget[]> {
  return (await readStaticPods(host)).flatMap((p) => (p.target ? [p.target] : []));
}

interface RawContainer {
  name?: unknown;
  command?: unknown;
  ports?: Array<{ name?: unknown; containerPort?: unknown }>;
  livenessProbe?: { httpGet?: RawHttpGet };
  readinessProbe?: { httpGet?: RawHttpGet };
  startupProbe?: { httpGet?: RawHttpGet };
}
interface RawHttpGet {
  host?: unknown;
  path?: unknown;
  port?: unknown;
  scheme?: unknown;
}

export function parseStaticPod(file: string, text: string): StaticPod {
  const fallbackName = file.split('/').pop()!.replace(/\.(ya?ml|json)$/, '');
  let doc: unknown;
  try {
    doc = fromYaml(text);
  } catch (error) {
    return { file, name: fallbackName, owner: 'user', problem: `not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const pod = doc as { kind?: unknown; metadata?: { name?: unknown }; spec?: { containers?: RawContainer[] } } | null;
  if (pod === null || typeof pod !== 'object' || pod.kind !== 'Pod') {
    return { file, name: fallbackName, owner: 'user', problem: 'not a Pod manifest' };
  }
  const name = typeof pod.metadata?.name === 'string' ? pod.metadata.name : fallbackName;
  const container = Array.isArray(pod.spec?.containers) ? pod.spec.containers[0] : undefined;
  const owner = ownerOf(name, container);
  const probe = container?.livenessProbe?.httpGet ?? container?.readinessProbe?.httpGet ?? container?.startupProbe?.httpGet;
  if (!container || !probe) return { file, name, owner };
  const port = resolvePort(probe.port, container);
  if (port === undefined) return { file, name, owner, problem: `probe port ${String(probe.port)} is not a port of container ${String(container.name)}` };
  const scheme = probe.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP';
  // No host: the pod IP, which on hostNetwork is the node; loopback reaches it.
  const address = typeof probe.host === 'string' && probe.host !== '' ? probe.host : '127.0.0.1';
  const path = typeof probe.path === 'string' && probe.path !== '' ? probe.path : '/';
  return { file, name, owner, target: { pod: name, url: `${scheme.toLowerCase()}://${hostPort(address, port)}${path.startsWith('/') ? '' : '/'}${path}`, scheme } };
}

/** A probe port is a number or the name of one of the container's ports (kubeadm's `probe-port`). */
function resolvePort(port: unknown, container: RawContainer): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name === port);
  return typeof named?.containerPort === 'number' ? named.containerPort : undefined;
}

function ownerOf(name: string, container: RawContainer | undefined): PodOwner {
  if (CONTROL_PLANE_PODS.has(name)) return 'control plane';
  const command = Array.isArray(container?.command) ? container.command : [];
  const extraScheduler = command.some((arg) => typeof arg === 'string' && arg.startsWith(`--config=${SCHEDULERS_DIR}/`));
  return name.startsWith('kube-scheduler-') && extraScheduler ? 'extra scheduler' : 'user';
}
