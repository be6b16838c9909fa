/**
 * The common control-plane pod (kubeadm util/staticpod ComponentPod): the shared skeleton from
 * templates/manifests, one container named after the component, hostPath volumes, and the
 * liveness/readiness/startup probes against one health endpoint.
 */
import { canonical } from './canonical.js';
import type {
  Container,
  HostPathType,
  HostPathVolume,
  HttpGetAction,
  Pod,
  Probe,
  ResourceRequirements,
  UriScheme,
  VolumeMount,
} from './k8s-types.js';
import { loadYamlTemplate, type ProbeTimings } from './templates.js';
import { ipFamily } from '../config/net.js';

/** Name of the container port the probes refer to when the version uses named probe ports. */
export const PROBE_PORT_NAME = 'probe-port';

/** A hostPath volume and its mount, at the same path inside the container. */
export interface HostPathMount {
  name: string;
  path: string;
  type: HostPathType;
  readOnly: boolean;
}

export function hostPathMount(name: string, path: string, type: HostPathType, access: 'ro' | 'rw'): HostPathMount {
  return { name, path, type, readOnly: access === 'ro' };
}

/**
 * Volumes for the CA directories found on the host, named like kubeadm does:
 * /etc/pki/ca-trust → etc-pki-ca-trust.
 */
export function caCertDirMounts(dirs: readonly string[]): HostPathMount[] {
  return [...new Set(dirs)].map((dir) => {
    if (!dir.startsWith('/') || dir.split('/').includes('..')) throw new Error(`CA directory ${dir} is not a clean absolute path`);
    const name = dir.replace(/\/+$/, '').replaceAll('/', '-').slice(1);
    return hostPathMount(name, dir, 'DirectoryOrCreate', 'ro');
  });
}

/** Where the probes send their HTTP GETs. */
export interface HealthEndpoint {
  /** An IP; unspecified (0.0.0.0, ::) means the pod IP and leaves `host` out, as kubeadm does. */
  host: string;
  port: number;
  scheme: UriScheme;
}

export interface ComponentPodSpec {
  /** Pod, container and `component` label. */
  name: string;
  image: string;
  command: string[];
  resources: ResourceRequirements;
  annotations?: Record<string, string>;
  health: HealthEndpoint;
  /** Paths per probe; no readiness path means no readiness probe. */
  probes: { liveness: string; readiness?: string; startup: string };
  /** v1.34+: a `probe-port` container port that the probes refer to by name. */
  namedProbePort: boolean;
  mounts: HostPathMount[];
  /** Mounts are sorted by name unless `given` (etcd keeps data before certs, as kubeadm). */
  mountOrder?: 'sorted' | 'given';
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function probe(timings: ProbeTimings, endpoint: HealthEndpoint, path: string, port: number | string): Probe {
  // An IP made only of zeros, dots and colons is 0.0.0.0 or ::.
  const unspecified = endpoint.host === '' || (ipFamily(endpoint.host) !== 0 && /^[0.:]+$/.test(endpoint.host));
  const httpGet: HttpGetAction = { host: unspecified ? undefined : endpoint.host, path, port, scheme: endpoint.scheme };
  return { ...timings, httpGet };
}

function assertUnique(pod: string, what: string, values: string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new Error(`${pod}: duplicate ${what} ${v}`);
    seen.add(v);
  }
}

/** Builds a control-plane static pod; keys come out in canonical (alphabetical) order. */
export function componentPod(spec: ComponentPodSpec): Pod {
  assertUnique(spec.name, 'volume', spec.mounts.map((m) => m.name));
  assertUnique(spec.name, 'mount path', spec.mounts.map((m) => m.path));

  const timings = loadYamlTemplate('probes.yaml');
  const port = spec.namedProbePort ? PROBE_PORT_NAME : spec.health.port;
  const volumes: HostPathVolume[] = [...spec.mounts]
    .sort(byName)
    .map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } }));
  const mounts = spec.mountOrder === 'given' ? spec.mounts : [...spec.mounts].sort(byName);
  const volumeMounts: VolumeMount[] = mounts.map((m) => ({
    name: m.name,
    mountPath: m.path,
    ...(m.readOnly ? { readOnly: true as const } : {}),
  }));

  const container: Container = {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: 'IfNotPresent',
    command: spec.command,
    ports: spec.namedProbePort ? [{ name: PROBE_PORT_NAME, containerPort: spec.health.port, protocol: 'TCP' }] : undefined,
    livenessProbe: probe(timings.liveness, spec.health, spec.probes.liveness, port),
    readinessProbe: spec.probes.readiness === undefined ? undefined : probe(timings.readiness, spec.health, spec.probes.readiness, port),
    startupProbe: probe(timings.startup, spec.health, spec.probes.startup, port),
    resources: spec.resources,
    volumeMounts,
  };

  const skeleton = loadYamlTemplate('control-plane-pod.yaml');
  return canonical<Pod>({
    apiVersion: skeleton.apiVersion,
    kind: skeleton.kind,
    metadata: {
      name: spec.name,
      namespace: skeleton.metadata.namespace,
      labels: { component: spec.name, ...skeleton.metadata.labels },
      annotations: spec.annotations,
    },
    spec: { ...skeleton.spec, containers: [container], volumes },
  });
}
