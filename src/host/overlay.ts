import path from 'node:path';
import { errnoError, PARENT_DIR_MODE, type FileContent, type Stat, type Store } from './store.js';

/**
 * What dry-run did to one path. A directory the overlay created is `opaque`: it was absent
 * before, so nothing the disk has under that name shows through. `gone` hides the disk's
 * entry and everything below it.
 */
type Entry = { kind: 'file'; bytes: Buffer; mode: number } | { kind: 'dir'; mode: number; opaque: boolean } | { kind: 'gone' };

const GONE: Entry = { kind: 'gone' };

/** The dry-run store: reads fall through to `disk`, writes only change an in-memory overlay. */
export function createOverlayStore(disk: Store): Store {
  const entries = new Map<string, Entry>();

  /** The overlay's say on `abs`, or undefined when the disk decides. */
  function lookup(abs: string): Entry | undefined {
    const own = entries.get(abs);
    if (own) return own;
    for (let dir = path.dirname(abs), prev = abs; dir !== prev; prev = dir, dir = path.dirname(dir)) {
      const above = entries.get(dir);
      if (above && (above.kind !== 'dir' || above.opaque)) return GONE;
    }
    return undefined;
  }

  const store: Store = {
    async stat(abs): Promise<Stat | undefined> {
      const entry = lookup(abs);
      if (!entry) return disk.stat(abs);
      return entry.kind === 'gone' ? undefined : { kind: entry.kind, mode: entry.mode };
    },

    async present(abs) {
      const entry = lookup(abs);
      return entry ? entry.kind !== 'gone' : disk.present(abs);
    },

    async read(abs): Promise<FileContent | undefined> {
      const entry = lookup(abs);
      if (!entry) return disk.read(abs);
      if (entry.kind === 'dir') throw errnoError('EISDIR', abs);
      return entry.kind === 'file' ? { bytes: entry.bytes, mode: entry.mode } : undefined;
    },

    async list(abs) {
      const entry = lookup(abs);
      if (entry && entry.kind !== 'dir') return [];
      const names = new Set(entry?.kind === 'dir' && entry.opaque ? [] : await disk.list(abs));
      for (const [p, child] of entries) {
        if (path.dirname(p) !== abs) continue;
        if (child.kind === 'gone') names.delete(path.basename(p));
        else names.add(path.basename(p));
      }
      return [...names];
    },

    async writeFile(abs, bytes, mode) {
      entries.set(abs, { kind: 'file', bytes, mode });
    },

    async chmod(abs, mode) {
      const st = await store.stat(abs);
      if (st?.kind === 'dir') {
        const own = entries.get(abs);
        entries.set(abs, { kind: 'dir', mode, opaque: own?.kind === 'dir' && own.opaque });
      } else {
        const current = await store.read(abs);
        if (current) entries.set(abs, { kind: 'file', bytes: current.bytes, mode });
      }
    },

    async mkdirs(abs, mode) {
      const missing: string[] = [];
      let dir = abs;
      let existing: Stat | undefined;
      while (!(existing = await store.stat(dir))) {
        missing.unshift(dir);
        dir = path.dirname(dir);
      }
      // Fail where mkdir -p would: something that is not a directory is in the way.
      if (existing.kind !== 'dir') throw errnoError(dir === abs ? 'EEXIST' : 'ENOTDIR', dir);
      for (const created of missing) {
        entries.set(created, { kind: 'dir', mode: created === abs ? mode : PARENT_DIR_MODE, opaque: true });
      }
      return missing;
    },

    async remove(abs) {
      for (const p of entries.keys()) if (p.startsWith(abs + '/')) entries.delete(p);
      entries.set(abs, GONE);
    },
  };
  return store;
}
