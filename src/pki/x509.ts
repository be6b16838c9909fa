/**
 * X.509 certificates and CSRs: DER built with node-forge's ASN.1 encoder (the only importer of
 * node-forge in nodeadm), signed and read with node:crypto, which is fast and knows RSA and
 * ECDSA. forge's certificate object only knows RSA keys, so the TBSCertificate is assembled here
 * from forge's name and extension encoders plus node:crypto's SubjectPublicKeyInfo. The shapes
 * follow kubeadm's pkiutil (reference §1).
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { canonicalIp } from '../config/net.js';
import { PkiError } from '../errors.js';
import { signatureAlgorithm, type KeyPair } from './keys.js';

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
  const ski = subjectKeyId(key.publicKeyPem);
  const skiExtension = { id: '2.5.29.14', name: 'subjectKeyIdentifier', value: asn1.create(U, asn1.Type.OCTETSTRING, false, ski) };
  const extensions = [...profileExtensions(profile), skiExtension, ...sanExtension(profile)];
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
  const aki = ca.ski ? [{ name: 'authorityKeyIdentifier', keyIdentifier: ca.ski }] : [];
  const extensions = [...profileExtensions(profile), ...aki, ...sanExtension(profile)];
  return signCertificate({ subject: nameAsn1(profile), issuer: ca.subject, publicKeyPem, extensions, options }, issuer.keyPem, issuer.keyPath);
}

/**
 * A PKCS#10 request for `key` with the profile's subject and, as an extensionRequest, its key
 * usages and SANs: what an external CA signs (kubeadm's `certs generate-csr`).
 */
export function createCertificateRequest(profile: CertificateProfile, key: KeyPair, keyPath: string): string {
  const extensions = forgeExtras.certificateExtensionsToAsn1(filledExtensions([...profileExtensions(profile), ...sanExtension(profile)]));
  const extensionRequest = asn1.create(U, asn1.Type.SEQUENCE, true, [
    oid('1.2.840.113549.1.9.14'),
    asn1.create(U, asn1.Type.SET, true, [extensions.value[0] as forge.asn1.Asn1]),
  ]);
  const info = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    nameAsn1(profile),
    spkiAsn1(key.publicKeyPem),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [extensionRequest]),
  ]);
  return signed('CERTIFICATE REQUEST', info, key.privateKeyPem, keyPath);
}

const asn1 = forge.asn1;
/** Part of forge's API that @types/node-forge leaves out. */
const forgeExtras = forge.pki as unknown as { certificateExtensionsToAsn1(extensions: object[]): forge.asn1.Asn1 };
const U = asn1.Class.UNIVERSAL;
const oid = (dotted: string): forge.asn1.Asn1 => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
/** DER bytes as forge's binary string, and back. */
const binary = (der: Buffer): string => der.toString('binary');
const derOf = (node: forge.asn1.Asn1): Buffer => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
/** Bit strings stay raw bytes, so a re-encoded node is byte-identical to its source. */
const fromDer = (der: Buffer): forge.asn1.Asn1 => asn1.fromDer(binary(der), { decodeBitStrings: false } as unknown as boolean);

/** SubjectPublicKeyInfo of any key node:crypto reads (RSA or EC): forge's own encoder knows RSA only. */
function spkiAsn1(publicKeyPem: string): forge.asn1.Asn1 {
  return fromDer(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' }));
}

/** Go's SubjectKeyId: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1). */
function subjectKeyId(publicKeyPem: string): string {
  const bits = (spkiAsn1(publicKeyPem).value as forge.asn1.Asn1[])[1]!.value as string;
  return binary(createHash('sha1').update(Buffer.from(bits.slice(1), 'binary')).digest());
}

/** The issuer's subject (as encoded, byte for byte) and its SKI, read from its DER. */
function caIdentity(certPem: string): { subject: forge.asn1.Asn1; ski?: string } {
  const tbs = (fromDer(new X509Certificate(certPem).raw).value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[];
  const offset = tbs[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0; // v1 certificates have no version field
  const subject = tbs[offset + 4]!;
  const wrapped = tbs.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  for (const ext of ((wrapped?.value as forge.asn1.Asn1[] | undefined)?.[0]?.value ?? []) as forge.asn1.Asn1[]) {
    const parts = ext.value as forge.asn1.Asn1[];
    if (asn1.derToOid(parts[0]!.value as string) !== '2.5.29.14') continue;
    const inner = asn1.fromDer(parts[parts.length - 1]!.value as string);
    return { subject, ski: inner.value as string };
  }
  return { subject };
}

/** Go's pkix.Name order: O before CN. */
function nameAsn1(profile: CertificateProfile): forge.asn1.Asn1 {
  const holder = forge.pki.createCertificate();
  holder.setSubject([...profile.organizations.map((value) => nameAttribute('O', value)), nameAttribute('CN', profile.commonName)]);
  return forge.pki.distinguishedNameToAsn1(holder.subject);
}

/** forge fills in each extension's DER value; it needs a certificate object to do so. */
function filledExtensions(extensions: object[]): object[] {
  const holder = forge.pki.createCertificate();
  holder.setExtensions(extensions);
  return holder.extensions as object[];
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function timeAsn1(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(U, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(U, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

interface CertificateParts {
  subject: forge.asn1.Asn1;
  issuer: forge.asn1.Asn1;
  publicKeyPem: string;
  extensions: object[];
  options: IssueOptions;
}

/** Builds the TBSCertificate (v3, random serial, backdated NotBefore) and signs it. */
function signCertificate(parts: CertificateParts, signerKeyPem: string, signerKeyPath: string): string {
  const start = Math.floor(parts.options.now.getTime() / 1000) * 1000; // X.509 times have whole seconds
  const { algorithm } = signer(signerKeyPem, signerKeyPath);
  const tbs = asn1.create(U, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(2).getBytes())]),
    asn1.create(U, asn1.Type.INTEGER, false, forge.util.hexToBytes(randomSerialHex())),
    algorithm,
    parts.issuer,
    asn1.create(U, asn1.Type.SEQUENCE, true, [
      timeAsn1(new Date(start - BACKDATE_MS)),
      timeAsn1(new Date(start + parts.options.hours * 3600 * 1000)),
    ]),
    parts.subject,
    spkiAsn1(parts.publicKeyPem),
    forgeExtras.certificateExtensionsToAsn1(filledExtensions(parts.extensions)),
  ]);
  return signed('CERTIFICATE', tbs, signerKeyPem, signerKeyPath);
}

/** A CA signs a dozen certificates per run: parse its key once. */
const signingKeys = new Map<string, KeyObject>();
function signingKey(keyPem: string): KeyObject {
  let key = signingKeys.get(keyPem);
  if (!key) {
    key = createPrivateKey(keyPem);
    signingKeys.set(keyPem, key);
  }
  return key;
}

/** The signing key and its AlgorithmIdentifier (no parameters for ECDSA, NULL for RSA). */
function signer(keyPem: string, keyPath: string): { key: KeyObject; digest: string; algorithm: forge.asn1.Asn1 } {
  const key = signingKey(keyPem);
  const { digest, oid: algorithmOid, ecdsa } = signatureAlgorithm(key, keyPath);
  const params = ecdsa ? [] : [asn1.create(U, asn1.Type.NULL, false, '')];
  return { key, digest, algorithm: asn1.create(U, asn1.Type.SEQUENCE, true, [oid(algorithmOid), ...params]) };
}

/** SEQUENCE { body, algorithm, BIT STRING signature } as PEM; signed by node:crypto (DER ECDSA signatures). */
function signed(type: 'CERTIFICATE' | 'CERTIFICATE REQUEST', body: forge.asn1.Asn1, keyPem: string, keyPath: string): string {
  const { key, digest, algorithm } = signer(keyPem, keyPath);
  const signature = sign(digest, derOf(body), key);
  const whole = asn1.create(U, asn1.Type.SEQUENCE, true, [
    body,
    algorithm,
    asn1.create(U, asn1.Type.BITSTRING, false, `\0${binary(signature)}`),
  ]);
  const base64 = derOf(whole).toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${base64}\n-----END ${type}-----\n`;
}

/** KeyUsage, EKU and BasicConstraints, in Go's extension order. */
function profileExtensions(profile: CertificateProfile): object[] {
  const extensions: object[] = [
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      keyEncipherment: true,
      ...(profile.isCA ? { keyCertSign: true } : {}),
    },
  ];
  if (profile.extKeyUsages.length > 0) {
    extensions.push({ name: 'extKeyUsage', ...Object.fromEntries(profile.extKeyUsages.map((u) => [u, true])) });
  }
  extensions.push({ name: 'basicConstraints', critical: true, cA: profile.isCA });
  return extensions;
}

function sanExtension(profile: CertificateProfile): object[] {
  if (profile.dnsNames.length === 0 && profile.ips.length === 0) return [];
  const altNames = [
    ...profile.dnsNames.map((value) => ({ type: 2, value })),
    // canonical text: forge's own IPv6 parser mishandles embedded IPv4 (::ffff:1.2.3.4)
    ...profile.ips.map((ip) => ({ type: 7, ip: canonicalIp(ip) })),
  ];
  return [{ name: 'subjectAltName', altNames }];
}

/** PrintableString when the value fits it (as Go does), else UTF8String. */
function nameAttribute(shortName: 'CN' | 'O', value: string): forge.pki.CertificateField {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
  const tag = printable ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8;
  // @types/node-forge types valueTagClass as asn1.Class; forge reads it as an asn1.Type.
  return { shortName, value, valueTagClass: tag as unknown as forge.asn1.Class };
}

/** Random serial in [1, 2^63-1), as kubeadm's NewSignedCert; hex of a minimal positive DER INTEGER. */
function randomSerialHex(): string {
  const limit = (1n << 63n) - 2n;
  let n: bigint;
  do n = randomBytes(8).readBigUInt64BE() >> 1n;
  while (n >= limit);
  let hex = (n + 1n).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return parseInt(hex[0]!, 16) >= 8 ? `00${hex}` : hex;
}

/** What a certificate on disk says, read with node:crypto. */
export interface CertificateInfo {
  x509: X509Certificate;
  commonName: string;
  organizations: string[];
  isCA: boolean;
  /** EKU names; unknown usages as their OID. */
  extKeyUsages: string[];
  dnsNames: string[];
  ips: string[];
  notBefore: Date;
  notAfter: Date;
}

/** Parses a PEM certificate; undefined when it is not one. */
export function inspectCertificate(pem: string): CertificateInfo | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const subject = parseSubject(x509.subject);
  const sans = parseSubjectAltName(x509.subjectAltName ?? '');
  const ekuNames = Object.fromEntries(Object.entries(EKU_OIDS).map(([name, oid]) => [oid, name]));
  return {
    x509,
    commonName: subject.CN?.[0] ?? '',
    organizations: subject.O ?? [],
    isCA: x509.ca,
    extKeyUsages: (x509.keyUsage ?? []).map((oid) => ekuNames[oid] ?? oid),
    dnsNames: sans.dns,
    ips: sans.ips,
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
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
    else if (m[1] === 'IP Address' && isIP(value)) ips.push(canonicalIp(value));
  }
  return { dns, ips };
}

export function certificateMatchesKey(info: CertificateInfo, privateKeyPem: string): boolean {
  try {
    return info.x509.checkPrivateKey(createPrivateKey(privateKeyPem));
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
