/** The kubeconfig files of a control-plane node as data (reference §2). */
import { deriveValues } from '../config/derive.js';
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { KUBECONFIG_FILES, type KubeconfigName } from '../paths.js';
import type { CertificateProfile } from '../pki/index.js';

export interface KubeconfigSpec {
  name: KubeconfigName;
  path: string;
  clusterName: string;
  /** API server URL the file points at. */
  server: string;
  /** The embedded client certificate: EKU clientAuth, signed by `ca`, no SANs. */
  client: CertificateProfile;
}

/** admin, super-admin, kubelet, controller-manager, scheduler — kubeadm's order. */
export function kubeconfigList(config: NodeConfig, derived: DerivedValues = deriveValues(config)): KubeconfigSpec[] {
  const local = derived.localApiEndpoint;
  const spec = (name: KubeconfigName, server: string, commonName: string, organizations: string[] = []): KubeconfigSpec => ({
    name,
    path: KUBECONFIG_FILES[name],
    clusterName: config.clusterName,
    server,
    client: { commonName, organizations, isCA: false, extKeyUsages: ['clientAuth'], dnsNames: [], ips: [] },
  });
  return [
    spec('admin', derived.controlPlaneUrl, 'kubernetes-admin', ['kubeadm:cluster-admins']),
    spec('super-admin', derived.controlPlaneUrl, 'kubernetes-super-admin', ['system:masters']),
    spec(
      'kubelet',
      // v1.33+ (ControlPlaneKubeletLocalMode): the kubelet talks to its own API server.
      config.kubernetesVersion.info.kubeletUsesLocalEndpoint ? local : derived.controlPlaneUrl,
      `system:node:${config.nodeName}`,
      ['system:nodes'],
    ),
    spec('controller-manager', local, 'system:kube-controller-manager'),
    spec('scheduler', local, 'system:kube-scheduler'),
  ];
}
