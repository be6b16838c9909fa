/**
 * The files the hardening phases write: the encryption key is generated once and never replaced
 * on re-run, modes are corrected, and /var/lib/etcd is chowned to the host's etcd user.
 */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createFakeRunner, createHost } from '../../src/host/index.js';
import { deriveValues } from '../../src/config/derive.js';
import { chownEtcdDataDir, prepareApiServer, systemUser } from '../../src/phases/security.js';
import type { InitContext } from '../../src/phases/context.js';
import type { Reporter } from '../../src/workflow/reporter.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { useTempDirs } from '../host/helpers.js';

const tempDir = useTempDirs();

function reporter(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

function context(root: string, config = sampleConfig()): InitContext {
  return { config, derived: deriveValues(config), host: createHost({ root }), osHostname: 'cp-1', willRun: () => true } as unknown as InitContext;
}

describe('prepareApiServer', () => {
  it('generates the encryption key once, 0600, and keeps it on re-run', async () => {
    const root = await tempDir();
    const file = path.join(root, 'etc/kubernetes/encryption-config.yaml');
    const out = reporter();
    await prepareApiServer(context(root), out);
    const first = await fs.readFile(file, 'utf8');
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect(out.lines.some((l) => l.includes('back it up'))).toBe(true);

    await fs.chmod(file, 0o644);
    await prepareApiServer(context(root), reporter());
    expect(await fs.readFile(file, 'utf8')).toBe(first);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
  });

  it('writes the audit policy 0600 and the log directory 0700', async () => {
    const root = await tempDir();
    await prepareApiServer(context(root), reporter());
    expect((await fs.stat(path.join(root, 'etc/kubernetes/audit-policy.yaml'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(root, 'var/log/kubernetes/audit'))).mode & 0o777).toBe(0o700);
  });

  it("keeps a user's own policy path untouched and warns when it is missing", async () => {
    const root = await tempDir();
    const config = sampleConfig('v1.36', { apiServer: { certSANs: [], extraArgs: [{ name: 'audit-policy-file', value: '/etc/audit/mine.yaml' }] } });
    const out = reporter();
    await prepareApiServer(context(root, config), out);
    await expect(fs.stat(path.join(root, 'etc/kubernetes/audit-policy.yaml'))).rejects.toThrow();
    expect(out.lines).toContain('warn audit policy /etc/audit/mine.yaml does not exist yet; kube-apiserver will not start without it');
  });

  it('warns when an existing encryption config is not one, and keeps it', async () => {
    const root = await tempDir();
    const file = path.join(root, 'etc/kubernetes/encryption-config.yaml');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'hello: world\n', { mode: 0o600 });
    const out = reporter();
    await prepareApiServer(context(root), out);
    expect(await fs.readFile(file, 'utf8')).toBe('hello: world\n');
    expect(out.lines.some((l) => l.startsWith('warn') && l.includes('not an EncryptionConfiguration'))).toBe(true);
  });
});

describe('etcd data directory owner (CIS 1.1.12)', () => {
  it('reads the etcd user from the node root', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'etc'));
    await fs.writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\netcd:x:998:997::/var/lib/etcd:/sbin/nologin\n');
    expect(await systemUser(createHost({ root }), 'etcd')).toEqual({ uid: 998, gid: 997 });
    expect(await systemUser(createHost({ root }), 'nobody')).toBeUndefined();
  });

  it('chowns the data dir when running as root and the user exists; does nothing otherwise', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'etc'));
    await fs.writeFile(path.join(root, 'etc/passwd'), 'etcd:x:998:997::/var/lib/etcd:/sbin/nologin\n');
    const runner = createFakeRunner({ 'chown -R 998:997 /var/lib/etcd': { exitCode: 0 } });
    const host = createHost({ root, runner });
    await chownEtcdDataDir(host, '/var/lib/etcd', reporter(), true);
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual(['chown -R 998:997 /var/lib/etcd']);
    expect(runner.calls[0]!.options.mutating).toBe(true);

    await chownEtcdDataDir(host, '/var/lib/etcd', reporter(), false);
    expect(runner.calls).toHaveLength(1);

    await fs.writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    const out = reporter();
    await chownEtcdDataDir(host, '/var/lib/etcd', out, true);
    expect(runner.calls).toHaveLength(1);
    expect(out.lines.join('\n')).toContain('no "etcd" user');
  });
});
