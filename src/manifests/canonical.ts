/**
 * Canonical key order for emitted objects: apiVersion, kind and metadata first (as toYaml writes
 * them), then alphabetical at every level, as the Kubernetes serialiser orders fields, so a
 * nodeadm manifest diffs cleanly against a kubeadm one. Arrays keep their order.
 */
import { byCodeUnit } from './args.js';

const HEAD_KEYS = ['apiVersion', 'kind', 'metadata'];

function keyOrder(a: string, b: string): number {
  const ha = HEAD_KEYS.indexOf(a);
  const hb = HEAD_KEYS.indexOf(b);
  if (ha >= 0 || hb >= 0) return (ha < 0 ? HEAD_KEYS.length : ha) - (hb < 0 ? HEAD_KEYS.length : hb);
  return byCodeUnit(a, b);
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortValue);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort(keyOrder)) {
    if (source[key] !== undefined) out[key] = sortValue(source[key]);
  }
  return out;
}

/** A deep copy of `value` with object keys in canonical order and undefined fields dropped. */
export function canonical<T>(value: T): T {
  return sortValue(value) as T;
}
