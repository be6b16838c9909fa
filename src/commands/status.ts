/**
 * `nodeadm status`: the node as it is — each static pod manifest with its owner, container
 * state (crictl), health endpoint result and the kubelet's state, plus the certificate that
 * expires first. Read-only; says plainly what it cannot know (a --root image has no runtime).
 */
import { createHost } from '../host/index.js';
import { savedNodeName } from '../config/saved.js';
import type { Host } from '../host/types.js';
import { ETCD_PKI_DIR, PKI_DIR } from '../paths.js';
import { inspectCertificate } from '../pki/index.js';
import { containersOfPod, containerStates, type ContainerState } from '../runtime/crictl.js';
import { checkHealth, readNodeSettings, readStaticPods, type PodOwner } from '../waiter/index.js';
import type { GlobalOptions, Io } from './global.js';

const HEALTH_TIMEOUT_MS = 3000;

export interface PodStatus {
  manifest: string;
  /** The pod as the kubelet names it: "<name>-<node name>" (just the name when the node name is unknown). */
  pod: string;
  owner: PodOwner;
  /** Newest container: state and restart count; undefined when the runtime shows none or is unavailable. */
  container?: { state: string; restarts: number; id: string };
  /** Live host only. */
  health?: { url: string; ok: boolean; detail: string };
  problem?: string;
}

export interface NodeStatus {
  root: string;
  live: boolean;
  staticPodPath: string;
  /** `systemctl is-active kubelet`, or why it was not asked. */
  kubelet: string;
  /** "available", or why not. */
  runtime: string;
  pods: PodStatus[];
  certificates: { path: string; notAfter: string; daysLeft: number }[];
  nearestExpiry?: { path: string; notAfter: string; daysLeft: number };
}

export async function runStatus(global: GlobalOptions, io: Io): Promise<number> {
  const status = await nodeStatus(createHost({ root: global.root }), Date.now());
  io.out(global.output === 'json' ? JSON.stringify(status, null, 2) : formatStatus(status));
  return 0;
}

export async function nodeStatus(host: Host, now: number): Promise<NodeStatus> {
  const { staticPodPath } = await readNodeSettings(host);
  const [manifests, states, kubelet, certificates, nodeName] = await Promise.all([
    readStaticPods(host),
    containerStates(host),
    kubeletState(host),
    certificateExpiries(host, now),
    savedNodeName(host),
  ]);
  const pods = await Promise.all(
    manifests.map(async (m): Promise<PodStatus> => {
      const container = states ? newest(containersOfPod(states, m.name, nodeName)) : undefined;
      const health = host.isLiveRoot && m.target ? { url: m.target.url, ...(await checkHealth(host, m.target, { timeoutMs: HEALTH_TIMEOUT_MS })) } : undefined;
      return {
        manifest: m.file,
        pod: nodeName ? `${m.name}-${nodeName}` : m.name,
        owner: m.owner,
        ...(container ? { container: { state: container.state, restarts: container.attempt, id: container.id } } : {}),
        ...(health ? { health } : {}),
        ...(m.problem ? { problem: m.problem } : {}),
      };
    }),
  );
  const nearest = [...certificates].sort((a, b) => a.notAfter.localeCompare(b.notAfter))[0];
  return {
    root: host.root,
    live: host.isLiveRoot,
    staticPodPath,
    kubelet,
    runtime: !host.isLiveRoot ? 'not checked: --root is a node image, not a running machine' : states ? 'available' : 'runtime unavailable (crictl missing or the container runtime does not answer)',
    pods,
    certificates,
    ...(nearest ? { nearestExpiry: nearest } : {}),
  };
}

function newest(list: ContainerState[]): ContainerState | undefined {
  return list[0];
}

async function kubeletState(host: Host): Promise<string> {
  if (!host.isLiveRoot) return 'not checked: --root is a node image';
  try {
    // is-active prints the state and exits non-zero for anything but "active".
    const result = await host.run(['systemctl', 'is-active', 'kubelet']);
    return result.stdout.trim() || `unknown (systemctl exited ${result.exitCode})`;
  } catch {
    return 'unknown (systemctl unavailable)';
  }
}

/** Every certificate under /etc/kubernetes/pki (and pki/etcd), soonest expiry first. */
async function certificateExpiries(host: Host, now: number): Promise<NodeStatus['certificates']> {
  const out: NodeStatus['certificates'] = [];
  for (const dir of [PKI_DIR, ETCD_PKI_DIR]) {
    for (const name of await host.listDir(dir)) {
      if (!name.endsWith('.crt')) continue;
      const info = inspectCertificate((await host.readText(`${dir}/${name}`)) ?? '');
      if (!info) continue;
      out.push({ path: `${dir}/${name}`, notAfter: info.notAfter.toISOString(), daysLeft: Math.floor((info.notAfter.getTime() - now) / 86_400_000) });
    }
  }
  return out.sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.path.localeCompare(b.path));
}

export function formatStatus(s: NodeStatus): string {
  const lines = [`Node: ${s.root}${s.live ? ' (this machine)' : ' (node image: no runtime or health checks)'}`, `kubelet: ${s.kubelet}`, `container runtime: ${s.runtime}`, ''];
  if (s.pods.length === 0) lines.push(`Static pods (${s.staticPodPath}): none`);
  else {
    lines.push(`Static pods (${s.staticPodPath}):`);
    const rows = s.pods.map((p) => [
      p.pod,
      p.owner,
      p.container ? `${p.container.state}${p.container.restarts > 0 ? ` (${p.container.restarts} restarts)` : ''}` : s.live && s.runtime === 'available' ? 'no container' : '-',
      p.problem ? `manifest problem: ${p.problem}` : p.health ? `${p.health.ok ? 'healthy' : 'unhealthy'} ${p.health.url}${p.health.ok ? '' : `: ${p.health.detail}`}` : '-',
    ]);
    const header = ['POD', 'OWNER', 'CONTAINER', 'HEALTH'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows]) lines.push(`  ${row.map((c, i) => (i < row.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ')}`);
  }
  lines.push('');
  if (!s.nearestExpiry) lines.push(`Certificates: none under ${PKI_DIR} (a standalone node has none)`);
  else {
    const n = s.nearestExpiry;
    const when = n.daysLeft < 0 ? `EXPIRED on ${n.notAfter.slice(0, 10)}` : `expires ${n.notAfter.slice(0, 10)} (in ${n.daysLeft} days)`;
    lines.push(`Certificates: ${s.certificates.length} under ${PKI_DIR}; the first to expire is ${n.path}, ${when}`);
  }
  return lines.join('\n');
}
