/**
 * Per-component extraArgs (kubeadm v1beta4 name/value lists): a user arg replaces the default of
 * the same name; the remaining defaults stay sorted and the user args follow in the order given
 * (kubeadm PR #135400, reference §8.3). Each arg is one argv element, so a value is data.
 */
import type { ExtraArg } from '../config/types.js';
import { flagsToArgs, type FlagMap } from './args.js';

export type { ExtraArg } from '../config/types.js';

/** `--name=value` argv: sorted defaults not overridden, then the user's args as given. */
export function mergeArgs(defaults: FlagMap, extra: readonly ExtraArg[] = []): string[] {
  const overridden = new Set(extra.map((a) => a.name));
  const kept = Object.fromEntries(Object.entries(defaults).filter(([name]) => !overridden.has(name)));
  return [...flagsToArgs(kept), ...extra.map((a) => `--${a.name}=${a.value}`)];
}

/** The value the component will see for `name`: the last user arg (flag parsing: last wins), else the default. */
export function effectiveArg(defaults: FlagMap, extra: readonly ExtraArg[] | undefined, name: string): string | undefined {
  const user = (extra ?? []).filter((a) => a.name === name);
  return user.length > 0 ? user[user.length - 1]!.value : defaults[name];
}

/** Every flag a component ends up with, user args applied: name → value. */
export function effectiveFlags(defaults: FlagMap, extra: readonly ExtraArg[] = []): Record<string, string> {
  const out: Record<string, string> = { ...defaults };
  for (const a of extra) out[a.name] = a.value;
  return out;
}
