/**
 * Where this node's kubelet looks and listens, read from its KubeletConfiguration so the
 * waiter, crictl and status follow the node's own files rather than assumed defaults.
 */
import type { Host } from '../host/types.js';
import { fromYaml } from '../manifests/yaml.js';
import { KUBELET_CONFIG, MANIFESTS_DIR } from '../paths.js';

export interface NodeSettings {
  staticPodPath: string;
  /** http://ADDR:PORT/healthz, as the kubelet serves it. */
  kubeletHealthzUrl: string;
  /** The CRI endpoint, when the kubelet config names one. */
  runtimeEndpoint?: string;
}

const DEFAULTS = { staticPodPath: MANIFESTS_DIR, healthzBindAddress: '127.0.0.1', healthzPort: 10248 };

export async function readNodeSettings(host: Host): Promise<NodeSettings> {
  const text = await host.readText(KUBELET_CONFIG);
  let doc: Record<string, unknown> = {};
  if (text !== undefined) {
    try {
      const parsed = fromYaml(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
    } catch {
      // An unreadable kubelet config is reported by the kubelet itself; use the defaults here.
    }
  }
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const address = str(doc.healthzBindAddress) ?? DEFAULTS.healthzBindAddress;
  const port = typeof doc.healthzPort === 'number' ? doc.healthzPort : DEFAULTS.healthzPort;
  const endpoint = str(doc.containerRuntimeEndpoint);
  return {
    staticPodPath: str(doc.staticPodPath) ?? DEFAULTS.staticPodPath,
    kubeletHealthzUrl: `http://${hostPort(address === '0.0.0.0' ? '127.0.0.1' : address, port)}/healthz`,
    ...(endpoint ? { runtimeEndpoint: endpoint } : {}),
  };
}

/** "ADDR:PORT", bracketing IPv6 addresses. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
