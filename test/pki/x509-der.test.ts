/**
 * The DER that x509.ts writes, byte for byte: the encodings Go's crypto/x509 (so kubeadm) uses.
 * The expectations are built here with a separate little DER writer from the rules (Name as
 * SEQUENCE OF single-valued RDNs, O before CN, PrintableString else UTF8String; extensions in
 * Go's order, DEFAULT FALSE booleans left out, minimal named-bit BIT STRINGs, SAN DNS [2] then
 * IP [7] of 4 or 16 bytes), and read back with a separate DER reader. The goldens are the bytes
 * that the earlier x509.ts (forge's x509 helpers) wrote for fixed keys and time.
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  certificateExpiry,
  createCertificateRequest,
  createSelfSignedCA,
  createSignedCertificate,
  generateKey,
  type CertificateProfile,
  type KeyAlgorithm,
  type KeyPair,
} from '../../src/pki/index.js';
import { openssl, removeTempRoots, tempRoot } from './helpers.js';

// ---- a DER reader and writer of the test's own ----

interface Tlv {
  tag: number;
  content: Buffer;
  whole: Buffer;
}

/** The elements of a DER byte string (single-byte tags, definite lengths). */
function read(der: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < der.length) {
    const start = p;
    const tag = der[p++]!;
    let length = der[p++]!;
    if (length & 0x80) {
      const n = length & 0x7f;
      expect(n, 'long-form length of 1 or 2 bytes').toBeLessThanOrEqual(2);
      length = der.readUIntBE(p, n);
      expect(length, 'minimal length encoding').toBeGreaterThan(n === 1 ? 127 : 255);
      p += n;
    }
    out.push({ tag, content: der.subarray(p, p + length), whole: der.subarray(start, p + length) });
    p += length;
  }
  expect(p).toBe(der.length);
  return out;
}
const one = (der: Buffer): Tlv => {
  const all = read(der);
  expect(all).toHaveLength(1);
  return all[0]!;
};
const kids = (t: Tlv): Tlv[] => read(t.content);

type Part = Buffer | string; // string: hex
function tlv(tag: number, ...parts: Part[]): Buffer {
  const content = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'hex') : p)));
  const n = content.length;
  const length = n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), content]);
}
const seq = (...parts: Part[]): Buffer => tlv(0x30, ...parts);
const oid = (hex: string): Buffer => tlv(0x06, hex);
const TRUE = '0101ff';

const OID = {
  commonName: '550403',
  organization: '55040a',
  keyUsage: '551d0f',
  extKeyUsage: '551d25',
  basicConstraints: '551d13',
  subjectKeyIdentifier: '551d0e',
  authorityKeyIdentifier: '551d23',
  subjectAltName: '551d11',
  serverAuth: '2b06010505070301',
  clientAuth: '2b06010505070302',
  extensionRequest: '2a864886f70d01090e',
};
const ALGORITHM = { ecdsa: seq(oid('2a8648ce3d040302')), rsa: seq(oid('2a864886f70d01010b'), '0500') };

// ---- the expected encodings ----

/** Go's pkix.Name for nodeadm's subjects: O attributes, then CN, one RDN each. */
function nameDer(profile: CertificateProfile): Buffer {
  const attribute = (type: string, value: string): Buffer => {
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
    return tlv(0x31, seq(oid(type), printable ? tlv(0x13, Buffer.from(value, 'ascii')) : tlv(0x0c, Buffer.from(value, 'utf8'))));
  };
  return seq(...profile.organizations.map((o) => attribute(OID.organization, o)), attribute(OID.commonName, profile.commonName));
}

const extension = (id: string, critical: boolean, value: Buffer): Buffer => seq(oid(id), ...(critical ? [TRUE] : []), tlv(0x04, value));

/** A leaf's or CA's extensions, in Go's order; `ipBytes`: the IP SANs' expected bytes (hex). */
function extensionsDer(profile: CertificateProfile, ipBytes: string[], keyId: { ski?: Buffer; aki?: Buffer }): Buffer[] {
  const out = [
    // digitalSignature (bit 0), keyEncipherment (2), keyCertSign (5): 1 byte, 5 or 2 unused bits
    extension(OID.keyUsage, true, tlv(0x03, profile.isCA ? '02a4' : '05a0')),
  ];
  if (profile.extKeyUsages.length > 0) {
    const usages = [...new Set(profile.extKeyUsages)].map((u) => oid(OID[u]));
    out.push(extension(OID.extKeyUsage, false, seq(...usages)));
  }
  out.push(extension(OID.basicConstraints, true, profile.isCA ? seq(TRUE) : seq()));
  if (keyId.ski) out.push(extension(OID.subjectKeyIdentifier, false, tlv(0x04, keyId.ski)));
  if (keyId.aki) out.push(extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId.aki))));
  if (profile.dnsNames.length + ipBytes.length > 0) {
    const names = [...profile.dnsNames.map((d) => tlv(0x82, Buffer.from(d, 'ascii'))), ...ipBytes.map((hex) => tlv(0x87, hex))];
    out.push(extension(OID.subjectAltName, false, seq(...names)));
  }
  return out;
}

const spkiDer = (publicKeyPem: string): Buffer => createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
/** SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2 method 1, as Go). */
const keyId = (publicKeyPem: string): Buffer =>
  createHash('sha1').update(kids(one(spkiDer(publicKeyPem)))[1]!.content.subarray(1)).digest();

/** UTCTime through 2049, GeneralizedTime from 2050, whole seconds, Z. */
function timeDer(ms: number): Buffer {
  const iso = new Date(ms).toISOString().replace(/[-:T]|\.\d+/g, ''); // 20260304050607Z
  return Number(iso.slice(0, 4)) < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

const pemDer = (pem: string): Buffer => Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
const hex = (parts: Buffer[]): string => Buffer.concat(parts).toString('hex');

/** The TBSCertificate's fields, the serial checked and left out. */
function tbsFields(certPem: string): { fields: Tlv[]; outer: Tlv[] } {
  const outer = kids(one(pemDer(certPem)));
  expect(outer.map((t) => t.tag)).toEqual([0x30, 0x30, 0x03]);
  const fields = kids(outer[0]!);
  expect(fields.map((t) => t.tag)).toEqual([0xa0, 0x02, 0x30, 0x30, 0x30, 0x30, 0x30, 0xa3]);
  expect(fields[0]!.whole.toString('hex')).toBe('a003020102'); // v3
  const serial = fields[1]!.content;
  expect(serial.length).toBeGreaterThanOrEqual(1);
  expect(serial.length).toBeLessThanOrEqual(9);
  expect(serial[0]! & 0x80, 'positive').toBe(0);
  if (serial.length > 1) expect(serial[0] === 0 && (serial[1]! & 0x80) === 0, 'minimal').toBe(false);
  expect(outer[1]!.whole.equals(fields[2]!.whole), 'outer signatureAlgorithm = TBS signature').toBe(true);
  return { fields: fields.filter((_, i) => i !== 1), outer };
}

// ---- fixed keys and the goldens from the forge-x509 code ----

const CA_KEY: KeyPair = {
  privateKeyPem: `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIJBIlxjswEWrnN8U3/DGPqTKSaS6p66EVrUAllwV9uWgoAoGCCqGSM49
AwEHoUQDQgAEJEBB82pEnGrHGSqmnZDfmI2WgsxwShuR/5YKPAWd9i/p8Yg8QyYn
HkUiaSl6mboHLrI/5xqG4PXwIF5wMhCbxA==
-----END EC PRIVATE KEY-----
`,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJEBB82pEnGrHGSqmnZDfmI2Wgsxw
ShuR/5YKPAWd9i/p8Yg8QyYnHkUiaSl6mboHLrI/5xqG4PXwIF5wMhCbxA==
-----END PUBLIC KEY-----
`,
};
const LEAF_KEY: KeyPair = {
  privateKeyPem: `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIEVWcAWHZnYNKD4S35jRFHwrH6GU0kuVEfvRRRit+qBgoAoGCCqGSM49
AwEHoUQDQgAENLSptj9lNm3/6t8CGMO5HUbHtadL9axAd4z59yRQXejT0OlW0HKh
qmLEZWecYAk8A9ar2m8tBuNtsyBnjJIMGA==
-----END EC PRIVATE KEY-----
`,
  publicKeyPem: `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENLSptj9lNm3/6t8CGMO5HUbHtadL
9axAd4z59yRQXejT0OlW0HKhqmLEZWecYAk8A9ar2m8tBuNtsyBnjJIMGA==
-----END PUBLIC KEY-----
`,
};
const NOW = new Date('2026-03-04T05:06:07.891Z');

const profile = (p: Partial<CertificateProfile> & { commonName: string }): CertificateProfile => ({
  organizations: [],
  isCA: false,
  extKeyUsages: [],
  dnsNames: [],
  ips: [],
  ...p,
});

const GOLDEN_CA = profile({ commonName: 'kubernetes', isCA: true, dnsNames: ['kubernetes'] });
const GOLDEN_LEAF = profile({
  commonName: 'kube-apiserver',
  organizations: ['system:masters', 'kubeadm:cluster-admins'],
  extKeyUsages: ['serverAuth', 'clientAuth'],
  dnsNames: ['cp-1', 'kubernetes.default.svc'],
  ips: ['10.96.0.1', '2001:db8::7', '::ffff:192.0.2.10'],
});
const GOLDEN_UTF8 = profile({ commonName: 'Größe ☃' });

/** TBSCertificate fields (without the serial) and CertificationRequestInfo, hex. */
const GOLDEN = {
  ca: [
    'a003020102',
    '300a06082a8648ce3d040302',
    '3015311330110603550403130a6b756265726e65746573',
    '301e170d3236303330343035303130375a170d3336303330313035303630375a',
    '3015311330110603550403130a6b756265726e65746573',
    '3059301306072a8648ce3d020106082a8648ce3d03010703420004244041f36a449c6ac7192aa69d90df988d9682cc704a1b91ff960a3c059df62fe9f1883c4326271e452269297a99ba072eb23fe71a86e0f5f0205e7032109bc4',
    'a3593057',
    '300e0603551d0f0101ff0404030202a4',
    '300f0603551d130101ff040530030101ff',
    '301d0603551d0e04160414c5a3d3fb0c45dbf911f0f0183eff9780a19540be',
    '30150603551d11040e300c820a6b756265726e65746573',
  ],
  leaf: [
    'a003020102',
    '300a06082a8648ce3d040302',
    '3015311330110603550403130a6b756265726e65746573',
    '301e170d3236303330343035303130375a170d3237303330343035303630375a',
    '305331173015060355040a130e73797374656d3a6d617374657273311f301d060355040a13166b75626561646d3a636c75737465722d61646d696e73311730150603550403130e6b7562652d617069736572766572',
    '3059301306072a8648ce3d020106082a8648ce3d0301070342000434b4a9b63f65366dffeadf0218c3b91d46c7b5a74bf5ac40778cf9f724505de8d3d0e956d072a1aa62c465679c60093c03d6abda6f2d06e36db320678c920c18',
    'a381b43081b1',
    '300e0603551d0f0101ff0404030205a0',
    '301d0603551d250416301406082b0601050507030106082b06010505070302',
    '300c0603551d130101ff04023000',
    '301f0603551d23041830168014c5a3d3fb0c45dbf911f0f0183eff9780a19540be',
    '30510603551d11044a3048820463702d3182166b756265726e657465732e64656661756c742e73766387040a600001871020010db8000000000000000000000007871000000000000000000000ffffc000020a',
  ],
  utf8: [
    'a003020102',
    '300a06082a8648ce3d040302',
    '3015311330110603550403130a6b756265726e65746573',
    '301e170d3236303330343035303130375a170d3237303330343035303630375a',
    '30163114301206035504030c0b4772c3b6c39f6520e29883',
    '3059301306072a8648ce3d020106082a8648ce3d0301070342000434b4a9b63f65366dffeadf0218c3b91d46c7b5a74bf5ac40778cf9f724505de8d3d0e956d072a1aa62c465679c60093c03d6abda6f2d06e36db320678c920c18',
    'a341303f',
    '300e0603551d0f0101ff0404030205a0',
    '300c0603551d130101ff04023000',
    '301f0603551d23041830168014c5a3d3fb0c45dbf911f0f0183eff9780a19540be',
  ],
  csrInfo: [
    '3082015a',
    '020100',
    '305331173015060355040a130e73797374656d3a6d617374657273311f301d060355040a13166b75626561646d3a636c75737465722d61646d696e73311730150603550403130e6b7562652d617069736572766572',
    '3059301306072a8648ce3d020106082a8648ce3d0301070342000434b4a9b63f65366dffeadf0218c3b91d46c7b5a74bf5ac40778cf9f724505de8d3d0e956d072a1aa62c465679c60093c03d6abda6f2d06e36db320678c920c18',
    'a081a43081a106092a864886f70d01090e318193308190',
    '300e0603551d0f0101ff0404030205a0',
    '301d0603551d250416301406082b0601050507030106082b06010505070302',
    '300c0603551d130101ff04023000',
    '30510603551d11044a3048820463702d3182166b756265726e657465732e64656661756c742e73766387040a600001871020010db8000000000000000000000007871000000000000000000000ffffc000020a',
  ],
};

const tbsWithoutSerial = (certPem: string): string => {
  const tbs = kids(one(pemDer(certPem)))[0]!;
  return hex(kids(tbs).filter((_, i) => i !== 1).map((t) => t.whole));
};

describe('x509 DER goldens (fixed keys and time; serial left out)', () => {
  const caPem = createSelfSignedCA(GOLDEN_CA, CA_KEY, 'ca.key', { now: NOW, hours: 87600 });
  const issuer = { certPem: caPem, keyPem: CA_KEY.privateKeyPem, keyPath: 'ca.key' };

  it('CA certificate', () => {
    expect(tbsWithoutSerial(caPem)).toBe(GOLDEN.ca.join(''));
  });

  it('leaf with O, both EKUs, DNS and IPv4/IPv6/::ffff: SANs', () => {
    expect(tbsWithoutSerial(createSignedCertificate(GOLDEN_LEAF, LEAF_KEY.publicKeyPem, issuer, { now: NOW, hours: 8760 }))).toBe(
      GOLDEN.leaf.join(''),
    );
  });

  it('leaf with a UTF-8 CN, no EKU and no SANs', () => {
    expect(tbsWithoutSerial(createSignedCertificate(GOLDEN_UTF8, LEAF_KEY.publicKeyPem, issuer, { now: NOW, hours: 8760 }))).toBe(
      GOLDEN.utf8.join(''),
    );
  });

  it('CSR info', () => {
    const csr = createCertificateRequest(GOLDEN_LEAF, LEAF_KEY, 'leaf.key');
    expect(kids(one(pemDer(csr)))[0]!.whole.toString('hex')).toBe(GOLDEN.csrInfo.join(''));
  });
});

// ---- the profile matrix, checked field by field ----

interface LeafCase {
  profile: CertificateProfile;
  /** Expected bytes of profile.ips, hex. */
  ipBytes: string[];
}

const LEAVES: LeafCase[] = [
  {
    profile: profile({
      commonName: 'kube-apiserver',
      extKeyUsages: ['serverAuth'],
      dnsNames: ['cp-1', 'kubernetes', 'kubernetes.default.svc.cluster.local'],
      ips: ['10.96.0.1', '192.0.2.10', 'fd00::10', '::ffff:1.2.3.4', '2001:DB8:0:0:0:0:0:1', '::'],
    }),
    ipBytes: [
      '0a600001',
      'c000020a',
      'fd000000000000000000000000000010',
      '00000000000000000000ffff01020304',
      '20010db8000000000000000000000001',
      '00000000000000000000000000000000',
    ],
  },
  {
    profile: profile({
      commonName: 'kubernetes-admin',
      organizations: ['system:masters', 'kubeadm:cluster-admins', 'team&ops'],
      extKeyUsages: ['clientAuth'],
    }),
    ipBytes: [],
  },
  {
    profile: profile({
      commonName: 'cp-1',
      extKeyUsages: ['serverAuth', 'clientAuth'],
      dnsNames: ['cp-1', 'localhost'],
      ips: ['192.0.2.10', '127.0.0.1', '::1', 'fe80::1:2'],
    }),
    ipBytes: ['c000020a', '7f000001', '00000000000000000000000000000001', 'fe800000000000000000000000010002'],
  },
  { profile: profile({ commonName: 'client-first', extKeyUsages: ['clientAuth', 'serverAuth', 'clientAuth'] }), ipBytes: [] },
  {
    profile: profile({ commonName: 'Zertifikat für Größe ☃ 𝄞', organizations: ['système'], dnsNames: ['a.example'] }),
    ipBytes: [],
  },
  { profile: profile({ commonName: "printable A-z 0-9 '()+,-./:=?", organizations: ['under_score', 'star*', ''] }), ipBytes: [] },
  {
    // long-form lengths
    profile: profile({
      commonName: 'long',
      organizations: ['o'.repeat(140)],
      dnsNames: Array.from({ length: 20 }, (_, i) => `host-${i}.example.com`),
    }),
    ipBytes: [],
  },
];

const CAS = [
  { algorithm: 'RSA-2048' as KeyAlgorithm, profile: profile({ commonName: 'kubernetes', isCA: true, dnsNames: ['kubernetes'] }) },
  { algorithm: 'ECDSA-P256' as KeyAlgorithm, profile: profile({ commonName: 'etcd-ca', isCA: true, dnsNames: ['etcd-ca'] }) },
  {
    algorithm: 'ECDSA-P256' as KeyAlgorithm,
    profile: profile({ commonName: 'CA ohne SAN', isCA: true, organizations: ['Größe', 'plain'] }),
  },
];

describe('x509 DER field by field', () => {
  const keys = new Map<KeyAlgorithm, KeyPair>();
  let dir: string;
  beforeAll(async () => {
    for (const a of ['RSA-2048', 'ECDSA-P256'] as const) keys.set(a, await generateKey(a));
    dir = (await tempRoot('nodeadm-x509-der-')).root;
  });
  afterAll(removeTempRoots);

  const validity = (hours: number, now = NOW): string => {
    const start = Math.floor(now.getTime() / 1000) * 1000;
    return seq(timeDer(start - 5 * 60 * 1000), timeDer(start + hours * 3600 * 1000)).toString('hex');
  };

  it.each(CAS.map((c) => [`${c.profile.commonName} (${c.algorithm})`, c] as const))('CA %s and the leaves it signs', (_, ca) => {
    const caKey = keys.get(ca.algorithm)!;
    const algorithm = ca.algorithm === 'RSA-2048' ? ALGORITHM.rsa : ALGORITHM.ecdsa;
    const caPem = createSelfSignedCA(ca.profile, caKey, 'ca.key', { now: NOW, hours: 87600 });
    const ski = keyId(caKey.publicKeyPem);
    const caFields = tbsFields(caPem).fields.map((t) => t.whole.toString('hex'));
    expect(caFields).toEqual([
      'a003020102',
      algorithm.toString('hex'),
      nameDer(ca.profile).toString('hex'), // issuer = subject
      validity(87600),
      nameDer(ca.profile).toString('hex'),
      spkiDer(caKey.publicKeyPem).toString('hex'),
      tlv(0xa3, seq(...extensionsDer(ca.profile, [], { ski }))).toString('hex'),
    ]);
    const caX509 = new X509Certificate(caPem);
    expect(caX509.ca).toBe(true);
    expect(caX509.verify(caX509.publicKey)).toBe(true);

    for (const leafAlgorithm of ['RSA-2048', 'ECDSA-P256'] as const) {
      const leafKey = keys.get(leafAlgorithm)!;
      for (const { profile: p, ipBytes } of LEAVES) {
        const issuer = { certPem: caPem, keyPem: caKey.privateKeyPem, keyPath: 'ca.key' };
        const pem = createSignedCertificate(p, leafKey.publicKeyPem, issuer, { now: NOW, hours: 8760 });
        const fields = tbsFields(pem).fields.map((t) => t.whole.toString('hex'));
        expect(fields, p.commonName).toEqual([
          'a003020102',
          algorithm.toString('hex'),
          nameDer(ca.profile).toString('hex'), // the issuer: the CA's subject as encoded
          validity(8760),
          nameDer(p).toString('hex'),
          spkiDer(leafKey.publicKeyPem).toString('hex'),
          tlv(0xa3, seq(...extensionsDer(p, ipBytes, { aki: ski }))).toString('hex'),
        ]);
        const x509 = new X509Certificate(pem);
        expect(x509.verify(caX509.publicKey), p.commonName).toBe(true);
        expect(x509.checkIssued(caX509), p.commonName).toBe(true);
      }
    }
  });

  it('uses GeneralizedTime for times from 2050', () => {
    const now = new Date('2049-06-01T00:00:00Z');
    const pem = createSelfSignedCA(CAS[1]!.profile, keys.get('ECDSA-P256')!, 'ca.key', { now, hours: 87600 });
    const fields = tbsFields(pem).fields;
    expect(fields[3]!.whole.toString('hex')).toBe(validity(87600, now));
    expect(kids(fields[3]!).map((t) => t.tag)).toEqual([0x17, 0x18]);
    expect(kids(fields[3]!)[1]!.content.toString('ascii')).toBe('20590530000000Z');
  });

  it.each(LEAVES.map((l) => [l.profile.commonName, l] as const))('CSR for %s', async (_, { profile: p, ipBytes }) => {
    for (const algorithm of ['RSA-2048', 'ECDSA-P256'] as const) {
      const key = keys.get(algorithm)!;
      const csr = createCertificateRequest(p, key, 'k.key');
      const [info, signatureAlgorithm] = kids(one(pemDer(csr)));
      expect(signatureAlgorithm!.whole.equals(algorithm === 'RSA-2048' ? ALGORITHM.rsa : ALGORITHM.ecdsa)).toBe(true);
      const extensionRequest = seq(oid(OID.extensionRequest), tlv(0x31, seq(...extensionsDer(p, ipBytes, {}))));
      expect(info!.whole.toString('hex'), `${p.commonName} ${algorithm}`).toBe(
        seq('020100', nameDer(p), spkiDer(key.publicKeyPem), tlv(0xa0, extensionRequest)).toString('hex'),
      );
      const file = path.join(dir, 'req.csr');
      await writeFile(file, csr);
      await openssl('req', '-in', file, '-noout', '-verify'); // rejects when the signature does not verify
    }
  });

  it('reads as intended with openssl and node:crypto (IPv6 and embedded IPv4 SANs, UTF-8 names)', async () => {
    const caKey = keys.get('ECDSA-P256')!;
    const caPem = createSelfSignedCA(CAS[2]!.profile, caKey, 'ca.key', { now: NOW, hours: 87600 });
    const [apiserver, , , , utf8] = LEAVES;
    const issuer = { certPem: caPem, keyPem: caKey.privateKeyPem, keyPath: 'ca.key' };
    const leafPem = createSignedCertificate(apiserver!.profile, keys.get('RSA-2048')!.publicKeyPem, issuer, { now: NOW, hours: 8760 });
    const file = path.join(dir, 'leaf.crt');
    await writeFile(file, leafPem);
    const text = await openssl('x509', '-in', file, '-noout', '-text', '-nameopt', 'utf8');
    expect(text).toContain(
      'DNS:cp-1, DNS:kubernetes, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:192.0.2.10, ' +
        'IP Address:FD00:0:0:0:0:0:0:10, IP Address:0:0:0:0:0:FFFF:102:304, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:0:0:0',
    );
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(text).toMatch(/Issuer: O=Größe, O=plain, CN=CA ohne SAN\n/);
    const x509 = new X509Certificate(leafPem);
    expect(x509.subject).toBe('CN=kube-apiserver');
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(x509.ca).toBe(false);

    const utf8Pem = createSignedCertificate(utf8!.profile, keys.get('ECDSA-P256')!.publicKeyPem, issuer, { now: NOW, hours: 8760 });
    expect(new X509Certificate(utf8Pem).subject).toBe('O=système\nCN=Zertifikat für Größe ☃ 𝄞');
    await writeFile(file, utf8Pem);
    const asn1 = await openssl('asn1parse', '-in', file, '-i');
    expect(asn1).toMatch(/UTF8STRING\s+:système/);
    expect(asn1).toMatch(/PRINTABLESTRING\s+:CA ohne SAN/);
  });

  it('knows the expiry of a certificate it issued without parsing it, and it is the one openssl reads', () => {
    const caKey = keys.get('ECDSA-P256')!;
    const caPem = createSelfSignedCA(CAS[2]!.profile, caKey, 'ca.key', { now: NOW, hours: 87600 });
    const issuer = { certPem: caPem, keyPem: caKey.privateKeyPem, keyPath: 'ca.key' };
    const leafPem = createSignedCertificate(LEAVES[0]!.profile, keys.get('RSA-2048')!.publicKeyPem, issuer, { now: NOW, hours: 8760 });
    for (const pem of [caPem, leafPem]) expect(certificateExpiry(pem)).toEqual(new Date(new X509Certificate(pem).validTo));
    expect(certificateExpiry(leafPem)).toEqual(new Date('2027-03-04T05:06:07Z'));
    // Not issued here: read from the certificate itself (an equal copy of the text with other line endings).
    expect(certificateExpiry(leafPem.replace(/\n/g, '\r\n'))).toEqual(new Date('2027-03-04T05:06:07Z'));
    expect(certificateExpiry('not a certificate')).toBeUndefined();
  });
});
