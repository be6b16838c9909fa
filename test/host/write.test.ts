import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createHost } from '../../src/host/index.js';
import { setFsync, syncWrites, writeAtomic } from '../../src/host/store.js';
import { modeOf, recordEvents, useTempDirs, withUmask } from './helpers.js';

const tempDir = useTempDirs();

describe('writeFile', () => {
  it('creates a file with its parents (0755) and reports each created directory', async () => {
    const root = await tempDir();
    const { events, onEvent } = recordEvents();
    const host = createHost({ root, onEvent });
    expect(await host.writeFile('/etc/kubernetes/pki/ca.crt', 'CERT', { mode: 0o644 })).toBe('created');
    expect(await fs.readFile(path.join(root, 'etc/kubernetes/pki/ca.crt'), 'utf8')).toBe('CERT');
    expect(await modeOf(path.join(root, 'etc/kubernetes'))).toBe(0o755);
    expect(events).toEqual([
      { type: 'file', change: { kind: 'dir', path: '/etc', mode: 0o755, action: 'created', secret: false } },
      { type: 'file', change: { kind: 'dir', path: '/etc/kubernetes', mode: 0o755, action: 'created', secret: false } },
      { type: 'file', change: { kind: 'dir', path: '/etc/kubernetes/pki', mode: 0o755, action: 'created', secret: false } },
      // Not a dry-run: no content is attached.
      { type: 'file', change: { kind: 'file', path: '/etc/kubernetes/pki/ca.crt', mode: 0o644, action: 'created', secret: false } },
    ]);
  });

  it('says unchanged and writes nothing when bytes and mode match (mtime and inode preserved)', async () => {
    const root = await tempDir();
    const { events, onEvent } = recordEvents();
    const host = createHost({ root, onEvent });
    const file = path.join(root, 'etc/kubernetes/manifests/etcd.yaml');
    await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\n', { mode: 0o600 });
    const past = new Date('2020-01-01T00:00:00Z');
    await fs.utimes(file, past, past);
    const before = await fs.stat(file);
    expect(await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', Buffer.from('kind: Pod\n'), { mode: 0o600 })).toBe('unchanged');
    const after = await fs.stat(file);
    expect(after.mtimeMs).toBe(past.getTime());
    expect(after.ino).toBe(before.ino);
    expect(events.at(-1)).toEqual({
      type: 'file',
      change: { kind: 'file', path: '/etc/kubernetes/manifests/etcd.yaml', mode: 0o600, action: 'unchanged', secret: false },
    });
  });

  it('fixes only the mode when bytes match but the mode differs', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    const file = path.join(root, 'etc/kubernetes/admin.conf');
    await host.writeFile('/etc/kubernetes/admin.conf', 'cfg', { mode: 0o644 });
    const before = await fs.stat(file);
    expect(await host.writeFile('/etc/kubernetes/admin.conf', 'cfg', { mode: 0o600 })).toBe('updated');
    const after = await fs.stat(file);
    expect(after.mode & 0o7777).toBe(0o600);
    expect(after.ino).toBe(before.ino); // chmod in place, not a rewrite
  });

  it('replaces different bytes atomically with the requested mode', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    const file = path.join(root, 'etc/kubernetes/admin.conf');
    await host.writeFile('/etc/kubernetes/admin.conf', 'old', { mode: 0o644 });
    const before = await fs.stat(file);
    expect(await host.writeFile('/etc/kubernetes/admin.conf', 'new', { mode: 0o600 })).toBe('updated');
    const after = await fs.stat(file);
    expect(await fs.readFile(file, 'utf8')).toBe('new');
    expect(after.mode & 0o7777).toBe(0o600);
    expect(after.ino).not.toBe(before.ino); // renamed over, never truncated in place
    expect(await fs.readdir(path.dirname(file))).toEqual(['admin.conf']);
  });

  it('sets modes explicitly whatever the umask', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    await withUmask(0o077, async () => {
      await host.writeFile('/etc/kubernetes/pki/ca.crt', 'CERT', { mode: 0o644 });
      await host.ensureDir('/var/lib/kubelet', 0o751);
    });
    await withUmask(0o000, async () => {
      await host.writeFile('/etc/kubernetes/pki/ca.key', 'KEY', { mode: 0o600, secret: true });
      await host.ensureDir('/var/lib/etcd', 0o700);
    });
    expect(await modeOf(path.join(root, 'etc/kubernetes/pki/ca.crt'))).toBe(0o644);
    expect(await modeOf(path.join(root, 'etc/kubernetes/pki'))).toBe(0o755);
    expect(await modeOf(path.join(root, 'var/lib'))).toBe(0o755);
    expect(await modeOf(path.join(root, 'var/lib/kubelet'))).toBe(0o751);
    expect(await modeOf(path.join(root, 'etc/kubernetes/pki/ca.key'))).toBe(0o600);
    expect(await modeOf(path.join(root, 'var/lib/etcd'))).toBe(0o700);
  });

  it('leaves no partial target and no dot-file when the rename fails', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'kube-apiserver.yaml');
    const failingRename = async (): Promise<void> => {
      // The dot-file is complete at this point; it must still be cleaned up.
      const dotFiles = (await fs.readdir(dir)).filter((name) => name.startsWith('.'));
      expect(dotFiles).toHaveLength(1);
      expect(dotFiles[0]).toMatch(/^\.kube-apiserver\.yaml\.nodeadm-[0-9a-f]+$/);
      expect(await fs.readFile(path.join(dir, dotFiles[0] ?? ''), 'utf8')).toBe('whole');
      throw new Error('injected rename failure');
    };
    await expect(writeAtomic(target, Buffer.from('whole'), 0o600, failingRename)).rejects.toThrow('injected rename failure');
    expect(await fs.readdir(dir)).toEqual([]);

    await fs.writeFile(target, 'previous');
    await expect(writeAtomic(target, Buffer.from('whole'), 0o600, failingRename)).rejects.toThrow('injected');
    expect(await fs.readdir(dir)).toEqual(['kube-apiserver.yaml']);
    expect(await fs.readFile(target, 'utf8')).toBe('previous');
  });

  it('fsyncs each directory written into once, when the command ends; a removed one is skipped', async () => {
    const root = await tempDir();
    await syncWrites(); // whatever earlier tests wrote
    const synced: string[] = [];
    const previous = setFsync(async (handle: FileHandle) => {
      synced.push(path.relative(root, await fs.readlink(`/proc/self/fd/${handle.fd}`)));
    });
    try {
      const host = createHost({ root });
      await host.writeFile('/etc/kubernetes/pki/ca.crt', 'CERT', { mode: 0o644 });
      await host.writeFile('/etc/kubernetes/pki/ca.key', 'KEY', { mode: 0o600 });
      await host.writeFile('/etc/kubernetes/admin.conf', 'CONF', { mode: 0o600 });
      await host.writeFile('/var/lib/kubelet/config.yaml', 'KUBELET', { mode: 0o600 });
      await fs.rm(path.join(root, 'var/lib/kubelet'), { recursive: true });
      await syncWrites();
      expect(synced.sort()).toEqual(['etc/kubernetes', 'etc/kubernetes/pki']);
      synced.length = 0;
      await syncWrites();
      expect(synced).toEqual([]);
    } finally {
      setFsync(previous);
    }
  });

  it('a failed directory fsync fails the command', async () => {
    const root = await tempDir();
    await syncWrites();
    const previous = setFsync(() => Promise.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
    try {
      await createHost({ root }).writeFile('/etc/kubernetes/admin.conf', 'CONF', { mode: 0o600 });
      await expect(syncWrites()).rejects.toThrow(/EIO/);
    } finally {
      setFsync(previous);
    }
    await expect(syncWrites()).resolves.toBeUndefined();
  });

  it('refuses to write over a directory, leaving nothing behind', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'etc/kubernetes/manifests/etcd.yaml'), { recursive: true });
    const host = createHost({ root });
    const failure = host.writeFile('/etc/kubernetes/manifests/etcd.yaml', 'x', { mode: 0o600 });
    await expect(failure).rejects.toBeInstanceOf(OperationalError);
    await expect(failure).rejects.toThrow('cannot write /etc/kubernetes/manifests/etcd.yaml: it is a directory');
    expect(await fs.readdir(path.join(root, 'etc/kubernetes/manifests'))).toEqual(['etcd.yaml']);
    expect(await fs.readdir(path.join(root, 'etc/kubernetes/manifests/etcd.yaml'))).toEqual([]);
  });

  it('fails with the node path when a parent is a file', async () => {
    const root = await tempDir();
    await fs.mkdir(path.join(root, 'etc'));
    await fs.writeFile(path.join(root, 'etc/kubernetes'), 'not a dir');
    const host = createHost({ root });
    await expect(host.writeFile('/etc/kubernetes/admin.conf', 'x', { mode: 0o600 })).rejects.toThrow(
      /^cannot write \/etc\/kubernetes\/admin\.conf: /,
    );
  });
});

describe('ensureDir, remove, listDir, reads', () => {
  it('ensureDir creates, corrects the mode, or leaves alone', async () => {
    const root = await tempDir();
    const { events, onEvent } = recordEvents();
    const host = createHost({ root, onEvent });
    expect(await host.ensureDir('/var/lib/etcd', 0o700)).toBe('created');
    expect(events.map((e) => e.type === 'file' && [e.change.path, e.change.mode, e.change.action])).toEqual([
      ['/var', 0o755, 'created'],
      ['/var/lib', 0o755, 'created'],
      ['/var/lib/etcd', 0o700, 'created'],
    ]);
    expect(await host.ensureDir('/var/lib/etcd', 0o700)).toBe('unchanged');
    await fs.chmod(path.join(root, 'var/lib/etcd'), 0o755);
    expect(await host.ensureDir('/var/lib/etcd', 0o700)).toBe('updated');
    expect(await modeOf(path.join(root, 'var/lib/etcd'))).toBe(0o700);
    await host.writeFile('/var/lib/file', 'x', { mode: 0o644 });
    await expect(host.ensureDir('/var/lib/file', 0o700)).rejects.toThrow('/var/lib/file exists and is not a directory');
  });

  it('remove deletes files and trees and says whether they existed', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    await host.writeFile('/etc/kubernetes/manifests/kube-scheduler-a.yaml', 'x', { mode: 0o600 });
    await host.writeFile('/etc/kubernetes/pki/etcd/ca.crt', 'x', { mode: 0o644 });
    expect(await host.remove('/etc/kubernetes/manifests/kube-scheduler-a.yaml')).toBe(true);
    expect(await host.remove('/etc/kubernetes/manifests/kube-scheduler-a.yaml')).toBe(false);
    expect(await host.remove('/etc/kubernetes/pki')).toBe(true);
    expect(await fs.readdir(path.join(root, 'etc/kubernetes'))).toEqual(['manifests']);
    await expect(host.remove('/')).rejects.toThrow(/refusing to remove the root/);
  });

  it('listDir is sorted and [] when absent; reads are undefined when absent', async () => {
    const root = await tempDir();
    const host = createHost({ root });
    for (const name of ['b.yaml', 'a.yaml', 'C.yaml']) await host.writeFile(`/m/${name}`, name, { mode: 0o600 });
    expect(await host.listDir('/m')).toEqual(['C.yaml', 'a.yaml', 'b.yaml']);
    expect(await host.listDir('/nope')).toEqual([]);
    expect(await host.readFile('/nope')).toBeUndefined();
    expect(await host.readText('/m/a.yaml')).toBe('a.yaml');
    expect(await host.readFile('/m/b.yaml')).toEqual(Buffer.from('b.yaml'));
    expect(await host.exists('/m/a.yaml')).toBe(true);
    expect(await host.exists('/m')).toBe(true);
    expect(await host.exists('/m/z.yaml')).toBe(false);
  });
});
