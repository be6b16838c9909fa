/**
 * Flags as data (kubeadm util/arguments.go ArgumentsToCommand): a name → value map becomes
 * `--name=value` argv elements sorted by name. Each flag is one argv element, so a value can
 * never start a second flag, whatever characters it holds.
 */

/** Flag name (without the leading dashes) → value. */
export type FlagMap = Readonly<Record<string, string>>;

const FLAG_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Code-unit order, as Go's sort.Strings: never locale-dependent. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `--name=value` for every flag, sorted by name. */
export function flagsToArgs(flags: FlagMap): string[] {
  return Object.keys(flags)
    .sort(byCodeUnit)
    .map((name) => {
      const value = flags[name];
      // Names come from nodeadm's own code, values from validated config: a failure is a bug.
      if (!FLAG_NAME.test(name)) throw new Error(`invalid flag name ${JSON.stringify(name)}`);
      if (typeof value !== 'string') throw new Error(`flag --${name} has no string value`);
      return `--${name}=${value}`;
    });
}

/** A container command: the binary, then its sorted flags. */
export function buildCommand(binary: string, flags: FlagMap): string[] {
  return [binary, ...flagsToArgs(flags)];
}
