/**
 * The CIS Kubernetes Benchmark checks (kube-bench cis-1.12) that nodeadm's files decide, as one
 * table (reference cis-checks.md). `expect: 'fail'` marks a check nodeadm leaves failing on
 * purpose, with the reason the README gives.
 */
import { TLS_CIPHER_SUITES } from '../../src/manifests/hardening.js';

export type Op = 'eq' | 'noteq' | 'gte' | 'set' | 'notset' | 'has' | 'nothas' | 'validElements';
export type Target = 'apiserver' | 'controller-manager' | 'scheduler' | 'etcd';

export type Check = { id: string; scored: boolean; expect?: { fail: string } } & (
  | { kind: 'perm'; path: string; perm: number; optional?: boolean }
  | { kind: 'owner'; path: string; owner: 'root:root' | 'etcd:etcd'; optional?: boolean }
  | { kind: 'flag'; target: Target; flags: string[]; op: Op; value?: string; orNotSet?: boolean }
  | { kind: 'kubelet'; flag: string; fields: string[]; op: Op; value?: string; orNotSet?: boolean }
);

/** cis-1.12 1.2.29: the apiserver suites the benchmark allows. */
const CIS_APISERVER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
  'TLS_RSA_WITH_AES_128_CBC_SHA',
  'TLS_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_RSA_WITH_AES_256_CBC_SHA',
  'TLS_RSA_WITH_AES_256_GCM_SHA384',
].join(',');
/** cis-1.12 4.2.12: the six kubelet suites, written independently of the code under test. */
const CIS_KUBELET_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
].join(',');
// The code's list must stay inside the benchmark's.
if (TLS_CIPHER_SUITES.some((s) => !CIS_KUBELET_SUITES.split(',').includes(s))) throw new Error('TLS_CIPHER_SUITES left the cis-1.12 kubelet list');

const M = '/etc/kubernetes/manifests';
const perm = (id: string, scored: boolean, path: string, p: number, optional = false): Check => ({ id, scored, kind: 'perm', path, perm: p, optional });
const owner = (id: string, scored: boolean, path: string, optional = false): Check => ({ id, scored, kind: 'owner', path, owner: 'root:root', optional });
const api = (id: string, scored: boolean, flags: string[], op: Op, value?: string, orNotSet = false): Check => ({ id, scored, kind: 'flag', target: 'apiserver', flags, op, value, orNotSet });
const flag = (target: Target) => (id: string, scored: boolean, flags: string[], op: Op, value?: string, orNotSet = false): Check => ({ id, scored, kind: 'flag', target, flags, op, value, orNotSet });
const kcm = flag('controller-manager');
const sched = flag('scheduler');
const etcd = flag('etcd');
const kubelet = (id: string, scored: boolean, flagName: string, fields: string[], op: Op, value?: string, orNotSet = false): Check => ({ id, scored, kind: 'kubelet', flag: flagName, fields, op, value, orNotSet });

export const CHECKS: Check[] = [
  perm('1.1.1', true, `${M}/kube-apiserver.yaml`, 0o600),
  owner('1.1.2', true, `${M}/kube-apiserver.yaml`),
  perm('1.1.3', true, `${M}/kube-controller-manager.yaml`, 0o600),
  owner('1.1.4', true, `${M}/kube-controller-manager.yaml`),
  perm('1.1.5', true, `${M}/kube-scheduler.yaml`, 0o600),
  owner('1.1.6', true, `${M}/kube-scheduler.yaml`),
  perm('1.1.7', true, `${M}/etcd.yaml`, 0o600),
  owner('1.1.8', true, `${M}/etcd.yaml`),
  perm('1.1.9', false, '/etc/cni/net.d/*', 0o600, true),
  owner('1.1.10', false, '/etc/cni/net.d/*', true),
  perm('1.1.11', true, '/var/lib/etcd', 0o700),
  {
    id: '1.1.12',
    scored: true,
    kind: 'owner',
    path: '/var/lib/etcd',
    owner: 'etcd:etcd',
    expect: { fail: 'a rootless --root render cannot chown; on a live host as root nodeadm chowns /var/lib/etcd to the "etcd" user prepare-host creates (security.test.ts)' },
  },
  perm('1.1.13', true, '/etc/kubernetes/*admin.conf', 0o600, true),
  owner('1.1.14', true, '/etc/kubernetes/*admin.conf', true),
  perm('1.1.15', true, '/etc/kubernetes/scheduler.conf', 0o600),
  owner('1.1.16', true, '/etc/kubernetes/scheduler.conf'),
  perm('1.1.17', true, '/etc/kubernetes/controller-manager.conf', 0o600),
  owner('1.1.18', true, '/etc/kubernetes/controller-manager.conf'),
  owner('1.1.19', true, '/etc/kubernetes/pki/**'),
  perm('1.1.20', false, '/etc/kubernetes/pki/**/*.crt', 0o644),
  perm('1.1.21', false, '/etc/kubernetes/pki/**/*.key', 0o600),
  {
    ...api('1.2.1', false, ['anonymous-auth'], 'eq', 'false'),
    expect: { fail: 'the unauthenticated /livez and /readyz probes of the apiserver pod would get 401 and restart it in a loop' },
  },
  api('1.2.2', true, ['token-auth-file'], 'notset'),
  api('1.2.3', false, ['enable-admission-plugins'], 'has', 'DenyServiceExternalIPs'),
  api('1.2.4', true, ['kubelet-client-certificate', 'kubelet-client-key'], 'set'),
  api('1.2.5', true, ['kubelet-certificate-authority'], 'set'),
  api('1.2.6', true, ['authorization-mode'], 'nothas', 'AlwaysAllow'),
  api('1.2.7', true, ['authorization-mode'], 'has', 'Node'),
  api('1.2.8', true, ['authorization-mode'], 'has', 'RBAC'),
  { ...api('1.2.9', false, ['enable-admission-plugins'], 'has', 'EventRateLimit'), expect: { fail: 'EventRateLimit needs an alpha admission configuration API' } },
  api('1.2.10', true, ['enable-admission-plugins'], 'nothas', 'AlwaysAdmit', true),
  { ...api('1.2.11', false, ['enable-admission-plugins'], 'has', 'AlwaysPullImages'), expect: { fail: 'pulling on every pod start breaks offline nodes and pre-loaded images' } },
  api('1.2.12', true, ['disable-admission-plugins'], 'nothas', 'ServiceAccount', true),
  api('1.2.13', true, ['disable-admission-plugins'], 'nothas', 'NamespaceLifecycle', true),
  api('1.2.14', true, ['enable-admission-plugins'], 'has', 'NodeRestriction'),
  api('1.2.15', true, ['profiling'], 'eq', 'false'),
  api('1.2.16', true, ['audit-log-path'], 'set'),
  api('1.2.17', true, ['audit-log-maxage'], 'gte', '30'),
  api('1.2.18', true, ['audit-log-maxbackup'], 'gte', '10'),
  api('1.2.19', true, ['audit-log-maxsize'], 'gte', '100'),
  api('1.2.21', true, ['service-account-lookup'], 'eq', 'true', true),
  api('1.2.22', true, ['service-account-key-file'], 'set'),
  api('1.2.23', true, ['etcd-certfile', 'etcd-keyfile'], 'set'),
  api('1.2.24', true, ['tls-cert-file', 'tls-private-key-file'], 'set'),
  api('1.2.25', true, ['client-ca-file'], 'set'),
  api('1.2.26', true, ['etcd-cafile'], 'set'),
  api('1.2.27', false, ['encryption-provider-config'], 'set'),
  api('1.2.29', false, ['tls-cipher-suites'], 'validElements', CIS_APISERVER_SUITES),
  api('1.2.30', true, ['service-account-extend-token-expiration'], 'eq', 'false'),
  kcm('1.3.1', false, ['terminated-pod-gc-threshold'], 'set'),
  kcm('1.3.2', true, ['profiling'], 'eq', 'false'),
  kcm('1.3.3', true, ['use-service-account-credentials'], 'noteq', 'false'),
  kcm('1.3.4', true, ['service-account-private-key-file'], 'set'),
  kcm('1.3.5', true, ['root-ca-file'], 'set'),
  kcm('1.3.6', true, ['feature-gates'], 'nothas', 'RotateKubeletServerCertificate=false', true),
  kcm('1.3.7', true, ['bind-address'], 'eq', '127.0.0.1', true),
  sched('1.4.1', true, ['profiling'], 'eq', 'false'),
  sched('1.4.2', true, ['bind-address'], 'eq', '127.0.0.1', true),
  etcd('2.1', true, ['cert-file', 'key-file'], 'set'),
  etcd('2.2', true, ['client-cert-auth'], 'eq', 'true'),
  etcd('2.3', true, ['auto-tls'], 'eq', 'false', true),
  etcd('2.4', true, ['peer-cert-file', 'peer-key-file'], 'set'),
  etcd('2.5', true, ['peer-client-cert-auth'], 'eq', 'true'),
  etcd('2.6', true, ['peer-auto-tls'], 'eq', 'false', true),
  etcd('2.7', false, ['trusted-ca-file'], 'set'),
  api('3.2.1', false, ['audit-policy-file'], 'set'),
  // kube-bench looks for 10-kubeadm.conf; nodeadm's drop-in is 10-nodeadm.conf in the same directory.
  perm('4.1.1', true, '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf', 0o600),
  owner('4.1.2', true, '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf', true),
  perm('4.1.3', false, '/etc/kubernetes/proxy.conf', 0o600, true),
  owner('4.1.4', false, '/etc/kubernetes/proxy.conf', true),
  perm('4.1.5', true, '/etc/kubernetes/kubelet.conf', 0o600),
  owner('4.1.6', true, '/etc/kubernetes/kubelet.conf'),
  perm('4.1.7', false, '/etc/kubernetes/pki/ca.crt', 0o644),
  owner('4.1.8', false, '/etc/kubernetes/pki/ca.crt'),
  perm('4.1.9', true, '/var/lib/kubelet/config.yaml', 0o600),
  owner('4.1.10', true, '/var/lib/kubelet/config.yaml'),
  kubelet('4.2.1', true, 'anonymous-auth', ['authentication.anonymous.enabled'], 'eq', 'false'),
  kubelet('4.2.2', true, 'authorization-mode', ['authorization.mode'], 'nothas', 'AlwaysAllow'),
  kubelet('4.2.3', true, 'client-ca-file', ['authentication.x509.clientCAFile'], 'set'),
  kubelet('4.2.4', false, 'read-only-port', ['readOnlyPort'], 'eq', '0', true),
  kubelet('4.2.5', false, 'streaming-connection-idle-timeout', ['streamingConnectionIdleTimeout'], 'noteq', '0', true),
  kubelet('4.2.6', true, 'make-iptables-util-chains', ['makeIPTablesUtilChains'], 'eq', 'true', true),
  {
    id: '4.2.7',
    scored: false,
    kind: 'kubelet',
    flag: 'hostname-override',
    fields: [],
    op: 'notset',
    expect: { fail: 'under --root the machine that will run the node is unknown, so the kubelet is told its node name; on a live host it is omitted when the name is the hostname' },
  },
  kubelet('4.2.8', false, 'event-qps', ['eventRecordQPS'], 'gte', '0', true),
  kubelet('4.2.9', false, 'tls-cert-file', ['tlsCertFile', 'tlsPrivateKeyFile'], 'set'),
  kubelet('4.2.10', true, 'rotate-certificates', ['rotateCertificates'], 'eq', 'true', true),
  kubelet('4.2.11', false, 'feature-gates', ['featureGates.RotateKubeletServerCertificate'], 'noteq', 'false', true),
  kubelet('4.2.12', false, 'tls-cipher-suites', ['tlsCipherSuites'], 'validElements', CIS_KUBELET_SUITES),
  kubelet('4.2.13', false, 'pod-max-pids', ['podPidsLimit'], 'gte', '1'),
  kubelet('4.2.14', false, 'seccomp-default', ['seccompDefault'], 'eq', 'true'),
];
