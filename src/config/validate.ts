/**
 * Field validators. Each takes the raw value and a label naming where it came from
 * (a flag such as `--pod-subnet` or a field such as `networking.podSubnet`), and throws a
 * one-line UsageError naming the label, the bad value and what is accepted.
 */
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { canonicalIp, cidrSize, cidrsOverlap, parseCidr, type Cidr } from './net.js';
import type { Endpoint } from './types.js';

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
  if (isIP(s) === 0) fail(label, s, 'must be an IPv4 or IPv6 address');
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
    if (isIP(s) === 6) return { host: canonicalIp(s), port: defaultPort };
    fail(label, s, accepted);
  }
  if (isIP(host) === 0 && !isDns1123Subdomain(host)) fail(label, s, accepted);
  return {
    host: isIP(host) === 0 ? host : canonicalIp(host),
    port: rawPort === undefined ? defaultPort : port(rawPort, label),
  };
}

/** A SAN: an IP address or a DNS name (a leading "*." wildcard allowed). */
export function certSan(value: unknown, label: string): string {
  const s = asString(value, label).trim();
  if (isIP(s) !== 0) return canonicalIp(s);
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
