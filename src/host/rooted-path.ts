import { lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { OperationalError } from '../errors.js';

/** Symlink hops followed before giving up, as the kernel does (MAXSYMLINKS). */
const MAX_SYMLINK_HOPS = 40;

/**
 * "/etc/./kubernetes//pki" → "/etc/kubernetes/pki". Refuses relative paths and ".." that
 * would climb above "/", so a caller can never name something outside the node.
 */
export function normalizeNodePath(nodePath: string): string {
  if (!nodePath.startsWith('/')) {
    throw new OperationalError(`path ${JSON.stringify(nodePath)} is not node-absolute`, 'node paths start with "/"');
  }
  const segments: string[] = [];
  for (const segment of nodePath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') segments.push(segment);
    else if (segments.pop() === undefined) throw escapeError(nodePath);
  }
  return '/' + segments.join('/');
}

/**
 * Where `abs` really is once symlinks are followed: the realpath of its deepest existing
 * ancestor plus the missing rest. A dangling symlink is followed too, because a later write
 * through it would land at its target. lstat first: most paths a first run asks about do not
 * exist yet, and a failed realpath or readlink costs an exception each.
 */
export function realLocation(abs: string, hops = 0): string {
  let st: Stats | undefined;
  try {
    st = lstatSync(abs, { throwIfNoEntry: false });
  } catch (error) {
    if (!isMissing(error)) throw error; // ENOTDIR: a parent is a file, so this is missing too
  }
  if (st !== undefined) {
    if (!st.isSymbolicLink()) return realpathSync.native(abs);
    try {
      return realpathSync.native(abs);
    } catch (error) {
      if (!isMissing(error)) throw error; // dangling: followed by hand below
    }
  }
  const parent = path.dirname(abs);
  if (parent === abs) return abs;
  const realParent = realLocation(parent, hops);
  if (st === undefined) return path.join(realParent, path.basename(abs));
  if (hops >= MAX_SYMLINK_HOPS) throw new OperationalError(`too many symbolic links under ${abs}`);
  return realLocation(path.resolve(realParent, readlinkSync(abs)), hops + 1);
}

/** A resolver for node paths under `root`; `realRoot` is computed once by the caller. */
export function createResolver(root: string, realRoot: string): (nodePath: string) => string {
  if (realRoot === '/') return normalizeNodePath; // a live host: everything is inside
  return (nodePath) => {
    const normalized = normalizeNodePath(nodePath);
    const abs = normalized === '/' ? root : root + normalized;
    const real = realLocation(abs);
    if (real !== realRoot && !real.startsWith(realRoot + '/')) throw escapeError(nodePath, real);
    return abs;
  };
}

function escapeError(nodePath: string, real?: string): OperationalError {
  const where = real === undefined ? '' : ` (it leads to ${real})`;
  return new OperationalError(
    `path ${nodePath} escapes the root directory${where}`,
    'remove the symbolic link or ".." that points outside --root',
  );
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
