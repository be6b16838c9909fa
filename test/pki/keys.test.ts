import { createPrivateKey, createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PkiError } from '../../src/errors.js';
import { generateKey, KeyPool, loadPrivateKey, type KeyAlgorithm, type KeyPair } from '../../src/pki/index.js';

/** A generator whose generations the test finishes by hand. */
function manualGenerator() {
  const pending: { algorithm: KeyAlgorithm; resolve: (k: KeyPair) => void; reject: (e: unknown) => void }[] = [];
  let made = 0;
  const generate = (algorithm: KeyAlgorithm): Promise<KeyPair> =>
    new Promise((resolve, reject) => pending.push({ algorithm, resolve, reject }));
  const finish = (index = 0): KeyPair => {
    const [job] = pending.splice(index, 1);
    if (!job) throw new Error('nothing pending');
    const key = { privateKeyPem: `key-${++made}`, publicKeyPem: `pub-${made}` };
    job.resolve(key);
    return key;
  };
  return { generate, pending, finish };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('KeyPool', () => {
  it('prefetch(n) runs at most `concurrency` generations at once and starts the next as one finishes', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-3072', { concurrency: 2, generate: gen.generate });
    pool.prefetch(5);
    expect(gen.pending).toHaveLength(2);
    expect(gen.pending[0]!.algorithm).toBe('RSA-3072');
    expect(pool.stats).toEqual({ ready: 0, pending: 5 });
    gen.finish();
    await tick();
    expect(gen.pending).toHaveLength(2);
    expect(pool.stats).toEqual({ ready: 1, pending: 4 });
  });

  it('take() hands out finished keys first, in the order they finished', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 3, generate: gen.generate });
    pool.prefetch(3);
    const second = gen.finish(1);
    const first = gen.finish(0);
    await tick();
    expect(await pool.take()).toBe(second);
    expect(await pool.take()).toBe(first);
  });

  it('take() waits for a running generation rather than starting another', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 4, generate: gen.generate });
    pool.prefetch(1);
    const taken = pool.take();
    expect(gen.pending).toHaveLength(1);
    const key = gen.finish();
    expect(await taken).toBe(key);
    expect(pool.stats).toEqual({ ready: 0, pending: 0 });
  });

  it('take() on an empty pool generates a key on demand', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { generate: gen.generate });
    const taken = [pool.take(), pool.take()];
    expect(gen.pending).toHaveLength(2);
    const keys = [gen.finish(), gen.finish()];
    expect(await Promise.all(taken)).toEqual(keys);
  });

  it('passes a failed generation to the next take(), then recovers', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { generate: gen.generate });
    pool.prefetch(1);
    gen.pending.shift()!.reject(new Error('entropy'));
    await tick();
    await expect(pool.take()).rejects.toThrow('entropy');
    const next = pool.take();
    const key = gen.finish();
    expect(await next).toBe(key);
  });

  it('close() drops queued generations but still serves waiting takers', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 1, generate: gen.generate });
    pool.prefetch(10);
    const taken = pool.take();
    pool.close();
    const key = gen.finish();
    expect(await taken).toBe(key);
    await tick();
    expect(gen.pending).toHaveLength(0);
    expect(pool.stats).toEqual({ ready: 0, pending: 0 });
  });

  it('target(n) tops up a pool that holds fewer keys than n', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 2, generate: gen.generate });
    pool.prefetch(3);
    gen.finish();
    await tick();
    pool.target(5);
    expect(pool.stats).toEqual({ ready: 1, pending: 4 });
    expect(gen.pending).toHaveLength(2);
  });

  it('target(n) drops queued, then finished, keys beyond n; running ones still finish', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 2, generate: gen.generate });
    pool.prefetch(6);
    gen.finish();
    gen.finish();
    await tick();
    expect(pool.stats).toEqual({ ready: 2, pending: 4 });
    pool.target(3); // 2 ready + 2 running = 4: the 2 queued go, then one ready key
    expect(pool.stats).toEqual({ ready: 1, pending: 2 });
    pool.target(0);
    expect(pool.stats).toEqual({ ready: 0, pending: 2 });
    gen.finish();
    gen.finish();
    await tick();
    expect(gen.pending).toHaveLength(0);
    expect(pool.stats).toEqual({ ready: 2, pending: 0 });
  });

  it('target(n) counts keys already promised to waiting takers', async () => {
    const gen = manualGenerator();
    const pool = new KeyPool('RSA-2048', { concurrency: 1, generate: gen.generate });
    const taken = pool.take();
    pool.target(2);
    expect(pool.stats).toEqual({ ready: 0, pending: 3 });
    const key = gen.finish();
    expect(await taken).toBe(key);
  });
});

describe('generateKey / loadPrivateKey', () => {
  it('generates PKCS#1 RSA private keys and PKIX public keys of the asked size', async () => {
    const key = await generateKey('RSA-2048');
    expect(key.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(key.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const priv = createPrivateKey(key.privateKeyPem);
    expect(priv.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    expect(createPublicKey(priv).export({ type: 'spki', format: 'pem' })).toBe(key.publicKeyPem);

    const loaded = loadPrivateKey(key.privateKeyPem, '/x.key');
    expect(loaded.pair).toEqual(key);
  });

  it('refuses a file that is not a private key with a PkiError naming it', () => {
    expect(() => loadPrivateKey('not a key', '/etc/kubernetes/pki/sa.key')).toThrow(PkiError);
    expect(() => loadPrivateKey('not a key', '/etc/kubernetes/pki/sa.key')).toThrow(/sa\.key is not a readable PEM private key/);
  });
});
