/** `nodeadm pod add|remove|list` against a temp root (in-process CLI), and the listing with a fake crictl. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectPodListing, podAdd, renderPodListing } from '../../src/commands/pod.js';
import { parseGlobalOptions } from '../../src/commands/global.js';
import { createFakeRunner, createHost } from '../../src/host/index.js';
import { fromYaml } from '../../src/manifests/yaml.js';
import { cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n';
const MANIFESTS = 'etc/kubernetes/manifests';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await tempRoot('nodeadm-pod-');
  root = join(dir, 'node');
  await mkdir(root);
  expect((await runCli(['init', '--standalone', '--root', root, '--yes', '--node-name', 'edge-1'])).code).toBe(0);
});
afterEach(() => cleanup(dir));

async function input(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}
const manifests = (): Promise<string[]> => readdir(join(root, MANIFESTS));
const pod = (...args: string[]) => runCli(['pod', ...args, '--root', root]);

describe('pod add', () => {
  it('writes NAME.yaml 0600, re-serialised and marked as the user\'s; the same content again changes nothing', async () => {
    const file = await input('web.yaml', `# a comment the kubelet never needs\n${POD}`);
    const first = await pod('add', file);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('[pod add] created /etc/kubernetes/manifests/web.yaml (0600)');
    expect(first.out).toContain('pod web added');
    const written = await readFile(join(root, MANIFESTS, 'web.yaml'), 'utf8');
    expect(written).not.toContain('comment');
    expect(fromYaml(written)).toMatchObject({ kind: 'Pod', metadata: { name: 'web', annotations: { 'nodeadm.io/owner': 'user' } } });
    expect((await snapshot(root)).get(`/${MANIFESTS}/web.yaml`)?.mode).toBe(0o600);

    const before = await snapshot(root);
    const again = await pod('add', file);
    expect(again.code).toBe(0);
    expect(again.out).toContain('pod web is unchanged');
    expect(await snapshot(root)).toEqual(before);
  });

  it('replaces a changed pod and says the kubelet recreates it', async () => {
    await pod('add', await input('web.yaml', POD));
    const r = await pod('add', await input('web2.yaml', POD.replace('nginx:1.27', 'nginx:1.28')));
    expect(r.code).toBe(0);
    expect(r.out).toContain('[pod add] updated /etc/kubernetes/manifests/web.yaml');
    expect(r.out).toContain('the kubelet recreates the pod');
    expect(await readFile(join(root, MANIFESTS, 'web.yaml'), 'utf8')).toContain('nginx:1.28');
  });

  it('writes every pod of a multi-document file, and values stay data', async () => {
    const hostile = POD.replace('  name: web\n', '  name: web\n  annotations:\n    note: "x\\nkind: Deployment\\n---\\nmetadata: {}"\n');
    const r = await pod('add', await input('two.yaml', `${hostile}---\n${POD.replace('name: web\nspec', 'name: cache\nspec')}`));
    expect(r.code).toBe(0);
    expect(await manifests()).toEqual(['cache.yaml', 'web.yaml']);
    const web = fromYaml(await readFile(join(root, MANIFESTS, 'web.yaml'), 'utf8')) as { kind: string; metadata: { annotations: Record<string, string> } };
    expect(web.kind).toBe('Pod');
    expect(web.metadata.annotations.note).toBe('x\nkind: Deployment\n---\nmetadata: {}');
  });

  it('-o json reports each pod with its action, and the warnings', async () => {
    const file = await input('web.yaml', POD.replace('      image: nginx:1.27\n', '      image: nginx:1.27\n  serviceAccountName: web\n'));
    const r = await runCli(['pod', 'add', file, '--root', root, '-o', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { pods: unknown[]; warnings: string[] };
    expect(report.pods).toEqual([{ name: 'web', path: '/etc/kubernetes/manifests/web.yaml', action: 'created' }]);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toContain('refers to a ServiceAccount');
  });

  it('reads stdin for "-"', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), isTTY: false };
    const code = await podAdd(parseGlobalOptions({ root }), '-', io, async () => POD);
    expect(code).toBe(0);
    expect(await manifests()).toEqual(['web.yaml']);
  });

  it('refuses a Deployment with exit 2 and the reason, writing nothing', async () => {
    const before = await snapshot(root);
    const r = await pod('add', await input('d.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: .*d\.yaml: kind: "Deployment" is refused: static pods are pods only: the kubelet has no controller for a Deployment/);
    expect(await snapshot(root)).toEqual(before);
  });

  it.each([
    ['a control-plane name', POD.replace('name: web\nspec', 'name: kube-apiserver\nspec'), /kube-apiserver\.yaml is the control plane's manifest/],
    ['a scheduler name', POD.replace('name: web\nspec', 'name: kube-scheduler-batch\nspec'), /extra scheduler's manifest/],
    ['a valid pod followed by a bad one', `${POD}---\nkind: Pod\napiVersion: v1\nmetadata:\n  name: BAD\n`, /document 2: metadata\.name: invalid value "BAD"/],
  ])('refuses %s with exit 2 and writes nothing', async (_what, text, message) => {
    const before = await snapshot(root);
    const r = await pod('add', await input('in.yaml', text));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses to replace a manifest it did not write, or to run a second pod of the same name', async () => {
    await writeFile(join(root, MANIFESTS, 'web.yaml'), POD);
    const r = await pod('add', await input('web.yaml', POD));
    expect(r.code).toBe(2);
    expect(r.err).toContain('was not added by "nodeadm pod add"');
    expect(await readFile(join(root, MANIFESTS, 'web.yaml'), 'utf8')).toBe(POD);

    await writeFile(join(root, MANIFESTS, 'other.yaml'), POD.replace('name: web\nspec', 'name: cache\nspec'));
    const twin = await pod('add', await input('cache.yaml', POD.replace('name: web\nspec', 'name: cache\nspec')));
    expect(twin.code).toBe(2);
    expect(twin.err).toContain('other.yaml already defines pod default/cache');
    expect(await manifests()).toEqual(['other.yaml', 'web.yaml']);
  });

  it('reports an unreadable file as bad input', async () => {
    const r = await pod('add', join(dir, 'missing.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read .*missing\.yaml: ENOENT/);
  });

  it('dry-run shows the manifest and writes nothing', async () => {
    const before = await snapshot(root);
    const r = await runCli(['pod', 'add', await input('web.yaml', POD), '--root', root, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('would create /etc/kubernetes/manifests/web.yaml (0600)');
    expect(r.out).toContain('nodeadm.io/owner: user');
    expect(await snapshot(root)).toEqual(before);
  });

  it('follows the kubelet\'s staticPodPath on a node with --manifests-dir', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    expect((await runCli(['init', '--standalone', '--manifests-dir', '/srv/pods', '--root', other, '--yes', '--node-name', 'e'])).code).toBe(0);
    expect((await runCli(['pod', 'add', await input('web.yaml', POD), '--root', other])).code).toBe(0);
    expect(await readdir(join(other, 'srv/pods'))).toEqual(['web.yaml']);
  });
});

describe('pod remove', () => {
  it('removes a pod that pod add wrote', async () => {
    await pod('add', await input('web.yaml', POD));
    const r = await pod('remove', 'web');
    expect(r.code).toBe(0);
    expect(r.out).toContain('pod web was removed');
    expect(await manifests()).toEqual([]);
  });

  it('refuses an unknown name with exit 2', async () => {
    const r = await pod('remove', 'nope');
    expect(r.code).toBe(2);
    expect(r.err).toContain('no static pod "nope" in /etc/kubernetes/manifests');
  });

  it('never removes a control-plane or scheduler manifest, even with --force', async () => {
    await writeFile(join(root, MANIFESTS, 'etcd.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\n');
    await writeFile(join(root, MANIFESTS, 'kube-scheduler-batch.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler-batch\n');
    const cp = await pod('remove', 'etcd', '--force');
    expect(cp.code).toBe(2);
    expect(cp.err).toContain('control plane\'s manifest; "nodeadm reset" removes it');
    const sched = await pod('remove', 'kube-scheduler-batch', '--force');
    expect(sched.code).toBe(2);
    expect(sched.err).toContain('nodeadm remove-scheduler --name batch');
    expect(await manifests()).toEqual(['etcd.yaml', 'kube-scheduler-batch.yaml']);
  });

  it('removes a manifest it did not write only with --force', async () => {
    await writeFile(join(root, MANIFESTS, 'hand.yaml'), POD.replace('name: web\nspec', 'name: hand\nspec'));
    const r = await pod('remove', 'hand');
    expect(r.code).toBe(2);
    expect(r.err).toContain('pass --force');
    expect(await manifests()).toEqual(['hand.yaml']);
    expect((await pod('remove', 'hand', '--force')).code).toBe(0);
    expect(await manifests()).toEqual([]);
  });
});

describe('pod list', () => {
  beforeEach(async () => {
    await pod('add', await input('web.yaml', POD));
    await writeFile(join(root, MANIFESTS, 'etcd.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\n  namespace: kube-system\n');
    await writeFile(join(root, MANIFESTS, 'kube-scheduler-batch.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-scheduler-batch\n  namespace: kube-system\n');
    await writeFile(join(root, MANIFESTS, 'hand.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: hand\n');
    await writeFile(join(root, MANIFESTS, 'broken.yaml'), 'kind: [\n');
    await writeFile(join(root, MANIFESTS, '.web.yaml.tmp'), 'half');
  });

  it('lists every manifest with its owner; without a runtime it says why there are no states', async () => {
    const r = await pod('list');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+NAMESPACE\s+OWNER\s+FILE\s+STATE$/);
    expect(lines.find((l) => l.startsWith('etcd '))).toMatch(/kube-system\s+control plane/);
    expect(lines.find((l) => l.startsWith('kube-scheduler-batch '))).toMatch(/scheduler/);
    expect(lines.find((l) => l.startsWith('web '))).toMatch(/default\s+user\s+\/etc\/kubernetes\/manifests\/web\.yaml\s+-$/);
    expect(lines.find((l) => l.startsWith('hand '))).toMatch(/unknown/);
    expect(lines.find((l) => l.startsWith('broken '))).toMatch(/not runnable: not valid YAML/);
    expect(r.out).not.toContain('.web.yaml.tmp');
    expect(r.out).toContain('Container states: not available for a node image (--root is not /).');
  });

  it('-o json gives the same as data', async () => {
    const r = await pod('list', '-o', 'json');
    expect(r.code).toBe(0);
    const listing = JSON.parse(r.out) as { manifestsDir: string; runtime: boolean; pods: Array<{ name: string; owner: string }> };
    expect(listing.manifestsDir).toBe('/etc/kubernetes/manifests');
    expect(listing.runtime).toBe(false);
    expect(listing.pods.map((p) => [p.name, p.owner])).toEqual([
      ['broken', 'unknown'],
      ['etcd', 'control plane'],
      ['hand', 'unknown'],
      ['kube-scheduler-batch', 'scheduler'],
      ['web', 'user'],
    ]);
  });

  it('shows each pod\'s newest container state from crictl on a live node (fake runner)', async () => {
    const crictl = JSON.stringify({
      containers: [
        { id: 'a1', metadata: { name: 'web', attempt: 0 }, state: 'CONTAINER_EXITED', createdAt: '1000000000', labels: { 'io.kubernetes.pod.name': 'web-edge-1' } },
        { id: 'a2', metadata: { name: 'web', attempt: 1 }, state: 'CONTAINER_RUNNING', createdAt: '2000000000', labels: { 'io.kubernetes.pod.name': 'web-edge-1' } },
        { id: 'b1', metadata: { name: 'hand', attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: '1000000000', labels: { 'io.kubernetes.pod.name': 'hand-edge-1' } },
        { id: 'c1', metadata: { name: 'web', attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: '1000000000', labels: { 'io.kubernetes.pod.name': 'web-other-node' } },
      ],
    });
    const runner = createFakeRunner({ 'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock ps -a -o json': { stdout: crictl } });
    // A live node seen through a temp root: only the runner and the root differ from production.
    const host = { ...createHost({ root, runner }), isLiveRoot: true };
    const listing = await collectPodListing(host);
    expect(listing.runtime).toBe(true);
    const byName = new Map(listing.pods.map((p) => [p.name, p]));
    expect(byName.get('web')?.containers).toEqual([{ container: 'web', state: 'running', attempt: 1, id: 'a2' }]);
    expect(byName.get('hand')?.containers).toEqual([{ container: 'hand', state: 'running', attempt: 0, id: 'b1' }]);
    expect(byName.get('etcd')?.containers).toEqual([]);
    const text = renderPodListing(listing);
    expect(text).toMatch(/^web .*web running \(restarts: 1\)$/m);
    expect(text).toMatch(/^etcd .*no containers yet$/m);
    expect(text).not.toContain('Container states');
  });

  it('says when crictl is not there on a live node', async () => {
    const runner = createFakeRunner({ 'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock ps -a -o json': { exitCode: 1, stderr: 'connect: no such file' } });
    const listing = await collectPodListing({ ...createHost({ root, runner }), isLiveRoot: true });
    expect(listing.runtime).toBe(false);
    expect(renderPodListing(listing)).toContain('Container states: crictl or the container runtime did not answer.');
  });
});

describe('the manifests directory', () => {
  it('never holds anything but finished pod manifests after add, replace and remove', async () => {
    const file = await input('web.yaml', POD);
    await pod('add', file);
    await pod('add', await input('web2.yaml', POD.replace('nginx:1.27', 'nginx:1.28')));
    await pod('add', await input('cache.yaml', POD.replace('name: web\nspec', 'name: cache\nspec')));
    await pod('remove', 'cache');
    await pod('add', await input('bad.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n'));
    const files = await manifests();
    expect(files).toEqual(['web.yaml']);
    for (const name of files) expect(fromYaml(await readFile(join(root, MANIFESTS, name), 'utf8'))).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
  });
});
