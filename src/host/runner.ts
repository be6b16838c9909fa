import { constants } from 'node:os';
import type { Options } from 'execa';
import { OperationalError } from '../errors.js';
import type { CommandRunner } from './types.js';

/**
 * The command could not be started: it is not installed or not on PATH. Thrown rather than
 * returned as an exit code so a phase never mistakes "not installed" for "ran and said no";
 * a check that only probes for a tool catches this one class.
 */
export class CommandNotFoundError extends OperationalError {
  override readonly name = 'CommandNotFoundError';
  constructor(readonly command: string) {
    super(`command not found: ${command}`, `install ${command} or add it to PATH`);
  }
}

/**
 * The production runner: no shell, never rejects on a non-zero exit. A command killed by a
 * signal reports 128 + the signal number, as a shell would. Trailing newlines are stripped.
 */
export const execaRunner: CommandRunner = async (argv, { input, timeoutMs }) => {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty command line');
  const options: Options = {
    reject: false,
    timeout: timeoutMs,
    // No input: give the command no stdin at all rather than an open pipe it might wait on.
    ...(input === undefined ? { stdin: 'ignore' } : { input }),
  };
  // Loaded on first use: importing execa costs ~100 ms, which a run with no commands never needs.
  const { execa } = await import('execa');
  const result = await execa(file, args, options);
  const commandLine = argv.join(' ');
  if (result.code === 'ENOENT') throw new CommandNotFoundError(file);
  if (result.timedOut) {
    throw new OperationalError(`command timed out after ${timeoutMs} ms: ${commandLine}`, stderrHint(result.stderr));
  }
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.exitCode !== undefined) return { exitCode: result.exitCode, stdout, stderr };
  if (result.signal !== undefined) return { exitCode: 128 + constants.signals[result.signal], stdout, stderr };
  // Spawn failed for another reason (EACCES: not executable, …).
  throw new OperationalError(`cannot run ${commandLine}: ${String(result.code ?? result.shortMessage)}`);
};

function stderrHint(stderr: unknown): string | undefined {
  const text = String(stderr ?? '').trim();
  return text === '' ? undefined : `its last output: ${text.split('\n').slice(-3).join(' | ')}`;
}
