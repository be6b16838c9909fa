/**
 * The few Kubernetes API shapes nodeadm emits, with only the fields it sets. Field names and
 * nesting follow core/v1 and kubelet.config.k8s.io/v1beta1 exactly, so the objects serialise
 * to what the API server and the kubelet read.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type HostPathType = 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File';

export interface HostPathVolume {
  name: string;
  hostPath: { path: string; type?: HostPathType };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  /** Omitted (not `false`) when the mount is read-write, as the API server would print it. */
  readOnly?: true;
}

export interface ContainerPort {
  name: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export type UriScheme = 'HTTP' | 'HTTPS';

export interface HttpGetAction {
  /** Omitted when the probe should target the pod IP (the host IP on hostNetwork). */
  host?: string;
  path: string;
  /** A number, or the name of one of the container's ports. */
  port: number | string;
  scheme: UriScheme;
}

export interface Probe {
  httpGet: HttpGetAction;
  /** Omitted when 0, the API default. */
  initialDelaySeconds?: number;
  timeoutSeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

export interface ResourceRequirements {
  requests: { cpu?: string; memory?: string };
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  command: string[];
  ports?: ContainerPort[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources: ResourceRequirements;
  volumeMounts: VolumeMount[];
}

export interface PodSpec {
  containers: Container[];
  hostNetwork: true;
  priority: number;
  priorityClassName: string;
  securityContext: { seccompProfile: { type: 'RuntimeDefault' } };
  volumes: HostPathVolume[];
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: PodSpec;
}

/** kubelet.config.k8s.io/v1beta1 KubeletConfiguration: the fields nodeadm sets. */
export interface KubeletConfiguration {
  apiVersion: 'kubelet.config.k8s.io/v1beta1';
  kind: 'KubeletConfiguration';
  authentication: {
    anonymous: { enabled: boolean };
    webhook: { enabled: boolean };
    x509: { clientCAFile: string };
  };
  authorization: { mode: 'Webhook' | 'AlwaysAllow' };
  cgroupDriver: 'systemd' | 'cgroupfs';
  clusterDNS: string[];
  clusterDomain: string;
  containerRuntimeEndpoint: string;
  healthzBindAddress: string;
  healthzPort: number;
  makeIPTablesUtilChains: boolean;
  podPidsLimit: number;
  readOnlyPort: number;
  resolvConf?: string;
  rotateCertificates: boolean;
  seccompDefault: boolean;
  staticPodPath: string;
  streamingConnectionIdleTimeout: string;
  tlsCertFile?: string;
  tlsCipherSuites: string[];
  tlsPrivateKeyFile?: string;
}
