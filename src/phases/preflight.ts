import { preflightEnv, runPreflight } from '../preflight/index.js';
import type { InitPhase } from './context.js';

/** Every check runs and every failure is reported together; errors stop init unless ignored. */
export const preflightPhase: InitPhase = {
  name: 'preflight',
  title: 'Check that this machine can run the node (privileges, resources, ports, runtime, kubelet)',
  async run(ctx, out) {
    await runPreflight(preflightEnv(ctx), out, { stage: 'before', prepareHostFollows: ctx.willRun('prepare-host') });
  },
};
