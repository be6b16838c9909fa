/**
 * The kubelet's files: /var/lib/kubelet/config.yaml, /var/lib/kubelet/nodeadm-flags.env and the
 * systemd drop-in 10-nodeadm.conf (kubeadm phases/kubelet and componentconfigs/kubelet.go).
 * nodeadm owns all three, so the CRI socket goes straight into the config file for every version
 * instead of kubeadm's flag (≤1.33) or instance-config.yaml patch (1.34+).
 */
import type { DerivedValues, NodeConfig } from '../config/types.js';
import type { FlagMap } from './args.js';
import { canonical } from './canonical.js';
import { mergeArgs } from './extra-args.js';
import {
  KUBELET_SERVING_CERT,
  KUBELET_SERVING_KEY,
  POD_PIDS_LIMIT,
  STREAMING_CONNECTION_IDLE_TIMEOUT,
  TLS_CIPHER_SUITES,
} from './hardening.js';
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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The user's kubelet.config over nodeadm's: mappings merge key by key, anything else replaces. */
function mergeOver(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeOver(current, value) : value;
  }
  return out;
}

/**
 * /var/lib/kubelet/config.yaml: only the fields nodeadm means; the kubelet defaults the rest.
 * Hardening written explicitly (CIS 4.2.4–4.2.14): no read-only port, idle streams time out,
 * a per-pod PID limit, RuntimeDefault seccomp, strong ciphers, and on a control-plane node the
 * CA-signed serving certificate the apiserver verifies (--kubelet-certificate-authority).
 */
export function buildKubeletConfiguration(
  config: NodeConfig,
  derived: DerivedValues,
  opts: KubeletConfigurationOptions = {},
): KubeletConfiguration {
  const hardened: KubeletConfiguration = {
    ...loadYamlTemplate('kubelet-config.yaml'),
    clusterDNS: [derived.dnsServiceIP],
    clusterDomain: config.networking.dnsDomain,
    containerRuntimeEndpoint: config.criSocket,
    makeIPTablesUtilChains: true,
    podPidsLimit: POD_PIDS_LIMIT,
    readOnlyPort: 0,
    resolvConf: opts.resolvConf,
    seccompDefault: true,
    streamingConnectionIdleTimeout: STREAMING_CONNECTION_IDLE_TIMEOUT,
    tlsCipherSuites: [...TLS_CIPHER_SUITES],
    // A standalone node has no cluster CA, so its kubelet keeps its self-signed certificate.
    ...(config.standalone ? {} : { tlsCertFile: KUBELET_SERVING_CERT, tlsPrivateKeyFile: KUBELET_SERVING_KEY }),
  };
  const overrides = config.kubelet?.config;
  return canonical<KubeletConfiguration>(
    (overrides ? mergeOver(hardened as unknown as Record<string, unknown>, overrides) : hardened) as unknown as KubeletConfiguration,
  );
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
    // The node's InternalIP must be the advertise address: the kubelet's serving certificate is
    // issued for it, and the API server reaches the kubelet there (logs, exec). Left to itself
    // the kubelet picks the default-route interface — on a Vagrant VM the NAT address.
    ...(config.standalone ? {} : { 'node-ip': config.advertiseAddress }),
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
  return `${KUBELET_ARGS_VARIABLE}=${quoteForEnvironmentFile(mergeArgs(kubeletFlags(config, opts), config.kubelet?.extraArgs))}\n`;
}

/** /etc/systemd/system/kubelet.service.d/10-nodeadm.conf: a fixed file. */
export function buildKubeletDropIn(): string {
  return loadTextTemplate('10-nodeadm.conf');
}
