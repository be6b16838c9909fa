/**
 * containerd's config.toml and crictl.yaml (reference/host-prep.md §2.4, §3). The version = 2
 * form loads on containerd 1.6, 1.7 and 2.x alike, so one file fits every package source.
 */
import type { NodeConfig } from '../config/types.js';
import { toYaml } from '../manifests/yaml.js';
import { toToml } from './toml.js';

export const CONTAINERD_CONFIG = '/etc/containerd/config.toml';
export const CRICTL_CONFIG = '/etc/crictl.yaml';
/** Where pkgs.k8s.io's kubernetes-cni puts the plugins; written explicitly, as distro defaults differ. */
export const CNI_BIN_DIR = '/opt/cni/bin';
export const CNI_CONF_DIR = '/etc/cni/net.d';

/** The sandbox (pause) image of this Kubernetes version, from the configured registry. */
export function pauseImage(config: NodeConfig): string {
  return `${config.imageRepository}/pause:${config.kubernetesVersion.info.pauseImageTag}`;
}

/**
 * The whole file, replacing any packaged one: Docker's containerd.io ships
 * `disabled_plugins = ["cri"]`, and 2.x defaults SystemdCgroup to false, which makes the
 * kubelet (systemd driver) and containerd disagree.
 */
export function buildContainerdConfig(config: NodeConfig): string {
  const header = '# Written by nodeadm --prepare-host: CRI on, systemd cgroups, the Kubernetes version\'s pause image.\n';
  return (
    header +
    toToml({
      version: 2,
      plugins: {
        'io.containerd.grpc.v1.cri': {
          sandbox_image: pauseImage(config),
          cni: { bin_dir: CNI_BIN_DIR, conf_dir: CNI_CONF_DIR },
          containerd: { runtimes: { runc: { runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true } } } },
        },
      },
    })
  );
}

/** crictl's endpoints; without them crictl probes every runtime socket in turn (deprecated, slow). */
export function buildCrictlConfig(config: NodeConfig): string {
  return toYaml({ 'runtime-endpoint': config.criSocket, 'image-endpoint': config.criSocket, timeout: 10 });
}
