/**
 * X.509 certificates: built with node-forge (the only importer of it in nodeadm), signed and
 * read with node:crypto, which is fast. The shapes follow kubeadm's pkiutil (reference §1).
 */
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { canonicalIp } from '../config/net.js';
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
  const cert = newCertificate(profile, key.publicKeyPem, options);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([...profileExtensions(profile), { name: 'subjectKeyIdentifier' }, ...sanExtension(profile)]);
  return signAndEncode(cert, key.privateKeyPem, keyPath);
}

/** A certificate for `publicKeyPem` signed by `issuer` (AKI = the issuer's SKI). */
export function createSignedCertificate(
  profile: CertificateProfile,
  publicKeyPem: string,
  issuer: Issuer,
  options: IssueOptions,
): string {
  const cert = newCertificate(profile, publicKeyPem, options);
  const caCert = forge.pki.certificateFromPem(issuer.certPem);
  cert.setIssuer(caCert.subject.attributes);
  const caSki = (caCert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined)
    ?.subjectKeyIdentifier;
  const aki = caSki ? [{ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(caSki) }] : [];
  cert.setExtensions([...profileExtensions(profile), ...aki, ...sanExtension(profile)]);
  return signAndEncode(cert, issuer.keyPem, issuer.keyPath);
}

function newCertificate(profile: CertificateProfile, publicKeyPem: string, { now, hours }: IssueOptions): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomSerialHex();
  const start = Math.floor(now.getTime() / 1000) * 1000; // X.509 times have whole seconds
  cert.validity.notBefore = new Date(start - BACKDATE_MS);
  cert.validity.notAfter = new Date(start + hours * 3600 * 1000);
  // Go's pkix.Name order: O before CN.
  cert.setSubject([
    ...profile.organizations.map((value) => nameAttribute('O', value)),
    nameAttribute('CN', profile.commonName),
  ]);
  return cert;
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

/** Part of forge's API that @types/node-forge leaves out. */
interface ForgeTbs {
  getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1;
}

/** Signs the TBSCertificate with node:crypto (forge's JS RSA takes ~45 ms per signature). */
function signAndEncode(cert: forge.pki.Certificate, signerKeyPem: string, signerKeyPath: string): string {
  const key = createPrivateKey(signerKeyPem);
  const { digest, oid } = signatureAlgorithm(key, signerKeyPath);
  cert.signatureOid = oid;
  cert.siginfo.algorithmOid = oid;
  cert.tbsCertificate = (forge.pki as unknown as ForgeTbs).getTBSCertificate(cert);
  const tbs = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign(digest, tbs, key).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
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
