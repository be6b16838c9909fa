/** Global flags and the per-command run setup they imply: host, event bus, renderer. */
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { createHost } from '../host/index.js';
import type { Host } from '../host/types.js';
import { CreationTracker, saveRecord } from '../record.js';
import { EventBus } from '../workflow/reporter.js';
import { JsonSink, PlainSink, TallySink } from '../workflow/render.js';

export interface GlobalOptions {
  root: string;
  dryRun: boolean;
  yes: boolean;
  verbose: boolean;
  color: boolean;
  output: 'text' | 'json';
}

export function parseGlobalOptions(raw: Record<string, unknown>): GlobalOptions {
  const output = (raw.output as string | undefined) ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output: invalid value "${output}": must be text or json`);
  const root = (raw.root as string | undefined) ?? '/';
  if (root.trim() === '') throw new UsageError('--root: invalid value "": must be a directory path');
  return {
    root: resolve(root),
    dryRun: raw.dryRun === true,
    yes: raw.yes === true,
    verbose: raw.verbose === true,
    color: raw.color !== false,
    output,
  };
}

/** Where a command's human output goes: stdout, unless -o json owns stdout. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  isTTY: process.stdout.isTTY === true,
};

export interface Run {
  host: Host;
  bus: EventBus;
  tally: TallySink;
  json?: JsonSink;
  /** True when the listr2 task list renders progress (a TTY, text output, not dry-run). */
  interactive: boolean;
  /**
   * Merges what this command created (and removed) into the node's record of created files,
   * which `reset` works from. Call it once at the end of every command that writes, also when
   * it failed part-way (in a `finally`), so a partial run can still be reset. No-op in dry-run.
   */
  finish(): Promise<void>;
}

/** Sets up the host and the renderers a command reports through. */
export function startRun(global: GlobalOptions, io: Io): Run {
  const bus = new EventBus();
  const tally = new TallySink();
  bus.attach(tally);
  const interactive = io.isTTY && global.output === 'text' && !global.dryRun;
  let json: JsonSink | undefined;
  if (global.output === 'json') {
    json = new JsonSink();
    bus.attach(json);
  } else if (!interactive) {
    bus.attach(new PlainSink(io.out, global.dryRun, global.verbose));
  }
  const tracker = new CreationTracker();
  const host = createHost({
    root: global.root,
    dryRun: global.dryRun,
    onEvent: (event) => {
      tracker.onEvent(event);
      bus.hostEvent(event);
    },
  });
  // The record is bookkeeping, not part of the user's plan: written through a quiet host.
  const finish = (): Promise<void> => (global.dryRun ? Promise.resolve() : saveRecord(createHost({ root: global.root }), tracker));
  return { host, bus, tally, ...(json ? { json } : {}), interactive, finish };
}
