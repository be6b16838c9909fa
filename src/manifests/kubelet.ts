/**
 * The kubelet's files: /var/lib/kubelet/config.yaml, /var/lib/kubelet/nodeadm-flags.env and the
 * systemd drop-in 10-nodeadm.conf (kubeadm phases/kubelet and componentconfigs/kubelet.go).
 * nodeadm owns all three, so the CRI socket goes straight into the config file for every version
 * instead of kubeadm's flag (≤1.33) or instance-config.yaml patch (1.34+).
 */
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { flagsToArgs, type FlagMap } from './args.js';
import { canonical } from './canonical.js';
import type { KubeletConfiguration } from './k8s-types.js';
import { loadTextTemplate, loadYamlTemplate } from './templates.js';

export interface KubeletConfigurationOptions {
  /**
   * The resolv.conf the kubelet hands to pods with dnsPolicy Default (CoreDNS among them).
   * The phase passes /run/systemd/resolve/resolv.conf when systemd-resolved is active, as
   * kubeadm does: its 127.0.0.53 stub would make CoreDNS forward to itself.
   */
  resolvConf?: string;
}

/** /var/lib/kubelet/config.yaml: only the fields nodeadm means; the kubelet defaults the rest. */
export function buildKubeletConfiguration(
  config: NodeConfig,
  derived: DerivedValues,
  opts: KubeletConfigurationOptions = {},
): KubeletConfiguration {
  return canonical<KubeletConfiguration>({
    ...loadYamlTemplate('kubelet-config.yaml'),
    clusterDNS: [derived.dnsServiceIP],
    clusterDomain: config.networking.dnsDomain,
    containerRuntimeEndpoint: config.criSocket,
    resolvConf: opts.resolvConf,
  });
}

export interface KubeletFlagsOptions {
  /**
   * The OS hostname. The kubelet registers under the lowercased hostname unless told
   * otherwise, so --hostname-override is written when the node name differs from it, or when
   * the hostname is unknown (an image rendered offline with --root).
   */
  osHostname?: string;
}

export const KUBELET_ARGS_VARIABLE = 'KUBELET_NODEADM_ARGS';

export function kubeletFlags(config: NodeConfig, opts: KubeletFlagsOptions = {}): FlagMap {
  const { info } = config.kubernetesVersion;
  const hostname = opts.osHostname?.trim().toLowerCase();
  return {
    ...(hostname !== config.nodeName ? { 'hostname-override': config.nodeName } : {}),
    // ≤1.34 only: kubelet 1.35 removed the flag and refuses to start with it.
    ...(info.kubeletPodInfraImageFlag
      ? { 'pod-infra-container-image': `${config.imageRepository}/pause:${info.pauseImageTag}` }
      : {}),
  };
}

/**
 * systemd expands $KUBELET_NODEADM_ARGS in ExecStart= splitting at whitespace, so a flag with
 * whitespace or a control character cannot be written safely at all; inside the double quotes
 * of an EnvironmentFile, `\`, `"`, `$` and backquote are escaped.
 */
function quoteForEnvironmentFile(args: string[]): string {
  for (const arg of args) {
    // eslint-disable-next-line no-control-regex
    if (/[\s\x00-\x1f\x7f]/.test(arg)) throw new Error(`kubelet flag ${JSON.stringify(arg)} contains whitespace or a control character`);
  }
  return `"${args.join(' ').replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** /var/lib/kubelet/nodeadm-flags.env: one line, `KUBELET_NODEADM_ARGS="<sorted --k=v>"`. */
export function buildKubeletFlagsEnv(config: NodeConfig, opts: KubeletFlagsOptions = {}): string {
  return `${KUBELET_ARGS_VARIABLE}=${quoteForEnvironmentFile(flagsToArgs(kubeletFlags(config, opts)))}\n`;
}

/** /etc/systemd/system/kubelet.service.d/10-nodeadm.conf: a fixed file. */
export function buildKubeletDropIn(): string {
  return loadTextTemplate('10-nodeadm.conf');
}
