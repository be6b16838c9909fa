/**
 * A phase is plain data, as in kubeadm's workflow: a name, a title, optional children,
 * a guard that can skip it, and a run function. `init`, `--skip-phases` and
 * `init phase X` are all derived from one tree.
 */
import type { Reporter } from './reporter.js';

export interface Phase<C> {
  /** kebab-case id; a child's full id is "parent/child" (e.g. "certs/apiserver"). */
  name: string;
  /** Short description for listings and progress. */
  title: string;
  children?: Phase<C>[];
  /** Needs the running machine: skipped when --root is not "/". */
  liveHostOnly?: boolean;
  /** Returns a reason to skip (shown to the user), or undefined to run. */
  guard?: (ctx: C) => string | undefined;
  /** For a parent, runs before its children (e.g. to prefetch keys for them). */
  run?: (ctx: C, out: Reporter) => Promise<void>;
}

/** One step of a selected run: a phase with its full path and, if skipped, why. */
export interface Step<C> {
  path: string;
  phase: Phase<C>;
  depth: number;
  skipReason?: string;
  children: Step<C>[];
}
