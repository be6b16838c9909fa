/**
 * A minimal TOML writer for containerd's config: nested tables of strings, booleans, numbers
 * and string arrays. Values are data; strings are escaped as TOML basic strings, so a user
 * value (an image repository) can never inject a key.
 */
export type TomlValue = string | number | boolean | string[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const key = (k: string): string => (BARE_KEY.test(k) ? k : JSON.stringify(k));

function scalar(value: string | number | boolean | string[]): string {
  if (Array.isArray(value)) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
  if (typeof value === 'number' && !Number.isInteger(value)) throw new Error('toml: only integers are supported');
  // JSON string escapes (\", \\, \n, \uXXXX) are valid TOML basic-string escapes.
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isTable(v: TomlValue): v is TomlTable {
  return typeof v === 'object' && !Array.isArray(v);
}

/**
 * Serialises a table: scalars first, then sub-tables as [a.b.c] headers, in insertion order.
 * A table holding only sub-tables gets no header of its own (TOML defines it implicitly), and
 * each header is indented one step per header above it, as containerd's docs lay it out.
 */
export function toToml(table: TomlTable, path: string[] = [], headersAbove = 0): string {
  const entries = Object.entries(table);
  const scalars = entries.filter(([, v]) => !isTable(v));
  const tables = entries.filter(([, v]) => isTable(v)) as Array<[string, TomlTable]>;
  const header = path.length > 0 && (scalars.length > 0 || tables.length === 0);
  const pad = (n: number): string => '  '.repeat(n);
  const lines: string[] = [];
  if (header) lines.push(`${pad(headersAbove)}[${path.map(key).join('.')}]`);
  const keyPad = pad(header ? headersAbove + 1 : headersAbove);
  for (const [k, v] of scalars) lines.push(`${keyPad}${key(k)} = ${scalar(v as string | number | boolean | string[])}`);
  let text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  for (const [k, v] of tables) text += toToml(v, [...path, k], header ? headersAbove + 1 : headersAbove);
  return text;
}
