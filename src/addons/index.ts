/** The addons (CoreDNS, kube-proxy, the single-node pod network) and post-init's objects, as typed data. */
export { buildCoreDNSObjects, coreDNSImage, corefileDirectives, renderCorefile, type CorefileDirective } from './coredns.js';
export { buildKubeProxyConfiguration, buildKubeProxyKubeconfig, buildKubeProxyObjects, kubeProxyImage, type KubeProxyConfiguration } from './kube-proxy.js';
export {
  buildBridgeConflist,
  CNI_CONFIG_DIR,
  CNI_CONFIG_FILE,
  CNI_CONFIG_MODE,
  DEFAULT_BRIDGE_POD_SUBNET,
  renderConflist,
  type CniConflist,
} from './cni.js';
export {
  apiServerKubeletClientBinding,
  clusterAdminsBinding,
  CONTROL_PLANE_LABELS,
  CONTROL_PLANE_TAINT,
  desiredTaints,
  postInitBindings,
  type Taint,
} from './control-plane-node.js';
export { nodeReadiness, pollUntil, targetState, waitForNode, waitForReady, type ReadyTarget, type WaitOptions } from './ready.js';
