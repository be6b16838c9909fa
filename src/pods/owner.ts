/** Who a static pod manifest belongs to, from its file name and nodeadm's mark. */

/** The annotation `pod add` puts on every pod it writes; `pod remove` removes only those. */
export const OWNER_ANNOTATION = 'nodeadm.io/owner';
export const USER_OWNER = 'user';

/** Control-plane manifests: `init` writes them, `reset` removes them; `pod` never touches them. */
export const PROTECTED_MANIFESTS = new Set(['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']);

export type ManifestOwner = 'control plane' | 'scheduler' | 'user' | 'unknown';

/** A manifest file name reserved for the control plane or an extra scheduler (they have their own commands). */
export function reservedFor(file: string): 'control plane' | 'scheduler' | undefined {
  if (PROTECTED_MANIFESTS.has(file)) return 'control plane';
  if (/^kube-scheduler-.+\.ya?ml$/.test(file)) return 'scheduler';
  return undefined;
}

export function ownerOf(file: string, annotations: Record<string, unknown> | undefined): ManifestOwner {
  const reserved = reservedFor(file);
  if (reserved) return reserved;
  return annotations?.[OWNER_ANNOTATION] === USER_OWNER ? 'user' : 'unknown';
}
