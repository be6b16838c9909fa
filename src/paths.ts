/** Node-absolute paths nodeadm reads and writes. The host layer resolves them under --root. */
export const KUBERNETES_DIR = '/etc/kubernetes';
export const PKI_DIR = '/etc/kubernetes/pki';
export const ETCD_PKI_DIR = '/etc/kubernetes/pki/etcd';
export const MANIFESTS_DIR = '/etc/kubernetes/manifests';
export const SCHEDULERS_DIR = '/etc/kubernetes/schedulers';
export const NODEADM_DIR = '/etc/kubernetes/nodeadm';
export const NODEADM_CONFIG = '/etc/kubernetes/nodeadm/config.yaml';
export const ADDONS_DIR = '/etc/kubernetes/nodeadm/addons';
export const ETCD_DATA_DIR = '/var/lib/etcd';
export const KUBELET_DIR = '/var/lib/kubelet';
export const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
export const KUBELET_FLAGS_ENV = '/var/lib/kubelet/nodeadm-flags.env';
export const KUBELET_DROPIN_DIR = '/etc/systemd/system/kubelet.service.d';
export const KUBELET_DROPIN = '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf';

export const KUBECONFIG_FILES = {
  admin: '/etc/kubernetes/admin.conf',
  'super-admin': '/etc/kubernetes/super-admin.conf',
  kubelet: '/etc/kubernetes/kubelet.conf',
  'controller-manager': '/etc/kubernetes/controller-manager.conf',
  scheduler: '/etc/kubernetes/scheduler.conf',
} as const;
export type KubeconfigName = keyof typeof KUBECONFIG_FILES;

/** Modes: SPEC "Private keys and kubeconfigs 0600, manifests 0600, certificates 0644 at most". */
export const MODE = {
  privateKey: 0o600,
  certificate: 0o644,
  kubeconfig: 0o600,
  manifest: 0o600,
  config: 0o600,
  publicDir: 0o755,
  privateDir: 0o700,
} as const;
