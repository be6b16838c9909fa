/** The phases only a standalone node has: its preflight, kubelet files and the wait for the kubelet. */
import { buildKubeletFlagsEnv, toYaml } from '../manifests/index.js';
import { buildStandaloneKubeletConfiguration, buildStandaloneKubeletDropIn } from '../manifests/kubelet-standalone.js';
import { KUBELET_CONFIG, KUBELET_DIR, KUBELET_DROPIN, KUBELET_FLAGS_ENV, MODE } from '../paths.js';
import type { InitPhase } from '../phases/context.js';
import { waitForKubelet } from '../waiter/index.js';
import { preflightEnv } from '../preflight/index.js';
import { runStandalonePreflight } from './preflight.js';

/** Present only while systemd-resolved runs; its 127.0.0.53 stub is unreachable from a pod's network namespace. */
const RESOLVED_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

export const standalonePreflightPhase: InitPhase = {
  name: 'preflight',
  title: 'Check that this machine can run a standalone kubelet',
  async run(ctx, out) {
    await runStandalonePreflight(preflightEnv(ctx), out, ctx.willRun('prepare-host'));
  },
};

export const standaloneKubeletConfigPhase: InitPhase = {
  name: 'kubelet-config',
  title: 'Write the standalone kubelet configuration (staticPodPath, no API server), flags and systemd drop-in',
  async run({ config, host, osHostname }, out) {
    const resolved = await host.exists(RESOLVED_RESOLV_CONF);
    await host.ensureDir(KUBELET_DIR, MODE.privateDir);
    // 0700, as kubeadm's: only root reads what the kubelet will run.
    if (!(await host.exists(config.staticPodPath))) await host.ensureDir(config.staticPodPath, MODE.privateDir);
    await host.writeFile(KUBELET_FLAGS_ENV, buildKubeletFlagsEnv(config, host.isLiveRoot ? { osHostname } : {}), { mode: MODE.config });
    const kubeletConfig = buildStandaloneKubeletConfiguration(config, resolved ? { resolvConf: RESOLVED_RESOLV_CONF } : {});
    await host.writeFile(KUBELET_CONFIG, toYaml(kubeletConfig), { mode: MODE.config });
    await host.writeFile(KUBELET_DROPIN, buildStandaloneKubeletDropIn(), { mode: MODE.config });
    out.info(`the kubelet runs every pod manifest in ${config.staticPodPath}; add them with "nodeadm pod add FILE"`);
  },
};

export const waitKubeletPhase: InitPhase = {
  name: 'wait-kubelet',
  title: 'Wait for the kubelet to report healthy',
  liveHostOnly: true,
  guard: ({ host }) => (host.dryRun ? 'dry-run: the kubelet was not restarted' : undefined),
  async run({ config, host }, out) {
    await waitForKubelet(host, { timeoutMs: config.waitTimeoutMs });
    out.info('the kubelet is healthy');
  },
};
