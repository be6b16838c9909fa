// The floors for init, generated natively by node:crypto on libuv's threadpool, all at once so
// every core is busy. `rsa` (the default): N RSA-2048 keys by OpenSSL's own keygen
// (generateKeyPair). `primes`: the 2N 1024-bit primes alone that N RSA-2048 keys are made of,
// which is the work nodeadm's RSA keys cost (src/pki/rsa.ts).
// Prints the milliseconds generation took inside the process (the benchmark times the whole
// process).
import { generateKeyPair, generatePrime } from 'node:crypto';
import { promisify } from 'node:util';

const gen = promisify(generateKeyPair);
const prime = promisify(generatePrime);
const n = Number(process.argv[2] ?? 16);
const kind = process.argv[3] ?? 'rsa';
const once = {
  rsa: () => gen('rsa', { modulusLength: 2048 }),
  primes: () => Promise.all([prime(1024), prime(1024)]),
}[kind];
if (!once) throw new Error(`unknown kind ${kind} (rsa, primes)`);
const started = performance.now();
await Promise.all(Array.from({ length: n }, once));
process.stdout.write(`${performance.now() - started}\n`);
