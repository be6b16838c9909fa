import fs from 'node:fs/promises';
import path from 'node:path';
import { deriveValues } from '../../src/config/derive.js';
import type { NodeConfig } from '../../src/config/types.js';
import { createFakeRunner, createHost, type FakeResponse, type FakeRunner } from '../../src/host/index.js';
import type { PreflightEnv } from '../../src/preflight/index.js';
import type { Reporter } from '../../src/workflow/reporter.js';
import { sampleConfig } from '../fixtures/node-config.js';

export const CRI_INFO = 'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock info';
export const KUBELET_VERSION = '/usr/bin/kubelet --version';
export const GETENT = 'getent hosts cp-1';
export const BINARIES = ['/usr/bin/kubelet', '/usr/bin/crictl', '/usr/sbin/ip', '/usr/sbin/iptables', '/usr/bin/mount', '/usr/bin/nsenter', '/usr/sbin/ethtool', '/usr/bin/socat', '/usr/sbin/tc', '/usr/bin/touch'];

/** A root that looks like a healthy, prepared VM: fake /proc, the binaries, nothing of Kubernetes yet. */
export async function healthyRoot(root: string): Promise<void> {
  const files: Record<string, string> = {
    '/proc/cpuinfo': 'processor\t: 0\nmodel name\t: x\n\nprocessor\t: 1\nmodel name\t: x\n',
    '/proc/meminfo': 'MemTotal:        4026532 kB\nMemFree:          100000 kB\n',
    '/proc/swaps': 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n',
    '/proc/sys/net/ipv4/ip_forward': '1\n',
    '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory pids\n',
    ...Object.fromEntries(BINARIES.map((b) => [b, ''])),
  };
  for (const [file, content] of Object.entries(files)) await put(root, file, content);
}

export async function put(root: string, nodePath: string, content: string): Promise<void> {
  const abs = path.join(root, nodePath);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, content);
}

export function healthyCommands(overrides: Record<string, FakeResponse> = {}): Record<string, FakeResponse> {
  return {
    [GETENT]: { stdout: '192.0.2.10 cp-1' },
    [CRI_INFO]: { stdout: '{"status":{}}' },
    [KUBELET_VERSION]: { stdout: 'Kubernetes v1.36.5' },
    ...overrides,
  };
}

export interface TestEnv {
  env: PreflightEnv;
  runner: FakeRunner;
  out: Reporter & { infos: string[]; warnings: string[] };
}

export function recordingReporter(): TestEnv['out'] {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (m) => infos.push(m), warn: (m) => warnings.push(m) };
}

export function makeEnv(
  root: string,
  options: { config?: Partial<NodeConfig>; commands?: Record<string, FakeResponse>; uid?: number; live?: boolean; dryRun?: boolean; busy?: (address: string, port: number) => string | undefined } = {},
): TestEnv {
  // 127.0.0.1 so a real bind of the advertise address works on any test machine.
  const config = sampleConfig('v1.36', { advertiseAddress: '127.0.0.1', ...options.config });
  const runner = createFakeRunner(options.commands ?? healthyCommands());
  const host = createHost({ root, runner, dryRun: options.dryRun ?? false });
  const busy = options.busy ?? (() => undefined);
  return {
    env: { host, config, derived: deriveValues(config), live: options.live ?? true, uid: options.uid ?? 0, bindPort: async (a, p) => busy(a, p) },
    runner,
    out: recordingReporter(),
  };
}
