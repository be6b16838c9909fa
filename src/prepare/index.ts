/**
 * prepare-host: turn a fresh Debian/Ubuntu VM into one that can run the node — containerd,
 * the kubelet and crictl of the chosen version, kernel modules, sysctls, swap off. Every file
 * goes through the host layer and every change is a mutating host.run, so --dry-run shows the
 * whole plan; each step looks first, so a second run changes nothing.
 */
import type { NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';
import type { Reporter } from '../workflow/reporter.js';
import {
  aptInstall,
  aptUpdate,
  dockerRepository,
  ensureRepository,
  httpsFetch,
  installedVersion,
  kubernetesRepository,
  missingPackages,
  runChecked,
  tell,
  wantedPackages,
  type FetchText,
} from './apt.js';
import { ensureModules, ensureSysctls } from './kernel.js';
import { detectDistro, type Distro } from './os.js';
import { buildContainerdConfig, buildCrictlConfig, CONTAINERD_CONFIG, CRICTL_CONFIG } from './runtime.js';
import { disableSwap } from './swap.js';

export { buildContainerdConfig, buildCrictlConfig, CONTAINERD_CONFIG, CRICTL_CONFIG, pauseImage } from './runtime.js';
export { detectDistro, parseOsRelease, SUPPORTED_DISTROS, type Distro } from './os.js';
export { kubernetesRepository, dockerRepository, keyringPath, sourcesPath, wantedPackages, minorOf, type FetchText } from './apt.js';
export { commentOutSwap, activeSwaps } from './swap.js';
export { MODULES_FILE, SYSCTL_FILE, sysctls } from './kernel.js';

export interface PrepareEnv {
  host: Host;
  config: NodeConfig;
  fetchText?: FetchText;
}

/** Needed before apt can talk to an https repository at all. */
const BOOTSTRAP_PACKAGES = ['ca-certificates'];
/** Held so an unattended upgrade never moves the kubelet past the control plane. */
const HELD = ['kubelet', 'cri-tools', 'kubernetes-cni'];

async function ensurePackages(env: PrepareEnv, distro: Distro, out: Reporter): Promise<void> {
  const { host, config } = env;
  const fetchText = env.fetchText ?? httpsFetch;
  out.info(`${distro.title}: containerd from ${distro.containerd === 'docker' ? "Docker's repository (containerd.io)" : 'the distribution'}, kubelet and cri-tools from pkgs.k8s.io (${config.kubernetesVersion.info.packageChannel})`);

  if ((await installedVersion(host, 'ca-certificates')) === undefined) {
    await aptUpdate(host);
    await aptInstall(host, BOOTSTRAP_PACKAGES);
  }
  const repos = [kubernetesRepository(config.kubernetesVersion)];
  if (distro.containerd === 'docker') {
    const arch = (await host.run(['dpkg', '--print-architecture'])).stdout.trim() || 'amd64';
    repos.push(dockerRepository(distro, arch));
  }
  let listsStale = false;
  for (const repo of repos) listsStale = (await ensureRepository(host, repo, fetchText, out)) || listsStale;

  const missing = await missingPackages(host, wantedPackages(distro, config.kubernetesVersion));
  if (missing.length > 0) {
    await aptUpdate(host);
    await aptInstall(host, missing.map((p) => p.request));
    const list = missing.map((p) => (p.installed ? `${p.request} (was ${p.installed})` : p.request)).join(', ');
    tell(host, out, `installed ${list}`, `install ${list}`);
  } else if (listsStale) {
    // New sources with nothing to install: refresh the lists so the next apt run sees them.
    await aptUpdate(host);
  }
  const held = new Set((await host.run(['apt-mark', 'showhold'])).stdout.split('\n').map((l) => l.trim()));
  const toHold = HELD.filter((p) => !held.has(p));
  if (toHold.length > 0) await runChecked(host, ['apt-mark', 'hold', ...toHold], 'hold them by hand: apt-mark hold ' + toHold.join(' '));
}

async function ensureContainerd(env: PrepareEnv, out: Reporter): Promise<void> {
  const { host, config } = env;
  await host.ensureDir('/etc/containerd', 0o755);
  const action = await host.writeFile(CONTAINERD_CONFIG, buildContainerdConfig(config), { mode: 0o644 });
  await host.writeFile(CRICTL_CONFIG, buildCrictlConfig(config), { mode: 0o644 });
  const active = (await host.run(['systemctl', 'is-active', 'containerd'])).stdout.trim() === 'active';
  const enabled = (await host.run(['systemctl', 'is-enabled', 'containerd'])).stdout.trim() === 'enabled';
  const hint = 'see "systemctl status containerd" and "journalctl -u containerd"';
  if (!enabled) await runChecked(host, ['systemctl', 'enable', 'containerd'], hint);
  if (action !== 'unchanged' || !active) {
    await runChecked(host, ['systemctl', 'restart', 'containerd'], hint);
    tell(host, out, `containerd ${active ? 'restarted' : 'started'} with ${CONTAINERD_CONFIG}`, `${active ? 'restart' : 'start'} containerd with ${CONTAINERD_CONFIG}`);
  }
}

/** The steps, in order: the OS (refused before any change), kernel (containerd wants overlay), packages, runtime config, swap. */
export async function prepareHost(env: PrepareEnv, out: Reporter): Promise<void> {
  const distro = await detectDistro(env.host);
  await ensureModules(env.host, out);
  await ensureSysctls(env.host, env.config, out);
  await ensurePackages(env, distro, out);
  await ensureContainerd(env, out);
  await disableSwap(env.host, out);
}
