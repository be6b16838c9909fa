/**
 * Field validators. Each takes the raw value and a label naming where it came from
 * (a flag such as `--pod-subnet` or a field such as `networking.podSubnet`), and throws a
 * one-line UsageError naming the label, the bad value and what is accepted.
 */
import { UsageError } from '../errors.js';
import { canonicalIp, cidrSize, cidrsOverlap, ipFamily, parseCidr, type Cidr } from './net.js';
import { KUBELET_DIR, KUBERNETES_DIR, MANIFESTS_DIR, NODEADM_DIR, PKI_DIR, SCHEDULERS_DIR } from '../paths.js';
import { POD_NETWORKS, type Endpoint, type PodNetwork } from './types.js';
import { KEY_ALGORITHMS, type KeyAlgorithm } from '../pki/keys.js';
import type { KubernetesVersion } from '../versions/index.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function fail(label: string, value: unknown, accepted: string): never {
  throw new UsageError(`${label}: invalid value ${show(value)}: ${accepted}`);
}

export function asString(value: unknown, label: string): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') fail(label, value, 'expected a string');
  return value;
}

/** --pod-network / podNetwork: bridge (nodeadm's single-node CNI) or none. */
export function podNetwork(value: unknown, label: string): PodNetwork {
  const s = asString(value, label);
  const found = POD_NETWORKS.find((n) => n === s);
  if (found === undefined) fail(label, s, `must be one of ${POD_NETWORKS.join(', ')}`);
  return found;
}

export function asBoolean(value: unknown, label: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(label, value, 'expected true or false');
}

/** A list from a YAML sequence or a comma-separated flag value; empty entries dropped. */
export function asList(value: unknown, label: string): string[] {
  if (Array.isArray(value)) return value.map((v, i) => asString(v, `${label}[${i}]`).trim()).filter((v) => v !== '');
  return asString(value, label)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && value.split('.').every((part) => DNS1123_LABEL.test(part));
}

export function dnsSubdomain(value: unknown, label: string): string {
  const s = asString(value, label);
  if (!isDns1123Subdomain(s)) {
    fail(label, s, 'must be a lowercase DNS-1123 subdomain (a-z, 0-9, "-" and ".", at most 253 characters)');
  }
  return s;
}

export function dnsLabel(value: unknown, label: string): string {
  const s = asString(value, label);
  if (!isDns1123Label(s)) fail(label, s, 'must be a lowercase DNS-1123 label (a-z, 0-9 and "-", at most 63 characters)');
  return s;
}

export function ipAddress(value: unknown, label: string): string {
  const s = asString(value, label).trim();
  if (ipFamily(s) === 0) fail(label, s, 'must be an IPv4 or IPv6 address');
  const ip = canonicalIp(s);
  if (ip === '0.0.0.0' || ip === '::') fail(label, s, 'must be a concrete address, not the unspecified address');
  return ip;
}

export function port(value: unknown, label: string): number {
  const n = typeof value === 'number' ? value : Number(asString(value, label));
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(label, value, 'must be a port number from 1 to 65535');
  return n;
}

function cidr(text: string, label: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed) fail(label, text, 'must be a CIDR such as 10.244.0.0/16');
  return parsed;
}

/** One CIDR, or two of different families (dual-stack), comma-separated. */
export function cidrList(value: unknown, label: string): Cidr[] {
  const text = asString(value, label);
  const parts = text.split(',').map((p) => p.trim());
  const cidrs = parts.map((p) => cidr(p, label));
  if (cidrs.length > 2 || (cidrs.length === 2 && cidrs[0]!.family === cidrs[1]!.family)) {
    fail(label, text, 'must be one CIDR, or two of different IP families for dual-stack');
  }
  return cidrs;
}

export function serviceSubnet(value: unknown, label: string): string {
  const cidrs = cidrList(value, label);
  for (const c of cidrs) {
    // kube-apiserver refuses service ranges with more than 2^20 addresses; the DNS IP is the 10th.
    const hostBits = (c.family === 4 ? 32 : 128) - c.prefix;
    if (hostBits > 20) fail(label, c.text, `is too large: at most 20 host bits (a /${c.family === 4 ? 12 : 108} or smaller)`);
    if (cidrSize(c) < 16n) fail(label, c.text, 'is too small: the service range needs at least 16 addresses (a /28 or larger)');
  }
  return cidrs.map((c) => c.text).join(',');
}

export function podSubnet(value: unknown, label: string, service: string, serviceLabel: string): string {
  const cidrs = cidrList(value, label);
  for (const p of cidrs) {
    for (const s of cidrList(service, serviceLabel)) {
      if (cidrsOverlap(p, s)) fail(label, p.text, `overlaps the service subnet ${s.text} (${serviceLabel}); choose a disjoint range`);
    }
  }
  return cidrs.map((c) => c.text).join(',');
}

/** HOST[:PORT] with HOST a DNS name or IP ([v6]:port for IPv6). */
export function endpoint(value: unknown, label: string, defaultPort: number): Endpoint {
  const s = asString(value, label).trim();
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  const host = m?.[1];
  const rawPort = m?.[2];
  const accepted = 'must be HOST or HOST:PORT, HOST a DNS name or an IP address ([addr]:port for IPv6)';
  if (host === undefined) {
    if (ipFamily(s) === 6) return { host: canonicalIp(s), port: defaultPort };
    fail(label, s, accepted);
  }
  if (ipFamily(host) === 0 && !isDns1123Subdomain(host)) fail(label, s, accepted);
  return {
    host: ipFamily(host) === 0 ? host : canonicalIp(host),
    port: rawPort === undefined ? defaultPort : port(rawPort, label),
  };
}

/** A SAN: an IP address or a DNS name (a leading "*." wildcard allowed). */
export function certSan(value: unknown, label: string): string {
  const s = asString(value, label).trim();
  if (ipFamily(s) !== 0) return canonicalIp(s);
  const name = s.startsWith('*.') ? s.slice(2) : s;
  if (!isDns1123Subdomain(name)) fail(label, s, 'must be an IP address or a DNS name (optionally starting with "*.")');
  return s;
}

export function criSocket(value: unknown, label: string): string {
  const s = asString(value, label).trim();
  if (/^\/[^\s]*$/.test(s)) return `unix://${s}`;
  if (!/^unix:\/\/\/[^\s]+$/.test(s)) fail(label, s, 'must be a unix socket URL such as unix:///var/run/containerd/containerd.sock');
  return s;
}

const REGISTRY_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REGISTRY_RE = new RegExp(`^${REGISTRY_PART}(?::[0-9]+)?(?:/${REGISTRY_PART})*$`);

export function imageRepository(value: unknown, label: string): string {
  const s = asString(value, label).trim().replace(/\/+$/, '');
  if (!REGISTRY_RE.test(s)) fail(label, s, 'must be an image registry path such as registry.k8s.io or registry.example.com:5000/k8s');
  return s;
}

export function schedulerName(value: unknown, label: string): string {
  const s = dnsLabel(value, label);
  // The pod and its component label are kube-scheduler-N: a label value has at most 63 characters.
  if (s.length > 48) fail(label, s, 'is too long: at most 48 characters (the pod is named kube-scheduler-NAME)');
  if (s === 'default-scheduler') fail(label, s, 'is the default scheduler\'s name; choose another');
  return s;
}

export function identifierList(value: unknown, label: string): string[] {
  const list = asList(value, label);
  for (const item of list) if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(item)) fail(label, item, 'must be a name such as Port-6443 or all');
  return list;
}

/** Directories that hold other files: the kubelet must never read them as pod manifests. */
const NOT_MANIFEST_DIRS = [PKI_DIR, NODEADM_DIR, SCHEDULERS_DIR, KUBELET_DIR];
const SYSTEM_DIRS = new Set(['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var', '/var/lib']);

/**
 * --manifests-dir / staticPodPath: an absolute, normalised path. Only a standalone node may move it:
 * the control-plane, scheduler, status and reset commands (and kube-bench) use kubeadm's path.
 */
export function manifestsDir(value: unknown, label: string, standalone: boolean): string {
  const s = asString(value, label).trim();
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(s) || s.split('/').some((part) => part === '.' || part === '..')) {
    fail(label, s, 'must be an absolute directory path such as /etc/kubernetes/manifests (letters, digits, ".", "_", "-"; no "..", no trailing "/")');
  }
  if (!standalone && s !== MANIFESTS_DIR) {
    fail(label, s, `a control-plane node keeps its static pods in ${MANIFESTS_DIR}; another directory needs --standalone`);
  }
  if (s === KUBERNETES_DIR) fail(label, s, 'holds kubeconfigs and the PKI; choose a directory of its own');
  if (SYSTEM_DIRS.has(s)) fail(label, s, 'is a system directory; the kubelet would read every file in it as a pod; choose a directory of its own');
  const clash = NOT_MANIFEST_DIRS.find((dir) => s === dir || s.startsWith(`${dir}/`));
  if (clash !== undefined) fail(label, s, `is inside ${clash}, which holds other files; choose a directory of its own`);
  return s;
}

/**
 * Fields that only mean something with a control plane are refused on a standalone node, unless
 * they say "nothing" ([], "", false, "none"): the config a standalone init saves holds those.
 */
export function noControlPlaneFields(given: ReadonlyArray<{ value: unknown; label: string } | undefined>): void {
  for (const field of given) {
    if (field === undefined || (Array.isArray(field.value) && field.value.length === 0) || [false, 'false', '', 'none'].includes(field.value as string)) continue;
    throw new UsageError(`${field.label}: not used on a standalone node (--standalone runs no control plane); remove it`);
  }
}

/** --encryption-algorithm / encryptionAlgorithm: kubeadm's values; ECDSA-P384 where the version has it. */
export function encryptionAlgorithm(value: unknown, label: string, version: KubernetesVersion): KeyAlgorithm {
  const s = asString(value, label);
  const accepted = KEY_ALGORITHMS.filter((a) => a !== 'ECDSA-P384' || version.info.ecdsaP384);
  const found = accepted.find((a) => a === s);
  if (found === undefined) {
    const why = s === 'ECDSA-P384' ? ` (ECDSA-P384 needs Kubernetes v1.34 or newer, this node is ${version.tag})` : '';
    fail(label, s, `must be one of ${accepted.join(', ')}${why}`);
  }
  return found;
}

const DURATION_UNITS_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration string ("8760h", "2h30m") → hours; positive, at most 100 years. */
export function validityPeriodHours(value: unknown, label: string): number {
  const s = asString(value, label).trim();
  const accepted = 'must be a Go duration such as 8760h or 720h30m (units h, m, s), greater than zero and at most 876000h';
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s)) fail(label, s, accepted);
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
  const hours = ms / 3_600_000;
  if (!(hours > 0) || hours > 876_000) fail(label, s, accepted);
  return hours;
}

/** wait-control-plane's limit: a Go duration ("4m0s", "90s") from 1s to 1h → ms. */
export function waitTimeoutMs(value: unknown, label: string): number {
  const s = asString(value, label).trim();
  const accepted = 'must be a Go duration such as 4m0s or 90s (units h, m, s), from 1s to 1h';
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) fail(label, s, accepted);
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
  if (ms < 1000 || ms > 3_600_000) fail(label, s, accepted);
  return Math.round(ms);
}
