/** `nodeadm init` end to end (in-process) for the addon objects, the CNI file and their flags. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromYamlStream } from '../../src/manifests/yaml.js';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map(cleanup));
});
const root = async (): Promise<string> => {
  const dir = await tempRoot('nodeadm-addon-cli-');
  dirs.push(dir);
  return dir;
};
const ADDONS = 'etc/kubernetes/nodeadm/addons';
const CNI = 'etc/cni/net.d/10-nodeadm-bridge.conflist';
/** ECDSA keys generate in milliseconds; RSA would dominate this file's run time. */
const FAST_KEYS = ['--encryption-algorithm', 'ECDSA-P256'];

describe('init --root', () => {
  it('writes the addon objects, the post-init bindings and the CNI file, and says they await application', async () => {
    const dir = await root();
    const { code, out } = await runCli(['init', '--root', dir, ...BASE_ARGS, ...FAST_KEYS]);
    expect(code, out).toBe(0);
    const kinds = async (f: string) =>
      fromYamlStream(await readFile(join(dir, ADDONS, f), 'utf8')).map((o) => `${(o as { kind: string }).kind}/${(o as { metadata: { name: string } }).metadata.name}`);
    expect(await kinds('coredns.yaml')).toEqual([
      'ServiceAccount/coredns',
      'ClusterRole/system:coredns',
      'ClusterRoleBinding/system:coredns',
      'ConfigMap/coredns',
      'Deployment/coredns',
      'Service/kube-dns',
    ]);
    expect(await kinds('kube-proxy.yaml')).toEqual(['ServiceAccount/kube-proxy', 'ClusterRoleBinding/kubeadm:node-proxier', 'ConfigMap/kube-proxy', 'DaemonSet/kube-proxy']);
    expect(await kinds('post-init.yaml')).toEqual(['ClusterRoleBinding/kubeadm:cluster-admins', 'ClusterRoleBinding/kubeadm:apiserver-kubelet-client']);
    expect((await stat(join(dir, ADDONS, 'coredns.yaml'))).mode & 0o777).toBe(0o600);
    // --pod-network bridge is the default, and brings the default pod subnet with it
    const conflist = JSON.parse(await readFile(join(dir, CNI), 'utf8'));
    expect(conflist.plugins[0].ipam.ranges).toEqual([[{ subnet: '10.244.0.0/16' }]]);
    expect(await readFile(join(dir, 'etc/kubernetes/manifests/kube-controller-manager.yaml'), 'utf8')).toContain('--cluster-cidr=10.244.0.0/16');
    expect(out).toMatch(/they await application/);
    expect(out).toMatch(/run `nodeadm init phase post-init`/);
    expect(out).toMatch(/kubectl taint nodes cp-1 node-role.kubernetes.io\/control-plane:NoSchedule-/);
    // a second run changes no byte
    const before = await readFile(join(dir, ADDONS, 'kube-proxy.yaml'), 'utf8');
    const again = await runCli(['init', '--root', dir, ...BASE_ARGS, ...FAST_KEYS]);
    expect(again.out).toMatch(/nothing changed/);
    expect(await readFile(join(dir, ADDONS, 'kube-proxy.yaml'), 'utf8')).toBe(before);
  });

  it('init phase addon coredns runs that addon alone', async () => {
    const dir = await root();
    const { code, out } = await runCli(['init', 'phase', 'addon', 'coredns', '--root', dir, ...BASE_ARGS]);
    expect(code, out).toBe(0);
    expect((await readFile(join(dir, ADDONS, 'coredns.yaml'), 'utf8')).length).toBeGreaterThan(0);
    await expect(stat(join(dir, ADDONS, 'kube-proxy.yaml'))).rejects.toThrow();
    await expect(stat(join(dir, CNI))).rejects.toThrow();
  });

  it('--skip-phases addon/kube-proxy skips only that addon', async () => {
    const dir = await root();
    const { code, out } = await runCli(['init', 'phase', 'addon', '--root', dir, ...BASE_ARGS, '--skip-phases', 'addon/kube-proxy']);
    expect(code, out).toBe(0);
    expect(await readdir(join(dir, ADDONS))).toEqual(['coredns.yaml']);
    expect(await readdir(join(dir, 'etc/cni/net.d'))).toEqual(['10-nodeadm-bridge.conflist']);
  });

  it('--pod-network none writes no CNI file and no clusterCIDR without a pod subnet', async () => {
    const dir = await root();
    const { code, out } = await runCli(['init', 'phase', 'addon', '--root', dir, ...BASE_ARGS, '--pod-network', 'none']);
    expect(code, out).toBe(0);
    await expect(stat(join(dir, CNI))).rejects.toThrow();
    expect(await readFile(join(dir, ADDONS, 'kube-proxy.yaml'), 'utf8')).not.toContain('clusterCIDR');
  });

  it('--allow-schedule-on-control-plane and --pod-network are saved in the config', async () => {
    const dir = await root();
    const { code } = await runCli(['init', 'phase', 'save-config', '--root', dir, ...BASE_ARGS, '--allow-schedule-on-control-plane']);
    expect(code).toBe(0);
    const saved = await readFile(join(dir, 'etc/kubernetes/nodeadm/config.yaml'), 'utf8');
    expect(saved).toMatch(/^podNetwork: bridge$/m);
    expect(saved).toMatch(/^allowScheduleOnControlPlane: true$/m);
    expect(saved).toMatch(/^ {2}podSubnet: 10\.244\.0\.0\/16$/m);
  });
});

describe('init phase addon --dry-run', () => {
  it('shows the addon objects and the CNI file and writes nothing', async () => {
    const dir = await root();
    const { code, out } = await runCli(['init', 'phase', 'addon', '--root', dir, '--dry-run', ...BASE_ARGS]);
    expect(code, out).toBe(0);
    expect(out).toContain('/etc/kubernetes/nodeadm/addons/coredns.yaml');
    expect(out).toContain('kind: DaemonSet');
    expect(out).toContain('"type": "portmap"');
    await expect(stat(join(dir, 'etc'))).rejects.toThrow();
  });
});

describe('bad input', () => {
  it.each([
    [['--pod-network', 'calico'], /^--pod-network: invalid value "calico": must be one of bridge, none$/],
    [['--standalone', '--pod-network', 'bridge'], /^--pod-network: not used on a standalone node/],
  ])('%j exits 2 with one line', async (args, message) => {
    const dir = await root();
    const { code, err } = await runCli(['init', '--root', dir, ...BASE_ARGS, ...args]);
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err.trim().replace(/^error: /i, '')).toMatch(message);
  });
});
