/**
 * The names of init's preflight checks, and the check of --ignore-preflight-errors against them.
 * Apart from the checks themselves (checks.ts), so that init refuses an unknown name with the
 * rest of its input, before the phases are loaded or any key is generated.
 */
import { UsageError } from '../errors.js';
import { ETCD_DATA_DIR } from '../paths.js';

/** kubeadm's `FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml` style of name. */
export function pathCheckName(kind: 'FileAvailable' | 'DirAvailable' | 'FileContent', nodePath: string): string {
  return `${kind}-${nodePath.replaceAll('/', '-')}`;
}

/** Commands the kubelet and the CNI need (kubeadm InPathCheck), and nodeadm's own crictl. */
export const REQUIRED_BINARIES: ReadonlyArray<{ exe: string; severity: 'error' | 'warning'; pkg: string }> = [
  { exe: 'crictl', severity: 'error', pkg: 'cri-tools' },
  { exe: 'ip', severity: 'error', pkg: 'iproute2' },
  { exe: 'iptables', severity: 'error', pkg: 'iptables' },
  { exe: 'mount', severity: 'error', pkg: 'mount' },
  { exe: 'nsenter', severity: 'error', pkg: 'util-linux' },
  { exe: 'ethtool', severity: 'warning', pkg: 'ethtool' },
  { exe: 'socat', severity: 'warning', pkg: 'socat' },
  { exe: 'tc', severity: 'warning', pkg: 'iproute2' },
  { exe: 'touch', severity: 'warning', pkg: 'coreutils' },
];

/** The names of the fixed checks (checks.ts FIXED_CHECKS), in report order. */
export const FIXED_CHECK_NAMES: readonly string[] = [
  'IsPrivilegedUser',
  'NumCPU',
  'Mem',
  'Hostname',
  'Swap',
  pathCheckName('FileContent', '/proc/sys/net/ipv4/ip_forward'),
  'SystemVerification',
  'FileExisting-kubelet',
  ...REQUIRED_BINARIES.map(({ exe }) => `FileExisting-${exe}`),
  'CRI',
  'KubeletVersion',
  'ExistingManifests',
  pathCheckName('DirAvailable', ETCD_DATA_DIR),
];

/** Names that --ignore-preflight-errors accepts besides the fixed checks' names. */
const PATTERNS = [/^port-\d{1,5}$/, /^(fileavailable|filecontent|diravailable)-(-[^/]+)+$/];

/**
 * Checks --ignore-preflight-errors before anything runs (exit 2): "all" alone, or known check
 * names, compared case-insensitively as kubeadm does.
 */
export function checkIgnoreList(names: readonly string[], label = '--ignore-preflight-errors'): void {
  const lower = names.map((n) => n.toLowerCase());
  if (lower.includes('all') && lower.length > 1) throw new UsageError(`${label}: "all" ignores every check and cannot be combined with other names`);
  const known = new Set(['all', ...FIXED_CHECK_NAMES.map((name) => name.toLowerCase())]);
  for (const [i, name] of lower.entries()) {
    if (known.has(name) || PATTERNS.some((p) => p.test(name))) continue;
    throw new UsageError(`${label}: unknown preflight check "${names[i]}" (known: ${FIXED_CHECK_NAMES.join(', ')}, Port-N, FileAvailable-<path>, all)`);
  }
}
