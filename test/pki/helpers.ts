/** Shared by the pki and kubeconfig tests: temp roots, pre-generated keys, file snapshots, openssl. */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHost, type Host } from '../../src/host/index.js';
import { generateKey, KeyPool, type KeyPair } from '../../src/pki/index.js';

const run = promisify(execFile);

const roots: string[] = [];

/** A fresh temp directory as a host root; removed by `removeTempRoots` (call it in afterAll). */
export async function tempRoot(prefix = 'nodeadm-pki-'): Promise<{ root: string; host: Host }> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  roots.push(root);
  return { root, host: createHost({ root }) };
}

export async function removeTempRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
}

/** Real RSA-2048 keys, generated concurrently once per test file. */
export function pregenerate(n: number): Promise<KeyPair[]> {
  const pool = new KeyPool('RSA-2048', { concurrency: 4 });
  pool.prefetch(n);
  return Promise.all(Array.from({ length: n }, () => pool.take()));
}

/**
 * A pool that hands out the given keys in order (each once) and fails when they run out, so a
 * test also proves how many keys a run needed.
 */
export function poolOf(keys: KeyPair[]): KeyPool & { used: () => number } {
  let next = 0;
  const pool = new KeyPool('RSA-2048', {
    generate: () => {
      const key = keys[next++];
      return key ? Promise.resolve(key) : Promise.reject(new Error('test key supply exhausted'));
    },
  });
  return Object.assign(pool, { used: () => next });
}

/** A pool that must not be asked for a key. */
export const noKeys = (): KeyPool =>
  new KeyPool('RSA-2048', { generate: () => Promise.reject(new Error('no key should be generated')) });

export { generateKey };

/** Every file under root: relative path → content and mode. */
export async function snapshot(root: string): Promise<Map<string, { content: string; mode: number }>> {
  const out = new Map<string, { content: string; mode: number }>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(abs);
      else out.set(path.relative(root, abs), { content: await readFile(abs, 'utf8'), mode: (await stat(abs)).mode & 0o777 });
    }
  };
  await walk(root);
  return out;
}

/** Paths whose content or mode differ between two snapshots (including added/removed ones). */
export function changedFiles(
  before: Map<string, { content: string; mode: number }>,
  after: Map<string, { content: string; mode: number }>,
): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .filter((k) => before.get(k)?.content !== after.get(k)?.content || before.get(k)?.mode !== after.get(k)?.mode)
    .sort();
}

/** Runs /usr/bin/openssl; resolves stdout, rejects with stderr on a non-zero exit. */
export async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/openssl', args, { encoding: 'utf8' });
  return stdout;
}
