/**
 * Bounded waits on the cluster, read through the API: the node registering, then becoming
 * Ready, and the addons' pods running. The clock is injectable so tests do not sleep.
 */
import { OperationalError } from '../errors.js';
import { KubeApiError, realClock, type KubeClient, type KubeClock, type KubeObject } from '../kube/index.js';

const POLL_MS = 2_000;

export interface WaitOptions {
  timeoutMs: number;
  clock?: KubeClock;
}

/** Polls `probe` until it returns a value; on timeout throws with the last `pending` description. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<{ done: true; value: T } | { done: false; pending: string }>,
  { timeoutMs, clock = realClock }: WaitOptions,
  hint: string,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result.done) return result.value;
    if (clock.now() + POLL_MS > deadline) {
      throw new OperationalError(`${what} within ${Math.round(timeoutMs / 1000)}s: ${result.pending}`, hint);
    }
    await clock.sleep(POLL_MS);
  }
}

const KUBELET_HINT = 'the kubelet registers the node with /etc/kubernetes/kubelet.conf: see journalctl -u kubelet -n 50';

/** The Node object, once the kubelet has registered it. */
export function waitForNode(client: KubeClient, nodeName: string, options: WaitOptions): Promise<KubeObject> {
  return pollUntil(
    `node ${nodeName} did not register`,
    async () => {
      let node: KubeObject | undefined;
      try {
        node = await client.get('v1', 'Node', nodeName);
      } catch (error) {
        // a binding just created takes a moment to reach the authorizer's cache
        if (error instanceof KubeApiError && error.status === 403) return { done: false, pending: error.message };
        throw error;
      }
      return node ? { done: true, value: node } : { done: false, pending: 'no Node object yet' };
    },
    options,
    KUBELET_HINT,
  );
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The node's Ready condition: [ready, why not]. */
export function nodeReadiness(node: KubeObject): [boolean, string] {
  const conditions = ((node.status as { conditions?: Condition[] } | undefined)?.conditions ?? []) as Condition[];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return [true, 'Ready'];
  return [false, ready ? `${ready.reason ?? 'NotReady'}: ${ready.message ?? ''}`.trim() : 'no Ready condition yet'];
}

export interface ReadyTarget {
  kind: 'Node' | 'DaemonSet' | 'Deployment';
  name: string;
  namespace?: string;
}

/** [ready, short state] of one target from its status. */
export function targetState(target: ReadyTarget, obj: KubeObject | undefined): [boolean, string] {
  if (!obj) return [false, 'not found'];
  const status = (obj.status ?? {}) as Record<string, number | undefined>;
  if (target.kind === 'Node') return nodeReadiness(obj);
  if (target.kind === 'DaemonSet') {
    const want = status.desiredNumberScheduled ?? 0;
    const have = status.numberReady ?? 0;
    return [want > 0 && have >= want, `${have}/${want} pods ready`];
  }
  const want = ((obj.spec as { replicas?: number } | undefined)?.replicas ?? 1);
  const have = status.readyReplicas ?? 0;
  return [have >= 1, `${have}/${want} pods ready`];
}

const API_VERSION: Record<ReadyTarget['kind'], string> = { Node: 'v1', DaemonSet: 'apps/v1', Deployment: 'apps/v1' };

/** Waits until every target is ready; the error names each one that is not, with its state. */
export async function waitForReady(client: KubeClient, targets: readonly ReadyTarget[], options: WaitOptions): Promise<void> {
  await pollUntil(
    'the node and its addons did not become ready',
    async () => {
      const pending: string[] = [];
      for (const t of targets) {
        const [ok, state] = targetState(t, await client.get(API_VERSION[t.kind], t.kind, t.name, t.namespace));
        if (!ok) pending.push(`${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name} (${state})`);
      }
      return pending.length === 0 ? { done: true, value: undefined } : { done: false, pending: pending.join('; ') };
    },
    options,
    'see kubectl -n kube-system get pods, and kubectl describe node; image pulls on a slow link can take minutes: re-run nodeadm init phase addon',
  );
}
