/** Preflight: checks as data, run together, reported together. */
import type { InitContext } from '../phases/context.js';
import type { Reporter } from '../workflow/reporter.js';
import { preflightChecks } from './checks.js';
import { bindPortProbe, formatFinding, preflightError, runChecks, type PreflightResult } from './run.js';
import type { Check, PreflightEnv } from './types.js';

export type * from './types.js';
export { FIXED_CHECKS, parseKubeletVersion, portUses, preflightChecks } from './checks.js';
export { checkIgnoreList, FIXED_CHECK_NAMES, pathCheckName, REQUIRED_BINARIES } from './names.js';
export { readNodeState } from './ownership.js';
export { bindPortProbe, formatFinding, preflightError, runChecks } from './run.js';

/** The environment of a real run: the live machine when the root is "/". */
export function preflightEnv(ctx: InitContext): PreflightEnv {
  return {
    host: ctx.host,
    config: ctx.config,
    derived: ctx.derived,
    live: ctx.host.isLiveRoot,
    uid: process.getuid?.(),
    bindPort: bindPortProbe,
  };
}

export type PreflightStage =
  /** The preflight phase; with prepare-host coming, the checks it settles wait for it. */
  | { stage: 'before'; prepareHostFollows: boolean }
  /** The end of prepare-host: the checks that waited for it. */
  | { stage: 'after-prepare' };

/**
 * Runs the stage's checks (plus `extraChecks`) and reports each finding; throws the collected errors (exit 1).
 * In dry-run nothing aborts: failures are reported as what a real run would stop on.
 */
export async function runPreflight(env: PreflightEnv, out: Reporter, stage: PreflightStage, extraChecks: readonly Check[] = []): Promise<PreflightResult> {
  // extraChecks: a command's own checks (e.g. standalone's), run and reported with the rest.
  const all = [...(await preflightChecks(env)), ...extraChecks];
  const checks: Check[] = stage.stage === 'before' ? all : all.filter((c) => c.preparedByHost);
  const result = await runChecks(checks, env, { deferPrepared: stage.stage === 'before' && stage.prepareHostFollows });
  const deferred = result.skipped.filter((s) => s.reason === 'checked after prepare-host').map((s) => s.name);
  const offline = result.skipped.filter((s) => s.reason !== 'checked after prepare-host').map((s) => s.name);
  if (offline.length > 0) out.info(`skipped ${offline.length} checks that need the live host: ${offline.join(', ')}`);
  if (deferred.length > 0) out.info(`prepare-host sets up what ${deferred.length} checks look at; they run after it: ${deferred.join(', ')}`);
  for (const f of result.findings) if (f.severity === 'warning' || f.ignored) out.warn(formatFinding(f));
  if (result.errors.length === 0) {
    out.info(`${checks.length - result.skipped.length} checks passed${result.findings.length > 0 ? ' (warnings above)' : ''}`);
    return result;
  }
  if (env.host.dryRun) {
    for (const f of result.errors) out.warn(`would stop init: ${formatFinding(f)}`);
    return result;
  }
  throw preflightError(result.errors);
}
