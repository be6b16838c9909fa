import { createPublicKey, generatePrimeSync, publicEncrypt, privateDecrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../../src/pki/index.js';
import { modInverse, RSA_PUBLIC_EXPONENT, rsaKeyFromPrimes } from '../../src/pki/rsa.js';

/** A prime a key can be made of: e must not divide p − 1 (1 in 65537 random primes). */
function prime(bits: number): bigint {
  for (;;) {
    const p = generatePrimeSync(bits, { bigint: true });
    if ((p - 1n) % RSA_PUBLIC_EXPONENT !== 0n) return p;
  }
}
const fromJwk = (s: string | undefined): bigint => BigInt(`0x${Buffer.from(s ?? '', 'base64url').toString('hex')}`);
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

describe('modInverse', () => {
  it('inverts where gcd is 1, also for a negative or larger a', () => {
    expect(modInverse(3n, 11n)).toBe(4n);
    expect(modInverse(-3n, 11n)).toBe(7n);
    expect(modInverse(14n, 11n)).toBe(4n);
    expect(modInverse(17n, 3120n)).toBe(2753n); // the textbook key: p = 61, q = 53, e = 17
    const m = (1n << 127n) - 1n;
    const a = 123456789012345678901234567890n;
    expect((a * modInverse(a, m)!) % m).toBe(1n);
  });

  it('has no inverse when a and m share a factor', () => {
    expect(modInverse(6n, 9n)).toBeUndefined();
    expect(modInverse(0n, 7n)).toBeUndefined();
  });
});

describe('rsaKeyFromPrimes', () => {
  const p = prime(1024);
  const q = prime(1024);

  it('makes the key of modulus p·q with d = e⁻¹ mod lcm(p−1, q−1), p > q, and CRT values', () => {
    const key = rsaKeyFromPrimes(q, p, 2048)!;
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    const jwk = key.export({ format: 'jwk' });
    const [n, d, jp, jq] = [fromJwk(jwk.n), fromJwk(jwk.d), fromJwk(jwk.p), fromJwk(jwk.q)];
    expect(n).toBe(p * q);
    expect(jp > jq).toBe(true);
    expect(new Set([jp, jq])).toEqual(new Set([p, q]));
    const lambda = ((jp - 1n) * (jq - 1n)) / gcd(jp - 1n, jq - 1n);
    expect((RSA_PUBLIC_EXPONENT * d) % lambda).toBe(1n);
    expect(d > 1n << 1024n && d < lambda).toBe(true);
    expect(fromJwk(jwk.dp)).toBe(d % (jp - 1n));
    expect(fromJwk(jwk.dq)).toBe(d % (jq - 1n));
    expect((jq * fromJwk(jwk.qi)) % jp).toBe(1n);
  });

  it('makes a key that signs, verifies, encrypts and decrypts', () => {
    const key = rsaKeyFromPrimes(p, q, 2048)!;
    const data = Buffer.from('nodeadm');
    expect(verify('sha256', data, createPublicKey(key), sign('sha256', data, key))).toBe(true);
    expect(privateDecrypt(key, publicEncrypt(createPublicKey(key), data)).toString()).toBe('nodeadm');
  });

  it('refuses equal or close primes, a modulus of another size, and e dividing p − 1', () => {
    expect(rsaKeyFromPrimes(p, p, 2048)).toBeUndefined();
    expect(rsaKeyFromPrimes(p, p + 2n, 2048)).toBeUndefined();
    expect(rsaKeyFromPrimes(p, prime(1020), 2048)).toBeUndefined();
    expect(rsaKeyFromPrimes(p, q, 3072)).toBeUndefined();
    const eDividesPMinus1 = generatePrimeSync(1024, { bigint: true, add: 2n * RSA_PUBLIC_EXPONENT, rem: 1n });
    expect((eDividesPMinus1 - 1n) % RSA_PUBLIC_EXPONENT).toBe(0n);
    expect(rsaKeyFromPrimes(eDividesPMinus1, q, 2048)).toBeUndefined();
  });
});

describe('generateKey (RSA)', () => {
  it.each([2048, 3072] as const)('makes RSA-%i keys of exactly that size with e = 65537', async (bits) => {
    const key = await generateKey(`RSA-${bits}`);
    const jwk = createPublicKey(key.publicKeyPem).export({ format: 'jwk' });
    expect(fromJwk(jwk.n).toString(2)).toHaveLength(bits);
    expect(fromJwk(jwk.e)).toBe(65537n);
  });
});
