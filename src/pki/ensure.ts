/**
 * Load-or-create for every file of the PKI (SPEC "Re-running is safe"): what is on disk and
 * right is kept byte for byte; a certificate whose subject or SANs changed is re-issued for
 * its existing key; a key that does not match, or a certificate from a CA that is not on
 * disk, is refused with a PkiError and never overwritten. A CA certificate without its key is
 * an external CA: its certificates must all be in place and right, as the external CA issued them.
 */
import { PkiError } from '../errors.js';
import type { NodeConfig } from '../config/types.js';
import type { Host, WriteResult } from '../host/types.js';
import { MODE } from '../paths.js';
import {
  CA_BASE_PATHS,
  certificateList,
  certPath,
  keyFiles,
  keyPath,
  SERVICE_ACCOUNT_KEY,
  type CaId,
  type CertificateSpec,
} from './certificates.js';
import { loadPrivateKey, type KeyPair, type KeyPool } from './keys.js';
import {
  certificateMatchesKey,
  coverageGaps,
  createSelfSignedCA,
  createSignedCertificate,
  DEFAULT_VALIDITY,
  inspectCertificate,
  isIssuedBy,
  profileDifferences,
  type CertificateInfo,
  type CertificateProfile,
  type Issuer,
  type Validity,
} from './x509.js';

/** What ensuring one item did. `paths` are node paths, certificate (or key) first. */
export interface PkiResult {
  id: string;
  paths: string[];
  action: WriteResult;
  reason?: string;
}

export interface CertificateAuthority extends Issuer {
  id: CaId;
  certPath: string;
  info: CertificateInfo;
  /**
   * Its certificate was issued in this run (the CA files were absent): certificates on disk
   * that a CA it replaced signed are re-issued instead of refused.
   */
  issuedNow: boolean;
  /**
   * External CA mode (kubeadm's): ca.crt without ca.key. `keyPem` is '' and nothing can be
   * signed; the certificates it signed are checked and used, never re-issued.
   */
  external: boolean;
}

export interface PkiOptions {
  /** The run's start time: NotBefore/NotAfter and expiry checks use it. */
  now?: Date;
  validity?: Validity;
}

/** One run's PKI state: the host, the key pool, the clock and the CAs loaded so far. */
export interface PkiContext {
  host: Host;
  keys: KeyPool;
  now: Date;
  validity: Validity;
  authorities: Map<CaId, CertificateAuthority>;
}

export function createPkiContext(host: Host, keys: KeyPool, options: PkiOptions = {}): PkiContext {
  return {
    host,
    keys,
    now: options.now ?? new Date(),
    validity: options.validity ?? DEFAULT_VALIDITY,
    authorities: new Map(),
  };
}

/** Ensures every certificate of the node, then the service-account key, in kubeadm's order. */
export async function ensureCertificates(ctx: PkiContext, config: NodeConfig): Promise<PkiResult[]> {
  const results: PkiResult[] = [];
  for (const spec of certificateList(config)) results.push(await ensureCertificate(ctx, spec));
  results.push(await ensureServiceAccountKey(ctx));
  return results;
}

/**
 * Key files that do not exist yet (every certificate's key, sa.key) and, unless told otherwise,
 * kubeconfig files that do not exist: the number of keys a run will generate, to prefetch.
 */
export async function countMissingKeys(host: Host, options: { certificates?: boolean; kubeconfigs?: boolean } = {}): Promise<number> {
  const present = await Promise.all(keyFiles(options).map((file) => host.exists(file)));
  return present.filter((p) => !p).length;
}

export function ensureCertificate(ctx: PkiContext, spec: CertificateSpec): Promise<PkiResult> {
  return spec.caId === undefined ? ensureAuthority(ctx, spec) : ensureLeaf(ctx, spec, spec.caId);
}

/**
 * The CA `id`: the one this run ensured, else the one on disk (checked: key matches, CA:TRUE,
 * not expired). Throws a PkiError that says which sub-phase creates it when it is missing.
 */
export async function certificateAuthority(ctx: PkiContext, id: CaId): Promise<CertificateAuthority> {
  const known = ctx.authorities.get(id);
  if (known) return known;
  const base = { basePath: CA_BASE_PATHS[id] };
  const files = { cert: certPath(base), key: keyPath(base) };
  const [certPem, keyPem] = await Promise.all([ctx.host.readText(files.cert), ctx.host.readText(files.key)]);
  if (certPem === undefined) {
    throw new PkiError(`the ${id} CA is missing: ${files.cert} does not exist`, `run "nodeadm init phase certs ${id}" first`);
  }
  const info = checkAuthority(ctx, files, certPem, keyPem);
  return remember(ctx, { id, certPath: files.cert, keyPath: files.key, certPem, keyPem: keyPem ?? '', issuedNow: false, external: keyPem === undefined, info });
}

async function ensureAuthority(ctx: PkiContext, spec: CertificateSpec): Promise<PkiResult> {
  const id = spec.id as CaId;
  const files = { cert: certPath(spec), key: keyPath(spec) };
  const paths = [files.cert, files.key];
  const [certPem, keyPem] = await Promise.all([ctx.host.readText(files.cert), ctx.host.readText(files.key)]);

  if (certPem !== undefined && keyPem === undefined) {
    // External CA: used as it is (checked), never replaced; the leaves it signed are checked in turn.
    const info = checkAuthority(ctx, files, certPem, undefined);
    remember(ctx, { id, certPath: files.cert, keyPath: files.key, certPem, keyPem: '', issuedNow: false, external: true, info });
    const write = await writeCert(ctx.host, files.cert, certPem);
    return { id, paths: [files.cert], action: write, reason: `external CA: ${files.key} is absent, so nodeadm signs nothing with it` };
  }
  if (certPem !== undefined && keyPem !== undefined) {
    const info = checkAuthority(ctx, files, certPem, keyPem);
    remember(ctx, { id, certPath: files.cert, keyPath: files.key, certPem, keyPem, issuedNow: false, external: false, info });
    return { id, paths, ...(await rewriteUnchanged(ctx, files, certPem, keyPem)) };
  }

  const key = keyPem === undefined ? await ctx.keys.take() : loadPrivateKey(keyPem, files.key).pair;
  const pem = createSelfSignedCA(spec, key, files.key, { now: ctx.now, hours: ctx.validity.caHours });
  if (keyPem === undefined) await writeKey(ctx.host, files.key, key.privateKeyPem);
  await writeCert(ctx.host, files.cert, pem);
  const info = inspectCertificate(pem)!;
  remember(ctx, { id, certPath: files.cert, keyPath: files.key, certPem: pem, keyPem: key.privateKeyPem, issuedNow: true, external: false, info });
  return { id, paths, action: 'created', ...(keyPem === undefined ? {} : { reason: 'issued for the existing key' }) };
}

async function ensureLeaf(ctx: PkiContext, spec: CertificateSpec, caId: CaId): Promise<PkiResult> {
  const files = { cert: certPath(spec), key: keyPath(spec) };
  const paths = [files.cert, files.key];
  const ca = await certificateAuthority(ctx, caId);
  const [certPem, keyPem] = await Promise.all([ctx.host.readText(files.cert), ctx.host.readText(files.key)]);
  const issue = (key: KeyPair): string =>
    createSignedCertificate(spec, key.publicKeyPem, ca, { now: ctx.now, hours: ctx.validity.leafHours });

  if (certPem === undefined) {
    if (ca.external) throw externalCaError(ca, files.cert, 'does not exist');
    const key = keyPem === undefined ? await ctx.keys.take() : loadPrivateKey(keyPem, files.key).pair;
    const pem = issue(key);
    if (keyPem === undefined) await writeKey(ctx.host, files.key, key.privateKeyPem);
    await writeCert(ctx.host, files.cert, pem);
    return { id: spec.id, paths, action: 'created', ...(keyPem === undefined ? {} : { reason: 'issued for the existing key' }) };
  }
  if (keyPem === undefined) {
    throw new PkiError(
      `${files.cert} exists but its key ${files.key} does not`,
      `restore ${files.key}, or move ${files.cert} away to have nodeadm issue a new pair`,
    );
  }
  const labels = {
    cert: files.cert,
    key: files.key,
    hint: `move ${files.cert} and ${files.key} away to have nodeadm issue new ones`,
  };
  const { reasons, key } = checkLeaf({ certPem, keyPem, profile: spec, ca, now: ctx.now, labels });
  if (ca.external) {
    // The external CA's certificate is used when it covers this node; it may carry more SANs.
    const info = inspectCertificate(certPem)!;
    const expired = info.notAfter.getTime() <= ctx.now.getTime() ? [`expired on ${info.notAfter.toISOString()}`] : [];
    const gaps = [...expired, ...coverageGaps(spec, info)];
    if (gaps.length > 0) throw externalCaError(ca, files.cert, `cannot be used: ${gaps.join('; ')}`);
    return { id: spec.id, paths, ...(await rewriteUnchanged(ctx, files, certPem, keyPem)), reason: `issued by the external ${ca.id} CA` };
  }
  if (reasons.length === 0) return { id: spec.id, paths, ...(await rewriteUnchanged(ctx, files, certPem, keyPem)) };
  await writeCert(ctx.host, files.cert, issue(key));
  return { id: spec.id, paths, action: 'updated', reason: `re-issued for the existing key: ${reasons.join('; ')}` };
}

/** sa.key is reused when present and sa.pub (re)derived from it; else a new pair. */
export async function ensureServiceAccountKey(ctx: PkiContext): Promise<PkiResult> {
  const { id, keyPath: keyFile, publicKeyPath: pubFile } = SERVICE_ACCOUNT_KEY;
  const paths = [keyFile, pubFile];
  const keyPem = await ctx.host.readText(keyFile);
  if (keyPem === undefined) {
    const hadPub = await ctx.host.exists(pubFile);
    const key = await ctx.keys.take();
    await writeKey(ctx.host, keyFile, key.privateKeyPem);
    await writePublicKey(ctx.host, pubFile, key.publicKeyPem);
    return { id, paths, action: 'created', ...(hadPub ? { reason: `replaced ${pubFile}: ${keyFile} was missing` } : {}) };
  }
  const { pair } = loadPrivateKey(keyPem, keyFile);
  const keyWrite = await writeKey(ctx.host, keyFile, keyPem);
  const pubWrite = await writePublicKey(ctx.host, pubFile, pair.publicKeyPem);
  if (pubWrite !== 'unchanged') return { id, paths, action: 'updated', reason: `${pubFile} derived from ${keyFile}` };
  if (keyWrite !== 'unchanged') return { id, paths, action: 'updated', reason: 'file mode corrected' };
  return { id, paths, action: 'unchanged' };
}

interface LeafCheck {
  certPem: string;
  keyPem: string;
  profile: CertificateProfile;
  ca: CertificateAuthority;
  now: Date;
  /** How errors name the certificate and key, and what they suggest. */
  labels: { cert: string; key: string; hint: string };
}

/**
 * Checks an existing leaf certificate and key. Throws a PkiError for what must not be
 * overwritten (unreadable, key mismatch, signed by a CA that is not on disk); returns why the
 * certificate must be re-issued for its key ([] = keep it as it is).
 */
export function checkLeaf({ certPem, keyPem, profile, ca, now, labels }: LeafCheck): { reasons: string[]; key: KeyPair } {
  const info = inspectCertificate(certPem);
  if (!info) throw new PkiError(`${labels.cert} is not a PEM certificate`, labels.hint);
  const { pair } = loadPrivateKey(keyPem, labels.key);
  if (!certificateMatchesKey(info, keyPem)) throw new PkiError(`${labels.key} does not match ${labels.cert}`, labels.hint);
  const reasons: string[] = [];
  if (!isIssuedBy(info, ca.info)) {
    if (!ca.issuedNow) {
      throw new PkiError(`${labels.cert} is not signed by the CA in ${ca.certPath}`, `${labels.hint}, or restore the CA that signed it`);
    }
    reasons.push(`signed by the CA that the new ${ca.certPath} replaced`);
  }
  if (info.notAfter.getTime() <= now.getTime()) reasons.push(`expired on ${info.notAfter.toISOString()}`);
  reasons.push(...profileDifferences(profile, info));
  return { reasons, key: pair };
}

/** A certificate an external CA must issue: nodeadm cannot sign it. */
function externalCaError(ca: CertificateAuthority, cert: string, problem: string): PkiError {
  return new PkiError(
    `${cert} ${problem}, and the ${ca.id} CA is external (${ca.keyPath} is absent), so nodeadm cannot issue it`,
    `run "nodeadm certs generate-csr", have the external CA sign the request, and place the certificate at ${cert}`,
  );
}

/** Checks a CA certificate (and its key, unless the CA is external). */
function checkAuthority(ctx: PkiContext, files: { cert: string; key: string }, certPem: string, keyPem: string | undefined): CertificateInfo {
  const info = inspectCertificate(certPem);
  const hint = `restore the CA's own files, or move ${files.cert} and ${files.key} away to have nodeadm create a new CA (every certificate it signed is then re-issued)`;
  if (!info) throw new PkiError(`${files.cert} is not a PEM certificate`, hint);
  if (keyPem !== undefined) {
    loadPrivateKey(keyPem, files.key);
    if (!certificateMatchesKey(info, keyPem)) throw new PkiError(`${files.key} does not match ${files.cert}`, hint);
  }
  if (!info.isCA) throw new PkiError(`${files.cert} is not a CA certificate (no CA:TRUE)`, hint);
  if (info.notAfter.getTime() <= ctx.now.getTime()) {
    throw new PkiError(`the CA ${files.cert} expired on ${info.notAfter.toISOString()}`, hint);
  }
  return info;
}

function remember(ctx: PkiContext, ca: CertificateAuthority): CertificateAuthority {
  ctx.authorities.set(ca.id, ca);
  return ca;
}

/** Writes the files back as they are: no bytes change, but a wrong file mode is corrected. */
async function rewriteUnchanged(
  ctx: PkiContext,
  files: { cert: string; key: string },
  certPem: string,
  keyPem: string,
): Promise<Pick<PkiResult, 'action' | 'reason'>> {
  const writes = [await writeCert(ctx.host, files.cert, certPem), await writeKey(ctx.host, files.key, keyPem)];
  return writes.every((w) => w === 'unchanged') ? { action: 'unchanged' } : { action: 'updated', reason: 'file mode corrected' };
}

const writeKey = (host: Host, file: string, pem: string): Promise<WriteResult> =>
  host.writeFile(file, pem, { mode: MODE.privateKey, secret: true });
const writeCert = (host: Host, file: string, pem: string): Promise<WriteResult> =>
  host.writeFile(file, pem, { mode: MODE.certificate });
/** kubeadm writes sa.pub with WriteKey, so 0600 like a key; it is not secret. */
const writePublicKey = (host: Host, file: string, pem: string): Promise<WriteResult> =>
  host.writeFile(file, pem, { mode: MODE.privateKey });
