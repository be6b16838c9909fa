/**
 * Typed shapes of the API objects the addons and post-init send, with only the fields nodeadm
 * sets. Type aliases (not interfaces) so they are assignable to KubeObject.
 */
import type { ObjectMeta } from '../manifests/k8s-types.js';

export const KUBE_SYSTEM = 'kube-system';
export const RBAC_API = 'rbac.authorization.k8s.io';

export type NamespacedMeta = ObjectMeta & { namespace: string };

export type ServiceAccount = { apiVersion: 'v1'; kind: 'ServiceAccount'; metadata: NamespacedMeta };

export type PolicyRule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
export type ClusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1'; kind: 'ClusterRole'; metadata: ObjectMeta; rules: PolicyRule[] };

export type Subject =
  | { kind: 'ServiceAccount'; name: string; namespace: string }
  | { kind: 'User' | 'Group'; name: string; apiGroup: typeof RBAC_API };
export type ClusterRoleBinding = {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRoleBinding';
  metadata: ObjectMeta;
  roleRef: { apiGroup: typeof RBAC_API; kind: 'ClusterRole'; name: string };
  subjects: Subject[];
};

export type ConfigMap = { apiVersion: 'v1'; kind: 'ConfigMap'; metadata: NamespacedMeta; data: Record<string, string> };

export type Toleration = { key?: string; operator?: 'Exists' | 'Equal'; value?: string; effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' };

export type Volume =
  | { name: string; configMap: { name: string; items?: { key: string; path: string }[] } }
  | { name: string; hostPath: { path: string; type?: 'FileOrCreate' | 'DirectoryOrCreate' } };

export type AddonProbe = {
  httpGet: { path: string; port: number | string; scheme: 'HTTP' };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
};

export type AddonContainer = {
  name: string;
  image: string;
  imagePullPolicy: 'IfNotPresent';
  command?: string[];
  args?: string[];
  env?: { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[];
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  ports?: { name: string; containerPort: number; protocol: 'TCP' | 'UDP' }[];
  livenessProbe?: AddonProbe;
  readinessProbe?: AddonProbe;
  securityContext: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    readOnlyRootFilesystem?: boolean;
  };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
};

export type WeightedPodAffinityTerm = {
  weight: number;
  podAffinityTerm: {
    labelSelector: { matchExpressions: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[] };
    topologyKey: string;
  };
};

export type PodTemplate = {
  metadata: { labels: Record<string, string> };
  spec: {
    priorityClassName: string;
    serviceAccountName: string;
    hostNetwork?: boolean;
    affinity?: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: WeightedPodAffinityTerm[] } };
    tolerations: Toleration[];
    nodeSelector: Record<string, string>;
    containers: AddonContainer[];
    dnsPolicy?: 'Default' | 'ClusterFirst';
    volumes: Volume[];
  };
};

export type Deployment = {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: NamespacedMeta;
  spec: {
    replicas: number;
    strategy: { type: 'RollingUpdate'; rollingUpdate: { maxUnavailable: number } };
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
  };
};

export type DaemonSet = {
  apiVersion: 'apps/v1';
  kind: 'DaemonSet';
  metadata: NamespacedMeta;
  spec: { selector: { matchLabels: Record<string, string> }; updateStrategy: { type: 'RollingUpdate' }; template: PodTemplate };
};

export type ServicePort = { name: string; port: number; protocol: 'TCP' | 'UDP'; targetPort: number };
export type Service = {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: NamespacedMeta;
  spec: { clusterIP: string; ports: ServicePort[]; selector: Record<string, string> };
};

export const serviceAccount = (name: string): ServiceAccount => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: KUBE_SYSTEM },
});

export const clusterRoleBinding = (name: string, role: string, subjects: Subject[]): ClusterRoleBinding => ({
  apiVersion: `${RBAC_API}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name },
  roleRef: { apiGroup: RBAC_API, kind: 'ClusterRole', name: role },
  subjects,
});
