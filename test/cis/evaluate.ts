/**
 * kube-bench's logic over a node folder (reference cis-checks.md, "How to evaluate"): file
 * modes as a bitmask, owners, flags from the static pods' command, the kubelet's flags before
 * its config file. "root" is whoever rendered the folder: a rootless test owns every file.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Check, Op, Target } from './checks.js';

export interface Outcome {
  pass: boolean;
  detail: string;
}

async function walk(abs: string): Promise<string[]> {
  const st = await stat(abs).catch(() => undefined);
  if (!st) return [];
  if (!st.isDirectory()) return [abs];
  const out = [abs];
  for (const name of await readdir(abs)) out.push(...(await walk(join(abs, name))));
  return out;
}

/** Matches of a kube-bench path: `**` recurses (the directory itself included), `*` within a name. */
export async function glob(root: string, path: string): Promise<string[]> {
  const parts = path.split('/').filter((p) => p !== '');
  const first = parts.findIndex((p) => p.includes('*'));
  if (first < 0) return (await stat(join(root, path)).catch(() => undefined)) ? [join(root, path)] : [];
  const base = join(root, ...parts.slice(0, first));
  const rest = parts.slice(first);
  const nameRe = (p: string): RegExp => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  if (rest[0] === '**') {
    const all = await walk(base);
    return rest.length === 1 ? all : all.filter((p) => p !== base && nameRe(rest[1]!).test(basename(p)));
  }
  const names = await readdir(base).catch(() => [] as string[]);
  return names.filter((n) => nameRe(rest[0]!).test(n)).map((n) => join(base, n));
}

export type FlagSource = Record<Target, Map<string, string>>;

function flagMap(args: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const arg of args) {
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (m) map.set(m[1]!, m[2] ?? 'true');
  }
  return map;
}

export async function manifestFlags(root: string): Promise<FlagSource> {
  const read = async (name: string): Promise<Map<string, string>> => {
    const pod = yaml.load(await readFile(join(root, 'etc/kubernetes/manifests', `${name}.yaml`), 'utf8')) as {
      spec: { containers: { command?: string[]; args?: string[] }[] };
    };
    const c = pod.spec.containers[0]!;
    return flagMap([...(c.command ?? []), ...(c.args ?? [])]);
  };
  return {
    apiserver: await read('kube-apiserver'),
    'controller-manager': await read('kube-controller-manager'),
    scheduler: await read('kube-scheduler'),
    etcd: await read('etcd'),
  };
}

export interface KubeletSource {
  flags: Map<string, string>;
  config: Record<string, unknown>;
}

export async function kubeletSource(root: string): Promise<KubeletSource> {
  const env = await readFile(join(root, 'var/lib/kubelet/nodeadm-flags.env'), 'utf8');
  const m = /^KUBELET_NODEADM_ARGS="(.*)"$/m.exec(env);
  const flags = flagMap((m?.[1] ?? '').split(/\s+/).filter((s) => s !== ''));
  const config = yaml.load(await readFile(join(root, 'var/lib/kubelet/config.yaml'), 'utf8')) as Record<string, unknown>;
  return { flags, config };
}

const asString = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : Array.isArray(v) ? v.join(',') : String(v));

function field(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function compare(op: Op, actual: string | undefined, value: string | undefined, orNotSet: boolean): boolean {
  if (op === 'set') return actual !== undefined;
  if (op === 'notset') return actual === undefined;
  if (actual === undefined) return orNotSet;
  const want = value ?? '';
  const items = actual.split(',').map((s) => s.trim());
  switch (op) {
    case 'eq':
      return actual.toLowerCase() === want.toLowerCase();
    case 'noteq':
      return actual.toLowerCase() !== want.toLowerCase();
    case 'gte':
      return Number(actual) >= Number(want);
    case 'has':
      return items.includes(want);
    case 'nothas':
      return !items.includes(want);
    case 'validElements':
      return actual !== '' && items.every((i) => want.split(',').includes(i));
  }
}

export async function evaluate(check: Check, root: string, flags: FlagSource, kubelet: KubeletSource): Promise<Outcome> {
  switch (check.kind) {
    case 'perm': {
      const files = await glob(root, check.path);
      if (files.length === 0) return { pass: check.optional === true, detail: `${check.path}: not found` };
      const bad: string[] = [];
      for (const f of files) {
        const mode = (await stat(f)).mode & 0o777;
        if ((mode & ~check.perm) !== 0) bad.push(`${f.slice(root.length)} ${mode.toString(8)}`);
      }
      return { pass: bad.length === 0, detail: bad.length ? `too open: ${bad.join(', ')}` : `${files.length} file(s) within ${check.perm.toString(8)}` };
    }
    case 'owner': {
      const files = await glob(root, check.path);
      if (files.length === 0) return { pass: check.optional === true, detail: `${check.path}: not found` };
      const self = { uid: process.getuid!(), gid: process.getgid!() };
      const bad: string[] = [];
      for (const f of files) {
        const st = await stat(f);
        // root:root ≙ the renderer's own uid/gid; etcd:etcd needs a real chown.
        const ok = check.owner === 'root:root' ? st.uid === self.uid && st.gid === self.gid : false;
        if (!ok) bad.push(`${f.slice(root.length)} ${st.uid}:${st.gid}`);
      }
      return { pass: bad.length === 0, detail: bad.length ? `owner not ${check.owner}: ${bad.join(', ')}` : `${files.length} file(s) ${check.owner}` };
    }
    case 'flag': {
      const map = flags[check.target];
      const results = check.flags.map((f) => compare(check.op, map.get(f), check.value, check.orNotSet === true));
      return { pass: results.every(Boolean), detail: check.flags.map((f) => `--${f}=${map.get(f) ?? '(unset)'}`).join(' ') };
    }
    case 'kubelet': {
      // Flags override the file: the file's field counts only when the flag is absent.
      const fromFlag = kubelet.flags.get(check.flag);
      if (fromFlag !== undefined || check.fields.length === 0) {
        return { pass: compare(check.op, fromFlag, check.value, check.orNotSet === true), detail: `--${check.flag}=${fromFlag ?? '(unset)'}` };
      }
      const values = check.fields.map((f) => asString(field(kubelet.config, f)));
      return {
        pass: values.every((v) => compare(check.op, v, check.value, check.orNotSet === true)),
        detail: check.fields.map((f, i) => `${f}: ${values[i] ?? '(unset)'}`).join(' '),
      };
    }
  }
}
