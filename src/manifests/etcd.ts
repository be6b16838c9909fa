/**
 * The local (stacked) etcd static pod (kubeadm phases/etcd/local.go GetEtcdPodSpec and
 * getEtcdCommand). A single member; the flag style follows the versions table.
 */
import { hostPort } from '../config/net.js';
import type { DerivedValues, NodeConfig } from '../config/types.js';
import type { VersionInfo } from '../versions/index.js';
import type { FlagMap } from './args.js';
import { effectiveArg, mergeArgs } from './extra-args.js';
import { TLS_CIPHER_SUITES } from './hardening.js';
import { ETCD_DATA_DIR, ETCD_PKI_DIR } from '../paths.js';
import { ANNOTATION, COMPONENT, ETCD_CLIENT_PORT, ETCD_METRICS_PORT, ETCD_PEER_PORT, etcdPkiFile } from './constants.js';
import type { Pod } from './k8s-types.js';
import { componentPod, hostPathMount } from './pod.js';

/** etcd 3.6 turned the --experimental-* pair into a feature gate and a GA flag. */
function corruptCheckFlags(style: VersionInfo['etcdFlagStyle']): FlagMap {
  switch (style) {
    case 'experimental':
      return {
        'experimental-initial-corrupt-check': 'true',
        'experimental-watch-progress-notify-interval': '5s',
      };
    case 'feature-gate':
      return {
        'feature-gates': 'InitialCorruptCheck=true',
        'watch-progress-notify-interval': '5s',
      };
  }
}

/** etcd's client URL on the advertise address: https://ADDR:2379 */
export function etcdAdvertiseClientUrl(config: NodeConfig): string {
  return `https://${hostPort(config.advertiseAddress, ETCD_CLIENT_PORT)}`;
}

export function etcdFlags(config: NodeConfig, derived: DerivedValues): FlagMap {
  const peerUrl = `https://${hostPort(config.advertiseAddress, ETCD_PEER_PORT)}`;
  const clientUrl = etcdAdvertiseClientUrl(config);
  return {
    'advertise-client-urls': clientUrl,
    'cert-file': etcdPkiFile('server.crt'),
    'cipher-suites': TLS_CIPHER_SUITES.join(','),
    'client-cert-auth': 'true',
    'data-dir': ETCD_DATA_DIR,
    'initial-advertise-peer-urls': peerUrl,
    'initial-cluster': `${config.nodeName}=${peerUrl}`,
    'key-file': etcdPkiFile('server.key'),
    'listen-client-urls': `https://${hostPort(derived.loopback, ETCD_CLIENT_PORT)},${clientUrl}`,
    // Metrics and health over plain HTTP, on loopback only.
    'listen-metrics-urls': `http://${hostPort(derived.loopback, ETCD_METRICS_PORT)}`,
    'listen-peer-urls': peerUrl,
    name: config.nodeName,
    'peer-cert-file': etcdPkiFile('peer.crt'),
    'peer-client-cert-auth': 'true',
    'peer-key-file': etcdPkiFile('peer.key'),
    'peer-trusted-ca-file': etcdPkiFile('ca.crt'),
    'snapshot-count': '10000',
    'trusted-ca-file': etcdPkiFile('ca.crt'),
    ...corruptCheckFlags(config.kubernetesVersion.info.etcdFlagStyle),
  };
}

/** The data directory etcd will use: --data-dir as the user left it. */
export function etcdDataDir(config: NodeConfig): string {
  return effectiveArg({ 'data-dir': ETCD_DATA_DIR }, config.etcd?.extraArgs, 'data-dir') || ETCD_DATA_DIR;
}

/** `<imageRepository>/etcd:<etcdImageTag>` */
export function etcdImage(config: NodeConfig): string {
  return `${config.imageRepository}/etcd:${config.kubernetesVersion.info.etcdImageTag}`;
}

/** /etc/kubernetes/manifests/etcd.yaml (§3.4, §8.3). */
export function buildEtcdPod(config: NodeConfig, derived: DerivedValues): Pod {
  const name = COMPONENT.etcd;
  return componentPod({
    name,
    image: etcdImage(config),
    command: [name, ...mergeArgs(etcdFlags(config, derived), config.etcd?.extraArgs)],
    resources: { requests: { cpu: '100m', memory: '100Mi' } },
    annotations: { [ANNOTATION.etcdAdvertiseClientUrls]: etcdAdvertiseClientUrl(config) },
    health: { host: derived.loopback, port: ETCD_METRICS_PORT, scheme: 'HTTP' },
    probes: { liveness: '/livez', readiness: '/readyz', startup: '/readyz' },
    namedProbePort: config.kubernetesVersion.info.namedProbePort,
    mounts: [
      hostPathMount('etcd-data', etcdDataDir(config), 'DirectoryOrCreate', 'rw'),
      hostPathMount('etcd-certs', ETCD_PKI_DIR, 'DirectoryOrCreate', 'rw'),
    ],
    mountOrder: 'given',
  });
}
