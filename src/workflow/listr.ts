/** The listr2 task list for a TTY. Loaded lazily: only interactive runs pay for listr2. */
import type { Step } from './phase.js';
import { describeFile } from './render.js';
import type { EventBus, EventSink, RunEvent } from './reporter.js';
import { runStep, type ResumeHint } from './run.js';

interface TaskLike {
  output: string;
  title: string;
  skip(message: string): void;
}

export async function runWithListr<C>(steps: readonly Step<C>[], ctx: C, bus: EventBus, resume: ResumeHint): Promise<void> {
  const { Listr } = await import('listr2');
  let current: TaskLike | undefined;
  const lines: string[] = [];
  const sink: EventSink = {
    emit(event: RunEvent) {
      if (!current) return;
      let text: string | undefined;
      if (event.type === 'file') text = describeFile(event.change, false);
      else if (event.type === 'info') text = event.message;
      else if (event.type === 'warn') {
        text = `WARNING: ${event.message}`;
        lines.push(`[${event.path}] ${text}`);
      } else if (event.type === 'command') text = `ran: ${event.command.argv.join(' ')}`;
      if (text !== undefined) current.output = `[${event.path}] ${text}`;
    },
  };
  bus.attach(sink);
  const tasks = steps.map((step) => ({
    title: step.phase.title,
    task: async (_: unknown, task: TaskLike) => {
      current = task;
      await runStep(step, ctx, bus, resume);
      if (step.skipReason !== undefined) task.skip(`${step.path}: skipped (${step.skipReason})`);
    },
  }));
  const list = new Listr(tasks, { concurrent: false, exitOnError: true, rendererOptions: { collapseSkips: false } });
  await list.run();
  // Warnings must outlive the task list's redraws.
  for (const line of lines) process.stderr.write(`${line}\n`);
}
