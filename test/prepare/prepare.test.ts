/** prepare-host against a fake Debian/Ubuntu: fresh, second run, dry-run, unsupported, failures. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createFakeRunner, createHost, type FakeResponse } from '../../src/host/index.js';
import { buildContainerdConfig, commentOutSwap, prepareHost } from '../../src/prepare/index.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { snapshotTree, useTempDirs } from '../host/helpers.js';
import { put, recordingReporter } from '../preflight/helpers.js';

const tempDir = useTempDirs();

const KEY = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGMHoXcBCADukGOEQyleViOgtkMVa7hKifP6POCTh+98xNW4TfHK/nBJN2sm\n-----END PGP PUBLIC KEY BLOCK-----\n';
const fetched: string[] = [];
const fetchText = async (url: string): Promise<string> => {
  fetched.push(url);
  return KEY;
};

const OS = {
  noble: 'PRETTY_NAME="Ubuntu 24.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n',
  bookworm: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
  rocky: 'NAME="Rocky Linux"\nVERSION_ID="9.4"\nID="rocky"\nPRETTY_NAME="Rocky Linux 9.4 (Blue Onyx)"\n',
};

const FSTAB = 'UUID=abcd / ext4 errors=remount-ro 0 1\n/swap.img\tnone\tswap\tsw\t0\t0\n# /dev/sdb1 none swap sw 0 0\n';

/** A fresh VM: swap on, forwarding off, modules not loaded, none of the packages. */
async function freshRoot(os: string): Promise<string> {
  const root = await tempDir();
  await put(root, '/etc/os-release', os);
  await put(root, '/etc/fstab', FSTAB);
  await fs.chmod(path.join(root, 'etc/fstab'), 0o644);
  await put(root, '/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n/swap.img file 2097148 0 -2\n');
  await put(root, '/proc/sys/net/ipv4/ip_forward', '0\n');
  return root;
}

const dpkg = (pkg: string): string => `dpkg-query -W -f=\${Status}\t\${Version} ${pkg}`;
const installed = (version: string): FakeResponse => ({ stdout: `install ok installed\t${version}` });
const absent: FakeResponse = { exitCode: 1, stderr: 'dpkg-query: no packages found matching' };
const APT = 'env DEBIAN_FRONTEND=noninteractive apt-get';
const INSTALL = `${APT} install -y --allow-change-held-packages -o Dpkg::Options::=--force-confold`;

function freshCommands(extra: Record<string, FakeResponse> = {}): Record<string, FakeResponse> {
  return {
    'modprobe overlay': {},
    'modprobe br_netfilter': {},
    'sysctl -p /etc/sysctl.d/99-nodeadm.conf': {},
    [dpkg('ca-certificates')]: installed('20240203'),
    [dpkg('containerd')]: absent,
    [dpkg('kubelet')]: absent,
    [dpkg('cri-tools')]: absent,
    [dpkg('kubernetes-cni')]: absent,
    [`${APT} update`]: {},
    [`${INSTALL} containerd kubelet=1.36.5-* cri-tools kubernetes-cni`]: {},
    'apt-mark showhold': { stdout: '' },
    'apt-mark hold kubelet cri-tools kubernetes-cni': {},
    'systemctl is-active containerd': { exitCode: 3, stdout: 'inactive' },
    'systemctl is-enabled containerd': { exitCode: 1, stdout: 'disabled' },
    'systemctl enable containerd': {},
    'systemctl restart containerd': {},
    'swapoff -a': {},
    'systemctl list-units --type=swap --all --plain --no-legend --no-pager': { stdout: 'swap.img.swap loaded active active /swap.img\n' },
    'systemctl mask swap.img.swap': {},
    ...extra,
  };
}

/** The same VM once prepare-host has run: what the kernel and dpkg would now say. */
async function settle(root: string): Promise<Record<string, FakeResponse>> {
  await put(root, '/proc/swaps', 'Filename\tType\tSize\tUsed\tPriority\n');
  for (const key of ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables']) await put(root, `/proc/sys/${key}`, '1\n');
  await fs.mkdir(path.join(root, 'sys/module/overlay'), { recursive: true });
  await fs.mkdir(path.join(root, 'sys/module/br_netfilter'), { recursive: true });
  return {
    [dpkg('ca-certificates')]: installed('20240203'),
    [dpkg('containerd')]: installed('2.2.1-0ubuntu1~24.04.3'),
    [dpkg('kubelet')]: installed('1.36.5-1.1'),
    [dpkg('cri-tools')]: installed('1.36.0-1.1'),
    [dpkg('kubernetes-cni')]: installed('1.8.0-1.1'),
    'apt-mark showhold': { stdout: 'cri-tools\nkubelet\nkubernetes-cni\n' },
    'systemctl is-active containerd': { stdout: 'active' },
    'systemctl is-enabled containerd': { stdout: 'enabled' },
    'systemctl list-units --type=swap --all --plain --no-legend --no-pager': { stdout: 'swap.img.swap masked inactive dead swap.img.swap\n' },
  };
}

const mutating = (calls: Array<{ argv: string[]; options: { mutating?: boolean } }>): string[] => calls.filter((c) => c.options.mutating).map((c) => c.argv.join(' '));

describe('prepare-host on Ubuntu 24.04', () => {
  it('installs and configures a fresh VM, every change a file or a command', async () => {
    const root = await freshRoot(OS.noble);
    const runner = createFakeRunner(freshCommands());
    const out = recordingReporter();
    await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, out);

    expect(mutating(runner.calls)).toEqual([
      'modprobe overlay',
      'modprobe br_netfilter',
      'sysctl -p /etc/sysctl.d/99-nodeadm.conf',
      `${APT} update`,
      `${INSTALL} containerd kubelet=1.36.5-* cri-tools kubernetes-cni`,
      'apt-mark hold kubelet cri-tools kubernetes-cni',
      'systemctl enable containerd',
      'systemctl restart containerd',
      'swapoff -a',
      'systemctl mask swap.img.swap',
    ]);
    const read = (p: string): Promise<string> => fs.readFile(path.join(root, p), 'utf8');
    expect(await read('etc/apt/sources.list.d/kubernetes-nodeadm.list')).toBe(
      '# Written by nodeadm --prepare-host.\ndeb [signed-by=/etc/apt/keyrings/kubernetes-nodeadm.asc] https://pkgs.k8s.io/core:/stable:/v1.36/deb/ /\n',
    );
    expect(await read('etc/apt/keyrings/kubernetes-nodeadm.asc')).toBe(KEY);
    expect(fetched).toContain('https://pkgs.k8s.io/core:/stable:/v1.36/deb/Release.key');
    expect(await read('etc/containerd/config.toml')).toContain('sandbox_image = "registry.k8s.io/pause:3.10.2"');
    expect(await read('etc/crictl.yaml')).toBe('runtime-endpoint: unix:///var/run/containerd/containerd.sock\nimage-endpoint: unix:///var/run/containerd/containerd.sock\ntimeout: 10\n');
    expect(await read('etc/modules-load.d/nodeadm.conf')).toMatch(/\noverlay\nbr_netfilter\n$/);
    expect(await read('etc/sysctl.d/99-nodeadm.conf')).toMatch(/\nnet\.bridge\.bridge-nf-call-iptables = 1\nnet\.bridge\.bridge-nf-call-ip6tables = 1\nnet\.ipv4\.ip_forward = 1\n$/);
    expect(await read('etc/fstab')).toBe('UUID=abcd / ext4 errors=remount-ro 0 1\n# disabled by nodeadm (swap): /swap.img\tnone\tswap\tsw\t0\t0\n# /dev/sdb1 none swap sw 0 0\n');
    expect(out.infos).toContain('turned swap off (/swap.img)');
  });

  it('a second run changes no file and runs no mutating command', async () => {
    const root = await freshRoot(OS.noble);
    await prepareHost({ host: createHost({ root, runner: createFakeRunner(freshCommands()) }), config: sampleConfig('v1.36'), fetchText }, recordingReporter());
    const settled = await settle(root);
    const before = await snapshotTree(root);
    const runner = createFakeRunner(freshCommands(settled));
    await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, recordingReporter());
    expect(mutating(runner.calls)).toEqual([]);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('a kubelet of another minor is replaced by the chosen one; the rest stays', async () => {
    const root = await freshRoot(OS.noble);
    await prepareHost({ host: createHost({ root, runner: createFakeRunner(freshCommands()) }), config: sampleConfig('v1.36'), fetchText }, recordingReporter());
    const settled = await settle(root);
    const runner = createFakeRunner(
      freshCommands({ ...settled, [dpkg('kubelet')]: installed('1.35.3-1.1'), [dpkg('cri-tools')]: installed('1.35.0-1.1'), [`${INSTALL} kubelet=1.36.5-* cri-tools`]: {} }),
    );
    const out = recordingReporter();
    await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, out);
    expect(mutating(runner.calls)).toEqual([`${APT} update`, `${INSTALL} kubelet=1.36.5-* cri-tools`]);
    expect(out.infos).toContain('installed kubelet=1.36.5-* (was 1.35.3-1.1), cri-tools (was 1.35.0-1.1)');
  });

  it('--dry-run lists every command and file, runs only read-only commands, writes nothing', async () => {
    const root = await freshRoot(OS.noble);
    const before = await snapshotTree(root);
    const runner = createFakeRunner(freshCommands());
    const events: string[] = [];
    const host = createHost({
      root,
      runner,
      dryRun: true,
      onEvent: (e) => events.push(e.type === 'command' ? `${e.command.ran ? 'ran' : 'would run'}: ${e.command.argv.join(' ')}` : `${e.change.action} ${e.change.path}`),
    });
    await prepareHost({ host, config: sampleConfig('v1.36'), fetchText }, recordingReporter());
    expect(await snapshotTree(root)).toEqual(before);
    expect(mutating(runner.calls)).toEqual([]);
    expect(events).toEqual(expect.arrayContaining([
      'would run: modprobe br_netfilter',
      `would run: ${INSTALL} containerd kubelet=1.36.5-* cri-tools kubernetes-cni`,
      'would run: swapoff -a',
      'would run: systemctl mask swap.img.swap',
      'created /etc/containerd/config.toml',
      'updated /etc/fstab',
      'created /etc/apt/sources.list.d/kubernetes-nodeadm.list',
    ]));
  });
});

describe('prepare-host elsewhere', () => {
  it('Debian takes containerd.io from Docker\'s repository, with the machine\'s architecture', async () => {
    const root = await freshRoot(OS.bookworm);
    const runner = createFakeRunner(
      freshCommands({
        'dpkg --print-architecture': { stdout: 'arm64' },
        [dpkg('containerd.io')]: absent,
        [`${INSTALL} containerd.io kubelet=1.34.8-* cri-tools kubernetes-cni`]: {},
      }),
    );
    await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.34'), fetchText }, recordingReporter());
    expect(await fs.readFile(path.join(root, 'etc/apt/sources.list.d/docker-nodeadm.list'), 'utf8')).toContain(
      'deb [arch=arm64 signed-by=/etc/apt/keyrings/docker-nodeadm.asc] https://download.docker.com/linux/debian bookworm stable',
    );
    expect(await fs.readFile(path.join(root, 'etc/apt/sources.list.d/kubernetes-nodeadm.list'), 'utf8')).toContain('https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /');
    expect(await fs.readFile(path.join(root, 'etc/containerd/config.toml'), 'utf8')).toContain('"registry.k8s.io/pause:3.10.1"');
    expect(mutating(runner.calls)).toContain(`${INSTALL} containerd.io kubelet=1.34.8-* cri-tools kubernetes-cni`);
  });

  it('bootstraps ca-certificates before adding https repositories', async () => {
    const root = await freshRoot(OS.noble);
    const runner = createFakeRunner(freshCommands({ [dpkg('ca-certificates')]: absent, [`${INSTALL} ca-certificates`]: {} }));
    await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, recordingReporter());
    expect(mutating(runner.calls).slice(3, 6)).toEqual([`${APT} update`, `${INSTALL} ca-certificates`, `${APT} update`]);
  });

  it('an unsupported OS is a clear error naming what is supported, before any change', async () => {
    const root = await freshRoot(OS.rocky);
    const before = await snapshotTree(root);
    const runner = createFakeRunner(freshCommands());
    const error = await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, recordingReporter()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as OperationalError).message).toBe('--prepare-host: Rocky Linux 9.4 (Blue Onyx) is not supported');
    expect((error as OperationalError).hint).toMatch(/supports Debian 12 \(bookworm\), Debian 13 \(trixie\), Ubuntu 22\.04 \(jammy\), Ubuntu 24\.04 \(noble\)/);
    expect(runner.calls).toEqual([]);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('an apt failure shows apt\'s own last lines', async () => {
    const root = await freshRoot(OS.noble);
    const runner = createFakeRunner(freshCommands({ [`${APT} update`]: { exitCode: 100, stderr: 'W: GPG error: https://pkgs.k8s.io/core:/stable:/v1.36/deb  InRelease: Signature Packet v3 is not considered secure\nE: The repository is not signed.' } }));
    const error = (await prepareHost({ host: createHost({ root, runner }), config: sampleConfig('v1.36'), fetchText }, recordingReporter()).catch((e: unknown) => e)) as OperationalError;
    expect(error.message).toMatch(/^env DEBIAN_FRONTEND=noninteractive apt-get update exited 100:\n.*Signature Packet v3 is not considered secure\nE: The repository is not signed\.$/);
  });

  it('refuses a key download that is not an OpenPGP key', async () => {
    const root = await freshRoot(OS.noble);
    const error = (await prepareHost({ host: createHost({ root, runner: createFakeRunner(freshCommands()) }), config: sampleConfig('v1.36'), fetchText: async () => '<html>login</html>' }, recordingReporter()).catch((e: unknown) => e)) as OperationalError;
    expect(error.message).toMatch(/Release\.key did not return an armored OpenPGP key/);
  });
});

describe('files prepare-host writes', () => {
  it('containerd config: CRI on, systemd cgroups, the pause image, the CNI dirs (version 2 form)', () => {
    expect(buildContainerdConfig(sampleConfig('v1.35', { imageRepository: 'mirror.example.com/k8s' }))).toBe(
      [
        "# Written by nodeadm --prepare-host: CRI on, systemd cgroups, the Kubernetes version's pause image.",
        'version = 2',
        '[plugins."io.containerd.grpc.v1.cri"]',
        '  sandbox_image = "mirror.example.com/k8s/pause:3.10.1"',
        '  [plugins."io.containerd.grpc.v1.cri".cni]',
        '    bin_dir = "/opt/cni/bin"',
        '    conf_dir = "/etc/cni/net.d"',
        '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
        '    runtime_type = "io.containerd.runc.v2"',
        '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
        '      SystemdCgroup = true',
        '',
      ].join('\n'),
    );
  });

  it('fstab: only active swap lines are commented out', () => {
    expect(commentOutSwap('/dev/sda1 / ext4 defaults 0 1\n').changed).toEqual([]);
    expect(commentOutSwap('  /dev/sda2 none swap sw 0 0\n#/x none swap sw 0 0\n').text).toBe('# disabled by nodeadm (swap):   /dev/sda2 none swap sw 0 0\n#/x none swap sw 0 0\n');
  });
});

describe('dry-run without network', () => {
  it('warns that the key could not be fetched and still shows the rest of the plan; a real run stops', async () => {
    const root = await freshRoot(OS.noble);
    const offline = async (): Promise<string> => {
      throw new TypeError('fetch failed');
    };
    const out = recordingReporter();
    const host = createHost({ root, runner: createFakeRunner(freshCommands()), dryRun: true });
    await prepareHost({ host, config: sampleConfig('v1.36'), fetchText: offline }, out);
    expect(out.warnings).toEqual([expect.stringMatching(/^would download https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.36\/deb\/Release\.key to \/etc\/apt\/keyrings\/kubernetes-nodeadm\.asc, but a real run would stop here: .*fetch failed/)]);
    expect(out.infos).toContain('would install containerd, kubelet=1.36.5-*, cri-tools, kubernetes-cni');
    const real = createHost({ root, runner: createFakeRunner(freshCommands()) });
    await expect(prepareHost({ host: real, config: sampleConfig('v1.36'), fetchText: offline }, recordingReporter())).rejects.toThrow(/cannot download the signing key .*: fetch failed/);
  });
});
