import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE_ARGS, cleanup, runCli, tempRoot } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempRoot('nodeadm-bad-');
});
afterAll(() => cleanup(dir));

/** Each case: the args, and a fragment the one-line error must contain (the flag or field). */
const FLAG_CASES: Array<[string, string[], string]> = [
  ['advertise address not an IP', ['--advertise-address', '192.0.2.300'], '--advertise-address'],
  ['advertise address unspecified', ['--advertise-address', '0.0.0.0'], '--advertise-address'],
  ['node name with capitals', ['--node-name', 'CP_1'], '--node-name'],
  ['kubernetes version too old', ['--kubernetes-version', 'v1.28.0'], '--kubernetes-version'],
  ['kubernetes version garbage', ['--kubernetes-version', 'latest-ish'], '--kubernetes-version'],
  ['pod subnet not a CIDR', ['--pod-subnet', '10.244.0.0'], '--pod-subnet'],
  ['pod subnet overlapping services', ['--pod-subnet', '10.96.0.0/16'], '--pod-subnet'],
  ['service subnet too large', ['--service-subnet', '10.0.0.0/8'], '--service-subnet'],
  ['service subnet not a CIDR', ['--service-subnet', 'ten'], '--service-subnet'],
  ['control-plane endpoint bad port', ['--control-plane-endpoint', 'cp.example.com:99999'], '--control-plane-endpoint'],
  ['control-plane endpoint bad host', ['--control-plane-endpoint', 'bad_host!'], '--control-plane-endpoint'],
  ['SAN that is neither IP nor name', ['--apiserver-cert-extra-sans', 'ok.example.com,not valid'], '--apiserver-cert-extra-sans'],
  ['CRI socket not a unix URL', ['--cri-socket', 'tcp://1.2.3.4:1'], '--cri-socket'],
  ['image repository with spaces', ['--image-repository', 'my registry'], '--image-repository'],
  ['extra scheduler named default-scheduler', ['--extra-scheduler', 'default-scheduler'], '--extra-scheduler'],
  ['extra scheduler not a DNS label', ['--extra-scheduler', 'My.Scheduler'], '--extra-scheduler'],
  ['extra scheduler twice', ['--extra-scheduler', 'a', '--extra-scheduler', 'a'], '--extra-scheduler'],
  ['unknown phase to skip', ['--skip-phases', 'certs,nope'], '--skip-phases'],
  ['unknown sub-phase to skip', ['--skip-phases', 'certs/nope'], '--skip-phases'],
  ['unknown flag', ['--pod-sbnet', '10.244.0.0/16'], '--pod-sbnet'],
  ['bad output format', ['-o', 'xml'], 'xml'],
];

describe('bad input exits 2 with one line naming the flag, and writes nothing', () => {
  for (const [name, args, fragment] of FLAG_CASES) {
    it(name, async () => {
      const root = join(dir, name.replace(/\W+/g, '-'));
      const { code, err } = await runCli(['init', '--root', root, ...BASE_ARGS, ...args]);
      expect(code).toBe(2);
      const lines = err.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('(Did you mean'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(fragment);
      await expect(readdir(root)).rejects.toThrow(/ENOENT/);
    });
  }

  it('refuses an unknown phase for init phase, listing the valid ones', async () => {
    const root = join(dir, 'phase');
    const { code, err } = await runCli(['init', 'phase', 'certz', '--root', root, ...BASE_ARGS]);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown phase "certz" \(valid: preflight, prepare-host, save-config, certs, kubeconfig/);
    const sub = await runCli(['init', 'phase', 'certs', 'apiservr', '--root', root, ...BASE_ARGS]);
    expect(sub.code).toBe(2);
    expect(sub.err).toMatch(/unknown sub-phase "apiservr" \(valid: all, ca, apiserver,/);
    await expect(readdir(root)).rejects.toThrow(/ENOENT/);
  });
});

const FILE_CASES: Array<[string, string, string]> = [
  ['malformed YAML', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking: [unclosed\n', 'malformed YAML'],
  ['wrong apiVersion', 'apiVersion: kubeadm.k8s.io/v1beta4\nkind: NodeConfiguration\n', 'apiVersion'],
  ['wrong kind', 'apiVersion: nodeadm.io/v1alpha1\nkind: InitConfiguration\n', 'kind'],
  ['unknown top-level field', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\npodSubnet: 10.244.0.0/16\n', 'unknown field "podSubnet"'],
  ['unknown nested field', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking:\n  podCIDR: 10.244.0.0/16\n', 'networking.podCIDR'],
  ['bad nested value', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking:\n  serviceSubnet: 10.96.0.0/33\n', 'networking.serviceSubnet'],
  ['bad bindPort', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nbindPort: 0\n', 'bindPort'],
  ['bad certSANs entry', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\napiServer:\n  certSANs: [good.example.com, "bad name"]\n', 'apiServer.certSANs[1]'],
  ['bad prepareHost', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nprepareHost: maybe\n', 'prepareHost'],
  ['bad skipPhases', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nskipPhases: [etcd/remote]\n', 'skipPhases'],
  ['bad dnsDomain', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking:\n  dnsDomain: Cluster..Local\n', 'networking.dnsDomain'],
  ['bad clusterName', 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nclusterName: "a b"\n', 'clusterName'],
];

describe('bad config files exit 2 naming the field, and write nothing', () => {
  for (const [name, text, fragment] of FILE_CASES) {
    it(name, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
      await writeFile(file, text);
      const root = join(dir, `root-${name.replace(/\W+/g, '-')}`);
      const { code, err } = await runCli(['init', '--root', root, '--config', file, ...BASE_ARGS]);
      expect(code).toBe(2);
      expect(err.split('\n').filter((l) => l.trim() !== '')).toHaveLength(1);
      expect(err).toContain(fragment);
      await expect(readdir(root)).rejects.toThrow(/ENOENT/);
      const validate = await runCli(['config', 'validate', '--config', file]);
      expect(validate.code).toBe(2);
      expect(validate.err).toContain(fragment);
    });
  }

  it('config validate checks skipPhases against the standalone phases for a standalone config', async () => {
    const file = join(dir, 'standalone.yaml');
    await writeFile(file, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nstandalone: true\nskipPhases: [wait-kubelet]\n');
    expect((await runCli(['config', 'validate', '--config', file])).code).toBe(0);
    await writeFile(file, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nstandalone: true\nskipPhases: [etcd]\n');
    const bad = await runCli(['config', 'validate', '--config', file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/skipPhases: unknown phase "etcd" \(valid: .*wait-kubelet\)/);
  });

  it('a missing config file is named', async () => {
    const { code, err } = await runCli(['init', '--root', join(dir, 'x'), '--config', join(dir, 'absent.yaml'), ...BASE_ARGS]);
    expect(code).toBe(2);
    expect(err).toMatch(/--config: cannot read .*absent\.yaml: ENOENT/);
  });

  it('flags override the file, and a valid file validates', async () => {
    const file = join(dir, 'good.yaml');
    await writeFile(file, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking:\n  podSubnet: 10.96.0.0/16\n');
    // The file's pod subnet overlaps the services, but the flag replaces it.
    const { code } = await runCli(['init', 'phase', 'save-config', '--root', join(dir, 'override'), '--config', file, '--pod-subnet', '10.244.0.0/16', ...BASE_ARGS]);
    expect(code).toBe(0);
    const bad = await runCli(['config', 'validate', '--config', file]);
    expect(bad.code).toBe(2);
    await writeFile(file, 'apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n');
    const good = await runCli(['config', 'validate', '--config', file]);
    expect(good.code).toBe(0);
    expect(good.out).toContain('valid');
  });
});
