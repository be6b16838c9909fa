import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGlobalOptions, type Io } from '../../src/commands/global.js';
import { runReset } from '../../src/commands/reset.js';
import { OperationalError } from '../../src/errors.js';
import { createHost } from '../../src/host/index.js';
import { readRecord, RECORD_FILE } from '../../src/record.js';
import { BASE_ARGS, cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';

// ECDSA keys keep the two inits of these tests fast.
const INIT = ['init', ...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256'];
let base: string;
let work: string;
let n = 0;

beforeAll(async () => {
  work = await tempRoot('nodeadm-reset-');
  base = join(work, 'base');
  // Things that were there before nodeadm: /etc/kubernetes with the user's notes, /var/lib.
  await mkdir(join(base, 'etc/kubernetes'), { recursive: true });
  await writeFile(join(base, 'etc/kubernetes/notes.txt'), 'mine\n');
  await mkdir(join(base, 'var/lib'), { recursive: true });
  const { code, err } = await runCli([...INIT, '--root', base]);
  expect(code, err).toBe(0);
}, 60_000);
afterAll(() => cleanup(work));

/** A fresh copy of the initialised node. */
async function node(): Promise<string> {
  const root = join(work, `node-${++n}`);
  await cp(base, root, { recursive: true });
  return root;
}

function capture(isTTY = false): Io & { text: () => string } {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY, text: () => lines.join('\n') };
}

describe('nodeadm reset', () => {
  it('records what init created, and not what was there before', async () => {
    const record = (await readRecord(createHost({ root: base }))).map((r) => r.path);
    expect(record).toContain('/etc/kubernetes/pki/ca.key');
    expect(record).toContain('/etc/kubernetes/manifests/kube-apiserver.yaml');
    expect(record).toContain('/etc/kubernetes/pki');
    expect(record).toContain(RECORD_FILE);
    expect(record).not.toContain('/etc/kubernetes');
    expect(record).not.toContain('/etc/kubernetes/notes.txt');
    expect(record).not.toContain('/var/lib');
  });

  it('without a terminal and without --yes exits 2 naming --yes, and changes nothing', async () => {
    const root = await node();
    const before = await snapshot(root);
    const { code, err } = await runCli(['reset', '--root', root]);
    expect(code).toBe(2);
    expect(err).toMatch(/^error: .*--yes/);
    expect(await snapshot(root)).toEqual(before);
  });

  it('--dry-run lists every deletion and changes nothing', async () => {
    const root = await node();
    const before = await snapshot(root);
    const record = await readRecord(createHost({ root }));
    const { code, out } = await runCli(['reset', '--root', root, '--dry-run']);
    expect(code).toBe(0);
    for (const { path } of record) expect(out).toContain(`would remove ${path}`);
    expect(out).not.toContain('would remove /etc/kubernetes/notes.txt');
    expect(out).toMatch(/\[stop-kubelet\] skipped/);
    expect(await snapshot(root)).toEqual(before);
  });

  it('removes everything in the record and nothing else; then init works again', async () => {
    const root = await node();
    // The user's own files, added after init, inside and outside nodeadm's directories.
    await writeFile(join(root, 'etc/kubernetes/manifests/my-pod.yaml'), 'kind: Pod\n');
    await writeFile(join(root, 'var/lib/kubelet/mine.txt'), 'mine\n');
    const { code, out } = await runCli(['reset', '--root', root, '--yes']);
    expect(code, out).toBe(0);
    const after = [...(await snapshot(root)).keys()].sort();
    expect(after).toEqual([
      '/',
      '/etc',
      '/etc/kubernetes',
      '/etc/kubernetes/manifests',
      '/etc/kubernetes/manifests/my-pod.yaml',
      '/etc/kubernetes/nodeadm',
      '/etc/kubernetes/nodeadm/created.json',
      '/etc/kubernetes/notes.txt',
      '/var',
      '/var/lib',
      '/var/lib/kubelet',
      '/var/lib/kubelet/mine.txt',
    ]);
    // What is left of nodeadm's is the two directories that hold the user's files.
    expect((await readRecord(createHost({ root }))).map((r) => r.path)).toEqual(['/etc/kubernetes/manifests', '/etc/kubernetes/nodeadm', RECORD_FILE, '/var/lib/kubelet']);
    expect(out).toMatch(/kept \/etc\/kubernetes\/manifests: it holds files nodeadm did not create \(my-pod\.yaml\)/);

    await cleanup(join(root, 'etc/kubernetes/manifests/my-pod.yaml'));
    const again = await runCli([...INIT, '--root', root]);
    expect(again.code, again.err).toBe(0);
    expect(await readFile(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8')).toMatch(/kind: Pod/);
    // The new record knows the re-created files, so a second reset removes them too.
    const second = await runCli(['reset', '--root', root, '--yes']);
    expect(second.code).toBe(0);
    expect([...(await snapshot(root)).keys()].filter((k) => k.includes('pki') || k.endsWith('.conf'))).toEqual([]);
  }, 30_000);

  it('is retryable after a partial failure: the record keeps only what is left', async () => {
    const root = await node();
    const global = parseGlobalOptions({ root, yes: true });
    let fail = true;
    const wrapHost = (host: ReturnType<typeof createHost>): ReturnType<typeof createHost> => ({
      ...host,
      remove: async (path) => {
        if (fail && path === '/etc/kubernetes/pki/sa.key') throw new OperationalError('cannot remove /etc/kubernetes/pki/sa.key: device busy');
        return host.remove(path);
      },
    });
    const error = await runReset(global, capture(), { wrapHost }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/phase cleanup-node failed: cannot remove .*sa\.key/);
    const left = (await readRecord(createHost({ root }))).map((r) => r.path);
    expect(left).toContain('/etc/kubernetes/pki/sa.key');
    expect(left).not.toContain('/etc/kubernetes/manifests/etcd.yaml');
    expect(left).not.toContain('/etc/kubernetes/pki/etcd/server.key'); // deeper: removed before the failure

    fail = false;
    expect(await runReset(global, capture(), { wrapHost })).toBe(0);
    expect([...(await snapshot(root)).keys()].sort()).toEqual(['/', '/etc', '/etc/kubernetes', '/etc/kubernetes/notes.txt', '/var', '/var/lib']);
  });

  it('never deletes across a mount point', async () => {
    const root = await node();
    const global = parseGlobalOptions({ root, yes: true });
    const wrapHost = (host: ReturnType<typeof createHost>): ReturnType<typeof createHost> => ({
      ...host,
      // /etc/kubernetes/pki is another filesystem.
      device: async (path) => ((path === '/etc/kubernetes/pki' || path.startsWith('/etc/kubernetes/pki/')) && (await host.exists(path)) ? 4242 : host.device(path)),
    });
    const io = capture();
    expect(await runReset(global, io, { wrapHost })).toBe(0);
    expect(io.text()).toMatch(/kept \/etc\/kubernetes\/pki\/ca\.key: it is on another filesystem/);
    expect(await readFile(join(root, 'etc/kubernetes/pki/ca.key'), 'utf8')).toMatch(/PRIVATE KEY/);
    expect((await snapshot(root)).has('/etc/kubernetes/admin.conf')).toBe(false);
  });

  it('keeps etcd data without --yes or confirmation, deletes its contents with it', async () => {
    const root = await node();
    await mkdir(join(root, 'var/lib/etcd/member/snap'), { recursive: true });
    await writeFile(join(root, 'var/lib/etcd/member/snap/db'), 'data');
    const dry = await runCli(['reset', '--root', root, '--dry-run']);
    expect(dry.out).toMatch(/kept the etcd data in \/var\/lib\/etcd: confirm when asked, or pass --yes/);
    expect(dry.out).not.toContain('would remove /var/lib/etcd/member');
    const yes = await runCli(['reset', '--root', root, '--yes']);
    expect(yes.code).toBe(0);
    expect((await snapshot(root)).has('/var/lib/etcd/member/snap/db')).toBe(false);
  });
});
