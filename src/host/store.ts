import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fchmodSync, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Parent directories the host creates on its own. */
export const PARENT_DIR_MODE = 0o755;

export interface Stat {
  kind: 'file' | 'dir' | 'other';
  /** Permission bits only (& 0o7777). */
  mode: number;
}

export interface FileContent {
  bytes: Buffer;
  mode: number;
}

/**
 * The primitive operations on absolute, already-resolved paths. The disk store does them;
 * the dry-run overlay records them. The host's created/updated/unchanged logic sits above
 * both, so dry-run computes exactly what a real run would.
 */
export interface Store {
  /** Follows symlinks; undefined when absent (also when a parent is a file). */
  stat(abs: string): Promise<Stat | undefined>;
  /** Whether anything (even a dangling symlink) occupies the name. */
  present(abs: string): Promise<boolean>;
  /** Content and mode in one open; undefined when absent; EISDIR on a directory. */
  read(abs: string): Promise<FileContent | undefined>;
  /** Names in a directory, unsorted; [] when absent. */
  list(abs: string): Promise<string[]>;
  writeFile(abs: string, bytes: Buffer, mode: number): Promise<void>;
  chmod(abs: string, mode: number): Promise<void>;
  /** mkdir -p: the leaf gets `mode`, missing parents 0755. Returns created dirs, outermost first. */
  mkdirs(abs: string, mode: number): Promise<string[]>;
  remove(abs: string): Promise<void>;
}

/**
 * Reads are synchronous on purpose: each async fs call is a threadpool round trip, ~20x the
 * cost of the syscall for small files, and a no-change re-run is nothing but reads. Writes and
 * mkdir are synchronous too (writeAtomic): during init the threadpool is busy generating keys.
 */
export function createDiskStore(): Store {
  return {
    async stat(abs) {
      try {
        const st = statSync(abs);
        return { kind: st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other', mode: st.mode & 0o7777 };
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    },

    async present(abs) {
      try {
        lstatSync(abs);
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    },

    async read(abs) {
      let fd: number;
      try {
        fd = openSync(abs, 'r');
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
      try {
        const mode = fstatSync(fd).mode & 0o7777;
        return { bytes: readFileSync(fd), mode }; // EISDIR on a directory
      } finally {
        closeSync(fd);
      }
    },

    async list(abs) {
      try {
        return readdirSync(abs);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
    },

    writeFile: (abs, bytes, mode) => writeAtomic(abs, bytes, mode),

    chmod: (abs, mode) => fs.chmod(abs, mode),

    async mkdirs(abs, mode) {
      const first = mkdirSync(abs, { recursive: true, mode: 0o700 });
      if (first === undefined) return [];
      const created = [abs];
      for (let dir = abs; dir !== first; ) created.unshift((dir = path.dirname(dir)));
      // mkdir's mode is subject to umask; set each one explicitly.
      for (const dir of created) chmodSync(dir, dir === abs ? mode : PARENT_DIR_MODE);
      return created;
    },

    remove: (abs) => fs.rm(abs, { recursive: true, force: true }),
  };
}

/**
 * Writes a dot-file next to `file`, fsyncs it and renames it over `file` (SPEC "Writes are
 * atomic"), so readers (the kubelet watching the manifests directory) see the old file or the
 * new one, never a partial one, and so does anyone after a power loss. The dot-file is gone
 * whatever fails. `rename` is a seam for tests. The directory's fsync, which makes the rename
 * itself survive a power loss, is left to syncWrites(): once per directory when the command
 * ends, instead of once per file.
 * The syscalls are synchronous: as async calls each is a threadpool round trip, and those hops
 * (queued behind key generation on the same pool) cost more than the call itself.
 */
export async function writeAtomic(
  file: string,
  bytes: Uint8Array,
  mode: number,
  rename: (from: string, to: string) => Promise<void> | void = renameSync,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.nodeadm-${randomBytes(6).toString('hex')}`);
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeFileSync(fd, bytes);
      fchmodSync(fd, mode); // explicit: open()'s mode is subject to umask
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  unsyncedDirectories.add(dir);
}

type Fsync = (handle: fs.FileHandle) => Promise<void>;
let fsyncHandle: Fsync = (handle) => handle.sync();

/** Replaces the directories' fsync (tests); returns the previous one. */
export function setFsync(fsync: Fsync): Fsync {
  const previous = fsyncHandle;
  fsyncHandle = fsync;
  return previous;
}

/** Directories renamed into since their last fsync. */
const unsyncedDirectories = new Set<string>();

/**
 * Makes every rename so far durable: fsyncs each directory written into, in parallel on the
 * threadpool. The CLI calls it when a command ends, failed or not, so a command that reports a
 * file written has it on disk. A directory removed since (reset) is skipped.
 */
export async function syncWrites(): Promise<void> {
  const directories = [...unsyncedDirectories];
  unsyncedDirectories.clear();
  await Promise.all(directories.map(fsyncPath));
}

async function fsyncPath(p: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(p, 'r');
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  try {
    await fsyncHandle(handle);
  } finally {
    await handle.close();
  }
}

/** An error shaped like Node's fs errors, so the host reports dry-run failures the same way. */
export function errnoError(code: string, abs: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${abs}`), { code, path: abs });
}

/** ENOTDIR counts as absent: "/etc/hostname/x" does not exist, it is not an error to ask. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
