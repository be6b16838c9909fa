/**
 * Kernel modules and sysctls (reference/host-prep.md §4.1), persisted for boot and applied now
 * only when the running kernel differs. br_netfilter first: the net.bridge keys exist only once it is loaded.
 */
import { isIPv6Address } from '../config/net.js';
import type { NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';
import type { Reporter } from '../workflow/reporter.js';
import { runChecked, tell } from './apt.js';

export const MODULES_FILE = '/etc/modules-load.d/nodeadm.conf';
/** 99-: applied last, so a distro default cannot turn forwarding back off. */
export const SYSCTL_FILE = '/etc/sysctl.d/99-nodeadm.conf';
export const MODULES = ['overlay', 'br_netfilter'] as const;

export function sysctls(config: NodeConfig): Array<[string, string]> {
  return [
    ['net.bridge.bridge-nf-call-iptables', '1'],
    ['net.bridge.bridge-nf-call-ip6tables', '1'],
    ['net.ipv4.ip_forward', '1'],
    ...(isIPv6Address(config.advertiseAddress) ? ([['net.ipv6.conf.all.forwarding', '1']] as Array<[string, string]>) : []),
  ];
}

const procPath = (key: string): string => `/proc/sys/${key.replaceAll('.', '/')}`;

export async function ensureModules(host: Host, out: Reporter): Promise<void> {
  await host.writeFile(MODULES_FILE, `# Written by nodeadm --prepare-host: loaded at boot by systemd-modules-load.\n${MODULES.join('\n')}\n`, { mode: 0o644 });
  for (const mod of MODULES) {
    // /sys/module/<name> exists for loaded and built-in modules alike.
    if (await host.exists(`/sys/module/${mod}`)) continue;
    await runChecked(host, ['modprobe', mod], `the kernel has no ${mod} module; install the distribution's standard kernel (linux-image-*)`);
    tell(host, out, `loaded kernel module ${mod}`, `load kernel module ${mod}`);
  }
}

export async function ensureSysctls(host: Host, config: NodeConfig, out: Reporter): Promise<void> {
  const wanted = sysctls(config);
  const body = wanted.map(([k, v]) => `${k} = ${v}`).join('\n');
  await host.writeFile(SYSCTL_FILE, `# Written by nodeadm --prepare-host: applied at boot by systemd-sysctl.\n${body}\n`, { mode: 0o644 });
  const current = await Promise.all(wanted.map(([k]) => host.readText(procPath(k))));
  const differ = wanted.filter(([, v], i) => current[i]?.trim() !== v).map(([k]) => k);
  if (differ.length === 0) return;
  await runChecked(host, ['sysctl', '-p', SYSCTL_FILE], 'see sysctl\'s message; the bridge keys need the br_netfilter module');
  tell(host, out, `applied ${differ.join(', ')}`, `apply ${differ.join(', ')}`);
}
