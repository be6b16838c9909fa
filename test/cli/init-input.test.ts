/**
 * init's input, read before the phases load: bad input refused before any key starts, and a
 * whole init's keys started with the resolved algorithm and the count of missing key files.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readInitInput } from '../../src/commands/init-input.js';
import type { GlobalOptions, Io } from '../../src/commands/global.js';
import type { InitFlags } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';
import { BASE_ARGS, cleanup, runCli, tempRoot } from './helpers.js';

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map(cleanup)));

const io: Io = { out: () => {}, err: () => {}, isTTY: false };
const flags: InitFlags = { advertiseAddress: '192.0.2.10', nodeName: 'cp-1' };
async function globalIn(): Promise<GlobalOptions> {
  const root = await tempRoot();
  roots.push(root);
  return { root, dryRun: false, yes: true, verbose: false, color: false, output: 'text' };
}

describe('readInitInput', () => {
  it('starts every key of a first run, with the resolved algorithm', async () => {
    const input = await readInitInput(await globalIn(), { ...flags, encryptionAlgorithm: 'ECDSA-P256' }, io, { startKeys: true });
    expect(input.config.encryptionAlgorithm).toBe('ECDSA-P256');
    expect(input.keys?.algorithm).toBe('ECDSA-P256');
    expect(input.keys?.stats.pending).toBe(17);
    input.keys?.close();
  });

  it('starts nothing for a phase, a standalone node, skipped phases, or a node that has its keys', async () => {
    expect((await readInitInput(await globalIn(), flags, io, { startKeys: false })).keys).toBeUndefined();
    expect((await readInitInput(await globalIn(), { ...flags, standalone: true }, io, { startKeys: true })).keys).toBeUndefined();
    expect((await readInitInput(await globalIn(), { ...flags, skipPhases: 'addon' }, io, { startKeys: true })).keys).toBeUndefined();

    const done = await globalIn();
    expect((await runCli(['init', '--root', done.root, ...BASE_ARGS])).code).toBe(0);
    const again = await readInitInput(done, flags, io, { startKeys: true });
    expect(again.keys?.stats).toEqual({ ready: 0, pending: 0 });
  });

  it('takes the algorithm from the --config file', async () => {
    const global = await globalIn();
    const file = join(global.root, 'node.yaml');
    await writeFile(file, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nencryptionAlgorithm: ECDSA-P384\n');
    const input = await readInitInput(global, { ...flags, config: file }, io, { startKeys: true });
    expect(input.keys?.algorithm).toBe('ECDSA-P384');
    input.keys?.close();
  });

  it('refuses bad input, an unknown preflight check name included', async () => {
    const global = await globalIn();
    await expect(readInitInput(global, { ...flags, podSubnet: 'nonsense' }, io, { startKeys: true })).rejects.toThrow(/--pod-subnet/);
    await expect(readInitInput(global, { ...flags, ignorePreflightErrors: 'Swp' }, io, { startKeys: true })).rejects.toThrow(UsageError);
  });
});
