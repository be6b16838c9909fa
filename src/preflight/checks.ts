/**
 * The preflight checks (kubeadm checks.go, reference/kubeadm.md §5), as data. Names match
 * kubeadm's where the check is the same, so --ignore-preflight-errors keeps working for
 * kubeadm users. Everything is read through the host, with node-absolute paths, so a test
 * root can hold a fake /proc.
 */
import { isIPv6Address } from '../config/net.js';
import { UsageError } from '../errors.js';
import { CommandNotFoundError } from '../host/index.js';
import { COMPONENT, CONTROLLER_MANAGER_PORT, ETCD_CLIENT_PORT, ETCD_PEER_PORT, SCHEDULER_PORT } from '../manifests/constants.js';
import { ETCD_DATA_DIR } from '../paths.js';
import { planExtraSchedulers } from '../schedulers/manage.js';
import { readNodeState, type NodeState } from './ownership.js';
import { pathCheckName, REQUIRED_BINARIES } from './names.js';
import type { Check, PreflightEnv, Problem } from './types.js';

export const MIN_CPUS = 2;
/** kubeadm's ThresholdMemory (Linux). */
export const MIN_MEMORY_MB = 1700;
export const KUBELET_PORT = 10250;
/** The kubelet may be up to three minors older than the control plane, never newer (version skew policy). */
export const MAX_KUBELET_MINORS_BEHIND = 3;
/** sudo's secure_path: where a root shell finds commands. */
export const BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** The drop-in starts /usr/bin/kubelet (the pkgs.k8s.io package's path). */
export const KUBELET_BIN = '/usr/bin/kubelet';

const PREPARE = 'or re-run with --prepare-host';

const problem = (message: string, fix: string, name?: string): Problem => ({ ...(name !== undefined ? { name } : {}), message, fix });

async function readProc(env: PreflightEnv, path: string): Promise<string> {
  const text = await env.host.readText(path);
  if (text === undefined) throw new Error(`${path} is missing`);
  return text;
}

// --- the node's resources and identity ---

const isPrivilegedUser: Check = {
  name: 'IsPrivilegedUser',
  severity: 'error',
  liveHostOnly: true,
  async run({ uid }) {
    return uid === undefined || uid === 0 ? [] : [problem(`nodeadm runs as user id ${uid}, not root`, 'run it with sudo, or pass --root DIR to render a node image into a directory you own')];
  },
};

const numCpu: Check = {
  name: 'NumCPU',
  severity: 'error',
  liveHostOnly: true,
  async run(env) {
    if (env.config.standalone) return [];
    const count = (await readProc(env, '/proc/cpuinfo')).split('\n').filter((l) => /^processor\s*:/.test(l)).length;
    return count >= MIN_CPUS ? [] : [problem(`the control plane needs at least ${MIN_CPUS} CPUs; this machine has ${count}`, 'give the VM more CPUs (e.g. vb.cpus = 2 in a Vagrantfile)')];
  },
};

const mem: Check = {
  name: 'Mem',
  severity: 'error',
  liveHostOnly: true,
  async run(env) {
    if (env.config.standalone) return [];
    const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(await readProc(env, '/proc/meminfo'));
    if (!m) return [problem('/proc/meminfo has no MemTotal line', 'check that /proc is mounted')];
    const mb = Math.floor(Number(m[1]) / 1024);
    return mb >= MIN_MEMORY_MB ? [] : [problem(`the control plane needs at least ${MIN_MEMORY_MB} MB of memory; this machine has ${mb} MB`, 'give the VM more memory (2048 MB or more)')];
  },
};

const hostnameCheck: Check = {
  name: 'Hostname',
  severity: 'warning',
  liveHostOnly: true,
  async run({ host, config }) {
    // The node name is already a valid DNS subdomain (config validation); here: can it be resolved?
    const result = await host.run(['getent', 'hosts', config.nodeName]).catch((e: unknown) => {
      if (e instanceof CommandNotFoundError) return undefined;
      throw e;
    });
    if (result === undefined || result.exitCode === 0) return [];
    return [problem(`node name "${config.nodeName}" does not resolve to an address`, `add "${config.advertiseAddress} ${config.nodeName}" to /etc/hosts`)];
  },
};

// --- kernel settings ---

const swap: Check = {
  name: 'Swap',
  // An error, not kubeadm's warning: nodeadm's KubeletConfiguration keeps failSwapOn: true,
  // so with swap on the kubelet would refuse to start (kubeadm#2580).
  severity: 'error',
  liveHostOnly: true,
  preparedByHost: true,
  async run(env) {
    const active = (await readProc(env, '/proc/swaps'))
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[0])
      .filter((d): d is string => d !== undefined && d !== '');
    if (active.length === 0) return [];
    return [problem(`swap is on (${active.join(', ')}); the kubelet (failSwapOn: true) would refuse to start`, `run "swapoff -a" and comment the swap lines out of /etc/fstab, ${PREPARE}`)];
  },
};

const ipForward: Check = {
  name: 'FileContent--proc-sys-net-ipv4-ip_forward',
  severity: 'error',
  liveHostOnly: true,
  preparedByHost: true,
  async run(env) {
    const v6 = isIPv6Address(env.config.advertiseAddress);
    const path = v6 ? '/proc/sys/net/ipv6/conf/default/forwarding' : '/proc/sys/net/ipv4/ip_forward';
    const key = v6 ? 'net.ipv6.conf.default.forwarding' : 'net.ipv4.ip_forward';
    const name = pathCheckName('FileContent', path);
    const value = (await readProc(env, path)).trim();
    if (value === '1') return [];
    return [problem(`${path} is ${value}, not 1: pods could not reach anything beyond this node`, `echo "${key} = 1" > /etc/sysctl.d/99-kubernetes.conf && sysctl --system, ${PREPARE}`, name)];
  },
};

/** cgroup v2 is what the four supported distributions boot with; v1 is deprecated. */
const cgroups: Check = {
  name: 'SystemVerification',
  severity: 'error',
  liveHostOnly: true,
  async run({ host, config }) {
    // cgroup.controllers exists only at the root of a cgroup v2 (unified) hierarchy.
    if (await host.exists('/sys/fs/cgroup/cgroup.controllers')) return [];
    const fails = config.kubernetesVersion.info.kubeletFailsOnCgroupV1;
    return [
      {
        severity: fails ? 'error' : 'warning',
        message: fails
          ? `this host uses cgroup v1; kubelet ${config.kubernetesVersion.tag} refuses to start on it (failCgroupV1 defaults to true)`
          : 'this host uses cgroup v1, which Kubernetes has deprecated (the kubelet refuses it from v1.35)',
        fix: 'boot with cgroup v2: add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX in /etc/default/grub, update-grub, reboot',
      },
    ];
  },
};

// --- software ---


async function onPath(env: PreflightEnv, exe: string): Promise<boolean> {
  const found = await Promise.all(BIN_DIRS.map((dir) => env.host.exists(`${dir}/${exe}`)));
  return found.some(Boolean);
}

const binaryChecks: Check[] = [
  {
    name: 'FileExisting-kubelet',
    severity: 'error',
    liveHostOnly: true,
    preparedByHost: true,
    async run(env) {
      return (await env.host.exists(KUBELET_BIN)) ? [] : [problem(`${KUBELET_BIN} is missing; the kubelet unit's drop-in starts it from there`, `install the kubelet package from pkgs.k8s.io, ${PREPARE}`)];
    },
  },
  ...REQUIRED_BINARIES.map(
    ({ exe, severity, pkg }): Check => ({
      name: `FileExisting-${exe}`,
      severity,
      liveHostOnly: true,
      preparedByHost: true,
      async run(env) {
        return (await onPath(env, exe)) ? [] : [problem(`${exe} is not in ${BIN_DIRS.join(':')}`, `apt-get install ${pkg}, ${PREPARE}`)];
      },
    }),
  ),
];

const cri: Check = {
  name: 'CRI',
  severity: 'error',
  liveHostOnly: true,
  preparedByHost: true,
  async run({ host, config }) {
    const fix = `install and start containerd (systemctl enable --now containerd) with the CRI plugin enabled, or pass --cri-socket; ${PREPARE}`;
    try {
      const result = await host.run(['crictl', '--runtime-endpoint', config.criSocket, 'info'], { timeoutMs: 15_000 });
      if (result.exitCode === 0) return [];
      const why = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0] ?? '';
      return [problem(`the container runtime at ${config.criSocket} does not answer: ${why}`, fix)];
    } catch (e) {
      if (e instanceof CommandNotFoundError) return [problem(`crictl is not installed, so the runtime at ${config.criSocket} cannot be asked`, `apt-get install cri-tools, ${PREPARE}`)];
      throw e;
    }
  },
};

/** "Kubernetes v1.36.5" → [1, 36, 5] */
export function parseKubeletVersion(text: string): [number, number, number] | undefined {
  const m = /v(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const kubeletVersion: Check = {
  name: 'KubeletVersion',
  severity: 'error',
  liveHostOnly: true,
  preparedByHost: true,
  async run({ host, config }) {
    const want = config.kubernetesVersion;
    const fix = `install kubelet ${want.major}.${want.minor} (apt-get install kubelet='${want.major}.${want.minor}.*' from pkgs.k8s.io/${want.info.packageChannel}), ${PREPARE}`;
    let result;
    try {
      result = await host.run([KUBELET_BIN, '--version']);
    } catch (e) {
      if (e instanceof CommandNotFoundError) return [problem(`the kubelet is not installed (${KUBELET_BIN})`, fix)];
      throw e;
    }
    const got = parseKubeletVersion(result.stdout);
    if (result.exitCode !== 0 || got === undefined) return [problem(`"${KUBELET_BIN} --version" did not print a version: ${(result.stderr || result.stdout).trim()}`, fix)];
    const [major, minor] = got;
    const tag = `v${got.join('.')}`;
    if (major !== want.major || minor > want.minor) return [problem(`kubelet ${tag} is newer than the control plane ${want.tag}; a kubelet may not be newer than the API server`, fix)];
    if (want.minor - minor > MAX_KUBELET_MINORS_BEHIND) return [problem(`kubelet ${tag} is more than ${MAX_KUBELET_MINORS_BEHIND} minor versions older than the control plane ${want.tag}`, fix)];
    return [];
  },
};

// --- the node's files and ports ---

/**
 * One reading of the node per preflight run (each renders every manifest and reads every file in
 * the manifests directory); three checks ask for it. A later run gets a fresh env, so a fresh reading.
 */
const nodeStates = new WeakMap<PreflightEnv, Promise<NodeState>>();
function nodeState(env: PreflightEnv): Promise<NodeState> {
  let state = nodeStates.get(env);
  if (!state) {
    state = readNodeState(env.host, env.config, env.derived);
    nodeStates.set(env, state);
  }
  return state;
}

/** Every file in the manifests directory that nodeadm did not write: the kubelet would run it beside the control plane. */
const foreignManifests: Check = {
  name: 'ExistingManifests',
  severity: 'error',
  liveHostOnly: false,
  async run(env) {
    // A standalone node exists to run the user's own static pods.
    if (env.config.standalone) return [];
    const state = await nodeState(env);
    return state.manifests
      .filter((m) => !m.own)
      .map((m) => {
        const path = `${env.config.staticPodPath}/${m.file}`;
        return problem(
          `${path} exists and was not written by nodeadm; the kubelet would run it next to the control plane, and nodeadm would overwrite a file of the same name`,
          `move it out of ${env.config.staticPodPath} (or remove what installed it, e.g. "kubeadm reset"), or keep it with --ignore-preflight-errors=${pathCheckName('FileAvailable', path)}`,
          pathCheckName('FileAvailable', path),
        );
      });
  },
};

const etcdDataDir: Check = {
  name: pathCheckName('DirAvailable', ETCD_DATA_DIR),
  severity: 'error',
  liveHostOnly: false,
  async run(env) {
    if (env.config.standalone) return [];
    const entries = await env.host.listDir(ETCD_DATA_DIR);
    if (entries.length === 0) return [];
    const state = await nodeState(env);
    // nodeadm's own etcd keeps its data there: a re-run reuses it.
    if (state.manifests.some((m) => m.file === 'etcd.yaml' && m.own)) return [];
    return [problem(`${ETCD_DATA_DIR} is not empty and no etcd of nodeadm's uses it; etcd would start with another cluster's data`, `move ${ETCD_DATA_DIR} aside (mv ${ETCD_DATA_DIR} ${ETCD_DATA_DIR}.old) after checking it holds nothing you need`)];
  },
};

/** One port a component of this node listens on. */
export interface PortUse {
  port: number;
  /** Where the component binds; the check binds the same address. */
  addresses: string[];
  component: string;
  /** nodeadm's manifest for it, or "kubelet". */
  owner: string;
}

/** The ports this node's components will listen on, with the addresses they bind (from the config and each extra scheduler's plan). */
export async function portUses(env: PreflightEnv): Promise<PortUse[]> {
  const { config, derived } = env;
  const any = isIPv6Address(config.advertiseAddress) ? '::' : '0.0.0.0';
  const kubelet: PortUse = { port: KUBELET_PORT, addresses: [any], component: 'kubelet', owner: 'kubelet' };
  if (config.standalone) return [kubelet];
  // A name or port clash is the extra-schedulers phase's to report (exit 2 with the field);
  // here it only means those ports are not known yet.
  const plans = await planExtraSchedulers(env.host, config, config.extraSchedulers).catch((e: unknown) => {
    if (e instanceof UsageError) return [];
    throw e;
  });
  return [
    { port: config.bindPort, addresses: [any], component: COMPONENT.apiServer, owner: 'kube-apiserver.yaml' },
    { port: ETCD_CLIENT_PORT, addresses: [derived.loopback, config.advertiseAddress], component: COMPONENT.etcd, owner: 'etcd.yaml' },
    { port: ETCD_PEER_PORT, addresses: [config.advertiseAddress], component: COMPONENT.etcd, owner: 'etcd.yaml' },
    kubelet,
    { port: CONTROLLER_MANAGER_PORT, addresses: ['127.0.0.1'], component: COMPONENT.controllerManager, owner: 'kube-controller-manager.yaml' },
    { port: SCHEDULER_PORT, addresses: ['127.0.0.1'], component: COMPONENT.scheduler, owner: 'kube-scheduler.yaml' },
    ...plans.map((p) => ({ port: p.port, addresses: ['127.0.0.1'], component: p.pod.metadata.name, owner: `${p.pod.metadata.name}.yaml` })),
  ];
}

function isOwn(state: NodeState, use: PortUse): boolean {
  if (use.owner === 'kubelet') return state.ownKubelet;
  return state.manifests.some((m) => m.file === use.owner && m.own);
}

/** Port-N for every port of the node; a port held by nodeadm's own component (a re-run) is not a problem. */
export async function portChecks(env: PreflightEnv): Promise<Check[]> {
  const uses = await portUses(env);
  const state = await nodeState(env);
  return uses.map(
    (use): Check => ({
      name: `Port-${use.port}`,
      severity: 'error',
      liveHostOnly: true,
      async run({ bindPort }) {
        if (isOwn(state, use)) return [];
        const problems: Problem[] = [];
        for (const address of new Set(use.addresses)) {
          const why = await bindPort(address, use.port);
          if (why === undefined) continue;
          const notHere = why.includes('EADDRNOTAVAIL');
          problems.push(
            notHere
              ? problem(`${use.component} cannot listen on ${address}:${use.port}: ${address} is not an address of this machine`, `pass --advertise-address with one of this machine's IPs (ip -br addr)`)
              : problem(`port ${use.port} on ${address} is in use (${why}); ${use.component} needs it`, `find the process with "ss -ltnp 'sport = :${use.port}'" and stop it`),
          );
          break;
        }
        return problems;
      },
    }),
  );
}

/** The fixed checks, in the order they are reported. Port checks depend on the node and come from portChecks. */
export const FIXED_CHECKS: readonly Check[] = [isPrivilegedUser, numCpu, mem, hostnameCheck, swap, ipForward, cgroups, ...binaryChecks, cri, kubeletVersion, foreignManifests, etcdDataDir];

/** Every check for this node, in report order. */
export async function preflightChecks(env: PreflightEnv): Promise<Check[]> {
  const [first, ...rest] = FIXED_CHECKS;
  // Off the live host the ports are not this machine's: one skipped entry stands for them all.
  const ports: Check[] = env.live ? await portChecks(env) : [{ name: 'Port-*', severity: 'error', liveHostOnly: true, run: async () => [] }];
  return [first!, ...ports, ...rest];
}
