/**
 * What post-init sets through the API: the control-plane node's labels and taint (kubeadm's
 * markcontrolplane phase) and the two ClusterRoleBindings kubeadm creates at init
 * (reference §2 and §8.4).
 */
import type { NodeConfig } from '../config/types.js';
import { KUBECONFIG_FILES } from '../paths.js';
import { clusterRoleBinding, RBAC_API, type ClusterRoleBinding } from './objects.js';

export const CONTROL_PLANE_LABELS: Readonly<Record<string, string>> = {
  'node-role.kubernetes.io/control-plane': '',
  'node.kubernetes.io/exclude-from-external-load-balancers': '',
};

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** admin.conf's group; bound to cluster-admin so admin.conf is not a system:masters break-glass credential. */
export const CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';

export function clusterAdminsBinding(): ClusterRoleBinding {
  return clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [{ kind: 'Group', name: CLUSTER_ADMINS_GROUP, apiGroup: RBAC_API }]);
}

/** From v1.33.12/v1.34.8/v1.35.5/v1.36.1 the certificate has no group and this binding grants the kubelet API. */
export function apiServerKubeletClientBinding(): ClusterRoleBinding {
  return clusterRoleBinding('kubeadm:apiserver-kubelet-client', 'system:kubelet-api-admin', [
    { kind: 'User', name: 'kube-apiserver-kubelet-client', apiGroup: RBAC_API },
  ]);
}

/** The bindings post-init creates for this config; the certificate and the binding are a pair. */
export function postInitBindings(config: NodeConfig): ClusterRoleBinding[] {
  return [clusterAdminsBinding(), ...(config.kubernetesVersion.dedicatedKubeletClientRole ? [apiServerKubeletClientBinding()] : [])];
}

/** The kubeconfig that can create the cluster-admins binding when admin.conf cannot yet (kubeadm's fallback). */
export const SUPER_ADMIN_KUBECONFIG = KUBECONFIG_FILES['super-admin'];

const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/**
 * The taint list the node should have: its current taints (the node lifecycle controller's
 * not-ready taint among them) plus or minus nodeadm's control-plane taint.
 */
export function desiredTaints(current: readonly Taint[], allowScheduleOnControlPlane: boolean): Taint[] {
  if (allowScheduleOnControlPlane) return current.filter((t) => !sameTaint(t, CONTROL_PLANE_TAINT));
  return current.some((t) => sameTaint(t, CONTROL_PLANE_TAINT)) ? [...current] : [...current, CONTROL_PLANE_TAINT];
}
