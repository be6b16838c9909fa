/**
 * Phases talk to a Reporter, never to a renderer: the same phase code serves the listr2
 * task list, plain lines and -o json.
 */
import type { CommandRecord, FileChange } from '../host/types.js';

export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
}

export type RunEvent =
  | { type: 'phase-start'; path: string; title: string }
  | { type: 'phase-end'; path: string; status: 'done' | 'skipped' | 'failed'; reason?: string; ms: number }
  | { type: 'info' | 'warn'; path: string; message: string }
  | { type: 'file'; path: string; change: FileChange }
  | { type: 'command'; path: string; command: CommandRecord };

/** Where run events go: a renderer. */
export interface EventSink {
  emit(event: RunEvent): void;
}

/**
 * Routes host events (files, commands) and reporter calls to the active sink, tagged with
 * the phase that is running. One per command run.
 */
export class EventBus implements EventSink {
  phase = '';
  private sinks: EventSink[] = [];

  attach(sink: EventSink): void {
    this.sinks.push(sink);
  }

  emit(event: RunEvent): void {
    for (const sink of this.sinks) sink.emit(event);
  }

  reporter(path: string): Reporter {
    return {
      info: (message) => this.emit({ type: 'info', path, message }),
      warn: (message) => this.emit({ type: 'warn', path, message }),
    };
  }

  /** For createHost's onEvent. */
  readonly hostEvent = (event: { type: 'file'; change: FileChange } | { type: 'command'; command: CommandRecord }): void => {
    if (event.type === 'file') this.emit({ type: 'file', path: this.phase, change: event.change });
    else this.emit({ type: 'command', path: this.phase, command: event.command });
  };
}
