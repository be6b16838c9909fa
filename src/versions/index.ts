/**
 * Supported Kubernetes versions as data. Every difference between minors lives in this
 * table; code asks the table, never compares version numbers itself.
 * Sources: kubeadm constants.go, manifests.go, local.go, flags.go and the PRs cited per field
 * (see README "Kubernetes versions").
 */
import { UsageError } from '../errors.js';

export interface VersionInfo {
  /** "1.34" */
  minor: string;
  /** Patch release used when the user gives only the minor (or nothing). */
  defaultPatch: string;
  /** registry.k8s.io/etcd tag kubeadm pins for this minor. */
  etcdImageTag: string;
  pauseImageTag: string;
  coreDNSImageTag: string;
  /** v1.34+: CoreDNS's probes use named container ports liveness-probe/readiness-probe (PR #131587). */
  coreDNSNamedProbePorts: boolean;
  /** v1.35+: failCgroupV1 defaults to true, so the kubelet refuses to start on a cgroup v1 host (PR #134298). */
  kubeletFailsOnCgroupV1: boolean;
  /** pkgs.k8s.io channel of this minor: one apt repository per minor, only that minor's packages. */
  packageChannel: string;
  /** etcd 3.6 replaced the --experimental-* pair with a feature gate and a GA flag (PR #132838). */
  etcdFlagStyle: 'experimental' | 'feature-gate';
  /** v1.34+: a named container port `probe-port`; probes reference it by name (PR #132776). */
  namedProbePort: boolean;
  /** v1.33+: kubelet.conf talks to the local API endpoint, not controlPlaneEndpoint (PR #129956). */
  kubeletUsesLocalEndpoint: boolean;
  /** ≤v1.34: the kubelet takes --pod-infra-container-image; v1.35 removed it (PR #133778/#133779). */
  kubeletPodInfraImageFlag: boolean;
  /** ≤v1.35: kube-controller-manager mounts the flexvolume plugin dir (dropped in v1.36, PR #136423). */
  controllerManagerFlexVolume: boolean;
  /** v1.34+: `encryptionAlgorithm: ECDSA-P384` is accepted (reference §8.6). */
  ecdsaP384: boolean;
  /**
   * First patch of this minor whose apiserver-kubelet-client certificate has no Organization and
   * is bound to system:kubelet-api-admin by a ClusterRoleBinding instead (PR #138957 and its
   * cherry-picks). undefined: this minor never got the change.
   */
  dedicatedKubeletClientRoleSince?: string;
}

export const VERSIONS: readonly VersionInfo[] = [
  {
    minor: '1.32',
    defaultPatch: '1.32.11',
    etcdImageTag: '3.5.16-0',
    pauseImageTag: '3.10',
    coreDNSImageTag: 'v1.11.3',
    coreDNSNamedProbePorts: false,
    packageChannel: 'core:/stable:/v1.32',
    kubeletFailsOnCgroupV1: false,
    etcdFlagStyle: 'experimental',
    namedProbePort: false,
    kubeletUsesLocalEndpoint: false,
    kubeletPodInfraImageFlag: true,
    controllerManagerFlexVolume: true,
    ecdsaP384: false,
  },
  {
    minor: '1.33',
    defaultPatch: '1.33.12',
    etcdImageTag: '3.5.21-0',
    pauseImageTag: '3.10',
    coreDNSImageTag: 'v1.12.0',
    coreDNSNamedProbePorts: false,
    packageChannel: 'core:/stable:/v1.33',
    kubeletFailsOnCgroupV1: false,
    etcdFlagStyle: 'experimental',
    namedProbePort: false,
    kubeletUsesLocalEndpoint: true,
    kubeletPodInfraImageFlag: true,
    controllerManagerFlexVolume: true,
    ecdsaP384: false,
    dedicatedKubeletClientRoleSince: '1.33.12',
  },
  {
    minor: '1.34',
    defaultPatch: '1.34.8',
    etcdImageTag: '3.6.4-0',
    pauseImageTag: '3.10.1',
    coreDNSImageTag: 'v1.12.1',
    coreDNSNamedProbePorts: true,
    packageChannel: 'core:/stable:/v1.34',
    kubeletFailsOnCgroupV1: false,
    etcdFlagStyle: 'feature-gate',
    namedProbePort: true,
    kubeletUsesLocalEndpoint: true,
    kubeletPodInfraImageFlag: true,
    controllerManagerFlexVolume: true,
    ecdsaP384: true,
    dedicatedKubeletClientRoleSince: '1.34.8',
  },
  {
    minor: '1.35',
    defaultPatch: '1.35.5',
    etcdImageTag: '3.6.6-0',
    pauseImageTag: '3.10.1',
    coreDNSImageTag: 'v1.13.1',
    coreDNSNamedProbePorts: true,
    packageChannel: 'core:/stable:/v1.35',
    kubeletFailsOnCgroupV1: true,
    etcdFlagStyle: 'feature-gate',
    namedProbePort: true,
    kubeletUsesLocalEndpoint: true,
    kubeletPodInfraImageFlag: false,
    controllerManagerFlexVolume: true,
    ecdsaP384: true,
    dedicatedKubeletClientRoleSince: '1.35.5',
  },
  {
    minor: '1.36',
    defaultPatch: '1.36.5',
    etcdImageTag: '3.6.8-0',
    pauseImageTag: '3.10.2',
    coreDNSImageTag: 'v1.14.2',
    coreDNSNamedProbePorts: true,
    packageChannel: 'core:/stable:/v1.36',
    kubeletFailsOnCgroupV1: true,
    etcdFlagStyle: 'feature-gate',
    namedProbePort: true,
    kubeletUsesLocalEndpoint: true,
    kubeletPodInfraImageFlag: false,
    controllerManagerFlexVolume: false,
    ecdsaP384: true,
    dedicatedKubeletClientRoleSince: '1.36.1',
  },
];

export const DEFAULT_VERSION = VERSIONS[VERSIONS.length - 1]!;

/** A resolved Kubernetes version: the exact release plus the facts of its minor. */
export interface KubernetesVersion {
  /** "v1.34.8" */
  tag: string;
  major: number;
  minor: number;
  patch: number;
  info: VersionInfo;
  /** True when this patch has the dedicated apiserver-kubelet-client ClusterRoleBinding. */
  dedicatedKubeletClientRole: boolean;
}

const VERSION_RE = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/;

function parsePatch(v: string): [number, number, number] {
  const m = VERSION_RE.exec(v);
  if (!m) throw new Error(`bad version literal ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function supportedVersionsText(): string {
  return VERSIONS.map((v) => `v${v.minor}`).join(', ');
}

/**
 * Resolves "v1.34", "1.34.2" or "v1.36.5" to a supported release.
 * `label` names the flag or field in the error (exit 2).
 */
export function resolveVersion(input: string, label = '--kubernetes-version'): KubernetesVersion {
  const m = VERSION_RE.exec(input.trim());
  if (!m) {
    throw new UsageError(
      `${label}: "${input}" is not a Kubernetes version; use vMAJOR.MINOR[.PATCH], e.g. v${DEFAULT_VERSION.defaultPatch} (supported: ${supportedVersionsText()})`,
    );
  }
  const minorKey = `${Number(m[1])}.${Number(m[2])}`;
  const info = VERSIONS.find((v) => v.minor === minorKey);
  if (!info) {
    throw new UsageError(`${label}: v${minorKey} is not supported; supported minors are ${supportedVersionsText()}`);
  }
  const [major, minor, patch] = m[3] === undefined ? parsePatch(info.defaultPatch) : [Number(m[1]), Number(m[2]), Number(m[3])];
  const since = info.dedicatedKubeletClientRoleSince;
  return {
    tag: `v${major}.${minor}.${patch}`,
    major,
    minor,
    patch,
    info,
    dedicatedKubeletClientRole: since !== undefined && patch >= parsePatch(since)[2],
  };
}
