/**
 * The kubelet files of a standalone node: a kubelet with no API server that runs the static pods
 * in its staticPodPath (the article's first half; kubernetes.io "Running Kubelet in Standalone
 * Mode"). The flags env file is the control-plane one (buildKubeletFlagsEnv): node name and pause
 * image mean the same here.
 *
 * Security, thought through: with no API server there is nobody to ask, so webhook
 * authentication and Webhook authorization are impossible (the kubelet refuses to start with
 * them and no kubeconfig). Anonymous access is off and there is no client CA, so no request to
 * the kubelet API could authenticate at all; and the API server is not started in the first
 * place (`enableServer: false`): nothing on a standalone node needs port 10250, `crictl` talks to
 * the runtime directly. `authorization.mode: AlwaysAllow` is then only the one value the
 * kubelet accepts without a client; it never authorizes anything. No read-only port, healthz on
 * loopback only.
 */
import type { NodeConfig } from '../config/types.js';
import { canonical } from './canonical.js';
import { KUBELET_CONFIG, KUBELET_FLAGS_ENV } from '../paths.js';

/** kubelet.config.k8s.io/v1beta1 KubeletConfiguration for a kubelet without an API server. */
export interface StandaloneKubeletConfiguration {
  apiVersion: 'kubelet.config.k8s.io/v1beta1';
  kind: 'KubeletConfiguration';
  authentication: { anonymous: { enabled: false }; webhook: { enabled: false } };
  authorization: { mode: 'AlwaysAllow' };
  cgroupDriver: 'systemd';
  containerRuntimeEndpoint: string;
  enableServer: false;
  healthzBindAddress: string;
  healthzPort: number;
  readOnlyPort: 0;
  resolvConf?: string;
  staticPodPath: string;
}

export interface StandaloneKubeletOptions {
  /** As for the control-plane kubelet: /run/systemd/resolve/resolv.conf while systemd-resolved runs. */
  resolvConf?: string;
}

export const STANDALONE_HEALTHZ = { address: '127.0.0.1', port: 10248 } as const;

/** /var/lib/kubelet/config.yaml of a standalone node. No clusterDNS: there is no cluster DNS. */
export function buildStandaloneKubeletConfiguration(config: NodeConfig, opts: StandaloneKubeletOptions = {}): StandaloneKubeletConfiguration {
  return canonical<StandaloneKubeletConfiguration>({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false } },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'systemd',
    containerRuntimeEndpoint: config.criSocket,
    enableServer: false,
    healthzBindAddress: STANDALONE_HEALTHZ.address,
    healthzPort: STANDALONE_HEALTHZ.port,
    readOnlyPort: 0,
    resolvConf: opts.resolvConf,
    staticPodPath: config.staticPodPath,
  });
}

/**
 * /etc/systemd/system/kubelet.service.d/10-nodeadm.conf without a kubeconfig: a kubelet started
 * without --kubeconfig runs standalone. KUBELET_KUBECONFIG_ARGS is set empty on purpose, so a
 * kubeadm package's 10-kubeadm.conf (which sorts before this file) cannot bring one back.
 */
export function buildStandaloneKubeletDropIn(): string {
  return [
    '# Managed by nodeadm (init --standalone): a kubelet with no API server, running the static pods',
    '# in its staticPodPath. `nodeadm reset` removes this file; local edits are overwritten. Put your',
    '# own kubelet flags in KUBELET_EXTRA_ARGS in /etc/default/kubelet.',
    '[Service]',
    '# Empty on purpose: without --kubeconfig the kubelet runs standalone.',
    'Environment="KUBELET_KUBECONFIG_ARGS="',
    `Environment="KUBELET_CONFIG_ARGS=--config=${KUBELET_CONFIG}"`,
    '# Written by nodeadm; provides KUBELET_NODEADM_ARGS.',
    `EnvironmentFile=-${KUBELET_FLAGS_ENV}`,
    '# The operator\'s own; provides KUBELET_EXTRA_ARGS, which override the flags above.',
    'EnvironmentFile=-/etc/default/kubelet',
    'ExecStart=',
    'ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_NODEADM_ARGS $KUBELET_EXTRA_ARGS',
    '',
  ].join('\n');
}
