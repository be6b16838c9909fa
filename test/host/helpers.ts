import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { HostEvent } from '../../src/host/index.js';

/** Returns a maker of temp directories that are removed after each test. */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'nodeadm-host-')));
    made.push(dir);
    return dir;
  };
}

/** Every entry under `dir` with its type, mode, mtime and content (or link target), for before/after comparison. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await fs.readdir(dir, { recursive: true })).sort()) {
    const file = path.join(dir, name);
    const st = await fs.lstat(file);
    const meta = `${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
    if (st.isSymbolicLink()) out[name] = `link ${await fs.readlink(file)}`;
    else if (st.isDirectory()) out[name] = `dir ${meta}`;
    else out[name] = `file ${meta} ${await fs.readFile(file, 'utf8')}`;
  }
  return out;
}

/** Collects host events for assertions. */
export function recordEvents(): { events: HostEvent[]; onEvent: (event: HostEvent) => void } {
  const events: HostEvent[] = [];
  return { events, onEvent: (event) => events.push(event) };
}

export async function modeOf(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o7777;
}

/** Runs `body` with a given umask and restores the previous one. */
export async function withUmask<T>(mask: number, body: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await body();
  } finally {
    process.umask(previous);
  }
}
