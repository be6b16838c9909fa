import { UsageError } from '../errors.js';
import type { Phase, Step } from './phase.js';

/** Every valid phase path in tree order: "certs", "certs/ca", …. */
export function phasePaths<C>(tree: readonly Phase<C>[], prefix = ''): string[] {
  return tree.flatMap((p) => {
    const path = prefix + p.name;
    return [path, ...phasePaths(p.children ?? [], `${path}/`)];
  });
}

function findPhase<C>(tree: readonly Phase<C>[], path: string): Phase<C> | undefined {
  const [head, ...rest] = path.split('/');
  const phase = tree.find((p) => p.name === head);
  if (!phase || rest.length === 0) return phase;
  return findPhase(phase.children ?? [], rest.join('/'));
}

function validNames<C>(tree: readonly Phase<C>[]): string {
  return phasePaths(tree).join(', ');
}

/** Checks every --skip-phases entry against the tree; an unknown name is a usage error. */
export function checkSkipList<C>(tree: readonly Phase<C>[], skip: readonly string[], label = '--skip-phases'): void {
  for (const name of skip) {
    if (!findPhase(tree, name)) throw new UsageError(`${label}: unknown phase "${name}" (valid: ${validNames(tree)})`);
  }
}

/**
 * Resolves `init phase <name> [sub]` to a single subtree. "all" as the sub-phase means the
 * whole parent, as in kubeadm.
 */
export function selectSubtree<C>(tree: readonly Phase<C>[], name: string, sub?: string): { path: string; phase: Phase<C> } {
  const top = tree.find((p) => p.name === name);
  if (!top) throw new UsageError(`init phase: unknown phase "${name}" (valid: ${tree.map((p) => p.name).join(', ')})`);
  if (sub === undefined || sub === 'all') return { path: name, phase: top };
  const child = top.children?.find((c) => c.name === sub);
  if (!child) {
    const subs = top.children?.map((c) => c.name) ?? [];
    const valid = subs.length > 0 ? `valid: all, ${subs.join(', ')}` : `"${name}" has no sub-phases`;
    throw new UsageError(`init phase ${name}: unknown sub-phase "${sub}" (${valid})`);
  }
  return { path: `${name}/${sub}`, phase: child };
}

export interface PlanOptions<C> {
  skip: readonly string[];
  /** False when --root is not "/": live-host phases are skipped. */
  liveHost: boolean;
  ctx: C;
}

/** Builds the steps to run, marking skipped ones with their reason. */
export function plan<C>(phases: readonly Phase<C>[], options: PlanOptions<C>, prefix = '', depth = 0, parentSkip?: string): Step<C>[] {
  return phases.map((phase) => {
    const path = prefix + phase.name;
    let skipReason = parentSkip;
    if (skipReason === undefined && options.skip.includes(path)) skipReason = 'skipped by --skip-phases';
    if (skipReason === undefined && phase.liveHostOnly && !options.liveHost) skipReason = 'needs the live host (--root is not /)';
    if (skipReason === undefined) skipReason = phase.guard?.(options.ctx);
    return {
      path,
      phase,
      depth,
      ...(skipReason !== undefined ? { skipReason } : {}),
      children: plan(phase.children ?? [], options, `${path}/`, depth + 1, skipReason),
    };
  });
}
