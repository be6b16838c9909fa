/**
 * NodeConfig: the validated, fully defaulted input every phase reads. It is produced once
 * (config/load.ts) from flags and the config file and never changes during a run.
 */
import type { KubernetesVersion } from '../versions/index.js';

export const CONFIG_API_VERSION = 'nodeadm.io/v1alpha1';
export const CONFIG_KIND = 'NodeConfiguration';

export interface Endpoint {
  host: string;
  port: number;
}

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
  };
  /** CRI endpoint URL, e.g. unix:///var/run/containerd/containerd.sock. */
  criSocket: string;
  /** Registry for control-plane images (registry.k8s.io). */
  imageRepository: string;
  /** Names of extra schedulers to run as static pods next to the default one. */
  extraSchedulers: string[];
  clusterName: string;
  /** Phases to skip: "certs" or "certs/apiserver". */
  skipPhases: string[];
  /** Preflight check names to downgrade to warnings, or "all". */
  ignorePreflightErrors: string[];
  /** Install and configure the container runtime, kubelet and kernel settings first. */
  prepareHost: boolean;
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
