/**
 * The single-node pod network: a CNI conflist (bridge + host-local IPAM over the pod subnet +
 * portmap for hostPort), using only the plugins Debian/Ubuntu's containernetworking-plugins and
 * pkgs.k8s.io's kubernetes-cni ship (reference host-prep §5).
 */
import { parseCidr } from '../config/net.js';
import type { NodeConfig } from '../config/types.js';

/** The one file nodeadm writes in /etc/cni/net.d; `reset` removes it and nothing else there. */
export const CNI_CONFIG_DIR = '/etc/cni/net.d';
export const CNI_CONFIG_FILE = '/etc/cni/net.d/10-nodeadm-bridge.conflist';
export const CNI_NETWORK_NAME = 'nodeadm-bridge';
export const CNI_BRIDGE = 'cni0';
/** Read by the container runtime as root only; 0600 as CIS 1.1.9 asks. */
export const CNI_CONFIG_MODE = 0o600;

/** Pod subnets nodeadm picks when --pod-network bridge is chosen without --pod-subnet. */
export const DEFAULT_BRIDGE_POD_SUBNET = { ipv4: '10.244.0.0/16', ipv6: 'fd00:10:244::/56' } as const;

export interface CniConflist {
  /**
   * 0.4.0: the newest spec Ubuntu 22.04's distro plugins (v0.9.1) can run; every newer plugin
   * release still accepts it, so one file fits every supported distro and plugin directory.
   */
  cniVersion: '0.4.0';
  name: string;
  plugins: Record<string, unknown>[];
}

export function buildBridgeConflist(config: NodeConfig): CniConflist {
  const subnets = (config.networking.podSubnet ?? '').split(',').filter((s) => s !== '');
  if (subnets.length === 0) throw new Error('the bridge pod network needs networking.podSubnet (defaulted by config loading)');
  const cidrs = subnets.map((s) => parseCidr(s)!);
  return {
    cniVersion: '0.4.0',
    name: CNI_NETWORK_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: CNI_BRIDGE,
        isGateway: true,
        ipMasq: true,
        // a pod reaching its own Service IP (CoreDNS probing itself through kube-dns) needs hairpin
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: cidrs.map((c) => [{ subnet: c.text }]),
          routes: cidrs.map((c) => ({ dst: c.family === 6 ? '::/0' : '0.0.0.0/0' })),
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

/** The file content: JSON, as CNI reads it. */
export const renderConflist = (conflist: CniConflist): string => `${JSON.stringify(conflist, null, 2)}\n`;
