import type { CommandRunner, RunOptions, RunResult } from './types.js';

/** A canned answer (missing fields default to exit 0 and empty output), or a function of the call. */
export type FakeResponse =
  | Partial<RunResult>
  | ((argv: readonly string[], options: RunOptions) => Partial<RunResult> | Promise<Partial<RunResult>>);

export interface FakeCall {
  argv: string[];
  options: RunOptions;
}

export type FakeRunner = CommandRunner & { readonly calls: FakeCall[] };

/**
 * Test support: a runner keyed by the command line joined with spaces ("crictl ps -o json").
 * Records every call; an unexpected command line throws, so a test never silently runs
 * something it did not plan for. A response function may throw (e.g. CommandNotFoundError).
 */
export function createFakeRunner(table: Record<string, FakeResponse>): FakeRunner {
  const calls: FakeCall[] = [];
  const runner = async (argv: readonly string[], options: RunOptions): Promise<RunResult> => {
    const commandLine = argv.join(' ');
    calls.push({ argv: [...argv], options });
    const response = Object.hasOwn(table, commandLine) ? table[commandLine] : undefined;
    if (response === undefined) {
      const known = Object.keys(table).map((key) => `  ${key}`).join('\n');
      throw new Error(`fake runner: unexpected command "${commandLine}"; expected one of:\n${known || '  (none)'}`);
    }
    const result = typeof response === 'function' ? await response(argv, options) : response;
    return { exitCode: 0, stdout: '', stderr: '', ...result };
  };
  return Object.assign(runner, { calls });
}
