/** The preflight and prepare-host phases wired into init, through the CLI (phase runs: no key generation). */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initPhases } from '../../src/commands/init.js';
import { runCli } from '../cli/helpers.js';
import { useTempDirs } from '../host/helpers.js';
import { put } from './helpers.js';

const tempDir = useTempDirs();
const ARGS = ['--yes', '--advertise-address', '192.0.2.10', '--node-name', 'cp-1'];

describe('init phases', () => {
  it('preflight and prepare-host come first', () => {
    expect(initPhases().slice(0, 3).map((p) => p.name)).toEqual(['preflight', 'prepare-host', 'save-config']);
  });

  it('init phase preflight --root: a foreign manifest stops init with exit 1, naming the check and the fix', async () => {
    const root = await tempDir();
    await put(root, '/etc/kubernetes/manifests/kube-apiserver.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n');
    const { code, out, err } = await runCli(['init', 'phase', 'preflight', '--root', root, ...ARGS]);
    expect(code).toBe(1);
    expect(err).toMatch(/error: phase preflight failed: 1 preflight check failed:\n {2}\[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]: .*not written by nodeadm.*; fix: move it out/);
    expect(err).toMatch(/hint: fix the problems above, or downgrade a check .*; then resume with: nodeadm init phase preflight --root /);
    expect(out).toMatch(/\[preflight\] skipped 20 checks that need the live host/);
  });

  it('the same check ignored by name passes with a warning', async () => {
    const root = await tempDir();
    await put(root, '/etc/kubernetes/manifests/kube-apiserver.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n');
    const { code, out } = await runCli(['init', 'phase', 'preflight', '--root', root, ...ARGS, '--ignore-preflight-errors', 'fileavailable--etc-kubernetes-manifests-kube-apiserver.yaml']);
    expect(code).toBe(0);
    expect(out).toMatch(/\[preflight\] WARNING: \[IGNORED FileAvailable--etc-kubernetes-manifests-kube-apiserver\.yaml\]/);
  });

  it('prepare-host is skipped without the flag, and off the live host with it', async () => {
    const root = await tempDir();
    const without = await runCli(['init', 'phase', 'prepare-host', '--root', root, ...ARGS]);
    expect(without.code).toBe(0);
    expect(without.out).toContain('[prepare-host] skipped: only with --prepare-host');
    const withFlag = await runCli(['init', 'phase', 'prepare-host', '--root', root, ...ARGS, '--prepare-host']);
    expect(withFlag.code).toBe(0);
    expect(withFlag.out).toContain('[prepare-host] skipped: needs the live host (--root is not /)');
    expect(await fs.readdir(path.join(root))).toEqual([]);
  });
});
