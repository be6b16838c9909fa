/**
 * NodeConfig: the validated, fully defaulted input every phase reads. It is produced once
 * (config/load.ts) from flags and the config file and never changes during a run.
 */
import type { KubernetesVersion } from '../versions/index.js';
import type { KeyAlgorithm } from '../pki/keys.js';
import type { ExtraSchedulerSpec } from '../schedulers/spec.js';

export const CONFIG_API_VERSION = 'nodeadm.io/v1alpha1';
export const CONFIG_KIND = 'NodeConfiguration';

export interface Endpoint {
  host: string;
  port: number;
}

/** One component flag from the config file (kubeadm v1beta4 extraArgs): `--name=value`, one argv element. */
export interface ExtraArg {
  name: string;
  value: string;
}

export const POD_NETWORKS = ['bridge', 'none'] as const;
export type PodNetwork = (typeof POD_NETWORKS)[number];

export interface NodeConfig {
  kubernetesVersion: KubernetesVersion;
  /** Node name (DNS-1123 subdomain); the kubelet registers under it. */
  nodeName: string;
  /** IP the API server advertises and etcd listens on. */
  advertiseAddress: string;
  /** API server secure port (6443). */
  bindPort: number;
  /** Stable address for the API server (load balancer / DNS name), if any. */
  controlPlaneEndpoint?: Endpoint;
  networking: {
    podSubnet?: string;
    serviceSubnet: string;
    dnsDomain: string;
  };
  apiServer: {
    /** Extra SANs for apiserver.crt: DNS names or IPs. */
    certSANs: string[];
    /** Extra kube-apiserver flags: override nodeadm's defaults of the same name, appended in order. */
    extraArgs?: ExtraArg[];
  };
  controllerManager?: { extraArgs?: ExtraArg[] };
  scheduler?: { extraArgs?: ExtraArg[] };
  etcd?: { extraArgs?: ExtraArg[] };
  kubelet?: {
    /** Written to the kubelet's flags file (flags override config.yaml). */
    extraArgs?: ExtraArg[];
    /** KubeletConfiguration fields merged over nodeadm's (objects merged, other values replaced). */
    config?: Record<string, unknown>;
  };
  /** CRI endpoint URL, e.g. unix:///var/run/containerd/containerd.sock. */
  criSocket: string;
  /** Registry for control-plane images (registry.k8s.io). */
  imageRepository: string;
  /** Extra schedulers to run as static pods next to the default one (schedulers/spec.ts). */
  extraSchedulers: ExtraSchedulerSpec[];
  clusterName: string;
  /** Phases to skip: "certs" or "certs/apiserver". */
  skipPhases: string[];
  /** Preflight check names to downgrade to warnings, or "all". */
  ignorePreflightErrors: string[];
  /** Install and configure the container runtime, kubelet and kernel settings first. */
  prepareHost: boolean;
  /** The pod network the addon phase sets up: a single-node CNI bridge, or none (the user installs one). */
  podNetwork: PodNetwork;
  /** No control-plane NoSchedule taint, so ordinary pods run on this (single) node. */
  allowScheduleOnControlPlane: boolean;
  /** A kubelet-only node running static pods with no control plane (`init --standalone`). */
  standalone: boolean;
  /** The kubelet's staticPodPath; only a standalone node may move it from /etc/kubernetes/manifests. */
  staticPodPath: string;
  /** Key algorithm of every key nodeadm generates (kubeadm's encryptionAlgorithm). */
  encryptionAlgorithm: KeyAlgorithm;
  /** Validity of leaf and kubeconfig client certificates, in hours (certificateValidityPeriod, 8760h). */
  certificateValidityHours: number;
  /** Validity of the CAs nodeadm creates, in hours (caCertificateValidityPeriod, 87600h). */
  caCertificateValidityHours: number;
  /** Install a systemd timer that runs `nodeadm certs renew all --if-expiring-within 60d` daily. */
  certificateRenewalTimer: boolean;
  /** How long wait-control-plane waits for the kubelet and each component, in ms (waitTimeout, kubeadm's controlPlaneComponentHealthCheck: 4m). */
  waitTimeoutMs: number;
}

/** Values derived from a NodeConfig, computed in one place. */
export interface DerivedValues {
  /** 1st address of the service subnet: the `kubernetes` Service ClusterIP, an apiserver SAN. */
  apiServerServiceIP: string;
  /** 10th address of the service subnet: CoreDNS, kubelet clusterDNS. */
  dnsServiceIP: string;
  /** https://ADDR:6443 */
  localApiEndpoint: string;
  /** controlPlaneEndpoint if set, else the local endpoint. */
  controlPlaneUrl: string;
  /** 127.0.0.1 or ::1 depending on the advertise address family. */
  loopback: string;
}
