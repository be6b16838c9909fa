import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createHost, type FileChange, type Host, type HostEvent } from '../../src/host/index.js';
import { recordEvents, snapshotTree, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** A node that nodeadm initialised before: one manifest, a key, a cert, a scheduler config. */
async function existingNode(): Promise<string> {
  const root = await tempDir();
  const put = async (file: string, content: string, mode: number): Promise<void> => {
    await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await fs.writeFile(path.join(root, file), content, { mode });
    await fs.chmod(path.join(root, file), mode);
  };
  await put('etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\nimage: etcd:3.5\n', 0o600);
  await put('etc/kubernetes/pki/ca.key', 'OLD-PRIVATE-KEY', 0o600);
  await put('etc/kubernetes/pki/ca.crt', 'CERT', 0o644);
  await put('etc/kubernetes/schedulers/a.yaml', 'profiles: []\n', 0o600);
  return root;
}

const changes = (events: HostEvent[]): FileChange[] => events.flatMap((e) => (e.type === 'file' ? [e.change] : []));

/** The same operations a real init/add-scheduler/remove-scheduler might do; returns their results. */
async function someChanges(host: Host): Promise<unknown[]> {
  return [
    await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\nimage: etcd:3.6\n', { mode: 0o600 }),
    await host.writeFile('/etc/kubernetes/manifests/kube-apiserver.yaml', 'kind: Pod\n', { mode: 0o600 }),
    await host.writeFile('/etc/kubernetes/pki/ca.key', 'NEW-PRIVATE-KEY', { mode: 0o600, secret: true }),
    await host.writeFile('/etc/kubernetes/pki/sa.key', 'SA-PRIVATE-KEY', { mode: 0o600, secret: true }),
    await host.writeFile('/etc/kubernetes/pki/ca.crt', 'CERT', { mode: 0o600 }),
    await host.writeFile('/etc/kubernetes/pki/ca.crt', 'CERT', { mode: 0o600 }),
    await host.ensureDir('/var/lib/etcd', 0o700),
    await host.remove('/etc/kubernetes/schedulers'),
    await host.remove('/etc/kubernetes/schedulers'),
  ];
}

describe('dry-run', () => {
  it('changes nothing on disk and computes the same results and changes as a real run', async () => {
    const dryRoot = await existingNode();
    const realRoot = await existingNode();
    const before = await snapshotTree(dryRoot);
    const dry = recordEvents();
    const real = recordEvents();
    const dryResults = await someChanges(createHost({ root: dryRoot, dryRun: true, onEvent: dry.onEvent }));
    const realResults = await someChanges(createHost({ root: realRoot, onEvent: real.onEvent }));

    expect(await snapshotTree(dryRoot)).toEqual(before);
    expect(dryResults).toEqual(['updated', 'created', 'updated', 'created', 'updated', 'unchanged', 'created', true, false]);
    expect(dryResults).toEqual(realResults);
    const withoutText = changes(dry.events).map(({ content: _c, diff: _d, ...rest }) => rest);
    expect(withoutText).toEqual(changes(real.events));
    // A real run reports changes but never content or diffs.
    expect(changes(real.events).filter((c) => c.content !== undefined || c.diff !== undefined)).toEqual([]);
  });

  it('shows content of new files, a unified diff for changed ones, and nothing of secrets', async () => {
    const root = await existingNode();
    const { events, onEvent } = recordEvents();
    await someChanges(createHost({ root, dryRun: true, onEvent }));
    const byPath = new Map(changes(events).map((c) => [c.path, c]));

    expect(byPath.get('/etc/kubernetes/manifests/kube-apiserver.yaml')).toEqual({
      kind: 'file',
      path: '/etc/kubernetes/manifests/kube-apiserver.yaml',
      mode: 0o600,
      action: 'created',
      secret: false,
      content: 'kind: Pod\n',
    });
    const diff = byPath.get('/etc/kubernetes/manifests/etcd.yaml')?.diff ?? '';
    expect(diff).toContain('--- /etc/kubernetes/manifests/etcd.yaml');
    expect(diff).toContain('+++ /etc/kubernetes/manifests/etcd.yaml');
    expect(diff).toContain('\n-image: etcd:3.5\n+image: etcd:3.6\n');

    for (const key of ['/etc/kubernetes/pki/ca.key', '/etc/kubernetes/pki/sa.key']) {
      const change = byPath.get(key);
      expect(change?.secret).toBe(true);
      expect(change).not.toHaveProperty('content');
      expect(change).not.toHaveProperty('diff');
    }
    expect(JSON.stringify(events)).not.toMatch(/PRIVATE-KEY/);
    // A mode-only change has no diff to show; the mode says what changes.
    expect(byPath.get('/etc/kubernetes/pki/ca.crt')).toEqual({
      kind: 'file',
      path: '/etc/kubernetes/pki/ca.crt',
      mode: 0o600,
      action: 'unchanged', // the second, identical write is the last event for this path
      secret: false,
    });
    expect(changes(events).filter((c) => c.path === '/etc/kubernetes/pki/ca.crt').map((c) => c.action)).toEqual([
      'updated',
      'unchanged',
    ]);
  });

  it('later reads in the same process see dry-run writes and removals', async () => {
    const root = await existingNode();
    const host = createHost({ root, dryRun: true });

    await host.writeFile('/etc/kubernetes/manifests/kube-scheduler-b.yaml', 'b', { mode: 0o600 });
    expect(await host.readText('/etc/kubernetes/manifests/kube-scheduler-b.yaml')).toBe('b');
    expect(await host.listDir('/etc/kubernetes/manifests')).toEqual(['etcd.yaml', 'kube-scheduler-b.yaml']);
    expect(await host.writeFile('/etc/kubernetes/manifests/kube-scheduler-b.yaml', 'b', { mode: 0o600 })).toBe('unchanged');

    await host.writeFile('/new/dir/file', 'x', { mode: 0o644 });
    expect(await host.listDir('/')).toEqual(['etc', 'new']);
    expect(await host.listDir('/new')).toEqual(['dir']);
    expect(await host.exists('/new/dir')).toBe(true);

    expect(await host.remove('/etc/kubernetes/pki')).toBe(true);
    expect(await host.readFile('/etc/kubernetes/pki/ca.crt')).toBeUndefined();
    expect(await host.exists('/etc/kubernetes/pki')).toBe(false);
    expect(await host.listDir('/etc/kubernetes/pki')).toEqual([]);
    expect(await host.listDir('/etc/kubernetes')).toEqual(['manifests', 'schedulers']);
    expect(await host.remove('/etc/kubernetes/pki/ca.crt')).toBe(false);

    // Re-created after removal: a fresh, empty directory, old files do not show through.
    expect(await host.writeFile('/etc/kubernetes/pki/ca.key', 'k', { mode: 0o600, secret: true })).toBe('created');
    expect(await host.listDir('/etc/kubernetes/pki')).toEqual(['ca.key']);
    expect(await host.readFile('/etc/kubernetes/pki/ca.crt')).toBeUndefined();

    // A mode fixed in dry-run is remembered.
    expect(await host.ensureDir('/etc/kubernetes/manifests', 0o700)).toBe('updated');
    expect(await host.ensureDir('/etc/kubernetes/manifests', 0o700)).toBe('unchanged');
    expect(await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\nimage: etcd:3.5\n', { mode: 0o644 })).toBe('updated');
    expect(await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', 'kind: Pod\nimage: etcd:3.5\n', { mode: 0o644 })).toBe('unchanged');

    expect(await fs.readdir(path.join(root, 'etc/kubernetes/pki'))).toEqual(['ca.crt', 'ca.key']);
    expect(await fs.access(path.join(root, 'new')).then(() => true, () => false)).toBe(false);
  });

  it('fails where the real run would fail, with the same message', async () => {
    const attempts = async (host: Host): Promise<string[]> => {
      await host.writeFile('/opt/file', 'x', { mode: 0o644 });
      await host.ensureDir('/opt/dir', 0o755);
      const failures = [
        () => host.writeFile('/etc/kubernetes/manifests', 'x', { mode: 0o600 }),
        () => host.writeFile('/opt/file/below', 'x', { mode: 0o644 }),
        () => host.ensureDir('/opt/file', 0o755),
        () => host.ensureDir('/opt/file/below', 0o755),
        () => host.writeFile('/opt/dir', 'x', { mode: 0o644 }),
      ];
      const messages: string[] = [];
      for (const attempt of failures) {
        const error: unknown = await attempt().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(OperationalError);
        messages.push((error as Error).message);
      }
      // Asking about a path below a file is not an error: it just is not there.
      expect(await host.readFile('/opt/file/below')).toBeUndefined();
      expect(await host.exists('/opt/file/below')).toBe(false);
      return messages;
    };
    const dryMessages = await attempts(createHost({ root: await existingNode(), dryRun: true }));
    expect(dryMessages).toEqual(await attempts(createHost({ root: await existingNode() })));
    expect(dryMessages).toEqual([
      'cannot write /etc/kubernetes/manifests: it is a directory',
      'cannot write /opt/file/below: something that is not a directory is in the way',
      '/opt/file exists and is not a directory',
      'cannot create directory /opt/file/below: a parent is not a directory',
      'cannot write /opt/dir: it is a directory',
    ]);
  });
});
