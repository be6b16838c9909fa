/**
 * Private keys: generation (node:crypto, off the main thread), loading, and the pool that lets
 * the certs phase generate every missing key concurrently. Everything that depends on the key
 * algorithm lives here, so adding ECDSA means changing this file and the signer in x509.ts.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { PkiError } from '../errors.js';

/** kubeadm's `encryptionAlgorithm` values that nodeadm supports so far; RSA-2048 is the default. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['RSA-2048', 'RSA-3072', 'RSA-4096'];
export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'RSA-2048';

/** A key pair as the files hold it: PKCS#1 `RSA PRIVATE KEY` and PKIX `PUBLIC KEY` PEM. */
export interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

const MODULUS_BITS: Record<KeyAlgorithm, number> = { 'RSA-2048': 2048, 'RSA-3072': 3072, 'RSA-4096': 4096 };

const generateRsa = promisify(generateKeyPair);

/** Generates one key pair on libuv's threadpool (several run in parallel). */
export async function generateKey(algorithm: KeyAlgorithm = DEFAULT_KEY_ALGORITHM): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: MODULUS_BITS[algorithm],
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Parses a private key PEM; `file` names it in the error. The PEM text is kept byte for byte. */
export function loadPrivateKey(privateKeyPem: string, file: string): { key: KeyObject; pair: KeyPair } {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw new PkiError(`${file} is not a readable PEM private key`, `move ${file} away to have nodeadm generate a new one`);
  }
  const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { key, pair: { privateKeyPem, publicKeyPem } };
}

/** The signature algorithm a CA key signs with (the certificate's signatureAlgorithm). */
export function signatureAlgorithm(key: KeyObject, file: string): { digest: 'sha256'; oid: string } {
  if (key.asymmetricKeyType === 'rsa') return { digest: 'sha256', oid: '1.2.840.113549.1.1.11' }; // sha256WithRSAEncryption
  throw new PkiError(
    `${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; nodeadm signs with RSA keys only so far`,
    `use an RSA CA key, or move ${file} and its certificate away to have nodeadm create a new CA`,
  );
}

export interface KeyPoolOptions {
  /** Generations running at once; default: the number of CPUs (leaves threadpool slots for file I/O). */
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
