import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canonicalIp, cidrContains, hostPort, ipFamily, nthAddress, parseCidr } from '../../src/config/net.js';

describe('ipFamily', () => {
  const samples = ['10.0.0.1', '255.255.255.255', '1.2.3', '01.2.3.4', '::1', '::', 'fe80::1%eth0', '::ffff:192.0.2.1', '2001:db8::', 'kubernetes', 'cp-1.example.com', '', ':', '1:2:3:4:5:6:7:8:9', 'localhost'];
  it('agrees with node:net isIP on every kind of input', () => {
    for (const s of samples) expect(ipFamily(s), s).toBe(isIP(s));
  });
});

describe('addresses', () => {
  it('canonical text: compressed IPv6, embedded IPv4 as hex groups', () => {
    expect(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('::ffff:c000:201');
    expect(canonicalIp('10.96.0.1')).toBe('10.96.0.1');
    expect(() => canonicalIp('kubernetes')).toThrow(/not an IP/);
  });

  it('CIDRs, nth addresses and host:port', () => {
    const services = parseCidr('10.96.0.0/12')!;
    expect(nthAddress(services, 10)).toBe('10.96.0.10');
    expect(cidrContains(services, '10.111.255.255')).toBe(true);
    expect(cidrContains(services, '10.112.0.0')).toBe(false);
    expect(parseCidr('10.96.0.0/33')).toBeUndefined();
    expect(parseCidr('kubernetes/12')).toBeUndefined();
    expect(hostPort('fd00::1', 6443)).toBe('[fd00::1]:6443');
    expect(hostPort('cp.example.com', 6443)).toBe('cp.example.com:6443');
  });
});

describe('ipFamily on many inputs', () => {
  // A small deterministic generator, so a failure reproduces.
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!;
  const group = (): string => pick(['0', '1', 'a', 'ff', 'FFFF', 'abcd', '12345', 'g', '', '00000', 'db8']);
  const v4 = (): string => pick(['1.2.3.4', '255.255.255.255', '01.2.3.4', '1.2.3', '256.1.1.1', '0.0.0.0']);
  function structured(): string {
    const groups = Array.from({ length: rand(10) }, group);
    if (rand(3) === 0) groups.push(v4());
    let text = groups.join(':');
    if (rand(2) === 0) {
      const at = rand(text.length + 1);
      text = `${text.slice(0, at)}::${text.slice(at)}`;
    }
    if (rand(6) === 0) text += pick(['%eth0', '%', '%1', '%a:b.c-d', '%x y']);
    return text;
  }
  const chars = '0123456789abcdefABCDEFg:.%-';
  const random = (): string => Array.from({ length: rand(24) }, () => chars[rand(chars.length)]).join('');

  it('agrees with node:net isIP on 100,000 generated strings', () => {
    let v6 = 0;
    for (let i = 0; i < 100_000; i++) {
      const s = i % 2 ? structured() : random();
      const want = isIP(s);
      if (ipFamily(s) !== want) expect(ipFamily(s), JSON.stringify(s)).toBe(want);
      if (want === 6) v6++;
    }
    expect(v6).toBeGreaterThan(5_000); // the generator reaches valid IPv6 often enough to mean something
  });
});
