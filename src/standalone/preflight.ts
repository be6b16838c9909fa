/**
 * Preflight for a standalone node: the shared checks (src/preflight, which know a
 * standalone node needs no CPUs, ports or etcd directory of a control plane) plus the one thing
 * only a standalone node must refuse: turning a control-plane node into a kubelet-only one.
 */
import { pathCheckName, runPreflight, type Check, type PreflightEnv } from '../preflight/index.js';
import { reservedFor } from '../pods/owner.js';
import type { Reporter } from '../workflow/reporter.js';

/**
 * Control-plane or scheduler manifests in the staticPodPath: this is a control-plane node, and a
 * standalone kubelet would run those pods without their kubeconfigs. Named like the control-plane
 * check (ExistingManifests, FileAvailable-<path> per file) so --ignore-preflight-errors knows it.
 */
export const controlPlaneManifestsCheck: Check = {
  name: 'ExistingManifests',
  severity: 'error',
  liveHostOnly: false,
  async run({ host, config }) {
    const found = (await host.listDir(config.staticPodPath)).filter((file) => reservedFor(file) !== undefined);
    return found.map((file) => {
      const path = `${config.staticPodPath}/${file}`;
      return {
        name: pathCheckName('FileAvailable', path),
        message: `${path} is a control-plane manifest: this is a control-plane node, and a standalone kubelet would run it without its kubeconfig`,
        fix: 'run "nodeadm reset" first, or choose another --manifests-dir',
      };
    });
  },
};

/** Every check together, every finding at once; the checks prepare-host settles wait for it. */
export async function runStandalonePreflight(env: PreflightEnv, out: Reporter, prepareHostFollows: boolean): Promise<void> {
  await runPreflight(env, out, { stage: 'before', prepareHostFollows }, [controlPlaneManifestsCheck]);
}
