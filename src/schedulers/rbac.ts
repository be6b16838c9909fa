/**
 * RBAC for an extra scheduler that elects a leader. It runs as system:kube-scheduler
 * (scheduler.conf), whose bootstrap ClusterRole may create any Lease but get/update only the
 * one named kube-scheduler (reference §7). A separate, additive ClusterRole for lease N keeps
 * the default role untouched and is removed cleanly with the scheduler.
 */
import { ADDONS_DIR, KUBECONFIG_FILES } from '../paths.js';

export const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';
export const SCHEDULER_USER = 'system:kube-scheduler';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const SCHEDULER_LABEL = 'nodeadm.io/extra-scheduler';

export interface RbacObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Name of the ClusterRole and ClusterRoleBinding of scheduler N. */
export function leaseRbacName(name: string): string {
  return `nodeadm:kube-scheduler-${name}:leader-election`;
}

/** Where the objects are recorded for post-init (or the user) to apply: one YAML stream, 0600. */
export function leaseRbacFile(name: string): string {
  return `${ADDONS_DIR}/kube-scheduler-${name}-rbac.yaml`;
}

export function leaseRbacObjects(name: string): RbacObject[] {
  const metadata = { name: leaseRbacName(name), labels: { [MANAGED_BY_LABEL]: 'nodeadm', [SCHEDULER_LABEL]: name } };
  return [
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRole',
      metadata,
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          // create is already granted by system:kube-scheduler and cannot be name-scoped.
          resourceNames: [name],
          verbs: ['get', 'update'],
        },
      ],
    },
    {
      apiVersion: RBAC_API_VERSION,
      kind: 'ClusterRoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: leaseRbacName(name) },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: SCHEDULER_USER }],
    },
  ];
}

/** How to delete the lease RBAC by hand when the API server cannot be reached. */
export function deleteRbacCommand(name: string): string {
  return `kubectl --kubeconfig ${KUBECONFIG_FILES.admin} delete --ignore-not-found clusterrolebinding,clusterrole ${leaseRbacName(name)}`;
}
