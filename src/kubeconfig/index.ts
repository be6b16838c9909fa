/** kubeconfig files: the list, the builder and load-or-create. */
export { kubeconfigList, type KubeconfigSpec } from './list.js';
export {
  buildKubeconfig,
  parseKubeconfig,
  serializeKubeconfig,
  type Kubeconfig,
  type KubeconfigContents,
  type KubeconfigInput,
} from './build.js';
export { ensureKubeconfig } from './ensure.js';
