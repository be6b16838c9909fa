import { OperationalError, PhaseError } from '../errors.js';
import type { Step } from './phase.js';
import type { EventBus } from './reporter.js';

/** How to resume after a failed phase, shown with the error. */
export type ResumeHint = (path: string) => string;

/** Runs one step (and its children) in order, reporting to the bus. */
export async function runStep<C>(step: Step<C>, ctx: C, bus: EventBus, resume: ResumeHint): Promise<void> {
  const started = performance.now();
  const ms = (): number => Math.round(performance.now() - started);
  if (step.skipReason !== undefined) {
    bus.emit({ type: 'phase-end', path: step.path, status: 'skipped', reason: step.skipReason, ms: 0 });
    return;
  }
  bus.emit({ type: 'phase-start', path: step.path, title: step.phase.title });
  try {
    if (step.phase.run) {
      bus.phase = step.path;
      await step.phase.run(ctx, bus.reporter(step.path));
    }
    for (const child of step.children) await runStep(child, ctx, bus, resume);
  } catch (error) {
    bus.emit({ type: 'phase-end', path: step.path, status: 'failed', reason: error instanceof Error ? error.message : String(error), ms: ms() });
    if (error instanceof PhaseError) throw error;
    const hint = error instanceof OperationalError && error.hint ? `${error.hint}; then resume with: ${resume(step.path)}` : `resume with: ${resume(step.path)}`;
    throw new PhaseError(step.path, error, hint);
  }
  bus.emit({ type: 'phase-end', path: step.path, status: 'done', ms: ms() });
}

export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, bus: EventBus, resume: ResumeHint): Promise<void> {
  for (const step of steps) await runStep(step, ctx, bus, resume);
}
