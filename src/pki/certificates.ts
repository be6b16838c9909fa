/**
 * The certificates of a node as data, in kubeadm's order (certlist.go GetDefaultCertList), with
 * subjects and SANs from reference §1. The ids are the `certs` sub-phase ids.
 */
import { deriveValues } from '../config/derive.js';
import { canonicalIp, ipFamily } from '../config/net.js';
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { ETCD_PKI_DIR, KUBECONFIG_FILES, PKI_DIR } from '../paths.js';
import type { CertificateProfile } from './x509.js';

export type CaId = 'ca' | 'front-proxy-ca' | 'etcd-ca';
export type LeafId =
  | 'apiserver'
  | 'apiserver-kubelet-client'
  | 'front-proxy-client'
  | 'etcd-server'
  | 'etcd-peer'
  | 'etcd-healthcheck-client'
  | 'apiserver-etcd-client'
  | 'kubelet-serving';
export type CertificateId = CaId | LeafId;

export interface CertificateSpec extends CertificateProfile {
  id: CertificateId;
  /** One line for the task list, as kubeadm's sub-phase description. */
  title: string;
  /** Path without extension: `<basePath>.crt` and `<basePath>.key`. */
  basePath: string;
  /** The CA that signs it; undefined for a (self-signed) CA. */
  caId?: CaId;
}

export const certPath = (spec: Pick<CertificateSpec, 'basePath'>): string => `${spec.basePath}.crt`;
export const keyPath = (spec: Pick<CertificateSpec, 'basePath'>): string => `${spec.basePath}.key`;

/** The service-account signing key pair: not a certificate, the last `certs` sub-phase. */
export const SERVICE_ACCOUNT_KEY = {
  id: 'sa',
  title: 'Generate a private key for signing service account tokens along with its public key',
  keyPath: `${PKI_DIR}/sa.key`,
  publicKeyPath: `${PKI_DIR}/sa.pub`,
} as const;

/** Sub-phase ids of `certs`, in order. */
export const CERTS_SUBPHASE_IDS: readonly (CertificateId | 'sa')[] = [
  'ca',
  'apiserver',
  'apiserver-kubelet-client',
  'front-proxy-ca',
  'front-proxy-client',
  'etcd-ca',
  'etcd-server',
  'etcd-peer',
  'etcd-healthcheck-client',
  'apiserver-etcd-client',
  'kubelet-serving',
  'sa',
];

/** Where each certificate lives: fixed, so a CA can be loaded, and missing keys counted, without the config. */
export const CERTIFICATE_BASE_PATHS: Record<CertificateId, string> = {
  'ca': `${PKI_DIR}/ca`,
  'apiserver': `${PKI_DIR}/apiserver`,
  'apiserver-kubelet-client': `${PKI_DIR}/apiserver-kubelet-client`,
  'front-proxy-ca': `${PKI_DIR}/front-proxy-ca`,
  'front-proxy-client': `${PKI_DIR}/front-proxy-client`,
  'etcd-ca': `${ETCD_PKI_DIR}/ca`,
  'etcd-server': `${ETCD_PKI_DIR}/server`,
  'etcd-peer': `${ETCD_PKI_DIR}/peer`,
  'etcd-healthcheck-client': `${ETCD_PKI_DIR}/healthcheck-client`,
  'apiserver-etcd-client': `${PKI_DIR}/apiserver-etcd-client`,
  'kubelet-serving': '/var/lib/kubelet/pki/kubelet',
};

export const CA_BASE_PATHS: Record<CaId, string> = {
  'ca': CERTIFICATE_BASE_PATHS['ca'],
  'front-proxy-ca': CERTIFICATE_BASE_PATHS['front-proxy-ca'],
  'etcd-ca': CERTIFICATE_BASE_PATHS['etcd-ca'],
};

/**
 * Every file that holds a private key nodeadm generates: the certificates' keys, the
 * service-account key and (each with its client key) the kubeconfigs.
 */
export function keyFiles(options: { certificates?: boolean; kubeconfigs?: boolean } = {}): string[] {
  return [
    ...(options.certificates === false ? [] : [...Object.values(CERTIFICATE_BASE_PATHS).map((basePath) => keyPath({ basePath })), SERVICE_ACCOUNT_KEY.keyPath]),
    ...(options.kubeconfigs === false ? [] : Object.values(KUBECONFIG_FILES)),
  ];
}

/** One line per certificate for the task list and `init phase --help`, as kubeadm's sub-phase descriptions. */
export const CERTIFICATE_TITLES: Record<CertificateId, string> = {
  'apiserver': 'Generate the certificate for serving the Kubernetes API',
  'apiserver-kubelet-client': 'Generate the certificate for the API server to connect to kubelet',
  'front-proxy-client': 'Generate the certificate for the front proxy client',
  'etcd-server': 'Generate the certificate for serving etcd',
  'etcd-peer': 'Generate the certificate for etcd nodes to communicate with each other',
  'etcd-healthcheck-client': 'Generate the certificate for liveness probes to healthcheck etcd',
  'apiserver-etcd-client': 'Generate the certificate the apiserver uses to access etcd',
  'ca': 'Generate the self-signed Kubernetes CA to provision identities for other Kubernetes components',
  'front-proxy-ca': 'Generate the self-signed CA to provision identities for front proxy',
  'etcd-ca': 'Generate the self-signed CA to provision identities for etcd',
  'kubelet-serving': "Generate the kubelet's serving certificate, signed by the cluster CA",
};

const ca = (id: CaId, commonName: string): CertificateSpec => ({
  id,
  title: CERTIFICATE_TITLES[id],
  basePath: CA_BASE_PATHS[id],
  commonName,
  organizations: [],
  isCA: true,
  extKeyUsages: [],
  dnsNames: [commonName], // kubeadm's NewSelfSignedCACert
  ips: [],
});

type LeafFields = Omit<CertificateSpec, 'title' | 'basePath' | 'isCA' | 'organizations' | 'dnsNames' | 'ips'> &
  Partial<Pick<CertificateSpec, 'organizations' | 'dnsNames' | 'ips'>>;

const leaf = ({ organizations = [], dnsNames = [], ips = [], ...fields }: LeafFields): CertificateSpec => ({
  ...fields,
  title: CERTIFICATE_TITLES[fields.id],
  basePath: CERTIFICATE_BASE_PATHS[fields.id],
  isCA: false,
  organizations,
  dnsNames: [...new Set(dnsNames)].sort(),
  ips: [...new Set(ips.map(canonicalIp))],
});

/** Every certificate of a control-plane node, CAs before the leaves they sign. */
export function certificateList(config: NodeConfig, derived: DerivedValues = deriveValues(config)): CertificateSpec[] {
  const node = config.nodeName;
  const addr = config.advertiseAddress;
  const cpeHost = config.controlPlaneEndpoint?.host;
  const [sanIps, sanNames] = partition([...(cpeHost ? [cpeHost] : []), ...config.apiServer.certSANs]);
  const etcdSans = { dnsNames: [node, 'localhost'], ips: [addr, '127.0.0.1', '::1'] };
  return [
    ca('ca', 'kubernetes'),
    leaf({
      id: 'apiserver',
      caId: 'ca',
      commonName: 'kube-apiserver',
      extKeyUsages: ['serverAuth'],
      dnsNames: [
        node,
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        `kubernetes.default.svc.${config.networking.dnsDomain}`,
        ...sanNames,
      ],
      ips: [derived.apiServerServiceIP, addr, ...sanIps],
    }),
    leaf({
      id: 'apiserver-kubelet-client',
      caId: 'ca',
      commonName: 'kube-apiserver-kubelet-client',
      // From v1.33.12/v1.34.8/v1.35.5/v1.36.1 a ClusterRoleBinding grants it access instead (reference §8.4).
      organizations: config.kubernetesVersion.dedicatedKubeletClientRole ? [] : ['kubeadm:cluster-admins'],
      extKeyUsages: ['clientAuth'],
    }),
    ca('front-proxy-ca', 'front-proxy-ca'),
    leaf({
      id: 'front-proxy-client',
      caId: 'front-proxy-ca',
      commonName: 'front-proxy-client',
      extKeyUsages: ['clientAuth'],
    }),
    ca('etcd-ca', 'etcd-ca'),
    leaf({
      id: 'etcd-server',
      caId: 'etcd-ca',
      commonName: node,
      extKeyUsages: ['serverAuth', 'clientAuth'],
      ...etcdSans,
    }),
    leaf({
      id: 'etcd-peer',
      caId: 'etcd-ca',
      commonName: node,
      extKeyUsages: ['serverAuth', 'clientAuth'],
      ...etcdSans,
    }),
    leaf({
      id: 'etcd-healthcheck-client',
      caId: 'etcd-ca',
      commonName: 'kube-etcd-healthcheck-client',
      extKeyUsages: ['clientAuth'],
    }),
    leaf({
      id: 'apiserver-etcd-client',
      caId: 'etcd-ca',
      commonName: 'kube-apiserver-etcd-client',
      extKeyUsages: ['clientAuth'],
    }),
    // Not in kubeadm: the kubelet's serving certificate, signed by the cluster CA so the API
    // server can verify it (--kubelet-certificate-authority, CIS 1.2.5); manifests/hardening.ts.
    leaf({
      id: 'kubelet-serving',
      caId: 'ca',
      commonName: `system:node:${node}`,
      organizations: ['system:nodes'],
      extKeyUsages: ['serverAuth'],
      dnsNames: [node],
      ips: [addr],
    }),
  ];
}

/** Splits SAN entries into [IPs, DNS names]. */
function partition(entries: readonly string[]): [string[], string[]] {
  const ips = entries.filter((e) => ipFamily(e) !== 0);
  return [ips, entries.filter((e) => ipFamily(e) === 0)];
}
