/**
 * Load-or-create for one kubeconfig file. The embedded client certificate and key are kept
 * while they are right (subject, CA, expiry), and the file is rebuilt around them, so a pure
 * re-run changes no byte while a new server URL or CA bundle updates it.
 */
import { PkiError } from '../errors.js';
import type { Host, WriteResult } from '../host/types.js';
import { MODE } from '../paths.js';
import {
  checkLeaf,
  createSignedCertificate,
  DEFAULT_VALIDITY,
  type CertificateAuthority,
  type KeyPair,
  type KeyPool,
  type PkiOptions,
  type PkiResult,
} from '../pki/index.js';
import { buildKubeconfig, parseKubeconfig, serializeKubeconfig } from './build.js';
import type { KubeconfigSpec } from './list.js';

export async function ensureKubeconfig(
  host: Host,
  spec: KubeconfigSpec,
  ca: CertificateAuthority,
  keys: KeyPool,
  options: PkiOptions = {},
): Promise<PkiResult> {
  const now = options.now ?? new Date();
  const hours = (options.validity ?? DEFAULT_VALIDITY).leafHours;
  const issue = (key: KeyPair): string => createSignedCertificate(spec.client, key.publicKeyPem, ca, { now, hours });
  let written = '';
  const write = (client: { certPem: string; keyPem: string }): Promise<WriteResult> => {
    const object = buildKubeconfig({
      clusterName: spec.clusterName,
      server: spec.server,
      caCertPem: ca.certPem,
      userName: spec.client.commonName,
      clientCertPem: client.certPem,
      clientKeyPem: client.keyPem,
    });
    written = serializeKubeconfig(object);
    return host.writeFile(spec.path, written, { mode: MODE.kubeconfig, secret: true });
  };
  const result = { id: spec.name, paths: [spec.path] };

  const text = await host.readText(spec.path);
  if (text === undefined) {
    const key = await keys.take();
    await write({ certPem: issue(key), keyPem: key.privateKeyPem });
    return { ...result, action: 'created' };
  }

  const hint = `move ${spec.path} away to have nodeadm write a new one`;
  const existing = parseKubeconfig(text);
  if (!existing?.clientCertPem || !existing.clientKeyPem) {
    throw new PkiError(`${spec.path} is not a kubeconfig with an embedded client certificate and key`, hint);
  }
  // Like kubeadm ("a kubeconfig file exists already but has got the wrong CA cert"), a client
  // certificate from another CA is refused, unless that CA was replaced in this very run.
  const { reasons, key } = checkLeaf({
    certPem: existing.clientCertPem,
    keyPem: existing.clientKeyPem,
    profile: spec.client,
    ca,
    now,
    labels: { cert: `the client certificate in ${spec.path}`, key: `the client key in ${spec.path}`, hint },
  });
  const certPem = reasons.length > 0 ? issue(key) : existing.clientCertPem;
  const action = await write({ certPem, keyPem: existing.clientKeyPem });
  if (action === 'unchanged') return { ...result, action };

  const changes: string[] = [];
  if (reasons.length > 0) changes.push(`client certificate re-issued for its key: ${reasons.join('; ')}`);
  if (existing.server !== spec.server) changes.push(`server ${existing.server ?? '(none)'} → ${spec.server}`);
  if (existing.caCertPem !== ca.certPem) changes.push(`CA certificate from ${ca.certPath}`);
  if (changes.length === 0) changes.push(written === text ? 'file mode corrected' : "rewritten in nodeadm's layout");
  return { ...result, action, reason: changes.join('; ') };
}
