import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { containerStates } from '../runtime/crictl.js';
import { collectDiagnostics, describeFailure } from '../waiter/diagnostics.js';
import { formatSeconds, readNodeSettings, readStaticPods, realClock, waitForKubelet, waitForTargets, type Clock } from '../waiter/index.js';
import type { Reporter } from '../workflow/reporter.js';
import type { InitPhase } from './context.js';

/** kubeadm's wait-control-plane: the kubelet first, then every static pod on the node, in parallel. */
export const waitControlPlanePhase: InitPhase = {
  name: 'wait-control-plane',
  title: 'Wait for the kubelet and the static pods to be healthy',
  liveHostOnly: true,
  run: ({ host, config }, out) => waitControlPlane(host, { timeoutMs: config.waitTimeoutMs }, out),
};

export async function waitControlPlane(host: Host, options: { timeoutMs: number; clock?: Clock }, out: Reporter): Promise<void> {
  const clock = options.clock ?? realClock;
  const pods = await readStaticPods(host);
  const targets = pods.flatMap((p) => (p.target ? [p.target] : []));
  const limit = formatSeconds(options.timeoutMs);
  if (host.dryRun) {
    const { kubeletHealthzUrl } = await readNodeSettings(host);
    out.info(`would wait up to ${limit} for the kubelet at ${kubeletHealthzUrl}`);
    for (const t of targets) out.info(`would wait up to ${limit} for ${t.pod} at ${t.url}`);
    return;
  }
  for (const p of pods) if (!p.target) out.warn(`${p.name} (${p.file}): not waited for: ${p.problem ?? 'it has no HTTP probe'}`);

  const kubeletStart = clock.now();
  await waitForKubelet(host, { timeoutMs: options.timeoutMs, clock });
  out.info(`kubelet healthy after ${formatSeconds(clock.now() - kubeletStart)}`);

  const outcomes = await waitForTargets(host, targets, {
    timeoutMs: options.timeoutMs,
    clock,
    onHealthy: (o) => out.info(`${o.target.pod} healthy after ${formatSeconds(o.ms)}`),
  });
  if (outcomes.every((o) => o.ok)) return;

  const diagnostics = await collectDiagnostics(host, { pods, outcomes, states: await containerStates(host), now: clock.now() });
  const names = diagnostics.failed.map((f) => f.outcome.target.pod).join(', ');
  throw new OperationalError(
    `${names} did not become healthy within ${limit}\n${describeFailure(diagnostics, options.timeoutMs)}`,
    `attach ${diagnostics.dir} to a bug report; "nodeadm status" shows the node's state; raise --wait-timeout on a slow machine`,
  );
}
