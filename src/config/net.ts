/** IP and CIDR helpers (IPv4 and IPv6), exact and dependency-free. */
import { isIPv4 } from 'node:net';

/**
 * node:net's isIP, without node:net's IPv6 pattern: a regular expression so large that compiling
 * it on first use costs several milliseconds of a short command. parseIPv6Text accepts exactly
 * what that pattern does (a test compares the two on many inputs).
 */
export function ipFamily(text: string): 0 | 4 | 6 {
  if (isIPv4(text)) return 4;
  return isIPv6Text(text) ? 6 : 0;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^[0-9a-zA-Z\-.:]+$/;

/** RFC 4291 text: eight groups, or fewer around one "::", an IPv4 tail counting as two; an optional %zone. */
function isIPv6Text(text: string): boolean {
  const percent = text.indexOf('%');
  if (percent >= 0 && !ZONE.test(text.slice(percent + 1))) return false;
  const address = percent >= 0 ? text.slice(0, percent) : text;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string, tailMayBeV4: boolean): number => {
    if (part === '') return 0;
    const groups = part.split(':');
    let count = 0;
    for (const [i, group] of groups.entries()) {
      if (HEX_GROUP.test(group)) count += 1;
      else if (tailMayBeV4 && i === groups.length - 1 && isIPv4(group)) count += 2;
      else return Number.NaN;
    }
    return count;
  };
  if (halves.length === 1) return groupsOf(address, true) === 8;
  const total = groupsOf(halves[0]!, false) + groupsOf(halves[1]!, true);
  return total <= 7; // NaN (a bad group) compares false
}

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
  text: string;
}

function ipToBigInt(ip: string): bigint {
  if (isIPv4(ip)) {
    return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  }
  const [head = '', tail] = ip.split('::') as [string, string | undefined];
  const parse = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let groups = parse(head);
  if (tail !== undefined) {
    const tailGroups = parse(tail);
    groups = [...groups, ...Array<string>(8 - groups.length - tailGroups.length).fill('0'), ...tailGroups];
  }
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes two groups.
  const last = groups[groups.length - 1] ?? '';
  if (last.includes('.')) {
    const v4 = ipToBigInt(last);
    groups = [...groups.slice(0, -1), (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
  }
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function bigIntToIp(value: bigint, family: 4 | 6): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 does.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** Parses "10.96.0.0/12"; returns undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const family = ipFamily(m[1]!);
  if (family !== 4 && family !== 6) return undefined;
  const prefix = Number(m[2]);
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
  return { family, base: ipToBigInt(m[1]!) & mask, prefix, text: text.trim() };
}

/** Number of addresses in the CIDR. */
export function cidrSize(cidr: Cidr): bigint {
  return 1n << BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
}

/** The n-th address of a CIDR (n = 1 gives 10.96.0.1 for 10.96.0.0/12). */
export function nthAddress(cidr: Cidr, n: number): string {
  if (BigInt(n) >= cidrSize(cidr)) throw new RangeError(`${cidr.text} has no address #${n}`);
  return bigIntToIp(cidr.base + BigInt(n), cidr.family);
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const family = ipFamily(ip);
  if (family !== cidr.family) return false;
  const bits = family === 4 ? 32 : 128;
  return ipToBigInt(ip) >> BigInt(bits - cidr.prefix) === cidr.base >> BigInt(bits - cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const bits = a.family === 4 ? 32 : 128;
  const p = BigInt(bits - Math.min(a.prefix, b.prefix));
  return a.base >> p === b.base >> p;
}

/** Canonical text of an IP address (compressed IPv6, no leading zeros). */
export function canonicalIp(ip: string): string {
  const family = ipFamily(ip);
  if (family === 0) throw new Error(`not an IP: ${ip}`);
  return bigIntToIp(ipToBigInt(ip), family as 4 | 6);
}

export function isIPv6Address(ip: string): boolean {
  return ipFamily(ip) === 6;
}

/** "host:port" for URLs: IPv6 literals get brackets. */
export function hostPort(host: string, port: number): string {
  return ipFamily(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
