import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/commands/global.js';

const execFileP = promisify(execFile);
export const BIN = new URL('../../bin/nodeadm.js', import.meta.url).pathname;

export async function tempRoot(prefix = 'nodeadm-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Runs main() in-process with captured output. */
export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), isTTY: false };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs the built CLI as a child process. */
export async function runBuilt(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [BIN, ...argv], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** path → {mode, mtimeMs, content} for every file and directory under dir. */
export async function snapshot(dir: string): Promise<Map<string, { mode: number; mtimeMs: number; content?: string }>> {
  const result = new Map<string, { mode: number; mtimeMs: number; content?: string }>();
  async function walk(rel: string): Promise<void> {
    const abs = join(dir, rel);
    const st = await stat(abs);
    if (st.isDirectory()) {
      result.set(rel || '/', { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
      for (const name of await readdir(abs)) await walk(`${rel}/${name}`);
    } else {
      result.set(rel, { mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, content: await readFile(abs, 'utf8') });
    }
  }
  await walk('');
  return result;
}

export const BASE_ARGS = ['--yes', '--advertise-address', '192.0.2.10', '--node-name', 'cp-1'];
