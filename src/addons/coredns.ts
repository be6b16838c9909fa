/**
 * CoreDNS as kubeadm installs it (reference §8.9; kubeadm phases/addons/dns/manifests.go):
 * ServiceAccount, ClusterRole/Binding system:coredns, the Corefile ConfigMap, the Deployment and
 * the kube-dns Service on the cluster DNS IP (the kubelet's clusterDNS).
 */
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { DEFAULTS } from '../config/load.js';
import {
  clusterRoleBinding,
  KUBE_SYSTEM,
  serviceAccount,
  type ClusterRole,
  type ClusterRoleBinding,
  type ConfigMap,
  type Deployment,
  type Service,
  type ServiceAccount,
} from './objects.js';

const NAME = 'coredns';
const LABELS = { 'k8s-app': 'kube-dns' };
const LIVENESS_PORT = 8080;
const READINESS_PORT = 8181;

/** One Corefile directive: `name args… { body lines }`. */
export interface CorefileDirective {
  name: string;
  args?: string[];
  block?: string[][];
}

/** The default server block, as data (kubeadm's CoreDNS template, in order). */
export function corefileDirectives(dnsDomain: string): CorefileDirective[] {
  return [
    { name: 'errors' },
    { name: 'health', block: [['lameduck', '5s']] },
    { name: 'ready' },
    {
      name: 'kubernetes',
      args: [dnsDomain, 'in-addr.arpa', 'ip6.arpa'],
      block: [['pods', 'insecure'], ['fallthrough', 'in-addr.arpa', 'ip6.arpa'], ['ttl', '30']],
    },
    { name: 'prometheus', args: [':9153'] },
    { name: 'forward', args: ['.', '/etc/resolv.conf'], block: [['max_concurrent', '1000']] },
    { name: 'cache', args: ['30'], block: [['disable', 'success', dnsDomain], ['disable', 'denial', dnsDomain]] },
    { name: 'loop' },
    { name: 'reload' },
    { name: 'loadbalance' },
  ];
}

/** Renders the server block with kubeadm's indentation (4 spaces, block bodies 7). */
export function renderCorefile(directives: readonly CorefileDirective[]): string {
  const lines = ['.:53 {'];
  for (const d of directives) {
    const head = [d.name, ...(d.args ?? [])].join(' ');
    if (!d.block) {
      lines.push(`    ${head}`);
      continue;
    }
    lines.push(`    ${head} {`, ...d.block.map((words) => `       ${words.join(' ')}`), '    }');
  }
  lines.push('}', '');
  return lines.join('\n');
}

/** kubeadm: registry.k8s.io/coredns/coredns, or <repo>/coredns for a custom repository. */
export function coreDNSImage(config: NodeConfig): string {
  const repo = config.imageRepository === DEFAULTS.imageRepository ? `${config.imageRepository}/coredns` : config.imageRepository;
  return `${repo}/coredns:${config.kubernetesVersion.info.coreDNSImageTag}`;
}

export function buildCoreDNSObjects(config: NodeConfig, derived: DerivedValues): [ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap, Deployment, Service] {
  const named = config.kubernetesVersion.info.coreDNSNamedProbePorts;
  const clusterRole: ClusterRole = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns' },
    rules: [
      { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  };
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: NAME, namespace: KUBE_SYSTEM },
    data: { Corefile: renderCorefile(corefileDirectives(config.networking.dnsDomain)) },
  };
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: { ...LABELS } },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { ...LABELS } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: NAME,
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
          ],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name: NAME,
              image: coreDNSImage(config),
              imagePullPolicy: 'IfNotPresent',
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
              args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
                ...(named
                  ? [
                      { containerPort: LIVENESS_PORT, name: 'liveness-probe', protocol: 'TCP' as const },
                      { containerPort: READINESS_PORT, name: 'readiness-probe', protocol: 'TCP' as const },
                    ]
                  : []),
              ],
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
                readOnlyRootFilesystem: true,
              },
              livenessProbe: {
                httpGet: { path: '/health', port: named ? 'liveness-probe' : LIVENESS_PORT, scheme: 'HTTP' },
                initialDelaySeconds: 60,
                timeoutSeconds: 5,
                successThreshold: 1,
                failureThreshold: 5,
              },
              readinessProbe: { httpGet: { path: '/ready', port: named ? 'readiness-probe' : READINESS_PORT, scheme: 'HTTP' } },
            },
          ],
          dnsPolicy: 'Default',
          volumes: [{ name: 'config-volume', configMap: { name: NAME, items: [{ key: 'Corefile', path: 'Corefile' }] } }],
        },
      },
    },
  };
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: KUBE_SYSTEM,
      labels: { ...LABELS, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      clusterIP: derived.dnsServiceIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      selector: { ...LABELS },
    },
  };
  return [
    serviceAccount(NAME),
    clusterRole,
    clusterRoleBinding('system:coredns', 'system:coredns', [{ kind: 'ServiceAccount', name: NAME, namespace: KUBE_SYSTEM }]),
    configMap,
    deployment,
    service,
  ];
}
