import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { CommandNotFoundError, createFakeRunner, createHost, execaRunner } from '../../src/host/index.js';
import { recordEvents, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

describe('execaRunner', () => {
  it('returns exit codes and output without rejecting', async () => {
    expect(await execaRunner(['true'], {})).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect((await execaRunner(['false'], {})).exitCode).toBe(1);
    expect(await execaRunner(['echo', 'hello'], {})).toEqual({ exitCode: 0, stdout: 'hello', stderr: '' });
    expect(await execaRunner(['sh', '-c', 'echo out; echo err >&2; exit 3'], {})).toEqual({
      exitCode: 3,
      stdout: 'out',
      stderr: 'err',
    });
  });

  it('uses no shell: arguments are passed verbatim', async () => {
    const result = await execaRunner(['echo', '$HOME; touch /tmp/x', '*'], {});
    expect(result.stdout).toBe('$HOME; touch /tmp/x *');
  });

  it('feeds input to stdin, and gives no stdin otherwise (never hangs)', async () => {
    expect((await execaRunner(['cat'], { input: 'apiVersion: v1\n' })).stdout).toBe('apiVersion: v1');
    expect(await execaRunner(['cat'], {})).toEqual({ exitCode: 0, stdout: '', stderr: '' });
  });

  it('throws CommandNotFoundError naming a missing binary', async () => {
    const failure = execaRunner(['nodeadm-no-such-tool', 'ps'], {});
    await expect(failure).rejects.toBeInstanceOf(CommandNotFoundError);
    await expect(failure).rejects.toBeInstanceOf(OperationalError);
    await expect(failure).rejects.toMatchObject({
      message: 'command not found: nodeadm-no-such-tool',
      command: 'nodeadm-no-such-tool',
      hint: 'install nodeadm-no-such-tool or add it to PATH',
    });
  });

  it('throws on timeout and maps a signal death to 128 + signal', async () => {
    await expect(execaRunner(['sleep', '5'], { timeoutMs: 100 })).rejects.toThrow('command timed out after 100 ms: sleep 5');
    expect((await execaRunner(['sh', '-c', 'kill -TERM $$'], {})).exitCode).toBe(143);
  });
});

describe('host.run', () => {
  it('in dry-run records mutating commands without running them and runs read-only ones', async () => {
    const runner = createFakeRunner({ 'crictl ps -q': { stdout: 'abc' } });
    const { events, onEvent } = recordEvents();
    const host = createHost({ root: await tempDir(), dryRun: true, runner, onEvent });
    expect(await host.run(['systemctl', 'restart', 'kubelet'], { mutating: true })).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await host.run(['crictl', 'ps', '-q'])).toEqual({ exitCode: 0, stdout: 'abc', stderr: '' });
    expect(runner.calls.map((c) => c.argv)).toEqual([['crictl', 'ps', '-q']]);
    expect(events).toEqual([
      { type: 'command', command: { argv: ['systemctl', 'restart', 'kubelet'], ran: false } },
      { type: 'command', command: { argv: ['crictl', 'ps', '-q'], ran: true } },
    ]);
  });

  it('in dry-run with the real runner, a mutating command has no effect', async () => {
    const dir = await tempDir();
    const marker = path.join(dir, 'marker');
    const host = createHost({ root: dir, dryRun: true });
    await host.run(['touch', marker], { mutating: true });
    await expect(fs.access(marker)).rejects.toThrow(/ENOENT/);
    expect((await host.run(['test', '-d', dir])).exitCode).toBe(0);
  });

  it('outside dry-run runs mutating commands and passes options through', async () => {
    const runner = createFakeRunner({ 'kubectl apply -f -': { stdout: 'applied' } });
    const { events, onEvent } = recordEvents();
    const host = createHost({ root: await tempDir(), runner, onEvent });
    const options = { mutating: true, input: 'kind: List', timeoutMs: 5000 };
    expect((await host.run(['kubectl', 'apply', '-f', '-'], options)).stdout).toBe('applied');
    expect(runner.calls).toEqual([{ argv: ['kubectl', 'apply', '-f', '-'], options }]);
    expect(events).toEqual([{ type: 'command', command: { argv: ['kubectl', 'apply', '-f', '-'], ran: true } }]);
  });
});

describe('createFakeRunner', () => {
  it('answers from the table, filling in defaults, and records calls', async () => {
    const runner = createFakeRunner({
      'systemctl is-active kubelet': { exitCode: 3, stdout: 'inactive' },
      'true': {},
      'crictl inspect x': (argv, options) => ({ stdout: `${argv.length} ${options.input ?? ''}` }),
    });
    expect(await runner(['systemctl', 'is-active', 'kubelet'], {})).toEqual({ exitCode: 3, stdout: 'inactive', stderr: '' });
    expect(await runner(['true'], {})).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect((await runner(['crictl', 'inspect', 'x'], { input: 'in' })).stdout).toBe('3 in');
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual(['systemctl is-active kubelet', 'true', 'crictl inspect x']);
  });

  it('throws a clear error for an unexpected command line, even one named like an Object property', async () => {
    const runner = createFakeRunner({ 'crictl ps': {} });
    await expect(runner(['crictl', 'pods'], {})).rejects.toThrow(
      'fake runner: unexpected command "crictl pods"; expected one of:\n  crictl ps',
    );
    await expect(runner(['constructor'], {})).rejects.toThrow(/unexpected command "constructor"/);
    expect(runner.calls).toHaveLength(2);
  });

  it('lets a response throw, e.g. to simulate a missing binary', async () => {
    const runner = createFakeRunner({
      'crictl version': () => {
        throw new CommandNotFoundError('crictl');
      },
    });
    await expect(runner(['crictl', 'version'], {})).rejects.toThrow('command not found: crictl');
  });
});
