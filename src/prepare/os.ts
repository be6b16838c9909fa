/** Which distributions prepare-host supports, as data (reference/host-prep.md §0). */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';

export interface Distro {
  id: 'debian' | 'ubuntu';
  versionId: string;
  codename: string;
  /** Human name for messages. */
  title: string;
  /**
   * Where a containerd Kubernetes supports comes from: Ubuntu's -updates pocket carries 2.2.x;
   * Debian's own (1.6 / 1.7) is too old for v1.34+, so Docker's containerd.io is used there.
   */
  containerd: 'distro' | 'docker';
}

export const SUPPORTED_DISTROS: readonly Distro[] = [
  { id: 'debian', versionId: '12', codename: 'bookworm', title: 'Debian 12 (bookworm)', containerd: 'docker' },
  { id: 'debian', versionId: '13', codename: 'trixie', title: 'Debian 13 (trixie)', containerd: 'docker' },
  { id: 'ubuntu', versionId: '22.04', codename: 'jammy', title: 'Ubuntu 22.04 (jammy)', containerd: 'distro' },
  { id: 'ubuntu', versionId: '24.04', codename: 'noble', title: 'Ubuntu 24.04 (noble)', containerd: 'distro' },
];

/** os-release(5): KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2]!;
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
    out[m[1]!] = value;
  }
  return out;
}

/** Reads /etc/os-release (or /usr/lib/os-release) through the host; an unsupported system is a clear error. */
export async function detectDistro(host: Host): Promise<Distro> {
  const text = (await host.readText('/etc/os-release')) ?? (await host.readText('/usr/lib/os-release'));
  const supported = SUPPORTED_DISTROS.map((d) => d.title).join(', ');
  const hint = `--prepare-host supports ${supported}; elsewhere install containerd, the kubelet and crictl yourself and run init without --prepare-host`;
  if (text === undefined) throw new OperationalError('cannot tell which OS this is: /etc/os-release is missing', hint);
  const os = parseOsRelease(text);
  const distro = SUPPORTED_DISTROS.find((d) => d.id === os.ID && d.versionId === os.VERSION_ID);
  if (!distro) {
    const name = os.PRETTY_NAME ?? `${os.ID ?? 'unknown'} ${os.VERSION_ID ?? ''}`.trim();
    throw new OperationalError(`--prepare-host: ${name} is not supported`, hint);
  }
  return distro;
}
