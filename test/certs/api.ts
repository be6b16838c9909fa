/** What the certs tests use from src, in one place. */
import { parseKubeconfig } from '../../src/kubeconfig/index.js';
export { KeyPool, renewCertificates } from '../../src/pki/index.js';
export { requireSavedConfig as loadSavedConfig } from '../../src/config/saved.js';

/** The embedded parts of a kubeconfig, all required. */
export function parseKubeconfigClient(text: string): { server: string; caCertPem: string; clientCertPem: string; clientKeyPem: string } {
  const kc = parseKubeconfig(text);
  if (!kc?.server || !kc.caCertPem || !kc.clientCertPem || !kc.clientKeyPem) throw new Error('not a complete kubeconfig');
  return { server: kc.server, caCertPem: kc.caCertPem, clientCertPem: kc.clientCertPem, clientKeyPem: kc.clientKeyPem };
}
