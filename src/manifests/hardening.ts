/**
 * The secure-by-default choices beyond kubeadm's defaults, and which user settings weaken them.
 * Each choice is tied to the CIS Kubernetes Benchmark check (kube-bench cis-1.12 ids) it passes;
 * the README section "Security defaults" lists them with how to change each.
 */
import type { ExtraArg, NodeConfig } from '../config/types.js';

/** Written by nodeadm, mounted read-only into kube-apiserver (CIS 3.2.1). */
export const AUDIT_POLICY_FILE = '/etc/kubernetes/audit-policy.yaml';
/** The directory is mounted, not the file: the apiserver rotates by renaming inside it. */
export const AUDIT_LOG_DIR = '/var/log/kubernetes/audit';
export const AUDIT_LOG_PATH = `${AUDIT_LOG_DIR}/audit.log`;
/** Secrets encryption at rest (CIS 1.2.27/1.2.28): root 0600, mounted read-only. */
export const ENCRYPTION_CONFIG_FILE = '/etc/kubernetes/encryption-config.yaml';
/** The kubelet's serving certificate, signed by the cluster CA (CIS 1.2.5, 4.2.9). */
export const KUBELET_PKI_DIR = '/var/lib/kubelet/pki';
export const KUBELET_SERVING_CERT = `${KUBELET_PKI_DIR}/kubelet.crt`;
export const KUBELET_SERVING_KEY = `${KUBELET_PKI_DIR}/kubelet.key`;

/**
 * TLS 1.2 suites for every nodeadm-configured server: ECDHE key exchange with an AEAD cipher
 * only. The six are the cis-1.12 kubelet list (4.2.12) and a subset of the apiserver list
 * (1.2.29); TLS 1.3 suites are not configurable in Go and stay on.
 */
export const TLS_CIPHER_SUITES: readonly string[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
];

/** Audit log rotation: CIS 1.2.17–1.2.19 minimums; worst case about 11 × 100 MB on disk. */
export const AUDIT_LOG_MAXAGE = 30;
export const AUDIT_LOG_MAXBACKUP = 10;
export const AUDIT_LOG_MAXSIZE = 100;

/** CIS 1.3.1 checks presence; 1000 keeps recent Job pods for inspection on a single node. */
export const TERMINATED_POD_GC_THRESHOLD = 1000;

/** CIS 4.2.13: a fork bomb in one pod cannot exhaust the node's PIDs. */
export const POD_PIDS_LIMIT = 4096;

/** CIS 4.2.5: idle exec/attach/port-forward streams close (kubeadm writes 0s, i.e. never). */
export const STREAMING_CONNECTION_IDLE_TIMEOUT = '4h0m0s';

export type HardenedComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd' | 'kubelet';

/** A user value that makes a CIS check fail. */
interface WeakeningRule {
  component: HardenedComponent;
  cis: string;
  /** The flag (extraArgs) and, for the kubelet, the config field (dotted path) that say the same. */
  flag: string;
  kubeletField?: string;
  weak: (value: string) => boolean;
  why: string;
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter((s) => s !== '');
const isFalse = (v: string): boolean => v.toLowerCase() === 'false';
const notFalse = (v: string): boolean => !isFalse(v);
const notTrue = (v: string): boolean => v.toLowerCase() !== 'true' && v !== '';
const empty = (v: string): boolean => v === '';
const below = (min: number) => (v: string): boolean => !(Number(v) >= min);
const ciphersOutside = (v: string): boolean => v === '' || list(v).some((s) => !TLS_CIPHER_SUITES.includes(s) && !CIS_APISERVER_EXTRA_SUITES.includes(s));

/** Suites cis-1.12 also allows on the apiserver (TLS 1.3 names, _SHA256-suffixed CHACHA20 aliases). */
const CIS_APISERVER_EXTRA_SUITES: readonly string[] = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
];

export const WEAKENING_RULES: readonly WeakeningRule[] = [
  { component: 'kube-apiserver', cis: '1.2.2', flag: 'token-auth-file', weak: (v) => v !== '', why: 'static token file authentication' },
  { component: 'kube-apiserver', cis: '1.2.3', flag: 'enable-admission-plugins', weak: (v) => !list(v).includes('DenyServiceExternalIPs'), why: 'Service externalIPs allowed' },
  { component: 'kube-apiserver', cis: '1.2.5', flag: 'kubelet-certificate-authority', weak: empty, why: "the kubelet's serving certificate is not verified" },
  { component: 'kube-apiserver', cis: '1.2.6', flag: 'authorization-mode', weak: (v) => list(v).includes('AlwaysAllow'), why: 'AlwaysAllow authorization' },
  { component: 'kube-apiserver', cis: '1.2.10', flag: 'enable-admission-plugins', weak: (v) => list(v).includes('AlwaysAdmit'), why: 'AlwaysAdmit admission' },
  { component: 'kube-apiserver', cis: '1.2.14', flag: 'enable-admission-plugins', weak: (v) => !list(v).includes('NodeRestriction'), why: 'no NodeRestriction admission' },
  { component: 'kube-apiserver', cis: '1.2.15', flag: 'profiling', weak: notFalse, why: 'profiling endpoints enabled' },
  { component: 'kube-apiserver', cis: '1.2.16', flag: 'audit-log-path', weak: empty, why: 'no audit log' },
  { component: 'kube-apiserver', cis: '1.2.17', flag: 'audit-log-maxage', weak: below(AUDIT_LOG_MAXAGE), why: `audit logs kept fewer than ${AUDIT_LOG_MAXAGE} days` },
  { component: 'kube-apiserver', cis: '1.2.18', flag: 'audit-log-maxbackup', weak: below(AUDIT_LOG_MAXBACKUP), why: `fewer than ${AUDIT_LOG_MAXBACKUP} audit log backups` },
  { component: 'kube-apiserver', cis: '1.2.19', flag: 'audit-log-maxsize', weak: below(AUDIT_LOG_MAXSIZE), why: `audit logs rotated below ${AUDIT_LOG_MAXSIZE} MB` },
  { component: 'kube-apiserver', cis: '1.2.21', flag: 'service-account-lookup', weak: isFalse, why: 'deleted service accounts keep working tokens' },
  { component: 'kube-apiserver', cis: '1.2.27', flag: 'encryption-provider-config', weak: empty, why: 'Secrets stored unencrypted in etcd' },
  { component: 'kube-apiserver', cis: '1.2.29', flag: 'tls-cipher-suites', weak: ciphersOutside, why: 'weak TLS cipher suites allowed' },
  { component: 'kube-apiserver', cis: '1.2.30', flag: 'service-account-extend-token-expiration', weak: notFalse, why: 'projected tokens extended to one year' },
  { component: 'kube-apiserver', cis: '3.2.1', flag: 'audit-policy-file', weak: empty, why: 'no audit policy, so no audit events' },
  { component: 'kube-controller-manager', cis: '1.3.1', flag: 'terminated-pod-gc-threshold', weak: empty, why: 'terminated pods never garbage-collected' },
  { component: 'kube-controller-manager', cis: '1.3.2', flag: 'profiling', weak: notFalse, why: 'profiling endpoints enabled' },
  { component: 'kube-controller-manager', cis: '1.3.3', flag: 'use-service-account-credentials', weak: isFalse, why: 'controllers share one identity' },
  { component: 'kube-controller-manager', cis: '1.3.7', flag: 'bind-address', weak: (v) => v !== '127.0.0.1', why: 'serving beyond loopback' },
  { component: 'kube-scheduler', cis: '1.4.1', flag: 'profiling', weak: notFalse, why: 'profiling endpoints enabled' },
  { component: 'kube-scheduler', cis: '1.4.2', flag: 'bind-address', weak: (v) => v !== '127.0.0.1', why: 'serving beyond loopback' },
  { component: 'etcd', cis: '2.2', flag: 'client-cert-auth', weak: notTrue, why: 'clients not authenticated by certificate' },
  { component: 'etcd', cis: '2.3', flag: 'auto-tls', weak: (v) => v.toLowerCase() === 'true' || v === '', why: 'self-signed client TLS' },
  { component: 'etcd', cis: '2.5', flag: 'peer-client-cert-auth', weak: notTrue, why: 'peers not authenticated by certificate' },
  { component: 'etcd', cis: '2.6', flag: 'peer-auto-tls', weak: (v) => v.toLowerCase() === 'true' || v === '', why: 'self-signed peer TLS' },
  { component: 'kubelet', cis: '4.2.1', flag: 'anonymous-auth', kubeletField: 'authentication.anonymous.enabled', weak: notFalse, why: 'anonymous kubelet API access' },
  { component: 'kubelet', cis: '4.2.2', flag: 'authorization-mode', kubeletField: 'authorization.mode', weak: (v) => v === 'AlwaysAllow', why: 'kubelet API not authorized' },
  { component: 'kubelet', cis: '4.2.3', flag: 'client-ca-file', kubeletField: 'authentication.x509.clientCAFile', weak: empty, why: 'no client certificate authentication' },
  { component: 'kubelet', cis: '4.2.4', flag: 'read-only-port', kubeletField: 'readOnlyPort', weak: (v) => v !== '0', why: 'unauthenticated read-only port open' },
  { component: 'kubelet', cis: '4.2.5', flag: 'streaming-connection-idle-timeout', kubeletField: 'streamingConnectionIdleTimeout', weak: (v) => /^0+[a-z]*$/.test(v) || v === '', why: 'idle streams never time out' },
  { component: 'kubelet', cis: '4.2.6', flag: 'make-iptables-util-chains', kubeletField: 'makeIPTablesUtilChains', weak: isFalse, why: 'iptables utility chains not managed' },
  { component: 'kubelet', cis: '4.2.9', flag: 'tls-cert-file', kubeletField: 'tlsCertFile', weak: empty, why: 'self-signed kubelet serving certificate' },
  { component: 'kubelet', cis: '4.2.10', flag: 'rotate-certificates', kubeletField: 'rotateCertificates', weak: isFalse, why: 'client certificate not rotated' },
  { component: 'kubelet', cis: '4.2.12', flag: 'tls-cipher-suites', kubeletField: 'tlsCipherSuites', weak: (v) => v === '' || list(v).some((s) => !TLS_CIPHER_SUITES.includes(s)), why: 'weak TLS cipher suites allowed' },
  { component: 'kubelet', cis: '4.2.13', flag: 'pod-max-pids', kubeletField: 'podPidsLimit', weak: below(1), why: 'no per-pod PID limit' },
  { component: 'kubelet', cis: '4.2.14', flag: 'seccomp-default', kubeletField: 'seccompDefault', weak: notTrue, why: 'containers run unconfined by default' },
];

/** A config value as the string a flag would hold (lists comma-joined). */
function asFlagValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(',');
  return value === null || value === undefined ? '' : String(value);
}

function getField(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** The user's extraArgs of one component. */
export function userArgs(config: NodeConfig, component: HardenedComponent): readonly ExtraArg[] {
  switch (component) {
    case 'kube-apiserver':
      return config.apiServer.extraArgs ?? [];
    case 'kube-controller-manager':
      return config.controllerManager?.extraArgs ?? [];
    case 'kube-scheduler':
      return config.scheduler?.extraArgs ?? [];
    case 'etcd':
      return config.etcd?.extraArgs ?? [];
    case 'kubelet':
      return config.kubelet?.extraArgs ?? [];
  }
}

/**
 * One warning per user setting that makes a CIS check fail: "kube-apiserver --profiling=true
 * weakens CIS 1.2.15 (profiling endpoints enabled)". Only what the user set is judged.
 */
export function weakeningWarnings(config: NodeConfig, component: HardenedComponent): string[] {
  const args = userArgs(config, component);
  const out: string[] = [];
  for (const rule of WEAKENING_RULES.filter((r) => r.component === component)) {
    const fromFlag = args.filter((a) => a.name === rule.flag).pop();
    if (fromFlag !== undefined) {
      if (rule.weak(fromFlag.value)) out.push(`${component} --${rule.flag}=${fromFlag.value} weakens CIS ${rule.cis} (${rule.why})`);
      continue;
    }
    const overrides = config.kubelet?.config;
    if (rule.kubeletField === undefined || overrides === undefined) continue;
    const field = getField(overrides, rule.kubeletField);
    if (field !== undefined && rule.weak(asFlagValue(field))) {
      out.push(`kubelet config ${rule.kubeletField}: ${JSON.stringify(field)} weakens CIS ${rule.cis} (${rule.why})`);
    }
  }
  return out;
}
