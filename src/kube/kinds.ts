/**
 * The kinds nodeadm sends to the API server, as data: apiVersion + kind → REST resource.
 * A kind missing here is a bug in nodeadm (it never applies user-chosen kinds), so it throws.
 */

export interface KindInfo {
  /** Lower-case plural resource name in the URL. */
  plural: string;
  namespaced: boolean;
}

export const KINDS: Readonly<Record<string, KindInfo>> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/Node': { plural: 'nodes', namespaced: false },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/Pod': { plural: 'pods', namespaced: true },
  'apps/v1/DaemonSet': { plural: 'daemonsets', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'rbac.authorization.k8s.io/v1/ClusterRole': { plural: 'clusterroles', namespaced: false },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { plural: 'clusterrolebindings', namespaced: false },
  'rbac.authorization.k8s.io/v1/Role': { plural: 'roles', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': { plural: 'rolebindings', namespaced: true },
  'coordination.k8s.io/v1/Lease': { plural: 'leases', namespaced: true },
};

export function kindInfo(apiVersion: string, kind: string): KindInfo {
  const info = KINDS[`${apiVersion}/${kind}`];
  if (!info) throw new Error(`nodeadm has no REST mapping for ${apiVersion} ${kind}`);
  return info;
}

/** The object's URL path, e.g. /apis/apps/v1/namespaces/kube-system/deployments/coredns. */
export function resourcePath(apiVersion: string, kind: string, name: string, namespace?: string): string {
  const info = kindInfo(apiVersion, kind);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  // kubectl's rule: a namespaced object without a namespace goes to "default".
  const ns = info.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  return `${base}${ns}/${info.plural}/${encodeURIComponent(name)}`;
}
