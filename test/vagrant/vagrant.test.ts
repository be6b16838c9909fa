/**
 * What can be checked of the Vagrant test cluster without a hypervisor: the Vagrantfile
 * validates, every shell script passes shellcheck, and the provisioning commands run as a
 * dry run against a folder.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanup, tempRoot } from '../cli/helpers.js';

const execFileP = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname;

async function sh(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP(cmd, args, { cwd: repo, env: { ...process.env, ...env }, timeout: 120_000 });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 127, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

describe('Vagrant test cluster (no hypervisor needed)', () => {
  it('the Vagrantfile validates', async () => {
    const { code, out } = await sh('vagrant', ['validate', '--ignore-provider']);
    expect(out).toContain('Vagrantfile validated successfully');
    expect(code).toBe(0);
  });

  it('every shell script passes shellcheck', async () => {
    const scripts = [
      ...(await readdir(join(repo, 'test/e2e'))).filter((f) => f.endsWith('.sh')).map((f) => `test/e2e/${f}`),
      'bench/openssl-pki.sh',
      '.ci/run',
    ];
    expect(scripts.length).toBeGreaterThan(5);
    const { code, out } = await sh('shellcheck', ['-x', ...scripts]);
    expect(out).toBe('');
    expect(code).toBe(0);
  });

  for (const role of ['cp', 'static']) {
    it(`the ${role} provisioning commands run as a dry run`, async () => {
      const dir = await tempRoot('nodeadm-vagrant-');
      const root = join(dir, 'node');
      try {
        const { code, out } = await sh('bash', [`test/e2e/init-${role}.sh`], {
          NODEADM: join(repo, 'bin/nodeadm.js'),
          NODEADM_ADDRESS: '192.168.56.10',
          NODEADM_EXTRA: `--dry-run --root ${root}`,
        });
        expect(out).not.toMatch(/^error:/m);
        expect(code).toBe(0);
        expect(out).toMatch(/would create .*config\.yaml/);
        await expect(readdir(root)).rejects.toThrow(/ENOENT/);
      } finally {
        await cleanup(dir);
      }
    });
  }
});
