/** `nodeadm init --standalone` end to end in a temp root (in-process CLI). */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { configFromText } from '../../src/config/load.js';
import { fromYaml } from '../../src/manifests/yaml.js';
import { cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(cleanup));
});
async function newRoot(): Promise<string> {
  const dir = await tempRoot('nodeadm-standalone-');
  dirs.push(dir);
  return dir;
}
const ARGS = ['--yes', '--node-name', 'edge-1'];
const read = (root: string, path: string): Promise<string> => readFile(join(root, path), 'utf8');

/** Every file of a standalone node with its mode (the run record is reset's bookkeeping). */
const EXPECTED: Record<string, number> = {
  '/etc/kubernetes/nodeadm/config.yaml': 0o600,
  '/var/lib/kubelet/config.yaml': 0o600,
  '/var/lib/kubelet/nodeadm-flags.env': 0o600,
  '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf': 0o600,
};

describe('nodeadm init --standalone --root', () => {
  it('writes a kubelet-only node: kubelet files and saved config, an empty 0700 manifests dir, no PKI, kubeconfigs or control plane', async () => {
    const root = await newRoot();
    const r = await runCli(['init', '--standalone', '--root', root, ...ARGS]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const snap = await snapshot(root);
    const files = [...snap].filter(([, v]) => v.content !== undefined && !v.content.startsWith('{')).map(([p, v]) => [p, v.mode]);
    expect(Object.fromEntries(files)).toEqual(EXPECTED);
    expect(snap.get('/etc/kubernetes/manifests')?.mode).toBe(0o700);
    expect([...snap.keys()].filter((p) => p.startsWith('/etc/kubernetes/manifests/'))).toEqual([]);
    expect([...snap.keys()].some((p) => p.includes('/pki') || p.endsWith('.conf') && p.startsWith('/etc/kubernetes/'))).toBe(false);
    const kubelet = fromYaml(await read(root, '/var/lib/kubelet/config.yaml')) as Record<string, unknown>;
    expect(kubelet).toMatchObject({ staticPodPath: '/etc/kubernetes/manifests', enableServer: false, readOnlyPort: 0, authentication: { anonymous: { enabled: false }, webhook: { enabled: false } } });
    const saved = fromYaml(await read(root, '/etc/kubernetes/nodeadm/config.yaml')) as Record<string, unknown>;
    expect(saved).toMatchObject({ standalone: true, staticPodPath: '/etc/kubernetes/manifests', nodeName: 'edge-1' });
    expect(r.out).toContain('[kubelet-start] skipped: needs the live host');
    expect(r.out).toContain('[wait-kubelet] skipped: needs the live host');
    expect(r.out).toContain('Rendered standalone node edge-1');
    expect(r.out).not.toMatch(/\[(certs|kubeconfig|etcd|control-plane)/);
  });

  it('saves a config that later commands load back as a standalone node', async () => {
    const root = await newRoot();
    expect((await runCli(['init', '--standalone', '--manifests-dir', '/srv/pods', '--root', root, ...ARGS])).code).toBe(0);
    const config = await configFromText(await read(root, '/etc/kubernetes/nodeadm/config.yaml'), 'config.yaml');
    expect(config).toMatchObject({ standalone: true, staticPodPath: '/srv/pods', nodeName: 'edge-1', extraSchedulers: [] });
  });

  it('changes no byte when run again', async () => {
    const root = await newRoot();
    expect((await runCli(['init', '--standalone', '--root', root, ...ARGS])).code).toBe(0);
    const before = await snapshot(root);
    const again = await runCli(['init', '--standalone', '--root', root, ...ARGS]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing changed');
    expect(await snapshot(root)).toEqual(before);
  });

  it('puts the manifests where --manifests-dir says, and the config file can say standalone too', async () => {
    const root = await newRoot();
    const config = join(root, '..', `${root.split('/').pop()}-config.yaml`);
    dirs.push(config);
    await writeFile(config, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nstandalone: true\nstaticPodPath: /srv/static-pods\n');
    const r = await runCli(['init', '--config', config, '--root', root, ...ARGS]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const kubelet = fromYaml(await read(root, '/var/lib/kubelet/config.yaml')) as Record<string, unknown>;
    expect(kubelet.staticPodPath).toBe('/srv/static-pods');
    expect((await snapshot(root)).get('/srv/static-pods')?.mode).toBe(0o700);
  });

  it('dry-run shows the kubelet configuration and writes nothing', async () => {
    const root = await newRoot();
    const r = await runCli(['init', '--standalone', '--dry-run', '--root', root, ...ARGS]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('would create /var/lib/kubelet/config.yaml (0600)');
    expect(r.out).toContain('enableServer: false');
    expect([...(await snapshot(root)).keys()]).toEqual(['/']);
  });

  it('init phase kubelet-config --standalone writes only the kubelet files', async () => {
    const root = await newRoot();
    const r = await runCli(['init', 'phase', 'kubelet-config', '--standalone', '--root', root, ...ARGS]);
    expect(r.code).toBe(0);
    expect(await read(root, '/etc/systemd/system/kubelet.service.d/10-nodeadm.conf')).toContain('Environment="KUBELET_KUBECONFIG_ARGS="');
    expect([...(await snapshot(root)).keys()].some((p) => p.includes('nodeadm/config.yaml'))).toBe(false);
  });

  it('refuses to turn a control-plane node into a standalone one (preflight, exit 1, nothing written)', async () => {
    const root = await newRoot();
    await mkdir(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    await writeFile(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'apiVersion: v1\nkind: Pod\n');
    const before = await snapshot(root);
    const r = await runCli(['init', '--standalone', '--root', root, ...ARGS]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml');
    expect(r.err).toContain('nodeadm reset');
    expect(r.err).toContain('nodeadm init phase preflight --standalone');
    expect(await snapshot(root)).toEqual(before);
  });
});

describe('bad input for a standalone node: exit 2, one line naming the flag, nothing written', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a non-default manifests dir on a control-plane node', ['--manifests-dir', '/srv/pods', '--advertise-address', '192.0.2.10'], /^error: --manifests-dir: invalid value "\/srv\/pods": a control-plane node keeps its static pods in \/etc\/kubernetes\/manifests; another directory needs --standalone$/],
    ['a relative manifests dir', ['--standalone', '--manifests-dir', 'pods'], /^error: --manifests-dir: invalid value "pods": must be an absolute directory path/],
    ['a manifests dir with ..', ['--standalone', '--manifests-dir', '/srv/../etc'], /^error: --manifests-dir: invalid value "\/srv\/..\/etc"/],
    ['a system directory', ['--standalone', '--manifests-dir', '/etc'], /^error: --manifests-dir: invalid value "\/etc": is a system directory/],
    ['the PKI directory', ['--standalone', '--manifests-dir', '/etc/kubernetes/pki/pods'], /^error: --manifests-dir: invalid value .*is inside \/etc\/kubernetes\/pki/],
    ['an extra scheduler', ['--standalone', '--extra-scheduler', 'batch'], /^error: --extra-scheduler: not used on a standalone node/],
    ['a control-plane endpoint', ['--standalone', '--control-plane-endpoint', 'cp.example.com'], /^error: --control-plane-endpoint: not used on a standalone node/],
    ['a pod subnet', ['--standalone', '--pod-subnet', '10.244.0.0/16'], /^error: --pod-subnet: not used on a standalone node/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    const root = await newRoot();
    const r = await runCli(['init', '--root', root, '--yes', '--node-name', 'edge-1', ...args]);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect([...(await snapshot(root)).keys()]).toEqual(['/']);
  });
});
