/** Typed builders for the static pods and kubelet files nodeadm writes; serialise with toYaml. */
export { buildCommand, flagsToArgs, type FlagMap } from './args.js';
export {
  buildApiServerPod,
  buildControllerManagerPod,
  buildSchedulerPod,
  controlPlaneImage,
  schedulerConfigPath,
  schedulerPodName,
  type ControlPlanePodOptions,
  type SchedulerPodOptions,
} from './control-plane.js';
export { CA_CERT_DIR_CANDIDATES, COMPONENT, CONTROLLER_MANAGER_PORT, ETCD_CLIENT_PORT, ETCD_METRICS_PORT, ETCD_PEER_PORT, SCHEDULER_PORT } from './constants.js';
export { buildEtcdPod, etcdImage } from './etcd.js';
export type * from './k8s-types.js';
export {
  buildKubeletConfiguration,
  buildKubeletDropIn,
  buildKubeletFlagsEnv,
  KUBELET_ARGS_VARIABLE,
  type KubeletConfigurationOptions,
  type KubeletFlagsOptions,
} from './kubelet.js';
export { PROBE_PORT_NAME } from './pod.js';
export { fromYaml, fromYamlStream, toYaml, toYamlStream } from './yaml.js';
export { buildAuditPolicy, type AuditPolicy } from './audit-policy.js';
export { buildEncryptionConfig, generateEncryptionKey, type EncryptionConfiguration } from './encryption-config.js';
export { effectiveArg, effectiveFlags, mergeArgs } from './extra-args.js';
export * as hardening from './hardening.js';
export { acceptedFlags, nearestFlag } from './flags/index.js';
