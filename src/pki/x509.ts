/**
 * X.509 certificates and CSRs: DER built here with node-forge's ASN.1 encoder (loaded on its
 * own, see der.ts), signed and read with node:crypto, which is fast and knows RSA and ECDSA. The
 * TBSCertificate, its Name and its extensions are assembled here, in the encodings Go's
 * crypto/x509 writes, around node:crypto's SubjectPublicKeyInfo. The shapes follow kubeadm's
 * pkiutil (reference §1).
 */
import { createHash, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { canonicalIp, ipFamily, parseCidr } from '../config/net.js';
import { PkiError } from '../errors.js';
import { asn1, type Asn1, type Bytes } from './der.js';
import { privateKeyObject, signatureAlgorithm, type KeyPair } from './keys.js';

export type ExtKeyUsage = 'serverAuth' | 'clientAuth';

const EKU_OIDS: Record<ExtKeyUsage, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** What a certificate must say: the parts nodeadm compares with a certificate on disk. */
export interface CertificateProfile {
  commonName: string;
  organizations: readonly string[];
  isCA: boolean;
  extKeyUsages: readonly ExtKeyUsage[];
  /** DNS SANs, de-duplicated and sorted. */
  dnsNames: readonly string[];
  /** IP SANs, canonical and de-duplicated, in the order given. */
  ips: readonly string[];
}

/** Validity periods in hours (kubeadm's certificateValidityPeriod / caCertificateValidityPeriod). */
export interface Validity {
  leafHours: number;
  caHours: number;
}
export const DEFAULT_VALIDITY: Validity = { leafHours: 8760, caHours: 87600 };

/** kubeadm backdates NotBefore so that slightly skewed clocks accept a fresh certificate. */
const BACKDATE_MS = 5 * 60 * 1000;

/** A certificate authority as files: the issuer of leaf certificates. */
export interface Issuer {
  certPem: string;
  keyPem: string;
  /** For errors: the key file. */
  keyPath: string;
}

export interface IssueOptions {
  now: Date;
  hours: number;
}

/** A self-signed CA certificate for `key` (subject CN only, SAN DNS:<CN>, SKI). */
export function createSelfSignedCA(profile: CertificateProfile, key: KeyPair, keyPath: string, options: IssueOptions): string {
  const subject = nameAsn1(profile);
  const ski = extension(OID.subjectKeyIdentifier, false, primitive(asn1.Type.OCTETSTRING, subjectKeyId(key.publicKeyPem)));
  const extensions = [...profileExtensions(profile), ski, ...sanExtension(profile)];
  return signCertificate({ subject, issuer: subject, publicKeyPem: key.publicKeyPem, extensions, options }, key.privateKeyPem, keyPath);
}

/** A certificate for `publicKeyPem` signed by `issuer` (AKI = the issuer's SKI). */
export function createSignedCertificate(
  profile: CertificateProfile,
  publicKeyPem: string,
  issuer: Issuer,
  options: IssueOptions,
): string {
  if (issuer.keyPem === '') {
    throw new PkiError(
      `cannot sign a certificate for ${profile.commonName}: the CA key ${issuer.keyPath} is absent (external CA)`,
      'have the external CA sign the CSR that "nodeadm certs generate-csr" writes, and place the certificate next to its key',
    );
  }
  const ca = caIdentity(issuer.certPem);
  // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING }
  const aki = ca.ski ? [extension(OID.authorityKeyIdentifier, false, sequence([asn1.create(CONTEXT, 0, false, ca.ski)]))] : [];
  const extensions = [...profileExtensions(profile), ...aki, ...sanExtension(profile)];
  return signCertificate({ subject: nameAsn1(profile), issuer: ca.subject, publicKeyPem, extensions, options }, issuer.keyPem, issuer.keyPath);
}

/**
 * A PKCS#10 request for `key` with the profile's subject and, as an extensionRequest, its key
 * usages and SANs: what an external CA signs (kubeadm's `certs generate-csr`).
 */
export function createCertificateRequest(profile: CertificateProfile, key: KeyPair, keyPath: string): string {
  const extensionRequest = sequence([
    oid(OID.extensionRequest),
    asn1.create(U, asn1.Type.SET, true, [sequence([...profileExtensions(profile), ...sanExtension(profile)])]),
  ]);
  const info = sequence([
    primitive(asn1.Type.INTEGER, asn1.integerToDer(0).getBytes()),
    nameAsn1(profile),
    spkiAsn1(key.publicKeyPem),
    asn1.create(CONTEXT, 0, true, [extensionRequest]),
  ]);
  return signed('CERTIFICATE REQUEST', info, key.privateKeyPem, keyPath);
}

const U = asn1.Class.UNIVERSAL;
const CONTEXT = asn1.Class.CONTEXT_SPECIFIC;

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  extensionRequest: '1.2.840.113549.1.9.14',
} as const;

/** A universal primitive element; `bytes` is a binary string. */
const primitive = (type: number, bytes: Bytes): Asn1 => asn1.create(U, type, false, bytes);
const sequence = (items: Asn1[]): Asn1 => asn1.create(U, asn1.Type.SEQUENCE, true, items);
const oid = (dotted: string): Asn1 => primitive(asn1.Type.OID, asn1.oidToDer(dotted).getBytes());
const TRUE = (): Asn1 => primitive(asn1.Type.BOOLEAN, '\xff');
/** DER bytes as forge's binary string, and back. */
const binary = (der: Buffer): Bytes => der.toString('binary');
const derOf = (node: Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
/** Bit strings stay raw bytes, so a re-encoded node is byte-identical to its source. */
const fromDer = (der: Buffer): Asn1 => asn1.fromDer(binary(der), { decodeBitStrings: false });
const childrenOf = (node: Asn1): Asn1[] => (Array.isArray(node.value) ? node.value : []);
const bytesOf = (node: Asn1 | undefined): Bytes => (typeof node?.value === 'string' ? node.value : '');

const SPKI_PEM = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/;

/**
 * SubjectPublicKeyInfo of any key node:crypto reads (RSA or EC). A PKIX "PUBLIC KEY" PEM, the
 * form nodeadm's key pairs carry, is that DER in base64: decoded directly, it costs no key parse.
 */
function spkiAsn1(publicKeyPem: string): Asn1 {
  const pem = SPKI_PEM.exec(publicKeyPem);
  return fromDer(pem ? Buffer.from(pem[1]!, 'base64') : createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

/** Go's SubjectKeyId: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function subjectKeyId(publicKeyPem: string): Bytes {
  const bits = bytesOf(childrenOf(spkiAsn1(publicKeyPem))[1]);
  return binary(createHash('sha1').update(Buffer.from(bits.slice(1), 'binary')).digest());
}

/** A CA signs a dozen certificates per run: read its identity once. */
const caIdentities = new Map<string, { subject: Asn1; ski?: Bytes }>();
function caIdentity(certPem: string): { subject: Asn1; ski?: Bytes } {
  let identity = caIdentities.get(certPem);
  if (!identity) {
    identity = readCaIdentity(certPem);
    caIdentities.set(certPem, identity);
  }
  return identity;
}

/** The issuer's subject (as encoded, byte for byte) and its SKI, read from its DER. */
function readCaIdentity(certPem: string): { subject: Asn1; ski?: Bytes } {
  const tbs = childrenOf(childrenOf(fromDer(new X509Certificate(certPem).raw))[0]!);
  const offset = tbs[0]!.tagClass === CONTEXT ? 1 : 0; // v1 certificates have no version field
  const subject = tbs[offset + 4]!;
  const wrapped = tbs.find((n) => n.tagClass === CONTEXT && n.type === 3);
  const extensions = wrapped ? childrenOf(childrenOf(wrapped)[0] ?? sequence([])) : [];
  for (const ext of extensions) {
    const parts = childrenOf(ext);
    if (asn1.derToOid(bytesOf(parts[0])) !== OID.subjectKeyIdentifier) continue;
    const inner = asn1.fromDer(bytesOf(parts[parts.length - 1]));
    return { subject, ski: bytesOf(inner) };
  }
  return { subject };
}

/** Go's pkix.Name: one single-valued RDN per attribute, O before CN. */
function nameAsn1(profile: CertificateProfile): Asn1 {
  const attributes: [string, string][] = [
    ...profile.organizations.map((value): [string, string] => [OID.organization, value]),
    [OID.commonName, profile.commonName],
  ];
  return sequence(attributes.map(([type, value]) => asn1.create(U, asn1.Type.SET, true, [sequence([oid(type), directoryString(value)])])));
}

/** PrintableString when the value fits it (as Go does), else UTF8String. */
function directoryString(value: string): Asn1 {
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value)
    ? primitive(asn1.Type.PRINTABLESTRING, value)
    : primitive(asn1.Type.UTF8, binary(Buffer.from(value, 'utf8')));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function timeAsn1(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? primitive(asn1.Type.UTCTIME, asn1.dateToUtcTime(date))
    : primitive(asn1.Type.GENERALIZEDTIME, asn1.dateToGeneralizedTime(date));
}

interface CertificateParts {
  subject: Asn1;
  issuer: Asn1;
  publicKeyPem: string;
  /** Extension elements, in order. */
  extensions: Asn1[];
  options: IssueOptions;
}

/** Builds the TBSCertificate (v3, random serial, backdated NotBefore) and signs it. */
function signCertificate(parts: CertificateParts, signerKeyPem: string, signerKeyPath: string): string {
  const start = Math.floor(parts.options.now.getTime() / 1000) * 1000; // X.509 times have whole seconds
  const { algorithm } = signer(signerKeyPem, signerKeyPath);
  const notAfter = new Date(start + parts.options.hours * 3600 * 1000);
  const tbs = sequence([
    asn1.create(CONTEXT, 0, true, [primitive(asn1.Type.INTEGER, asn1.integerToDer(2).getBytes())]),
    primitive(asn1.Type.INTEGER, randomSerial()),
    algorithm,
    parts.issuer,
    sequence([timeAsn1(new Date(start - BACKDATE_MS)), timeAsn1(notAfter)]),
    parts.subject,
    spkiAsn1(parts.publicKeyPem),
    asn1.create(CONTEXT, 3, true, [sequence(parts.extensions)]),
  ]);
  const pem = signed('CERTIFICATE', tbs, signerKeyPem, signerKeyPath);
  issuedExpiries.set(pem, notAfter);
  return pem;
}

/** The signing key and its AlgorithmIdentifier (no parameters for ECDSA, NULL for RSA). */
function signer(keyPem: string, keyPath: string): { key: KeyObject; digest: string; algorithm: Asn1 } {
  const key = privateKeyObject(keyPem);
  const { digest, oid: algorithmOid, ecdsa } = signatureAlgorithm(key, keyPath);
  const params = ecdsa ? [] : [primitive(asn1.Type.NULL, '')];
  return { key, digest, algorithm: sequence([oid(algorithmOid), ...params]) };
}

/** SEQUENCE { body, algorithm, BIT STRING signature } as PEM; signed by node:crypto (DER ECDSA signatures). */
function signed(type: 'CERTIFICATE' | 'CERTIFICATE REQUEST', body: Asn1, keyPem: string, keyPath: string): string {
  const { key, digest, algorithm } = signer(keyPem, keyPath);
  const signature = sign(digest, derOf(body), key);
  const whole = sequence([body, algorithm, primitive(asn1.Type.BITSTRING, `\0${binary(signature)}`)]);
  const base64 = derOf(whole).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${base64}\n-----END ${type}-----\n`;
}

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE (omitted when false), extnValue OCTET STRING }. */
function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return sequence([oid(id), ...(critical ? [TRUE()] : []), primitive(asn1.Type.OCTETSTRING, derOf(value).toString('binary'))]);
}

/** KeyUsage bits (RFC 5280 4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5 } as const;

/** A DER named-bit BIT STRING: trailing zero bits dropped, first byte the count of unused bits. */
function namedBits(bits: readonly number[]): Asn1 {
  if (bits.length === 0) return primitive(asn1.Type.BITSTRING, '\0');
  const length = Math.max(...bits) + 1;
  const bytes = Buffer.alloc(Math.ceil(length / 8));
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return primitive(asn1.Type.BITSTRING, String.fromCharCode(bytes.length * 8 - length) + binary(bytes));
}

/** KeyUsage (critical), EKU and BasicConstraints (critical), in Go's extension order. */
function profileExtensions(profile: CertificateProfile): Asn1[] {
  const usages: number[] = [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment, ...(profile.isCA ? [KEY_USAGE.keyCertSign] : [])];
  const extensions = [extension(OID.keyUsage, true, namedBits(usages))];
  if (profile.extKeyUsages.length > 0) {
    const ekus = [...new Set(profile.extKeyUsages)].map((usage) => oid(EKU_OIDS[usage]));
    extensions.push(extension(OID.extKeyUsage, false, sequence(ekus)));
  }
  // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE }: DER leaves the default out.
  extensions.push(extension(OID.basicConstraints, true, sequence(profile.isCA ? [TRUE()] : [])));
  return extensions;
}

/** SubjectAltName: DNS names as [2] IA5String, then IP addresses as [7] OCTET STRING (4 or 16 bytes). */
function sanExtension(profile: CertificateProfile): Asn1[] {
  if (profile.dnsNames.length === 0 && profile.ips.length === 0) return [];
  const altNames = [
    ...profile.dnsNames.map((name) => asn1.create(CONTEXT, 2, false, name)),
    ...profile.ips.map((ip) => asn1.create(CONTEXT, 7, false, ipBytes(ip))),
  ];
  return [extension(OID.subjectAltName, false, sequence(altNames))];
}

/** An IP address (any text form node:net accepts, embedded IPv4 included) in network byte order. */
function ipBytes(ip: string): Bytes {
  const text = canonicalIp(ip); // throws on a non-IP
  const size = ipFamily(text) === 4 ? 4 : 16;
  const value = parseCidr(`${text}/${size * 8}`)!.base;
  return binary(Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex'));
}

/** Random serial in [1, 2^63-1), as kubeadm's NewSignedCert: a minimal positive DER INTEGER's bytes. */
function randomSerial(): Bytes {
  const limit = (1n << 63n) - 2n;
  let n: bigint;
  do n = randomBytes(8).readBigUInt64BE() >> 1n;
  while (n >= limit);
  let hex = (n + 1n).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return binary(Buffer.from(parseInt(hex[0]!, 16) >= 8 ? `00${hex}` : hex, 'hex'));
}

/** What a certificate on disk says, read with node:crypto. */
export interface CertificateInfo {
  readonly x509: X509Certificate;
  readonly commonName: string;
  readonly organizations: readonly string[];
  readonly isCA: boolean;
  /** EKU names; unknown usages as their OID. */
  readonly extKeyUsages: readonly string[];
  readonly dnsNames: readonly string[];
  readonly ips: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** NotAfter of the certificates this process issued, by PEM text. */
const issuedExpiries = new Map<string, Date>();

/** When a PEM certificate expires (undefined: not a certificate); one this process issued is not parsed again. */
export function certificateExpiry(pem: string): Date | undefined {
  return issuedExpiries.get(pem) ?? inspectCertificate(pem)?.notAfter;
}

/**
 * Certificates already read, by PEM text: a run reads most of them twice (the PKI phases, then
 * the nearest expiry for the summary). Shared, so frozen.
 */
const inspected = new Map<string, CertificateInfo | undefined>();

/** Parses a PEM certificate; undefined when it is not one. */
export function inspectCertificate(pem: string): CertificateInfo | undefined {
  if (inspected.has(pem)) return inspected.get(pem);
  const info = readCertificate(pem);
  inspected.set(pem, info);
  return info;
}

function readCertificate(pem: string): CertificateInfo | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const subject = parseSubject(x509.subject);
  const sans = parseSubjectAltName(x509.subjectAltName ?? '');
  const ekuNames = Object.fromEntries(Object.entries(EKU_OIDS).map(([name, oid]) => [oid, name]));
  return Object.freeze({
    x509,
    commonName: subject.CN?.[0] ?? '',
    organizations: Object.freeze(subject.O ?? []),
    isCA: x509.ca,
    extKeyUsages: Object.freeze((x509.keyUsage ?? []).map((oid) => ekuNames[oid] ?? oid)),
    dnsNames: Object.freeze(sans.dns),
    ips: Object.freeze(sans.ips),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  });
}

/** Node prints the subject one RDN per line ("O=a\nCN=b"), multi-valued RDNs joined by " + ". */
function parseSubject(subject: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of subject.split('\n')) {
    for (const part of line.split(/(?<!\\) \+ /)) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const value = part.slice(eq + 1).replace(/\\(.)/g, '$1');
      (out[part.slice(0, eq)] ??= []).push(value);
    }
  }
  return out;
}

/** "DNS:a, DNS:\"quoted\", IP Address:0:0:0:0:0:0:0:1" → DNS names and canonical IPs. */
function parseSubjectAltName(text: string): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const m of text.matchAll(/([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === 'DNS') dns.push(value);
    else if (m[1] === 'IP Address' && ipFamily(value)) ips.push(canonicalIp(value));
  }
  return { dns, ips };
}

export function certificateMatchesKey(info: CertificateInfo, privateKeyPem: string): boolean {
  try {
    return info.x509.checkPrivateKey(privateKeyObject(privateKeyPem));
  } catch {
    return false;
  }
}

/** True when `ca` issued `cert`: issuer name matches and the signature verifies with the CA key. */
export function isIssuedBy(cert: CertificateInfo, ca: CertificateInfo): boolean {
  return cert.x509.checkIssued(ca.x509) && cert.x509.verify(ca.x509.publicKey);
}

/**
 * How a certificate differs from its profile, as short phrases ("added DNS:a, removed IP:b");
 * [] when it is as wanted. Order of SANs does not matter.
 */
export function profileDifferences(want: CertificateProfile, have: CertificateInfo): string[] {
  const reasons: string[] = [];
  if (have.commonName !== want.commonName) reasons.push(`CN ${have.commonName} → ${want.commonName}`);
  if (have.isCA !== want.isCA) reasons.push(want.isCA ? 'not a CA' : 'is a CA');
  const added: string[] = [];
  const removed: string[] = [];
  const compare = (label: string, wanted: readonly string[], had: readonly string[]): void => {
    added.push(...wanted.filter((v) => !had.includes(v)).map((v) => `${label}:${v}`));
    removed.push(...had.filter((v) => !wanted.includes(v)).map((v) => `${label}:${v}`));
  };
  compare('O', want.organizations, have.organizations);
  compare('EKU', want.extKeyUsages, have.extKeyUsages);
  compare('DNS', want.dnsNames, have.dnsNames);
  compare('IP', want.ips.map(canonicalIp), have.ips);
  if (added.length > 0) reasons.push(`added ${added.join(', ')}`);
  if (removed.length > 0) reasons.push(`removed ${removed.join(', ')}`);
  return reasons;
}

/**
 * What a certificate from an external CA lacks for its role: another CN, a missing usage,
 * organization or SAN ([] = it covers this node). Extra SANs are the external CA's choice.
 */
export function coverageGaps(want: CertificateProfile, have: CertificateInfo): string[] {
  const gaps: string[] = [];
  if (have.commonName !== want.commonName) gaps.push(`CN is ${have.commonName}, not ${want.commonName}`);
  const missing = (label: string, wanted: readonly string[], had: readonly string[]): string[] =>
    wanted.filter((v) => !had.includes(v)).map((v) => `${label}:${v}`);
  const absent = [
    ...missing('O', want.organizations, have.organizations),
    ...missing('EKU', want.extKeyUsages, have.extKeyUsages),
    ...missing('DNS', want.dnsNames, have.dnsNames),
    ...missing('IP', want.ips.map(canonicalIp), have.ips),
  ];
  if (absent.length > 0) gaps.push(`lacks ${absent.join(', ')}`);
  return gaps;
}
