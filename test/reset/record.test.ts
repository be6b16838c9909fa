import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createHost, type HostEvent } from '../../src/host/index.js';
import { CreationTracker, readRecord, RECORD_FILE, saveRecord } from '../../src/record.js';
import { useTempDirs } from '../host/helpers.js';

const tempDir = useTempDirs();

describe('the record of created files', () => {
  it('keeps what commands created, merged across commands, and drops what a later command removed', async () => {
    const root = await tempDir();
    const first = new CreationTracker();
    const host = createHost({ root, onEvent: first.onEvent });
    await host.writeFile('/etc/kubernetes/a.conf', 'a', { mode: 0o600 });
    await host.writeFile('/etc/kubernetes/a.conf', 'a2', { mode: 0o600 }); // updated: still nodeadm's from the first write
    await saveRecord(createHost({ root }), first);
    expect((await readRecord(host)).map((r) => `${r.kind} ${r.path}`)).toEqual([
      'dir /etc',
      'dir /etc/kubernetes',
      'file /etc/kubernetes/a.conf',
      'dir /etc/kubernetes/nodeadm',
      `file ${RECORD_FILE}`,
    ]);

    // A later command (e.g. add-scheduler, then remove-scheduler) adds one file and removes another.
    const second = new CreationTracker();
    const later = createHost({ root, onEvent: second.onEvent });
    await later.writeFile('/etc/kubernetes/schedulers/b.yaml', 'b', { mode: 0o600 });
    await later.remove('/etc/kubernetes/a.conf');
    await saveRecord(createHost({ root }), second);
    const paths = (await readRecord(host)).map((r) => r.path);
    expect(paths).toContain('/etc/kubernetes/schedulers/b.yaml');
    expect(paths).toContain('/etc/kubernetes/schedulers');
    expect(paths).not.toContain('/etc/kubernetes/a.conf');
  });

  it('a removed directory drops everything under it; a file written to an existing path is not recorded', () => {
    const tracker = new CreationTracker();
    const ev = (kind: 'file' | 'dir' | 'remove', path: string, action: 'created' | 'updated' | 'removed'): HostEvent => ({ type: 'file', change: { kind, path, action, secret: false } });
    tracker.onEvent(ev('file', '/etc/user.conf', 'updated'));
    tracker.onEvent(ev('dir', '/', 'created')); // --root DIR that did not exist: not nodeadm's to remove
    tracker.onEvent(ev('dir', '/srv/x', 'created'));
    tracker.onEvent(ev('file', '/srv/x/y', 'created'));
    tracker.onEvent(ev('remove', '/srv', 'removed'));
    expect(tracker.merge([{ path: '/srv/old', kind: 'file' }, { path: '/keep', kind: 'file' }])).toEqual([{ path: '/keep', kind: 'file' }]);
  });

  it('refuses a damaged record rather than guessing what is nodeadm’s', async () => {
    const host = createHost({ root: await tempDir() });
    await host.writeFile(RECORD_FILE, '{"kind":"CreatedPaths","paths":[{"path":"relative","kind":"file"}]}', { mode: 0o600 });
    await expect(readRecord(host)).rejects.toBeInstanceOf(OperationalError);
    await host.writeFile(RECORD_FILE, 'not json', { mode: 0o600 });
    await expect(readRecord(host)).rejects.toThrow(/is not a record nodeadm can read/);
  });
});
