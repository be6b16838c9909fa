import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createHost } from '../../src/host/index.js';
import { useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('path resolution under a root', () => {
  it('resolves node-absolute paths under the root and normalises them', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    expect(host.root).toBe(root);
    expect(host.isLiveRoot).toBe(false);
    expect(host.resolve('/etc/kubernetes/pki/ca.crt')).toBe(path.join(root, 'etc/kubernetes/pki/ca.crt'));
    expect(host.resolve('/etc/./kubernetes//manifests/')).toBe(path.join(root, 'etc/kubernetes/manifests'));
    expect(host.resolve('/etc/kubernetes/../default')).toBe(path.join(root, 'etc/default'));
    expect(host.resolve('/')).toBe(root);
  });

  it('with root "/" every path is itself and the host is live', () => {
    const host = createHost({ root: '/' });
    expect(host.isLiveRoot).toBe(true);
    expect(host.resolve('/etc/kubernetes/admin.conf')).toBe('/etc/kubernetes/admin.conf');
    expect(() => host.resolve('/../etc')).toThrow(OperationalError);
  });

  it('a root given as a relative path or through a symlink still works', async () => {
    const base = await tempDir();
    await fs.mkdir(path.join(base, 'real'));
    await fs.symlink('real', path.join(base, 'link'));
    const host = createHost({ root: path.join(base, 'link') });
    await host.writeFile('/etc/hostname', 'cp-1\n', { mode: 0o644 });
    expect(await fs.readFile(path.join(base, 'real/etc/hostname'), 'utf8')).toBe('cp-1\n');
    expect(createHost({ root: path.relative(process.cwd(), base) }).root).toBe(base);
  });

  it('refuses relative paths', async () => {
    const host = createHost({ root: await tempDir() });
    for (const bad of ['etc/kubernetes', '', './etc', '../etc']) {
      expect(() => host.resolve(bad)).toThrow(/not node-absolute/);
    }
    await expect(host.readFile('etc/passwd')).rejects.toThrow(OperationalError);
  });

  it('refuses ".." that climbs above the root, naming the path', async () => {
    const host = createHost({ root: await tempDir() });
    expect(() => host.resolve('/../etc/passwd')).toThrow('path /../etc/passwd escapes the root directory');
    expect(() => host.resolve('/etc/../../etc/passwd')).toThrow(OperationalError);
    await expect(host.writeFile('/../x', 'x', { mode: 0o644 })).rejects.toThrow(/escapes the root/);
  });

  it('refuses a symlinked directory pointing outside the root (root/etc -> /etc)', async () => {
    const root = await tempDir();
    await fs.symlink('/etc', path.join(root, 'etc'));
    const host = createHost({ root });
    expect(() => host.resolve('/etc/passwd')).toThrow(/path \/etc\/passwd escapes the root directory \(it leads to \/etc\/passwd\)/);
    // Also for files that do not exist yet: a write would land outside.
    await expect(host.writeFile('/etc/kubernetes/admin.conf', 'x', { mode: 0o600 })).rejects.toThrow(OperationalError);
    await expect(host.exists('/etc')).rejects.toThrow(/escapes/);
    await expect(fs.access('/etc/kubernetes/admin.conf').then(() => 'exists', () => 'absent')).resolves.toBe('absent');
  });

  it('refuses a symlink deeper inside the root that points outside, relative or absolute', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await fs.mkdir(path.join(root, 'var/lib'), { recursive: true });
    await fs.symlink(outside, path.join(root, 'var/lib/etcd'));
    await fs.symlink('../../..', path.join(root, 'var/lib/up'));
    const host = createHost({ root });
    await expect(host.ensureDir('/var/lib/etcd/member', 0o700)).rejects.toThrow(/path \/var\/lib\/etcd\/member escapes/);
    await expect(host.listDir('/var/lib/up')).rejects.toThrow(/escapes/);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('refuses a file symlink and a dangling symlink that point outside', async () => {
    const root = await tempDir();
    const outside = await tempDir();
    await fs.mkdir(path.join(root, 'etc'));
    await fs.writeFile(path.join(outside, 'secret'), 'outside');
    await fs.symlink(path.join(outside, 'secret'), path.join(root, 'etc/shadow'));
    await fs.symlink(path.join(outside, 'missing/file'), path.join(root, 'etc/dangling'));
    const host = createHost({ root });
    await expect(host.readText('/etc/shadow')).rejects.toThrow(/escapes/);
    await expect(host.writeFile('/etc/dangling', 'x', { mode: 0o644 })).rejects.toThrow(/escapes/);
    expect(() => host.resolve('/etc/dangling/below')).toThrow(/escapes/);
  });

  it('follows symlinks that stay inside the root', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'opt/kubernetes'), { recursive: true });
    await fs.mkdir(path.join(root, 'etc'));
    await fs.symlink('../opt/kubernetes', path.join(root, 'etc/kubernetes'));
    const host = createHost({ root });
    expect(await host.writeFile('/etc/kubernetes/admin.conf', 'cfg', { mode: 0o600 })).toBe('created');
    expect(await fs.readFile(path.join(root, 'opt/kubernetes/admin.conf'), 'utf8')).toBe('cfg');
    expect(await host.listDir('/etc/kubernetes')).toEqual(['admin.conf']);
  });
});
