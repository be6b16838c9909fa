import { buildKubeletConfiguration, buildKubeletDropIn, buildKubeletFlagsEnv, toYaml } from '../manifests/index.js';
import { KUBELET_CONFIG, KUBELET_DIR, KUBELET_DROPIN, KUBELET_FLAGS_ENV, MODE } from '../paths.js';
import type { InitPhase } from './context.js';
import { warnWeakened } from './security.js';

/** Present only while systemd-resolved runs (/run is a tmpfs); its stub resolver would loop CoreDNS. */
const RESOLVED_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

export const kubeletConfigPhase: InitPhase = {
  name: 'kubelet-config',
  title: 'Write the kubelet configuration (staticPodPath), flags and systemd drop-in',
  async run({ config, derived, host, osHostname }, out) {
    warnWeakened(config, 'kubelet', out);
    const resolved = await host.exists(RESOLVED_RESOLV_CONF);
    await host.ensureDir(KUBELET_DIR, MODE.privateDir);
    await host.writeFile(KUBELET_FLAGS_ENV, buildKubeletFlagsEnv(config, host.isLiveRoot ? { osHostname } : {}), { mode: MODE.config });
    const kubeletConfig = buildKubeletConfiguration(config, derived, resolved ? { resolvConf: RESOLVED_RESOLV_CONF } : {});
    await host.writeFile(KUBELET_CONFIG, toYaml(kubeletConfig), { mode: MODE.config });
    await host.writeFile(KUBELET_DROPIN, buildKubeletDropIn(), { mode: MODE.config });
  },
};
