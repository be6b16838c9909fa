/**
 * The scheduler commands end to end on a node rendered by `init --root` (once, then copied per
 * test): the SPEC scenario, idempotency, updates, every bad input, remove and list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromYaml } from '../../src/manifests/yaml.js';
import { BASE_ARGS, cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';

/** ECDSA keys: generating RSA ones would be most of this file's run time, and schedulers do not care. */
const INIT = [...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256'];

let dir: string;
let base: string;
let copies = 0;

beforeAll(async () => {
  dir = await tempRoot('nodeadm-sched-cli-');
  base = join(dir, 'base');
  const r = await runCli(['init', '--root', base, ...INIT, '--extra-scheduler', 'bin-packer']);
  if (r.code !== 0) throw new Error(`init failed: ${r.err}${r.out}`);
}, 60_000);
afterAll(() => cleanup(dir));

/** A fresh copy of the initialised node. */
async function node(): Promise<string> {
  const root = join(dir, `node-${++copies}`);
  await cp(base, root, { recursive: true, preserveTimestamps: true });
  return root;
}

const read = (root: string, path: string): Promise<string> => readFile(join(root, path), 'utf8');
const yamlAt = async (root: string, path: string): Promise<Record<string, unknown>> => fromYaml(await read(root, path)) as Record<string, unknown>;
/** Content and mode of every file and directory (no times): "the same state". */
const state = async (root: string) => new Map([...(await snapshot(root))].map(([k, v]) => [k, { mode: v.mode, content: v.content }]));

interface Row {
  name: string;
  pod: string;
  port: number;
  image: string;
  leaderElect: boolean;
  default: boolean;
  config?: string;
}

async function list(root: string): Promise<Row[]> {
  const r = await runCli(['list-schedulers', '--root', root, '-o', 'json']);
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as { schedulers: Row[] }).schedulers;
}

describe('init --extra-scheduler, add-scheduler, list-schedulers, remove-scheduler', () => {
  it('gives three schedulers on distinct ports with correct configs; removing one restores the init state exactly', async () => {
    const root = await node();
    const afterInit = await state(root);
    const add = await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--leader-elect']);
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain('added scheduler gpu: pod kube-scheduler-gpu, port 10261, leader election on (lease kube-system/gpu)');
    expect(add.out).toMatch(/2 objects written to \/etc\/kubernetes\/nodeadm\/addons\/kube-scheduler-gpu-rbac.yaml/);

    const rows = await list(root);
    expect(rows.map((r) => [r.name, r.pod, r.port, r.leaderElect, r.default])).toEqual([
      ['default-scheduler', 'kube-scheduler', 10259, true, true],
      ['bin-packer', 'kube-scheduler-bin-packer', 10260, false, false],
      ['gpu', 'kube-scheduler-gpu', 10261, true, false],
    ]);
    expect(new Set(rows.map((r) => r.port)).size).toBe(3);
    for (const name of ['bin-packer', 'gpu']) {
      const cfg = await yamlAt(root, `etc/kubernetes/schedulers/${name}.yaml`);
      expect(cfg).toMatchObject({
        apiVersion: 'kubescheduler.config.k8s.io/v1',
        kind: 'KubeSchedulerConfiguration',
        clientConnection: { kubeconfig: '/etc/kubernetes/scheduler.conf' },
        leaderElection: { leaderElect: name === 'gpu', resourceName: name, resourceNamespace: 'kube-system' },
        profiles: [{ schedulerName: name }],
      });
    }
    const snap = await snapshot(root);
    expect(snap.get('/etc/kubernetes/schedulers/gpu.yaml')?.mode).toBe(0o600);
    expect(snap.get('/etc/kubernetes/manifests/kube-scheduler-gpu.yaml')?.mode).toBe(0o600);
    expect(snap.get('/etc/kubernetes/schedulers')?.mode).toBe(0o700);
    const rbac = await read(root, 'etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml');
    expect(rbac).toContain('kind: ClusterRoleBinding');
    expect((await yamlAt(root, 'etc/kubernetes/nodeadm/config.yaml')).extraSchedulers).toEqual(['bin-packer', { name: 'gpu', leaderElect: true }]);

    const rm = await runCli(['remove-scheduler', '--root', root, '--name', 'gpu']);
    expect(rm.code, rm.err).toBe(0);
    expect(rm.out).toContain('removed scheduler gpu');
    expect(await state(root)).toEqual(afterInit);
  });

  it('add-scheduler after init gives the same files as init with the same scheduler in its config', async () => {
    const added = await node();
    const profile = join(dir, 'profile.yaml');
    await writeFile(profile, 'plugins:\n  score:\n    enabled:\n      - name: NodeResourcesFit\n        weight: 3\n');
    const r = await runCli(['add-scheduler', '--root', added, '--name', 'gpu', '--port', '10300', '--leader-elect', '--profile-config', profile]);
    expect(r.code, r.err).toBe(0);

    const viaInit = await node();
    const config = join(dir, 'node-config.yaml');
    await writeFile(
      config,
      ['apiVersion: nodeadm.io/v1alpha1', 'kind: NodeConfiguration', 'extraSchedulers:', '  - bin-packer', '  - name: gpu', '    port: 10300', '    leaderElect: true', `    profileConfig: ${profile}`, ''].join('\n'),
    );
    const init = await runCli(['init', '--root', viaInit, ...INIT, '--config', config]);
    expect(init.code, init.err).toBe(0);
    for (const f of ['etc/kubernetes/manifests/kube-scheduler-gpu.yaml', 'etc/kubernetes/schedulers/gpu.yaml', 'etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml', 'etc/kubernetes/nodeadm/config.yaml']) {
      expect(await read(viaInit, f), f).toBe(await read(added, f));
    }
    expect(await yamlAt(added, 'etc/kubernetes/schedulers/gpu.yaml')).toMatchObject({
      profiles: [{ schedulerName: 'gpu', plugins: { score: { enabled: [{ name: 'NodeResourcesFit', weight: 3 }] } } }],
    });
  }, 30_000);

  it('init with leader election turned off again drops the recorded RBAC and says how to delete applied objects', async () => {
    const root = await node();
    const config = join(dir, `le-${++copies}.yaml`);
    const write = (entry: string) => writeFile(config, `apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nextraSchedulers:\n${entry}`);
    await write('  - name: gpu\n    leaderElect: true\n');
    expect((await runCli(['init', '--root', root, ...INIT, '--config', config])).code).toBe(0);
    expect(await read(root, 'etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml')).toContain('resourceNames:');
    await write('  - gpu\n');
    const off = await runCli(['init', '--root', root, ...INIT, '--config', config]);
    expect(off.code, off.err).toBe(0);
    expect(off.out).toContain('removed /etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml');
    expect(off.out).toContain('delete --ignore-not-found clusterrolebinding,clusterrole nodeadm:kube-scheduler-gpu:leader-election');
    expect((await yamlAt(root, 'etc/kubernetes/schedulers/gpu.yaml')).leaderElection).toMatchObject({ leaderElect: false });
    // bin-packer came from the first init and is not in this config: the node keeps it.
    expect((await list(root)).map((r) => r.name)).toEqual(['default-scheduler', 'bin-packer', 'gpu']);
  }, 30_000);

  it('re-running add-scheduler (or init) with the same input changes no byte and touches no file', async () => {
    const root = await node();
    expect((await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--leader-elect'])).code).toBe(0);
    const before = await snapshot(root);
    const again = await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--leader-elect']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('unchanged: scheduler gpu');
    expect(again.out).not.toMatch(/created|updated|removed/);
    expect(await snapshot(root)).toEqual(before);

    const beforeInit = await snapshot(base);
    expect((await runCli(['init', '--root', base, ...INIT, '--extra-scheduler', 'bin-packer'])).code).toBe(0);
    expect(await snapshot(base)).toEqual(beforeInit);
  }, 30_000);

  it('init again with its original input keeps a scheduler added later, changing no byte', async () => {
    const root = await node();
    expect((await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--leader-elect'])).code).toBe(0);
    const before = await snapshot(root);
    const again = await runCli(['init', '--root', root, ...INIT, '--extra-scheduler', 'bin-packer']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).not.toMatch(/WARNING/);
    expect(await snapshot(root)).toEqual(before);
    expect((await list(root)).map((r) => r.name)).toEqual(['default-scheduler', 'bin-packer', 'gpu']);
  }, 30_000);

  it('different input updates the files in place; leader election off removes its RBAC; the port is kept', async () => {
    const root = await node();
    expect((await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--leader-elect'])).code).toBe(0);
    const r = await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '--port', '10300', '--image', 'registry.k8s.io/scheduler-plugins/kube-scheduler:v0.31.8']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('updated /etc/kubernetes/manifests/kube-scheduler-gpu.yaml');
    expect(r.out).toContain('removed /etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml');
    const gpu = (await list(root)).find((s) => s.name === 'gpu')!;
    expect(gpu).toMatchObject({ port: 10300, image: 'registry.k8s.io/scheduler-plugins/kube-scheduler:v0.31.8', leaderElect: false });
    // Without --port it keeps the port it has rather than moving.
    expect((await runCli(['add-scheduler', '--root', root, '--name', 'gpu'])).code).toBe(0);
    expect((await list(root)).find((s) => s.name === 'gpu')).toMatchObject({ port: 10300, image: 'registry.k8s.io/kube-scheduler:v1.36.5' });
  });

  it('--dry-run shows the files and changes nothing', async () => {
    const root = await node();
    const before = await snapshot(root);
    const r = await runCli(['add-scheduler', '--root', root, '--dry-run', '--name', 'gpu']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('would create /etc/kubernetes/manifests/kube-scheduler-gpu.yaml (0600)');
    expect(r.out).toContain('schedulerName: gpu');
    expect(r.out).toContain('would add scheduler gpu');
    expect(await snapshot(root)).toEqual(before);
  });

  it('-o json reports the scheduler and its files', async () => {
    const root = await node();
    const r = await runCli(['add-scheduler', '--root', root, '--name', 'gpu', '-o', 'json']);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { scheduler: Row; files: Array<{ path: string; action: string }> };
    expect(doc.scheduler).toMatchObject({ name: 'gpu', port: 10261, leaderElect: false, config: '/etc/kubernetes/schedulers/gpu.yaml' });
    expect(doc.files.map((f) => `${f.action} ${f.path}`)).toContain('created /etc/kubernetes/manifests/kube-scheduler-gpu.yaml');
  });

  it('list-schedulers prints a table', async () => {
    const r = await runCli(['list-schedulers', '--root', base]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      expect.stringMatching(/^NAME\s+POD\s+PORT\s+LEADER-ELECT\s+IMAGE$/),
      expect.stringMatching(/^default-scheduler\s+kube-scheduler\s+10259\s+on\s+registry.k8s.io\/kube-scheduler:v1.36.5$/),
      expect.stringMatching(/^bin-packer\s+kube-scheduler-bin-packer\s+10260\s+off\s+registry.k8s.io\/kube-scheduler:v1.36.5$/),
    ]);
  });
});

describe('bad input: exit 2, one line naming the flag, nothing written', () => {
  let root: string;
  let profileDir: string;
  beforeAll(async () => {
    root = await node();
    profileDir = join(dir, 'profiles');
    const files: Record<string, string> = {
      'bad.yaml': 'plugins: [\n',
      'version.yaml': 'apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n',
      'kind.yaml': 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeletConfiguration\n',
      'two.yaml': 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n  - schedulerName: gpu\n  - schedulerName: gpu2\n',
      'other.yaml': 'schedulerName: not-gpu\n',
    };
    await mkdir(profileDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(profileDir, name), text);
  });

  it.each([
    ['a name that is not a DNS-1123 label', ['--name', 'Bad_Name'], '--name'],
    ['a name longer than a label allows', ['--name', 'a'.repeat(64)], '--name'],
    ['a name with a newline', ['--name', 'a\nb'], '--name'],
    ['a name with a quote', ['--name', 'a"b'], '--name'],
    ['default-scheduler', ['--name', 'default-scheduler'], '--name'],
    ['a component name', ['--name', 'kube-apiserver'], '--name'],
    ['etcd', ['--name', 'etcd'], '--name'],
    ['a privileged port', ['--name', 'gpu', '--port', '80'], '--port: invalid value 80: is a privileged port'],
    ['a port out of range', ['--name', 'gpu', '--port', '70000'], '--port'],
    ['a port that is not a number', ['--name', 'gpu', '--port', '10x'], '--port'],
    ["the default scheduler's port", ['--name', 'gpu', '--port', '10259'], '--port: invalid value 10259: is taken by kube-scheduler'],
    ["another extra scheduler's port", ['--name', 'gpu', '--port', '10260'], '--port: invalid value 10260: is taken by kube-scheduler-bin-packer.yaml'],
    ["the kubelet's port", ['--name', 'gpu', '--port', '10250'], '--port: invalid value 10250: is taken by kubelet'],
    ["the API server's port", ['--name', 'gpu', '--port', '6443'], '--port: invalid value 6443: is taken by kube-apiserver'],
    ['an image reference with spaces', ['--name', 'gpu', '--image', 'my image'], '--image'],
    ['a profile that is not YAML', ['--name', 'gpu', '--profile-config', 'bad.yaml'], 'malformed YAML'],
    ['a profile with the wrong apiVersion', ['--name', 'gpu', '--profile-config', 'version.yaml'], 'apiVersion: invalid value'],
    ['a profile with the wrong kind', ['--name', 'gpu', '--profile-config', 'kind.yaml'], 'kind: invalid value "KubeletConfiguration"'],
    ['a profile with several profiles', ['--name', 'gpu', '--profile-config', 'two.yaml'], 'has 2 profiles'],
    ['a profile for another scheduler', ['--name', 'gpu', '--profile-config', 'other.yaml'], 'schedulerName: invalid value "not-gpu"'],
    ['a profile file that does not exist', ['--name', 'gpu', '--profile-config', 'missing.yaml'], 'cannot read'],
  ])('add-scheduler: %s', async (_label, args, message) => {
    const before = await snapshot(root);
    const withPaths = args.map((a, i) => (args[i - 1] === '--profile-config' ? join(profileDir, a) : a));
    const r = await runCli(['add-scheduler', '--root', root, ...withPaths]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.out).toBe('');
    expect(await snapshot(root)).toEqual(before);
  });

  it('add-scheduler: a name whose pod name another manifest already has', async () => {
    const clash = await node();
    const pod = (await yamlAt(clash, 'etc/kubernetes/manifests/kube-scheduler-bin-packer.yaml')) as { metadata: { name: string } };
    pod.metadata.name = 'kube-scheduler-gpu';
    await writeFile(join(clash, 'etc/kubernetes/manifests/my-pod.yaml'), JSON.stringify(pod));
    const before = await snapshot(clash);
    const r = await runCli(['add-scheduler', '--root', clash, '--name', 'gpu']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--name: invalid value "gpu": its pod name kube-scheduler-gpu is taken by /etc/kubernetes/manifests/my-pod.yaml');
    expect(await snapshot(clash)).toEqual(before);
  });

  it.each([
    ['a bad extra scheduler port', 'extraSchedulers:\n  - name: gpu\n    port: 99\n', 'extraSchedulers[0].port: invalid value 99'],
    ['an unknown entry field', 'extraSchedulers:\n  - name: gpu\n    schedulerName: gpu\n', 'extraSchedulers[0]: unknown field "schedulerName"'],
    ['two schedulers on one port', 'extraSchedulers:\n  - name: a\n    port: 10300\n  - name: b\n    port: 10300\n', 'port 10300 is given to two schedulers'],
    ['a broken profile', 'extraSchedulers:\n  - name: gpu\n    profileConfig: PROFILES/two.yaml\n', 'has 2 profiles'],
  ])('init --config: %s', async (_label, body, message) => {
    const target = join(dir, `empty-${++copies}`);
    const config = join(dir, `config-${copies}.yaml`);
    await writeFile(config, `apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\n${body.replace('PROFILES', profileDir)}`);
    const r = await runCli(['init', '--root', target, ...INIT, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    await expect(readFile(join(target, 'etc/kubernetes/nodeadm/config.yaml'))).rejects.toThrow(/ENOENT/);
  });
});

describe('init against what is on the node', () => {
  it('a port a foreign manifest holds (preflight told to ignore it) fails the phase with a hint, and writes no scheduler file', async () => {
    const root = await node(); // keys exist already: init does not spend its time generating them
    await writeFile(
      join(root, 'etc/kubernetes/manifests/exporter.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: exporter\nspec:\n  containers:\n    - name: e\n      image: example.com/e:1\n      ports:\n        - containerPort: 10300\n',
    );
    const config = join(dir, `foreign-${copies}.yaml`);
    await writeFile(config, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nextraSchedulers:\n  - name: gpu\n    port: 10300\n');
    const r = await runCli(['init', '--root', root, ...INIT, '--config', config, '--ignore-preflight-errors', 'all']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('error: phase extra-schedulers failed: extraSchedulers[0].port: invalid value 10300: is taken by exporter.yaml containerPort');
    expect(r.err).toContain('hint: change that entry of extraSchedulers');
    expect(r.err).not.toContain('    at '); // an explained failure, not a stack trace
    const files = [...(await snapshot(root)).keys()];
    expect(files.filter((f) => f.includes('gpu'))).toEqual([]);
  });
});

describe('remove-scheduler and uninitialised nodes', () => {
  it('refuses an unknown name (exit 2) unless --ignore-not-found, and the default scheduler', async () => {
    const before = await snapshot(base);
    const unknown = await runCli(['remove-scheduler', '--root', base, '--name', 'gpu']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('error: --name: no extra scheduler "gpu" on this node (extra schedulers: bin-packer); use --ignore-not-found to accept that');
    const ignored = await runCli(['remove-scheduler', '--root', base, '--name', 'gpu', '--ignore-not-found']);
    expect(ignored.code).toBe(0);
    expect(ignored.out).toContain('not found');
    for (const name of ['default-scheduler', 'kube-scheduler']) {
      const r = await runCli(['remove-scheduler', '--root', base, '--name', name]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('the default scheduler is part of the control plane and cannot be removed');
    }
    expect(await snapshot(base)).toEqual(before);
  });

  it('refuses to remove a kube-scheduler-N manifest nodeadm did not write', async () => {
    const root = await node();
    const pod = await yamlAt(root, 'etc/kubernetes/manifests/kube-scheduler.yaml');
    (pod as { metadata: { name: string } }).metadata.name = 'kube-scheduler-custom';
    await writeFile(join(root, 'etc/kubernetes/manifests/kube-scheduler-custom.yaml'), JSON.stringify(pod));
    const r = await runCli(['remove-scheduler', '--root', root, '--name', 'custom']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not a scheduler nodeadm added');
    expect(await read(root, 'etc/kubernetes/manifests/kube-scheduler-custom.yaml')).toContain('kube-scheduler-custom');
  });

  it('removes only its own files: the other extra scheduler and the default one stay', async () => {
    const root = await node();
    const r = await runCli(['remove-scheduler', '--root', root, '--name', 'bin-packer']);
    expect(r.code, r.err).toBe(0);
    const files = [...(await snapshot(root)).keys()];
    expect(files.filter((f) => f.includes('bin-packer'))).toEqual([]);
    expect(files).toContain('/etc/kubernetes/manifests/kube-scheduler.yaml');
    expect(files).not.toContain('/etc/kubernetes/schedulers'); // emptied, so removed
    expect((await yamlAt(root, 'etc/kubernetes/nodeadm/config.yaml')).extraSchedulers).toEqual([]);
    expect((await list(root)).map((s) => s.name)).toEqual(['default-scheduler']);
  });

  it.each([['add-scheduler', '--name', 'gpu'], ['remove-scheduler', '--name', 'gpu'], ['list-schedulers']])('%s on a node nodeadm did not initialise says so (exit 1)', async (...argv) => {
    const empty = join(dir, `empty-${++copies}`);
    const r = await runCli([argv[0]!, '--root', empty, ...argv.slice(1)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('this node was not initialised by nodeadm');
    expect(r.err).toContain('hint: run "nodeadm init --root');
  });
});
