/**
 * Which flags a component accepts in a given Kubernetes minor, and the nearest valid name for a
 * misspelt one. An unknown flag makes the component exit at start, so extraArgs are checked
 * against this table at input time.
 */
import { VERSIONS, type VersionInfo } from '../../versions/index.js';
import { FLAG_TABLE, type FlagComponent, type FlagEntry } from './table.js';

export { FLAG_TABLE, type FlagComponent, type FlagEntry } from './table.js';

/** Position of a minor in the versions table: the table's order is the release order. */
function minorIndex(minor: string): number {
  const i = VERSIONS.findIndex((v) => v.minor === minor);
  if (i < 0) throw new Error(`flag table names unknown minor ${minor}`);
  return i;
}

function acceptedIn(entry: FlagEntry, at: number): boolean {
  if (entry.since !== undefined && at < minorIndex(entry.since)) return false;
  if (entry.until !== undefined && at >= minorIndex(entry.until)) return false;
  return true;
}

const cache = new Map<string, ReadonlySet<string>>();

/** Flag names (without dashes) `component` accepts in `info.minor`. */
export function acceptedFlags(component: FlagComponent, info: Pick<VersionInfo, 'minor'>): ReadonlySet<string> {
  const key = `${component}@${info.minor}`;
  let set = cache.get(key);
  if (!set) {
    const at = minorIndex(info.minor);
    set = new Set(FLAG_TABLE[component].filter((e) => acceptedIn(e, at)).map((e) => e.name));
    cache.set(key, set);
  }
  return set;
}

/** Levenshtein distance (insert, delete, substitute: cost 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The accepted name closest to `name` (ties: alphabetical first). */
export function nearestFlag(name: string, accepted: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...accepted].sort()) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
