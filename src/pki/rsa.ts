/**
 * RSA key generation the way Go's crypto/rsa (and so kubeadm) does it: two random primes of
 * half the modulus size, then n, d and the CRT values. The primes come from OpenSSL's
 * BN_generate_prime_ex through node:crypto's generatePrime (CSPRNG candidates with the top two
 * bits set, a small-prime sieve, 64 Miller-Rabin rounds), on libuv's threadpool.
 *
 * Why not generateKeyPair('rsa'): OpenSSL 3 makes 2-prime keys of 2048 bits and more by the
 * SP 800-56B method (auxiliary primes, trial division of every candidate), which costs about
 * 2.4 times as much as the two primes do (167 ms against 70 ms a key on one core here), and it
 * runs as one task, where two primes are two that can run on two cores. The key this module
 * makes is the same kind of key: checked by `openssl rsa -check` and used by Go's TLS in tests.
 */
import { createPrivateKey, generatePrime, type JsonWebKey, type KeyObject } from 'node:crypto';

function primeOf(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) => generatePrime(bits, { bigint: true }, (error, prime) => (error ? reject(error) : resolve(prime))));
}

/** The public exponent of every key kubeadm and OpenSSL make. */
export const RSA_PUBLIC_EXPONENT = 65537n;

/** A random prime of `bits` bits (top two set) for which e is invertible modulo p − 1. */
async function rsaPrime(bits: number): Promise<bigint> {
  for (;;) {
    const p = await primeOf(bits);
    // e is prime, so gcd(e, p − 1) = 1 unless e divides p − 1 (FIPS 186-5 A.1.3 step 4.5).
    if ((p - 1n) % RSA_PUBLIC_EXPONENT !== 0n) return p;
  }
}

/** a⁻¹ mod m by the extended Euclidean algorithm; undefined when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) return undefined;
  return ((s0 % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Big-endian, no leading zero octets, base64url: a JWK integer (RFC 7518 §6.3). */
function jwkInteger(x: bigint): string {
  const hex = x.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
}

/**
 * The private key of modulus p·q, or undefined when the pair must not make one: p = q or too
 * close (|p − q| ≤ 2^(nlen/2 − 100)), a modulus of the wrong size, e not invertible, or
 * d ≤ 2^(nlen/2) (FIPS 186-5 A.1.1 and A.1.3). d is e⁻¹ mod lcm(p − 1, q − 1), as SP 800-56B
 * and OpenSSL 3 have it; p > q, so qInv = q⁻¹ mod p.
 */
export function rsaKeyFromPrimes(a: bigint, b: bigint, modulusLength: number): KeyObject | undefined {
  const [p, q] = a > b ? [a, b] : [b, a];
  const n = p * q;
  const half = BigInt(modulusLength / 2);
  if (n >> BigInt(modulusLength - 1) !== 1n || p - q <= 1n << (half - 100n)) return undefined;
  const p1 = p - 1n;
  const q1 = q - 1n;
  const lambda = (p1 / gcd(p1, q1)) * q1;
  const d = modInverse(RSA_PUBLIC_EXPONENT, lambda);
  const qInv = modInverse(q, p);
  if (d === undefined || d <= 1n << half || qInv === undefined) return undefined;
  const jwk: JsonWebKey = {
    kty: 'RSA',
    n: jwkInteger(n),
    e: jwkInteger(RSA_PUBLIC_EXPONENT),
    d: jwkInteger(d),
    p: jwkInteger(p),
    q: jwkInteger(q),
    dp: jwkInteger(d % p1),
    dq: jwkInteger(d % q1),
    qi: jwkInteger(qInv),
  };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** A new RSA private key of `modulusLength` bits; its two primes are searched for in parallel. */
export async function generateRsaKey(modulusLength: number): Promise<KeyObject> {
  for (;;) {
    const [p, q] = await Promise.all([rsaPrime(modulusLength / 2), rsaPrime(modulusLength / 2)]);
    const key = rsaKeyFromPrimes(p, q, modulusLength);
    if (key) return key;
  }
}
