import { hostPort, isIPv6Address, nthAddress, parseCidr } from './net.js';
import type { DerivedValues, NodeConfig } from './types.js';

/** The values every builder needs that follow from the config alone. */
export function deriveValues(config: NodeConfig): DerivedValues {
  // Dual-stack service subnets ("v4,v6") take their first entry, as kubeadm does.
  const serviceCidr = parseCidr(config.networking.serviceSubnet.split(',')[0]!);
  if (!serviceCidr) throw new Error(`unvalidated service subnet ${config.networking.serviceSubnet}`);
  const localApiEndpoint = `https://${hostPort(config.advertiseAddress, config.bindPort)}`;
  const cpe = config.controlPlaneEndpoint;
  return {
    apiServerServiceIP: nthAddress(serviceCidr, 1),
    dnsServiceIP: nthAddress(serviceCidr, 10),
    localApiEndpoint,
    controlPlaneUrl: cpe ? `https://${hostPort(cpe.host, cpe.port)}` : localApiEndpoint,
    loopback: isIPv6Address(config.advertiseAddress) ? '::1' : '127.0.0.1',
  };
}
