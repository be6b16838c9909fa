/**
 * Preflight for a standalone node: the preflight engineer's checks (src/preflight, which know a
 * standalone node needs no CPUs, ports or etcd directory of a control plane) plus the one thing
 * only a standalone node must refuse: turning a control-plane node into a kubelet-only one.
 */
import { formatFinding, pathCheckName, preflightChecks, preflightError, runChecks, type Check, type PreflightEnv } from '../preflight/index.js';
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

/**
 * Runs every check together and reports every finding at once; throws the unignored errors
 * (exit 1). With prepare-host to follow, the checks it settles run at its end instead.
 */
export async function runStandalonePreflight(env: PreflightEnv, out: Reporter, prepareHostFollows: boolean): Promise<void> {
  const checks = [...(await preflightChecks(env)), controlPlaneManifestsCheck];
  const result = await runChecks(checks, env, { deferPrepared: prepareHostFollows });
  const deferred = result.skipped.filter((s) => s.reason === 'checked after prepare-host').map((s) => s.name);
  const offline = result.skipped.filter((s) => s.reason !== 'checked after prepare-host').map((s) => s.name);
  if (offline.length > 0) out.info(`skipped ${offline.length} checks that need the live host: ${offline.join(', ')}`);
  if (deferred.length > 0) out.info(`prepare-host sets up what ${deferred.length} checks look at; they run after it: ${deferred.join(', ')}`);
  for (const f of result.findings) if (f.severity === 'warning' || f.ignored) out.warn(formatFinding(f));
  if (result.errors.length === 0) {
    out.info(`${checks.length - result.skipped.length} checks passed${result.findings.length > 0 ? ' (warnings above)' : ''}`);
    return;
  }
  if (env.host.dryRun) {
    for (const f of result.errors) out.warn(`would stop init: ${formatFinding(f)}`);
    return;
  }
  throw preflightError(result.errors);
}
