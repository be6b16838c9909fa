/**
 * Restarting what uses renewed certificates. A component reads its certificate at start, so a
 * renewal means nothing until it restarts. A static pod restarts when its manifest goes away
 * and comes back: the manifest is moved to a nodeadm-owned directory (atomic write there, then
 * removed from the manifests directory), the pod is seen to stop, and the same bytes are moved
 * back. That leaves the manifest exactly as init wrote it — touching an annotation instead
 * would make the next `init` see a changed manifest and restart the pod a second time. One pod
 * at a time, each waited for until its own health endpoint answers, so etcd and the API server
 * are never down together.
 */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { fromYaml } from '../manifests/yaml.js';
import { KUBELET_CONFIG, KUBELET_DROPIN, KUBELET_FLAGS_ENV, MODE, NODEADM_DIR } from '../paths.js';
import type { Clock, HealthTarget, StaticPod } from '../waiter/index.js';
import type { Reporter } from '../workflow/reporter.js';

/** Where a manifest waits while its pod is stopped: outside the manifests directory, never read by the kubelet. */
export const RESTART_DIR = `${NODEADM_DIR}/restarting`;

export interface RestartPlan {
  /** Static pods that read a renewed file, in manifest order (etcd before the API server). */
  pods: { name: string; file: string; target?: HealthTarget; uses: string[] }[];
  /** Renewed files the kubelet itself reads (kubelet.conf, its serving certificate). */
  kubelet: string[];
}

/** Which static pods (and whether the kubelet) read any of `files`, following referenced config files one level. */
export async function planRestarts(host: Host, files: readonly string[], pods: readonly StaticPod[]): Promise<RestartPlan> {
  const plan: RestartPlan = { pods: [], kubelet: [] };
  if (files.length === 0) return plan;
  for (const pod of pods) {
    const text = (await host.readText(pod.file)) ?? '';
    const strings = stringsOf(text);
    // An extra scheduler's kubeconfig sits in its --config file, not in the manifest.
    for (const ref of new Set(strings.flatMap((s) => s.match(/\/etc\/kubernetes\/[\w./-]+\.(?:ya?ml|conf)\b/g) ?? []))) {
      if (!files.includes(ref)) strings.push(...stringsOf((await host.readText(ref)) ?? ''));
    }
    const uses = files.filter((f) => strings.some((s) => mentions(s, f)));
    if (uses.length > 0) plan.pods.push({ name: pod.name, file: pod.file, ...(pod.target ? { target: pod.target } : {}), uses });
  }
  const kubeletText = (await Promise.all([KUBELET_CONFIG, KUBELET_FLAGS_ENV, KUBELET_DROPIN].map((f) => host.readText(f)))).join('\n');
  plan.kubelet = files.filter((f) => mentions(kubeletText, f));
  return plan;
}

/** `file` appears in `text` as a whole path (not as the prefix of a longer one). */
function mentions(text: string, file: string): boolean {
  let at = text.indexOf(file);
  while (at >= 0) {
    if (!/[\w./-]/.test(text.charAt(at + file.length))) return true;
    at = text.indexOf(file, at + 1);
  }
  return false;
}

/** Every string in a YAML document (a manifest, a component config); the raw lines when it is not YAML. */
function stringsOf(text: string): string[] {
  let doc: unknown;
  try {
    doc = fromYaml(text);
  } catch {
    return text.split('\n');
  }
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(doc);
  return out;
}

export interface RestartDeps {
  checkHealth: (host: Host, target: HealthTarget, options?: { timeoutMs?: number }) => Promise<{ ok: boolean; detail: string }>;
  waitForKubelet: (host: Host, options: { timeoutMs: number; clock?: Clock }) => Promise<void>;
  clock: Clock;
  /** How long the kubelet gets to notice a removed manifest (it also re-lists every 20 s). */
  stopTimeoutMs?: number;
  /** How long a restarted pod gets to become healthy (kubeadm's control-plane check: 4 min). */
  healthyTimeoutMs?: number;
}

const POLL_MS = 1000;

/** Restarts the planned pods one at a time, then the kubelet; throws on the first pod that does not come back. */
export async function restartComponents(host: Host, plan: RestartPlan, deps: RestartDeps, out: Reporter): Promise<void> {
  for (const pod of plan.pods) await restartStaticPod(host, pod, deps, out);
  if (plan.kubelet.length > 0) {
    out.info(`restarting the kubelet (it reads ${plan.kubelet.join(', ')})`);
    await host.run(['systemctl', 'restart', 'kubelet'], { mutating: true });
    await deps.waitForKubelet(host, { timeoutMs: deps.healthyTimeoutMs ?? 240_000, clock: deps.clock });
    out.info('the kubelet is healthy again');
  }
}

async function restartStaticPod(host: Host, pod: RestartPlan['pods'][number], deps: RestartDeps, out: Reporter): Promise<void> {
  const manifest = await host.readFile(pod.file);
  if (manifest === undefined) throw new OperationalError(`${pod.file} disappeared before ${pod.name} could be restarted`);
  const parked = `${RESTART_DIR}/${pod.file.split('/').pop()!}`;
  out.info(`restarting ${pod.name} (it reads ${pod.uses.join(', ')})`);
  await host.writeFile(parked, manifest, { mode: MODE.manifest });
  await host.remove(pod.file);
  let stopped = false;
  try {
    // The pod is down once its health endpoint stops answering; without a probe, give the kubelet its sync period.
    stopped = pod.target
      ? await poll(deps, deps.stopTimeoutMs ?? 60_000, async () => !(await deps.checkHealth(host, pod.target!, { timeoutMs: POLL_MS })).ok)
      : (await deps.clock.sleep(deps.stopTimeoutMs ?? 20_000), true);
  } finally {
    // Whatever happened, the manifest goes back: the same bytes, written atomically.
    await host.writeFile(pod.file, manifest, { mode: MODE.manifest });
    await host.remove(parked);
  }
  if (!stopped) out.warn(`${pod.name} kept answering while its manifest was away; the kubelet may not have restarted it`);
  if (!pod.target) {
    out.info(`${pod.name}: manifest restored (it has no health probe to wait for)`);
    return;
  }
  let last = '';
  const healthy = await poll(deps, deps.healthyTimeoutMs ?? 240_000, async () => {
    const result = await deps.checkHealth(host, pod.target!, { timeoutMs: 5000 });
    last = result.detail;
    return result.ok;
  });
  if (!healthy) {
    throw new OperationalError(
      `${pod.name} is not healthy after its restart (${pod.target.url}: ${last})`,
      `check "crictl ps -a --name ${pod.name}" and its logs; the renewed files are in place and the remaining components were not restarted`,
    );
  }
  out.info(`${pod.name} is healthy again (${pod.target.url})`);
}

/** Polls `done` once a second until it holds or `timeoutMs` passes. */
async function poll(deps: RestartDeps, timeoutMs: number, done: () => Promise<boolean>): Promise<boolean> {
  const deadline = deps.clock.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (deps.clock.now() + POLL_MS > deadline) return false;
    await deps.clock.sleep(POLL_MS);
  }
}
