/** Renderers for run events: plain lines (pipes, CI, dry-run) and JSON (-o json). */
import type { FileChange } from '../host/types.js';
import type { EventSink, RunEvent } from './reporter.js';

export type Write = (text: string) => void;

const mode = (m?: number): string => (m === undefined ? '' : ` (${m.toString(8).padStart(4, '0')})`);

function indent(text: string, prefix = '    '): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** One line per change, plus content or diff in dry-run. */
export function describeFile(change: FileChange, dryRun: boolean): string | undefined {
  if (change.action === 'unchanged') return undefined;
  const verb = dryRun ? `would ${change.action === 'created' ? 'create' : change.action === 'updated' ? 'update' : 'remove'}` : change.action;
  const what = change.kind === 'dir' ? 'directory ' : '';
  let line = `${verb} ${what}${change.path}${mode(change.mode)}`;
  if (dryRun && change.kind === 'file') {
    if (change.secret) line += '\n    (private material: content not shown)';
    else if (change.diff !== undefined) line += `\n${indent(change.diff)}`;
    else if (change.content !== undefined) line += `\n${indent(change.content)}`;
  }
  return line;
}

export class PlainSink implements EventSink {
  private changed = new Map<string, number>();
  constructor(
    private readonly write: Write,
    private readonly dryRun: boolean,
    private readonly verbose: boolean,
  ) {}

  emit(event: RunEvent): void {
    const tag = `[${event.path}]`;
    switch (event.type) {
      case 'phase-start':
        if (this.verbose) this.write(`${tag} ${event.title}`);
        return;
      case 'phase-end':
        if (event.status === 'skipped') {
          // Children of a skipped phase are implied by the parent's line.
          if (!event.path.includes('/') || event.reason === 'skipped by --skip-phases' || this.verbose) this.write(`${tag} skipped: ${event.reason}`);
        } else if (event.status === 'done' && !this.changed.get(event.path) && this.verbose) {
          this.write(`${tag} up to date`);
        }
        return;
      case 'info':
        this.write(`${tag} ${event.message}`);
        return;
      case 'warn':
        this.write(`${tag} WARNING: ${event.message}`);
        return;
      case 'file': {
        const line = describeFile(event.change, this.dryRun);
        if (line !== undefined) {
          this.changed.set(event.path, (this.changed.get(event.path) ?? 0) + 1);
          this.write(`${tag} ${line}`);
        } else if (this.verbose) {
          this.write(`${tag} unchanged ${event.change.path}`);
        }
        return;
      }
      case 'command':
        this.write(`${tag} ${event.command.ran ? 'ran' : 'would run'}: ${event.command.argv.join(' ')}`);
        return;
    }
  }
}

/** Collects everything for one JSON document printed at the end. */
export class JsonSink implements EventSink {
  readonly phases: Array<{
    phase: string;
    status: string;
    reason?: string;
    ms?: number;
    files: FileChange[];
    commands: string[][];
    messages: Array<{ level: string; message: string }>;
  }> = [];

  private entry(path: string): JsonSink['phases'][number] {
    let e = this.phases.find((p) => p.phase === path);
    if (!e) {
      e = { phase: path, status: 'pending', files: [], commands: [], messages: [] };
      this.phases.push(e);
    }
    return e;
  }

  emit(event: RunEvent): void {
    const e = this.entry(event.path);
    switch (event.type) {
      case 'phase-start':
        e.status = 'running';
        return;
      case 'phase-end':
        e.status = event.status;
        e.ms = event.ms;
        if (event.reason !== undefined) e.reason = event.reason;
        return;
      case 'info':
      case 'warn':
        e.messages.push({ level: event.type, message: event.message });
        return;
      case 'file':
        e.files.push(event.change);
        return;
      case 'command':
        e.commands.push(event.command.argv);
        return;
    }
  }
}

/** Counts file actions over a run, for the closing summary. */
/** "prepare-host (only with --prepare-host); kubelet-start, wait-control-plane (needs the live host…)". */
export function describeSkipped(skipped: TallySink['skipped']): string {
  const byReason = new Map<string, string[]>();
  for (const { phase, reason } of skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), phase]);
  return [...byReason].map(([reason, phases]) => `${phases.join(', ')} (${reason})`).join('; ') || 'none';
}

export class TallySink implements EventSink {
  readonly counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  /** Top-level phases skipped, with why. */
  readonly skipped: Array<{ phase: string; reason: string }> = [];
  emit(event: RunEvent): void {
    if (event.type === 'file' && event.change.kind === 'file') this.counts[event.change.action]++;
    if (event.type === 'phase-end' && event.status === 'skipped' && !event.path.includes('/')) this.skipped.push({ phase: event.path, reason: event.reason ?? '' });
  }
}
