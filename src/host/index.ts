import { lstatSync } from 'node:fs';
import path from 'node:path';
import { OperationalError } from '../errors.js';
import { createOverlayStore } from './overlay.js';
import { createResolver, normalizeNodePath, realLocation } from './rooted-path.js';
import { execaRunner } from './runner.js';
import { createDiskStore, PARENT_DIR_MODE, type Store } from './store.js';
import type { FileChange, Host, HostEvent, HostOptions, RunResult, WriteResult } from './types.js';

export type * from './types.js';
export { CommandNotFoundError, execaRunner } from './runner.js';
export { createFakeRunner, type FakeCall, type FakeResponse, type FakeRunner } from './fake-runner.js';

/**
 * The host for `root` (default "/" is the live machine). With `dryRun`, writes go to an
 * in-memory overlay that later reads see, and mutating commands are recorded, not run.
 */
export function createHost(options: HostOptions): Host {
  const root = path.resolve(options.root);
  const realRoot = realLocation(root);
  const resolveUnderRoot = createResolver(root, realRoot);
  const dryRun = options.dryRun ?? false;
  const store: Store = dryRun ? createOverlayStore(createDiskStore()) : createDiskStore();
  const runner = options.runner ?? execaRunner;
  const emit = (event: HostEvent): void => options.onEvent?.(event);
  const emitFile = (change: FileChange): void => emit({ type: 'file', change });

  /** Resolves and runs one operation, reporting fs failures against the node path. */
  async function at<T>(verb: string, nodePath: string, operation: (abs: string) => Promise<T>): Promise<T> {
    try {
      return await operation(resolveUnderRoot(nodePath));
    } catch (error) {
      throw toOperationalError(verb, nodePath, error);
    }
  }

  /** mkdir -p, reporting each directory it creates. */
  async function mkdirs(abs: string, mode: number): Promise<void> {
    for (const dir of await store.mkdirs(abs, mode)) {
      const nodePath = root === '/' ? dir : '/' + path.relative(root, dir);
      emitFile({ kind: 'dir', path: nodePath, mode: dir === abs ? mode : PARENT_DIR_MODE, action: 'created', secret: false });
    }
  }

  const readFile = (nodePath: string): Promise<Buffer | undefined> =>
    at('read', nodePath, async (abs) => (await store.read(abs))?.bytes);

  return {
    root,
    dryRun,
    isLiveRoot: realRoot === '/',

    resolve(nodePath) {
      try {
        return resolveUnderRoot(nodePath);
      } catch (error) {
        throw toOperationalError('resolve', nodePath, error);
      }
    },

    readFile,
    readText: async (nodePath) => (await readFile(nodePath))?.toString('utf8'),
    exists: (nodePath) => at('check', nodePath, async (abs) => (await store.stat(abs)) !== undefined),
    listDir: (nodePath) => at('list', nodePath, async (abs) => (await store.list(abs)).sort()),

    writeFile: (nodePath, content, { mode, secret = false }) =>
      at('write', nodePath, async (abs) => {
        const bytes = Buffer.from(content);
        const current = await store.read(abs); // the one read: content and mode together
        const sameBytes = current !== undefined && current.bytes.equals(bytes);
        let action: WriteResult;
        if (current === undefined) {
          await mkdirs(path.dirname(abs), PARENT_DIR_MODE);
          await store.writeFile(abs, bytes, mode);
          action = 'created';
        } else if (!sameBytes) {
          await store.writeFile(abs, bytes, mode);
          action = 'updated';
        } else if (current.mode !== mode) {
          await store.chmod(abs, mode);
          action = 'updated';
        } else {
          action = 'unchanged';
        }
        const change: FileChange = { kind: 'file', path: normalizeNodePath(nodePath), mode, action, secret };
        // Content and diffs are for the dry-run reader, and never for secrets.
        if (dryRun && !secret && current === undefined) change.content = bytes.toString('utf8');
        if (dryRun && !secret && current !== undefined && !sameBytes) {
          change.diff = await unifiedDiff(change.path, current.bytes, bytes);
        }
        emitFile(change);
        return action;
      }),

    ensureDir: (nodePath, mode) =>
      at('create directory', nodePath, async (abs) => {
        const current = await store.stat(abs);
        if (current === undefined) {
          await mkdirs(abs, mode); // reports the directory and its new parents
          return 'created';
        }
        if (current.kind !== 'dir') {
          throw new OperationalError(`${nodePath} exists and is not a directory`, 'move it out of the way and re-run');
        }
        const action: WriteResult = current.mode === mode ? 'unchanged' : 'updated';
        if (action === 'updated') await store.chmod(abs, mode);
        emitFile({ kind: 'dir', path: normalizeNodePath(nodePath), mode, action, secret: false });
        return action;
      }),

    device: (nodePath) =>
      at('check', nodePath, async (abs) => {
        try {
          return lstatSync(abs).dev;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
          throw error;
        }
      }),

    remove: (nodePath) =>
      at('remove', nodePath, async (abs) => {
        if (abs === root) throw new OperationalError(`refusing to remove the root directory ${root}`);
        if (!(await store.present(abs))) return false;
        await store.remove(abs);
        emitFile({ kind: 'remove', path: normalizeNodePath(nodePath), action: 'removed', secret: false });
        return true;
      }),

    async run(argv, runOptions = {}): Promise<RunResult> {
      if (dryRun && runOptions.mutating) {
        emit({ type: 'command', command: { argv: [...argv], ran: false } });
        return { exitCode: 0, stdout: '', stderr: '' };
      }
      const result = await runner(argv, runOptions);
      emit({ type: 'command', command: { argv: [...argv], ran: true } });
      return result;
    },
  };
}

/** The diff package is loaded only when a dry-run has something to diff. */
async function unifiedDiff(nodePath: string, before: Buffer, after: Buffer): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  return createTwoFilesPatch(nodePath, nodePath, before.toString('utf8'), after.toString('utf8'));
}

/** fs failures become one-line OperationalErrors naming the node path; anything else is a bug and passes through. */
function toOperationalError(verb: string, nodePath: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof OperationalError || typeof code !== 'string') return error;
  const wrapped = new OperationalError(
    `cannot ${verb} ${nodePath}: ${FS_ERRORS[code] ?? (error as Error).message}`,
    FS_HINTS[code],
  );
  wrapped.cause = error;
  return wrapped;
}

const FS_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
  EEXIST: 'something that is not a directory is in the way',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

const ROOT_HINT = 'run as root (sudo), or pass --root DIR to render into a directory you own';
const FS_HINTS: Record<string, string> = { EACCES: ROOT_HINT, EPERM: ROOT_HINT };
