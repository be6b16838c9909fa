/**
 * Runs the checks, applies --ignore-preflight-errors, and reports every finding at once:
 * one line per problem with its name, what is wrong and how to fix it.
 */
import { createServer } from 'node:net';
import { OperationalError } from '../errors.js';
import type { Check, Finding, PreflightEnv } from './types.js';

/** Real port probe: bind address:port with a listening socket, then release it. */
export function bindPortProbe(address: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen({ host: address, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export interface PreflightOptions {
  /** Checks prepare-host will take care of run after it instead (see preparedByHost). */
  deferPrepared: boolean;
}

export interface PreflightResult {
  findings: Finding[];
  /** Checks not run, with why. */
  skipped: Array<{ name: string; reason: string }>;
  /** Findings that abort: errors not ignored. */
  errors: Finding[];
}

/** Runs `checks` concurrently (each is independent) and classifies the findings. */
export async function runChecks(checks: readonly Check[], env: PreflightEnv, options: PreflightOptions = { deferPrepared: false }): Promise<PreflightResult> {
  const ignore = new Set(env.config.ignorePreflightErrors.map((n) => n.toLowerCase()));
  const ignored = (name: string, group: string): boolean => ignore.has('all') || ignore.has(name.toLowerCase()) || ignore.has(group.toLowerCase());
  const skipped: PreflightResult['skipped'] = [];
  const runnable = checks.filter((check) => {
    if (check.liveHostOnly && !env.live) skipped.push({ name: check.name, reason: 'needs the live host (--root is not /)' });
    else if (check.preparedByHost && options.deferPrepared) skipped.push({ name: check.name, reason: 'checked after prepare-host' });
    else return true;
    return false;
  });
  const results = await Promise.all(
    runnable.map(async (check) => {
      try {
        return { check, problems: await check.run(env) };
      } catch (e) {
        // A check that cannot look is a finding too, never a silent pass.
        return { check, problems: [{ message: `the check could not run: ${e instanceof Error ? e.message : String(e)}`, fix: 'see the message; fix it or ignore this check by name' }] };
      }
    }),
  );
  const findings: Finding[] = results.flatMap(({ check, problems }) =>
    problems.map((p) => {
      const name = p.name ?? check.name;
      const severity = p.severity ?? check.severity;
      const isIgnored = severity === 'error' && ignored(name, check.name);
      return { name, severity, ignored: isIgnored, message: p.message, fix: p.fix };
    }),
  );
  return { findings, skipped, errors: findings.filter((f) => f.severity === 'error' && !f.ignored) };
}

/** "[ERROR Port-6443]: port 6443 … (fix: …)" */
export function formatFinding(f: Finding): string {
  const tag = f.severity === 'error' && !f.ignored ? 'ERROR' : f.ignored ? 'IGNORED' : 'WARNING';
  return `[${tag} ${f.name}]: ${f.message}; fix: ${f.fix}`;
}

/** The error that aborts init: every unignored error on its own line. */
export function preflightError(errors: readonly Finding[]): OperationalError {
  const lines = errors.map((f) => `  ${formatFinding(f)}`).join('\n');
  return new OperationalError(
    `${errors.length} preflight check${errors.length === 1 ? '' : 's'} failed:\n${lines}`,
    `fix the problems above, or downgrade a check to a warning with --ignore-preflight-errors=NAME[,NAME…] (all: every check)`,
  );
}
