/**
 * Swap off now and kept off (reference/host-prep.md §4.2): swapoff, the fstab entries
 * commented out (not deleted, so the user can see and restore them), and every swap unit
 * masked (systemd generates units from fstab, and images add their own, e.g. zram or swap files).
 */
import type { Host } from '../host/types.js';
import type { Reporter } from '../workflow/reporter.js';
import { runChecked, tell } from './apt.js';

export const FSTAB = '/etc/fstab';
const MARK = '# disabled by nodeadm (swap): ';

/** fstab with its active swap lines commented out; the input when there are none. */
export function commentOutSwap(fstab: string): { text: string; changed: string[] } {
  const changed: string[] = [];
  const lines = fstab.split('\n').map((line) => {
    const fields = line.trim().split(/\s+/);
    if (line.trim().startsWith('#') || fields.length < 3 || fields[2] !== 'swap') return line;
    changed.push(fields[0]!);
    return `${MARK}${line}`;
  });
  return { text: lines.join('\n'), changed };
}

/** Active swap devices from /proc/swaps (header line first). */
export function activeSwaps(procSwaps: string): string[] {
  return procSwaps
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((d): d is string => d !== undefined && d !== '');
}

/** Swap units systemd knows, with their load state ("loaded", "masked", …). */
async function swapUnits(host: Host): Promise<Array<{ unit: string; load: string }>> {
  const result = await host.run(['systemctl', 'list-units', '--type=swap', '--all', '--plain', '--no-legend', '--no-pager']);
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[0]?.endsWith('.swap'))
    .map((f) => ({ unit: f[0]!, load: f[1] ?? '' }));
}

export async function disableSwap(host: Host, out: Reporter): Promise<void> {
  const active = activeSwaps((await host.readText('/proc/swaps')) ?? '');
  if (active.length > 0) {
    await runChecked(host, ['swapoff', '-a'], 'stop what uses the swap (or free memory) and re-run');
    tell(host, out, `turned swap off (${active.join(', ')})`, `turn swap off (${active.join(', ')})`);
  }
  const fstab = await host.readText(FSTAB);
  if (fstab !== undefined) {
    const { text, changed } = commentOutSwap(fstab);
    if (changed.length > 0) {
      await host.writeFile(FSTAB, text, { mode: 0o644 });
      tell(host, out, `commented out swap in ${FSTAB}: ${changed.join(', ')}`, `comment out swap in ${FSTAB}: ${changed.join(', ')}`);
    }
  }
  for (const { unit, load } of await swapUnits(host)) {
    if (load === 'masked') continue;
    await runChecked(host, ['systemctl', 'mask', unit], `mask ${unit} by hand (systemctl mask ${unit})`);
    tell(host, out, `masked ${unit} so swap stays off after a reboot`, `mask ${unit} so swap stays off after a reboot`);
  }
}
