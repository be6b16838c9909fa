/**
 * The record of what nodeadm created on this node: every file and directory a command
 * created (host events with action "created"), merged across commands and persisted as JSON
 * under /etc/kubernetes/nodeadm/. `reset` removes these paths and nothing else, so a user's
 * own file (never created by nodeadm) is never touched.
 */
import { CONFIG_API_VERSION } from './config/types.js';
import { OperationalError } from './errors.js';
import type { Host, HostEvent } from './host/types.js';
import { NODEADM_DIR } from './paths.js';

/** Code-point order: the same on every machine, and no ICU collator to build on the way. */
const byPath = (a: { path: string }, b: { path: string }): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

export const RECORD_FILE = `${NODEADM_DIR}/created.json`;
const RECORD_KIND = 'CreatedPaths';

export interface RecordedPath {
  path: string;
  kind: 'file' | 'dir';
}

/** Is `path` the same as or inside `dir`? */
export const isWithin = (path: string, dir: string): boolean => path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);

/** Collects one command's creations and removals from the host's events. */
export class CreationTracker {
  private readonly created = new Map<string, RecordedPath['kind']>();
  private readonly removed = new Set<string>();

  readonly onEvent = (event: HostEvent): void => {
    if (event.type !== 'file') return;
    const { kind, path, action } = event.change;
    // The root itself (created when --root DIR did not exist) is the user's choice, never nodeadm's to remove.
    if (path === '/') return;
    if (action === 'created' && kind !== 'remove') {
      this.created.set(path, kind);
      this.removed.delete(path);
    } else if (action === 'removed') {
      for (const p of [...this.created.keys()]) if (isWithin(p, path)) this.created.delete(p);
      this.removed.add(path);
    }
  };

  /** The on-disk record updated with this command's changes. */
  merge(previous: readonly RecordedPath[]): RecordedPath[] {
    const gone = (p: string): boolean => [...this.removed].some((r) => isWithin(p, r));
    const out = new Map<string, RecordedPath['kind']>();
    for (const entry of previous) if (!gone(entry.path)) out.set(entry.path, entry.kind);
    for (const [path, kind] of this.created) out.set(path, kind);
    return [...out].map(([path, kind]) => ({ path, kind })).sort(byPath);
  }

  get isEmpty(): boolean {
    return this.created.size === 0 && this.removed.size === 0;
  }
}

/** The record on disk; [] when there is none. A damaged record is an error: guessing could delete a user's file. */
export async function readRecord(host: Host): Promise<RecordedPath[]> {
  const text = await host.readText(RECORD_FILE);
  if (text === undefined) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw damaged();
  }
  const paths = (doc as { kind?: unknown; paths?: unknown }).paths;
  if ((doc as { kind?: unknown }).kind !== RECORD_KIND || !Array.isArray(paths)) throw damaged();
  return paths.map((p: unknown) => {
    const entry = p as Partial<RecordedPath>;
    if (typeof entry.path !== 'string' || !entry.path.startsWith('/') || (entry.kind !== 'file' && entry.kind !== 'dir')) throw damaged();
    return { path: entry.path, kind: entry.kind };
  });
}

/** Writes the record atomically (0600). The record file and any directory it needs are recorded too. */
export async function writeRecord(host: Host, paths: readonly RecordedPath[]): Promise<void> {
  const all = new Map(paths.map((p) => [p.path, p.kind]));
  if (all.size === 0 && !(await host.exists(RECORD_FILE))) return;
  // The directories this write will create belong to nodeadm as well.
  for (let dir = NODEADM_DIR; dir !== '/' && !(await host.exists(dir)); dir = dir.slice(0, dir.lastIndexOf('/')) || '/') {
    all.set(dir, 'dir');
  }
  all.set(RECORD_FILE, 'file');
  const sorted = [...all].map(([path, kind]) => ({ path, kind })).sort(byPath);
  await host.writeFile(RECORD_FILE, `${JSON.stringify({ apiVersion: CONFIG_API_VERSION, kind: RECORD_KIND, paths: sorted }, null, 2)}\n`, { mode: 0o600 });
}

/** Merges one command's tracker into the record on disk. */
export async function saveRecord(host: Host, tracker: CreationTracker): Promise<void> {
  if (tracker.isEmpty) return;
  await writeRecord(host, tracker.merge(await readRecord(host)));
}

function damaged(): OperationalError {
  return new OperationalError(`${RECORD_FILE} is not a record nodeadm can read`, 'restore it from a backup, or remove the files nodeadm created by hand; nodeadm will not guess what is yours');
}
