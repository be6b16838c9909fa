/**
 * kube-apiserver, kube-controller-manager and kube-scheduler static pods (kubeadm
 * phases/controlplane/manifests.go and volumes.go). Version differences come from
 * config.kubernetesVersion.info only.
 */
import { dirname } from 'node:path/posix';
import { hostPort } from '../config/net.js';
import type { DerivedValues, NodeConfig } from '../config/types.js';
import { KUBECONFIG_FILES, PKI_DIR, SCHEDULERS_DIR } from '../paths.js';
import type { FlagMap } from './args.js';
import { effectiveArg, mergeArgs } from './extra-args.js';
import {
  AUDIT_LOG_MAXAGE,
  AUDIT_LOG_MAXBACKUP,
  AUDIT_LOG_MAXSIZE,
  AUDIT_LOG_PATH,
  AUDIT_POLICY_FILE,
  ENCRYPTION_CONFIG_FILE,
  TERMINATED_POD_GC_THRESHOLD,
  TLS_CIPHER_SUITES,
} from './hardening.js';
import {
  ANNOTATION,
  CA_CERTS_DIR,
  COMPONENT,
  CONTROLLER_MANAGER_PORT,
  ETCD_CLIENT_PORT,
  FLEXVOLUME_DIR,
  SCHEDULER_PORT,
  etcdPkiFile,
  pkiFile,
} from './constants.js';
import type { Pod } from './k8s-types.js';
import { caCertDirMounts, componentPod, hostPathMount, type HostPathMount } from './pod.js';

export interface ControlPlanePodOptions {
  /**
   * CA directories present on the host (a subset of CA_CERT_DIR_CANDIDATES), mounted read-only
   * because /etc/ssl/certs may link into them. The phase checks the host; builders never do.
   */
  caCertDirs: readonly string[];
}

/** `<imageRepository>/<component>:<kubernetes version tag>`. */
export function controlPlaneImage(config: NodeConfig, component: string): string {
  return `${config.imageRepository}/${component}:${config.kubernetesVersion.tag}`;
}

function certMounts(opts: ControlPlanePodOptions): HostPathMount[] {
  return [
    hostPathMount('ca-certs', CA_CERTS_DIR, 'DirectoryOrCreate', 'ro'),
    hostPathMount('k8s-certs', PKI_DIR, 'DirectoryOrCreate', 'ro'),
    ...caCertDirMounts(opts.caCertDirs),
  ];
}

export function apiServerFlags(config: NodeConfig, derived: DerivedValues): FlagMap {
  return {
    'advertise-address': config.advertiseAddress,
    'allow-privileged': 'true',
    // CIS 1.2.16–1.2.19 and 3.2.1: a real policy, rotated at the benchmark's minimums.
    'audit-log-maxage': String(AUDIT_LOG_MAXAGE),
    'audit-log-maxbackup': String(AUDIT_LOG_MAXBACKUP),
    'audit-log-maxsize': String(AUDIT_LOG_MAXSIZE),
    'audit-log-path': AUDIT_LOG_PATH,
    'audit-policy-file': AUDIT_POLICY_FILE,
    'authorization-mode': 'Node,RBAC',
    'client-ca-file': pkiFile('ca.crt'),
    // CIS 1.2.3: Service.spec.externalIPs lets any namespace intercept traffic (CVE-2020-8554).
    'enable-admission-plugins': 'NodeRestriction,DenyServiceExternalIPs',
    'enable-bootstrap-token-auth': 'true',
    // CIS 1.2.27/1.2.28: Secrets encrypted at rest with a per-node key.
    'encryption-provider-config': ENCRYPTION_CONFIG_FILE,
    'etcd-cafile': etcdPkiFile('ca.crt'),
    'etcd-certfile': pkiFile('apiserver-etcd-client.crt'),
    'etcd-keyfile': pkiFile('apiserver-etcd-client.key'),
    // The local etcd member, always over loopback of the advertise address's family.
    'etcd-servers': `https://${hostPort(derived.loopback, ETCD_CLIENT_PORT)}`,
    // CIS 1.2.5: the kubelet's serving certificate is issued by the cluster CA (certs/kubelet-serving).
    'kubelet-certificate-authority': pkiFile('ca.crt'),
    'kubelet-client-certificate': pkiFile('apiserver-kubelet-client.crt'),
    'kubelet-client-key': pkiFile('apiserver-kubelet-client.key'),
    'kubelet-preferred-address-types': 'InternalIP,ExternalIP,Hostname',
    profiling: 'false',
    'proxy-client-cert-file': pkiFile('front-proxy-client.crt'),
    'proxy-client-key-file': pkiFile('front-proxy-client.key'),
    'requestheader-allowed-names': 'front-proxy-client',
    'requestheader-client-ca-file': pkiFile('front-proxy-ca.crt'),
    'requestheader-extra-headers-prefix': 'X-Remote-Extra-',
    'requestheader-group-headers': 'X-Remote-Group',
    'requestheader-username-headers': 'X-Remote-User',
    'secure-port': String(config.bindPort),
    // CIS 1.2.30: projected tokens expire when they say (the kubelet refreshes them).
    'service-account-extend-token-expiration': 'false',
    'service-account-issuer': `https://kubernetes.default.svc.${config.networking.dnsDomain}`,
    'service-account-key-file': pkiFile('sa.pub'),
    'service-account-signing-key-file': pkiFile('sa.key'),
    'service-cluster-ip-range': config.networking.serviceSubnet,
    'tls-cert-file': pkiFile('apiserver.crt'),
    'tls-cipher-suites': TLS_CIPHER_SUITES.join(','),
    'tls-private-key-file': pkiFile('apiserver.key'),
  };
}

/** The hardening files the apiserver reads, wherever the effective flags point (user overrides included). */
function apiServerHardeningMounts(config: NodeConfig, flags: FlagMap): HostPathMount[] {
  const extra = config.apiServer.extraArgs;
  const policy = effectiveArg(flags, extra, 'audit-policy-file');
  const log = effectiveArg(flags, extra, 'audit-log-path');
  const encryption = effectiveArg(flags, extra, 'encryption-provider-config');
  return [
    // `File`: a missing policy or key file must stop the pod, not be created empty.
    ...(policy ? [hostPathMount('audit-policy', policy, 'File', 'ro')] : []),
    // The directory, read-write: the apiserver rotates the log by renaming inside it. "-" is stdout.
    ...(log && log !== '-' ? [hostPathMount('audit-log', dirname(log), 'DirectoryOrCreate', 'rw')] : []),
    ...(encryption ? [hostPathMount('encryption-config', encryption, 'File', 'ro')] : []),
  ];
}

/** /etc/kubernetes/manifests/kube-apiserver.yaml (§3.1). */
export function buildApiServerPod(config: NodeConfig, derived: DerivedValues, opts: ControlPlanePodOptions): Pod {
  const name = COMPONENT.apiServer;
  const flags = apiServerFlags(config, derived);
  return componentPod({
    name,
    image: controlPlaneImage(config, name),
    command: [name, ...mergeArgs(flags, config.apiServer.extraArgs)],
    resources: { requests: { cpu: '250m' } },
    annotations: { [ANNOTATION.apiServerAdvertiseEndpoint]: hostPort(config.advertiseAddress, config.bindPort) },
    // Probes go to the advertise address: the API server serves there, and not only on loopback.
    health: { host: config.advertiseAddress, port: config.bindPort, scheme: 'HTTPS' },
    probes: { liveness: '/livez', readiness: '/readyz', startup: '/livez' },
    namedProbePort: config.kubernetesVersion.info.namedProbePort,
    mounts: [...certMounts(opts), ...apiServerHardeningMounts(config, flags)],
  });
}

export function controllerManagerFlags(config: NodeConfig): FlagMap {
  const kubeconfig = KUBECONFIG_FILES['controller-manager'];
  const podSubnet = config.networking.podSubnet;
  return {
    'authentication-kubeconfig': kubeconfig,
    'authorization-kubeconfig': kubeconfig,
    'bind-address': '127.0.0.1',
    'client-ca-file': pkiFile('ca.crt'),
    'cluster-name': config.clusterName,
    'cluster-signing-cert-file': pkiFile('ca.crt'),
    'cluster-signing-key-file': pkiFile('ca.key'),
    controllers: '*,bootstrapsigner,tokencleaner',
    kubeconfig,
    'leader-elect': 'true',
    profiling: 'false',
    'requestheader-client-ca-file': pkiFile('front-proxy-ca.crt'),
    'root-ca-file': pkiFile('ca.crt'),
    'service-account-private-key-file': pkiFile('sa.key'),
    // CIS 1.3.1 (presence): 1000 keeps recent Job pods around for inspection.
    'terminated-pod-gc-threshold': String(TERMINATED_POD_GC_THRESHOLD),
    'tls-cipher-suites': TLS_CIPHER_SUITES.join(','),
    'use-service-account-credentials': 'true',
    // Node CIDR allocation only when there is a pod network range to allocate from.
    ...(podSubnet
      ? {
          'allocate-node-cidrs': 'true',
          'cluster-cidr': podSubnet,
          'service-cluster-ip-range': config.networking.serviceSubnet,
        }
      : {}),
  };
}

/** /etc/kubernetes/manifests/kube-controller-manager.yaml (§3.2, §8.3). */
export function buildControllerManagerPod(config: NodeConfig, _derived: DerivedValues, opts: ControlPlanePodOptions): Pod {
  const name = COMPONENT.controllerManager;
  const { info } = config.kubernetesVersion;
  return componentPod({
    name,
    image: controlPlaneImage(config, name),
    command: [name, ...mergeArgs(controllerManagerFlags(config), config.controllerManager?.extraArgs)],
    resources: { requests: { cpu: '200m' } },
    health: { host: '127.0.0.1', port: CONTROLLER_MANAGER_PORT, scheme: 'HTTPS' },
    // kube-controller-manager has no readiness endpoint worth gating on; kubeadm sets none.
    probes: { liveness: '/healthz', startup: '/healthz' },
    namedProbePort: info.namedProbePort,
    mounts: [
      ...certMounts(opts),
      ...(info.controllerManagerFlexVolume ? [hostPathMount('flexvolume-dir', FLEXVOLUME_DIR, 'DirectoryOrCreate', 'rw')] : []),
      hostPathMount('kubeconfig', KUBECONFIG_FILES['controller-manager'], 'FileOrCreate', 'ro'),
    ],
  });
}

/**
 * The default scheduler takes no options. An extra scheduler N gets `name` and its own `port`
 * (10259 belongs to the default scheduler); its config file defaults to
 * /etc/kubernetes/schedulers/N.yaml.
 */
export type SchedulerPodOptions =
  | { name?: undefined; port?: number; configFile?: string; image?: string }
  | { name: string; port: number; configFile?: string; image?: string };

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Pod (and container, and `component` label) name of scheduler N. */
export function schedulerPodName(schedulerName?: string): string {
  return schedulerName === undefined ? COMPONENT.scheduler : `${COMPONENT.scheduler}-${schedulerName}`;
}

/** /etc/kubernetes/schedulers/N.yaml */
export function schedulerConfigPath(schedulerName: string): string {
  return `${SCHEDULERS_DIR}/${schedulerName}.yaml`;
}

function checkExtraScheduler(schedulerName: string, port: number): void {
  // Validated upstream; re-checked because the name becomes a path and a label value.
  const podName = schedulerPodName(schedulerName);
  if (!DNS1123_LABEL.test(schedulerName) || schedulerName === 'default-scheduler' || podName.length > 63) {
    throw new Error(`invalid extra scheduler name ${JSON.stringify(schedulerName)}`);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535 || port === SCHEDULER_PORT) {
    throw new Error(`extra scheduler ${schedulerName}: invalid secure port ${port}`);
  }
}

export function schedulerFlags(opts: { port?: number; configFile?: string }): FlagMap {
  const kubeconfig = KUBECONFIG_FILES.scheduler;
  const common = {
    'authentication-kubeconfig': kubeconfig,
    'authorization-kubeconfig': kubeconfig,
    'bind-address': '127.0.0.1',
    ...(opts.port !== undefined ? { 'secure-port': String(opts.port) } : {}),
    'tls-cipher-suites': TLS_CIPHER_SUITES.join(','),
  };
  // With --config, kube-scheduler ignores --kubeconfig and lets --leader-elect override the
  // file; the file (clientConnection.kubeconfig, leaderElection) says both instead. It ignores
  // --profiling too: the file's enableProfiling: false covers CIS 1.4.1 there.
  if (opts.configFile !== undefined) return { ...common, config: opts.configFile };
  return { ...common, kubeconfig, 'leader-elect': 'true', profiling: 'false' };
}

/** /etc/kubernetes/manifests/kube-scheduler.yaml (§3.3), or kube-scheduler-N.yaml for an extra one. */
export function buildSchedulerPod(config: NodeConfig, _derived: DerivedValues, opts: SchedulerPodOptions = {}): Pod {
  if (opts.name !== undefined) checkExtraScheduler(opts.name, opts.port);
  const name = schedulerPodName(opts.name);
  const configFile = opts.configFile ?? (opts.name === undefined ? undefined : schedulerConfigPath(opts.name));
  return componentPod({
    name,
    image: opts.image ?? controlPlaneImage(config, COMPONENT.scheduler),
    // scheduler.extraArgs belong to the default scheduler; extra schedulers have their own config.
    command: [COMPONENT.scheduler, ...mergeArgs(schedulerFlags({ port: opts.port, configFile }), opts.name === undefined ? config.scheduler?.extraArgs : undefined)],
    resources: { requests: { cpu: '100m' } },
    health: { host: '127.0.0.1', port: opts.port ?? SCHEDULER_PORT, scheme: 'HTTPS' },
    probes: { liveness: '/livez', readiness: '/readyz', startup: '/livez' },
    namedProbePort: config.kubernetesVersion.info.namedProbePort,
    mounts: [
      hostPathMount('kubeconfig', KUBECONFIG_FILES.scheduler, 'FileOrCreate', 'ro'),
      // `File`, not FileOrCreate: a missing config must fail the pod, not leave an empty file behind.
      ...(configFile !== undefined ? [hostPathMount('scheduler-config', configFile, 'File', 'ro')] : []),
    ],
  });
}
