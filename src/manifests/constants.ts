/** Names, ports and paths of the control-plane components (kubeadm constants.go). */
import { ETCD_PKI_DIR, PKI_DIR } from '../paths.js';

export const COMPONENT = {
  etcd: 'etcd',
  apiServer: 'kube-apiserver',
  controllerManager: 'kube-controller-manager',
  scheduler: 'kube-scheduler',
} as const;

export const CONTROLLER_MANAGER_PORT = 10257;
export const SCHEDULER_PORT = 10259;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_METRICS_PORT = 2381;

/** Kept identical to kubeadm's keys: tools that discover endpoints from mirror pods read them. */
export const ANNOTATION = {
  apiServerAdvertiseEndpoint: 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint',
  etcdAdvertiseClientUrls: 'kubeadm.kubernetes.io/etcd.advertise-client-urls',
} as const;

/** Always mounted into kube-apiserver and kube-controller-manager as `ca-certs`. */
export const CA_CERTS_DIR = '/etc/ssl/certs';

/**
 * Directories that /etc/ssl/certs may be or link into (kubeadm volumes.go
 * caCertsExtraVolumePaths). The phase passes the ones present on the host as `caCertDirs`.
 */
export const CA_CERT_DIR_CANDIDATES: readonly string[] = [
  '/etc/pki/ca-trust',
  '/etc/pki/tls/certs',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/usr/local/share/ca-certificates',
];

export const FLEXVOLUME_DIR = '/usr/libexec/kubernetes/kubelet-plugins/volume/exec';

/** A file under /etc/kubernetes/pki. */
export const pkiFile = (name: string): string => `${PKI_DIR}/${name}`;
/** A file under /etc/kubernetes/pki/etcd. */
export const etcdPkiFile = (name: string): string => `${ETCD_PKI_DIR}/${name}`;
