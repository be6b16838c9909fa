/**
 * The one serialiser for every object nodeadm writes: deterministic (insertion order, with
 * apiVersion, kind and metadata first), no anchors, no line folding.
 */
import yaml from 'js-yaml';

const HEAD_KEYS = ['apiVersion', 'kind', 'metadata'];

function headFirst(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(headFirst);
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of HEAD_KEYS) if (key in source && source[key] !== undefined) out[key] = source[key];
  for (const [key, v] of Object.entries(source)) {
    if (v === undefined || HEAD_KEYS.includes(key)) continue;
    out[key] = headFirst(v);
  }
  return out;
}

/** Serialises one object to YAML. `undefined` fields are dropped. */
export function toYaml(object: unknown): string {
  return yaml.dump(headFirst(object), { noRefs: true, lineWidth: -1, quotingType: '"' });
}

/** Several objects as one multi-document YAML stream. */
export function toYamlStream(objects: readonly unknown[]): string {
  return objects.map(toYaml).join('---\n');
}

/** Parses YAML with the safe default schema. */
export function fromYaml(text: string): unknown {
  return yaml.load(text);
}

export function fromYamlStream(text: string): unknown[] {
  return yaml.loadAll(text).filter((d) => d !== null && d !== undefined);
}
