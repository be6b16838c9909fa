/**
 * Private keys: generation (node:crypto, off the main thread), loading, and the pool that lets
 * the certs phase generate every missing key concurrently. Everything that depends on the key
 * algorithm lives here (RSA's key generation in rsa.ts), and in the signer in x509.ts.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { PkiError } from '../errors.js';
import { generateRsaKey } from './rsa.js';

/** kubeadm's `encryptionAlgorithm` values (reference §8.6); RSA-2048 is the default. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256' | 'ECDSA-P384';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384'];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'RSA-2048';

/**
 * A key pair as the files hold it, as kubeadm's keyutil writes them: PKCS#1 `RSA PRIVATE KEY`
 * or SEC1 `EC PRIVATE KEY`, and PKIX `PUBLIC KEY` PEM.
 */
export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

type KeyShape = { type: 'rsa'; modulusLength: number } | { type: 'ec'; namedCurve: 'prime256v1' | 'secp384r1' };

const KEY_SHAPES: Record<KeyAlgorithm, KeyShape> = {
  'RSA-2048': { type: 'rsa', modulusLength: 2048 },
  'RSA-3072': { type: 'rsa', modulusLength: 3072 },
  'RSA-4096': { type: 'rsa', modulusLength: 4096 },
  'ECDSA-P256': { type: 'ec', namedCurve: 'prime256v1' },
  'ECDSA-P384': { type: 'ec', namedCurve: 'secp384r1' },
};

const generatePair = promisify(generateKeyPair);

/**
 * Generates one key pair on libuv's threadpool (several run in parallel): RSA from two primes
 * searched for at once (rsa.ts says why), EC by OpenSSL's keygen.
 */
export async function generateKey(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<KeyPair> {
  const shape = KEY_SHAPES[algorithm];
  const key =
    shape.type === 'rsa' ? await generateRsaKey(shape.modulusLength) : (await generatePair('ec', { namedCurve: shape.namedCurve })).privateKey;
  const privateKeyPem = key.export({ type: shape.type === 'rsa' ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
  // Kept as parsed: signing with it (a CA's) needs no second parse.
  const entry = withPublicKey(key);
  parsedKeys.set(privateKeyPem, entry);
  return { privateKeyPem, publicKeyPem: entry.publicKeyPem };
}

/**
 * Private keys already parsed, by PEM text, with their public key: a command checks a key
 * against its certificate, and a CA key signs a dozen certificates. Parsing an RSA key is the
 * costly part of a no-change re-run.
 */
const parsedKeys = new Map<string, { key: KeyObject; publicKeyPem: string }>();

/** The KeyObject of a private key PEM (parsed once per command); throws as createPrivateKey does. */
export function privateKeyObject(privateKeyPem: string): KeyObject {
  return parsedKey(privateKeyPem).key;
}

function parsedKey(privateKeyPem: string): { key: KeyObject; publicKeyPem: string } {
  let parsed = parsedKeys.get(privateKeyPem);
  if (!parsed) {
    parsed = withPublicKey(createPrivateKey(privateKeyPem));
    parsedKeys.set(privateKeyPem, parsed);
  }
  return parsed;
}

function withPublicKey(key: KeyObject): { key: KeyObject; publicKeyPem: string } {
  return { key, publicKeyPem: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString() };
}

/** Parses a private key PEM; `file` names it in the error. The PEM text is kept byte for byte. */
export function loadPrivateKey(privateKeyPem: string, file: string): { key: KeyObject; pair: KeyPair } {
  let parsed: { key: KeyObject; publicKeyPem: string };
  try {
    parsed = parsedKey(privateKeyPem);
  } catch {
    throw new PkiError(`${file} is not a readable PEM private key`, `move ${file} away to have nodeadm generate a new one`);
  }
  return { key: parsed.key, pair: { privateKeyPem, publicKeyPem: parsed.publicKeyPem } };
}

/** The encryptionAlgorithm of a key (undefined: a type or size kubeadm does not use). */
export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') return KEY_ALGORITHMS.find((a) => a === `RSA-${details.modulusLength ?? 0}`);
  if (key.asymmetricKeyType === 'ec') {
    return (Object.keys(KEY_SHAPES) as KeyAlgorithm[]).find((a) => {
      const shape = KEY_SHAPES[a];
      return shape.type === 'ec' && shape.namedCurve === details.namedCurve;
    });
  }
  return undefined;
}

/**
 * The signature algorithm a CA key signs with, as Go's x509 picks it: SHA-256 with RSA,
 * ECDSA with SHA-256 for P-256, ECDSA with SHA-384 for P-384. `ecdsa`: the AlgorithmIdentifier
 * has no parameters (RFC 5758), where RSA's has NULL.
 */
export function signatureAlgorithm(key: KeyObject, file: string): { digest: 'sha256' | 'sha384'; oid: string; ecdsa: boolean } {
  const algorithm = keyAlgorithmOf(key);
  if (algorithm?.startsWith('RSA-')) return { digest: 'sha256', oid: '1.2.840.113549.1.1.11', ecdsa: false }; // sha256WithRSAEncryption
  if (algorithm === 'ECDSA-P256') return { digest: 'sha256', oid: '1.2.840.10045.4.3.2', ecdsa: true }; // ecdsa-with-SHA256
  if (algorithm === 'ECDSA-P384') return { digest: 'sha384', oid: '1.2.840.10045.4.3.3', ecdsa: true }; // ecdsa-with-SHA384
  throw new PkiError(
    `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key nodeadm cannot sign with (accepted: ${KEY_ALGORITHMS.join(', ')})`,
    `use a key of one of those kinds, or move ${file} and its certificate away to have nodeadm create a new CA`,
  );
}

export interface KeyPoolOptions {
  /** Generations running at once; default: the number of CPUs (an RSA key is two threadpool tasks). */
  concurrency?: number;
  /** Replaces the generator (tests). */
  generate?: (algorithm: KeyAlgorithm) => Promise<KeyPair>;
}

interface Waiter {
  resolve: (key: KeyPair) => void;
  reject: (error: unknown) => void;
}

/**
 * Hands out freshly generated keys. `prefetch(n)` queues n generations that run `concurrency` at
 * a time; `take()` returns the first finished key, or waits for (or starts) one.
 */
export class KeyPool {
  private readonly concurrency: number;
  private readonly generate: (algorithm: KeyAlgorithm) => Promise<KeyPair>;
  private readonly ready: KeyPair[] = [];
  private readonly failures: unknown[] = [];
  private readonly waiters: Waiter[] = [];
  private queued = 0;
  private running = 0;

  constructor(
    readonly algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM,
    options: KeyPoolOptions = {},
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    this.generate = options.generate ?? generateKey;
  }

  /** Starts generating n more keys in the background. */
  prefetch(n: number): void {
    this.queued += Math.max(0, Math.floor(n));
    this.pump();
  }

  /**
   * Aims the pool at exactly n keys for the takers to come: queues what is missing, or drops
   * finished and queued keys beyond n. Generations already running still finish.
   */
  target(n: number): void {
    let surplus = this.ready.length + this.queued + this.running - this.waiters.length - Math.max(0, Math.floor(n));
    if (surplus < 0) return this.prefetch(-surplus);
    const unqueued = Math.min(surplus, this.queued);
    this.queued -= unqueued;
    surplus -= unqueued;
    this.ready.splice(0, Math.min(surplus, this.ready.length));
  }

  take(): Promise<KeyPair> {
    const key = this.ready.shift();
    if (key) return Promise.resolve(key);
    if (this.failures.length > 0) return Promise.reject(this.failures.shift());
    return new Promise<KeyPair>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (this.waiters.length > this.queued + this.running) this.queued++;
      this.pump();
    });
  }

  /** Keys finished and not yet taken, and generations queued or running. */
  get stats(): { ready: number; pending: number } {
    return { ready: this.ready.length, pending: this.queued + this.running };
  }

  /** Drops prefetched keys and generations not yet started (e.g. when a run fails early). */
  close(): void {
    this.queued = Math.max(0, this.waiters.length - this.running);
    this.ready.length = 0;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queued > 0) {
      this.queued--;
      this.running++;
      this.generate(this.algorithm).then(
        (key) => this.settle((waiter) => (waiter ? waiter.resolve(key) : this.ready.push(key))),
        (error: unknown) => this.settle((waiter) => (waiter ? waiter.reject(error) : this.failures.push(error))),
      );
    }
  }

  /** A generation ended: the longest-waiting taker gets its outcome, else it is kept. */
  private settle(deliver: (waiter: Waiter | undefined) => unknown): void {
    this.running--;
    deliver(this.waiters.shift());
    this.pump();
  }
}
