/**
 * kube-proxy as kubeadm installs it (reference §8.9; kubeadm phases/addons/proxy/manifests.go):
 * ServiceAccount, the kubeadm:node-proxier binding, the ConfigMap with the KubeProxyConfiguration
 * and its in-cluster kubeconfig, and the DaemonSet.
 *
 * Left out on purpose: kubeadm's Role/RoleBinding that let bootstrap tokens read this ConfigMap
 * during `kubeadm join`; nodeadm has no join and creates no bootstrap tokens.
 */
import { createHash } from 'node:crypto';
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { isIPv6Address } from '../config/net.js';
import { toYaml } from '../manifests/yaml.js';
import { clusterRoleBinding, KUBE_SYSTEM, serviceAccount, type ClusterRoleBinding, type ConfigMap, type DaemonSet, type ServiceAccount } from './objects.js';

const NAME = 'kube-proxy';
const LABELS = { 'k8s-app': NAME };
const CONFIG_DIR = '/var/lib/kube-proxy';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** kubeproxy.config.k8s.io/v1alpha1: the fields kubeadm sets; kube-proxy defaults the rest. */
export interface KubeProxyConfiguration {
  apiVersion: 'kubeproxy.config.k8s.io/v1alpha1';
  kind: 'KubeProxyConfiguration';
  bindAddress: string;
  clientConnection: { kubeconfig: string };
  clusterCIDR?: string;
}

export function buildKubeProxyConfiguration(config: NodeConfig): KubeProxyConfiguration {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    bindAddress: isIPv6Address(config.advertiseAddress) ? '::' : '0.0.0.0',
    clientConnection: { kubeconfig: `${CONFIG_DIR}/kubeconfig.conf` },
    ...(config.networking.podSubnet ? { clusterCIDR: config.networking.podSubnet } : {}),
  };
}

/** The in-cluster kubeconfig: the pod's service-account token and CA, the control-plane URL. */
export function buildKubeProxyKubeconfig(derived: DerivedValues): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'default', cluster: { 'certificate-authority': `${SA_DIR}/ca.crt`, server: derived.controlPlaneUrl } }],
    contexts: [{ name: 'default', context: { cluster: 'default', namespace: 'default', user: 'default' } }],
    'current-context': 'default',
    users: [{ name: 'default', user: { tokenFile: `${SA_DIR}/token` } }],
  };
}

export const kubeProxyImage = (config: NodeConfig): string => `${config.imageRepository}/kube-proxy:${config.kubernetesVersion.tag}`;

export function buildKubeProxyObjects(config: NodeConfig, derived: DerivedValues): [ServiceAccount, ClusterRoleBinding, ConfigMap, DaemonSet] {
  const configConf = toYaml(buildKubeProxyConfiguration(config));
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: NAME,
      namespace: KUBE_SYSTEM,
      labels: { app: NAME },
      // kubeadm marks a generated (not user-supplied) component config with its hash.
      annotations: { 'kubeadm.kubernetes.io/component-config.hash': `sha256:${createHash('sha256').update(configConf).digest('hex')}` },
    },
    data: { 'config.conf': configConf, 'kubeconfig.conf': toYaml(buildKubeProxyKubeconfig(derived)) },
  };
  const daemonSet: DaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: { ...LABELS } },
    spec: {
      selector: { matchLabels: { ...LABELS } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          priorityClassName: 'system-node-critical',
          serviceAccountName: NAME,
          hostNetwork: true,
          tolerations: [{ operator: 'Exists' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [
            {
              name: NAME,
              image: kubeProxyImage(config),
              imagePullPolicy: 'IfNotPresent',
              command: ['/usr/local/bin/kube-proxy', `--config=${CONFIG_DIR}/config.conf`, '--hostname-override=$(NODE_NAME)'],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              securityContext: { privileged: true },
              volumeMounts: [
                { name: NAME, mountPath: CONFIG_DIR },
                { name: 'xtables-lock', mountPath: '/run/xtables.lock', readOnly: false },
                { name: 'lib-modules', mountPath: '/lib/modules', readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: NAME, configMap: { name: NAME } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
          ],
        },
      },
    },
  };
  return [
    serviceAccount(NAME),
    clusterRoleBinding('kubeadm:node-proxier', 'system:node-proxier', [{ kind: 'ServiceAccount', name: NAME, namespace: KUBE_SYSTEM }]),
    configMap,
    daemonSet,
  ];
}
