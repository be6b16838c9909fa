/**
 * Validation of the per-component extraArgs and kubelet config overrides. An unknown flag makes
 * the component exit at start, so every name is checked against the flags that component accepts
 * in the chosen version, and a miss names the nearest valid flag (exit 2, nothing written).
 */
import { UsageError } from '../errors.js';
import { acceptedFlags, nearestFlag, type FlagComponent } from '../manifests/flags/index.js';
import type { KubernetesVersion } from '../versions/index.js';
import type { ExtraArg } from './types.js';
import { show } from './validate.js';

const FLAG_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function scalar(value: unknown, label: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UsageError(`${label}: invalid value ${show(value)}: expected a string`);
}

function checkName(name: string, label: string, component: FlagComponent, version: KubernetesVersion): void {
  if (name.startsWith('-')) throw new UsageError(`${label}: invalid flag name ${show(name)}: write it without the leading dashes`);
  if (!FLAG_NAME.test(name)) throw new UsageError(`${label}: invalid flag name ${show(name)}: expected lowercase words joined by "-"`);
  const accepted = acceptedFlags(component, version.info);
  if (!accepted.has(name)) {
    const near = nearestFlag(name, accepted);
    throw new UsageError(`${label}: ${component} ${version.tag} has no flag --${name}${near ? `; did you mean --${near}?` : ''}`);
  }
}

/**
 * `extraArgs` as a kubeadm v1beta4 list (`- name: profiling\n  value: "true"`, duplicates
 * allowed, order kept) or a v1beta3-style mapping (`profiling: "true"`).
 */
export function parseExtraArgs(value: unknown, label: string, component: FlagComponent, version: KubernetesVersion): ExtraArg[] {
  let args: { arg: ExtraArg; label: string }[];
  if (Array.isArray(value)) {
    args = value.map((item, i) => {
      const at = `${label}[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new UsageError(`${at}: expected a mapping with name and value`);
      const rec = item as Record<string, unknown>;
      const extra = Object.keys(rec).find((k) => k !== 'name' && k !== 'value');
      if (extra !== undefined) throw new UsageError(`${at}: unknown field "${extra}" (accepted: name, value)`);
      if (rec.name === undefined) throw new UsageError(`${at}.name: missing`);
      return { arg: { name: scalar(rec.name, `${at}.name`), value: rec.value === undefined || rec.value === null ? '' : scalar(rec.value, `${at}.value`) }, label: `${at}.name` };
    });
  } else if (value !== null && typeof value === 'object') {
    args = Object.entries(value as Record<string, unknown>).map(([name, v]) => ({
      arg: { name, value: v === null ? '' : scalar(v, `${label}.${name}`) },
      label: `${label}.${name}`,
    }));
  } else {
    throw new UsageError(`${label}: expected a list of {name, value} or a mapping of flag names to values`);
  }
  for (const { arg, label: at } of args) {
    checkName(arg.name, at, component, version);
    // The kubelet's flags go through a systemd EnvironmentFile, split at whitespace.
    // eslint-disable-next-line no-control-regex
    if (component === 'kubelet' && /[\s\x00-\x1f\x7f]/.test(arg.value)) {
      throw new UsageError(`${at}: the value of --${arg.name} contains whitespace or a control character, which the kubelet's flags file cannot carry; set it in kubelet.config instead`);
    }
  }
  return args.map((a) => a.arg);
}

/** KubeletConfiguration v1beta1 top-level fields (kubelet.config.k8s.io/v1beta1 types.go). */
const KUBELET_CONFIG_FIELDS = `
  address allowedUnsafeSysctls authentication authorization cgroupDriver cgroupRoot cgroupsPerQOS
  clusterDNS clusterDomain configMapAndSecretChangeDetectionStrategy containerLogMaxFiles
  containerLogMaxSize containerLogMaxWorkers containerLogMonitorInterval containerRuntimeEndpoint
  contentType cpuCFSQuota cpuCFSQuotaPeriod cpuManagerPolicy cpuManagerPolicyOptions
  cpuManagerReconcilePeriod crashLoopBackOff enableContentionProfiling enableControllerAttachDetach
  enableDebugFlagsHandler enableDebuggingHandlers enableProfilingHandler enableServer
  enableSystemLogHandler enableSystemLogQuery enforceNodeAllocatable eventBurst eventRecordQPS
  evictionHard evictionMaxPodGracePeriod evictionMinimumReclaim evictionPressureTransitionPeriod
  evictionSoft evictionSoftGracePeriod failCgroupV1 failSwapOn featureGates fileCheckFrequency
  hairpinMode healthzBindAddress healthzPort httpCheckFrequency imageGCHighThresholdPercent
  imageGCLowThresholdPercent imageMaximumGCAge imageMinimumGCAge imagePullCredentialsVerificationPolicy
  imageServiceEndpoint iptablesDropBit iptablesMasqueradeBit kernelMemcgNotification kubeAPIBurst
  kubeAPIQPS kubeReserved kubeReservedCgroup kubeletCgroups localStorageCapacityIsolation logging
  makeIPTablesUtilChains maxOpenFiles maxParallelImagePulls maxPods memoryManagerPolicy memorySwap
  memoryThrottlingFactor mergeDefaultEvictionSettings nodeLeaseDurationSeconds nodeStatusMaxImages
  nodeStatusReportFrequency nodeStatusUpdateFrequency oomScoreAdj podCIDR podLogsDir podPidsLimit
  podsPerCore port preloadedImagesVerificationAllowlist protectKernelDefaults providerID qosReserved
  readOnlyPort registerNode registerWithTaints registryBurst registryPullQPS reservedMemory
  reservedSystemCPUs resolvConf rotateCertificates runOnce runtimeRequestTimeout seccompDefault
  serializeImagePulls serverTLSBootstrap showHiddenMetricsForVersion shutdownGracePeriod
  shutdownGracePeriodByPodPriority shutdownGracePeriodCriticalPods singleProcessOOMKill staticPodURL
  staticPodURLHeader streamingConnectionIdleTimeout syncFrequency systemCgroups systemReserved
  systemReservedCgroup tlsCertFile tlsCipherSuites tlsMinVersion tlsPrivateKeyFile topologyManagerPolicy
  topologyManagerPolicyOptions topologyManagerScope tracing userNamespaces volumePluginDir
  volumeStatsAggPeriod`
  .trim()
  .split(/\s+/);

/** nodeadm decides these: the node's layout and identity, not tunables. */
const KUBELET_CONFIG_OWNED = ['apiVersion', 'kind', 'staticPodPath'];

/** `kubelet.config`: KubeletConfiguration fields merged over nodeadm's. */
export function parseKubeletConfigOverrides(value: unknown, label: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${label}: expected a mapping of KubeletConfiguration fields`);
  for (const key of Object.keys(value)) {
    if (KUBELET_CONFIG_OWNED.includes(key)) throw new UsageError(`${label}.${key}: set by nodeadm and cannot be overridden here`);
    if (!KUBELET_CONFIG_FIELDS.includes(key)) {
      const near = nearestFlag(key, KUBELET_CONFIG_FIELDS);
      throw new UsageError(`${label}: unknown KubeletConfiguration field "${key}"${near ? `; did you mean "${near}"?` : ''}`);
    }
  }
  return value as Record<string, unknown>;
}
