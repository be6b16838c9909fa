/**
 * Default advertise address: the IPv4 address of the interface that carries the default
 * route, as kubeadm picks it. Ambiguity is never guessed away: the user chooses, or names
 * --advertise-address.
 */
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { UsageError } from '../errors.js';

/** Asks the user to pick one of several addresses (inquirer on a TTY). */
export type AddressChooser = (candidates: string[], why: string) => Promise<string>;

/** Interfaces with an IPv4 default route, from /proc/net/route (destination 00000000, flag UP). */
export function defaultRouteInterfaces(procNetRoute: string): string[] {
  const names = new Set<string>();
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [iface, destination, , flags] = line.trim().split(/\s+/);
    if (iface && destination === '00000000' && flags && (parseInt(flags, 16) & 1) === 1) names.add(iface);
  }
  return [...names];
}

export function candidateAddresses(ifaces: string[], table = networkInterfaces()): string[] {
  return ifaces.flatMap((name) => (table[name] ?? []).filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address));
}

export async function detectAdvertiseAddress(choose?: AddressChooser): Promise<string> {
  const routes = await readFile('/proc/net/route', 'utf8').catch(() => '');
  const ifaces = defaultRouteInterfaces(routes);
  const candidates = candidateAddresses(ifaces);
  if (candidates.length === 1) return candidates[0]!;
  const why =
    candidates.length === 0
      ? 'no interface with a default route has an IPv4 address'
      : `the default route's interfaces (${ifaces.join(', ')}) have several IPv4 addresses (${candidates.join(', ')})`;
  const all = candidates.length > 0 ? candidates : candidateAddresses(Object.keys(networkInterfaces()));
  if (choose && all.length > 0) return choose(all, why);
  throw new UsageError(`--advertise-address: cannot choose an address automatically: ${why}; pass --advertise-address IP`);
}
