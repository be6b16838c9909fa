// The floor for init: N RSA-2048 (or EC P-256) key pairs generated natively by node:crypto on
// libuv's threadpool, all at once so every core is busy. Prints the milliseconds key generation
// took inside the process (the benchmark times the whole process).
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

const gen = promisify(generateKeyPair);
const n = Number(process.argv[2] ?? 16);
const algorithm = process.argv[3] ?? 'rsa';
const options = algorithm === 'ec' ? { namedCurve: 'P-256' } : { modulusLength: 2048 };
const started = performance.now();
await Promise.all(Array.from({ length: n }, () => gen(algorithm, options)));
process.stdout.write(`${performance.now() - started}\n`);
