/**
 * Preflight checks as data: a stable name (what --ignore-preflight-errors matches), a severity,
 * where it can run, and a run function that returns problems, each with how to fix it.
 */
import type { DerivedValues, NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';

export type Severity = 'error' | 'warning';

/** One thing wrong. `name` overrides the check's name for checks that report per item (one manifest, one port). */
export interface Problem {
  name?: string;
  /** Overrides the check's severity when it depends on the version (e.g. cgroup v1). */
  severity?: Severity;
  message: string;
  fix: string;
}

export interface PreflightEnv {
  host: Host;
  config: NodeConfig;
  derived: DerivedValues;
  /** The checks may look at the running machine (root is "/", or a test that says so). */
  live: boolean;
  /** The effective user id, undefined where the platform has none. */
  uid: number | undefined;
  /** Binds address:port and releases it; undefined when free, else why not (EADDRINUSE, …). */
  bindPort: (address: string, port: number) => Promise<string | undefined>;
}

export interface Check {
  name: string;
  severity: Severity;
  /** Needs the running machine (processes, sockets, kernel state): skipped with --root other than /. */
  liveHostOnly: boolean;
  /** prepare-host installs or configures what this check looks at: with --prepare-host it runs after that phase. */
  preparedByHost?: boolean;
  run(env: PreflightEnv): Promise<Problem[]>;
}

/** The outcome of one problem after --ignore-preflight-errors. */
export interface Finding {
  name: string;
  severity: Severity;
  /** An error downgraded by --ignore-preflight-errors. */
  ignored: boolean;
  message: string;
  fix: string;
}
