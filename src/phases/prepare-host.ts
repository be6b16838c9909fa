import { preflightEnv, runPreflight } from '../preflight/index.js';
import { prepareHost } from '../prepare/index.js';
import type { InitPhase } from './context.js';

/** Only with --prepare-host; then the preflight checks it settles (runtime, kubelet, swap, ip_forward) run at its end. */
export const prepareHostPhase: InitPhase = {
  name: 'prepare-host',
  title: 'Install containerd, the kubelet and crictl; load kernel modules, set sysctls, turn swap off (--prepare-host; live host only)',
  // Not liveHostOnly: without the flag the reason to skip is the flag, not the root.
  guard: (ctx) => (!ctx.config.prepareHost ? 'only with --prepare-host' : !ctx.host.isLiveRoot ? 'needs the live host (--root is not /)' : undefined),
  async run(ctx, out) {
    await prepareHost({ host: ctx.host, config: ctx.config }, out);
    // In dry-run nothing was installed: the checks would only describe the machine as it is now.
    if (!ctx.willRun('preflight')) return;
    if (ctx.host.dryRun) out.info('would re-run the preflight checks for the runtime, kubelet, swap and ip_forward');
    else await runPreflight(preflightEnv(ctx), out, { stage: 'after-prepare' });
  },
};
