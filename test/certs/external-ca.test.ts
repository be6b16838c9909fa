/**
 * External CA (kubeadm's mode: ca.crt without ca.key): `certs generate-csr` writes keys and CSRs,
 * openssl signs them with CAs nodeadm never sees the keys of, and `init` then uses the
 * certificates after checking them — and refuses bad ones without writing anything.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/host/index.js';
import { buildKubeconfig, kubeconfigList, serializeKubeconfig } from '../../src/kubeconfig/index.js';
import { CA_BASE_PATHS, certificateList } from '../../src/pki/index.js';
import { requireSavedConfig as loadSavedConfig } from '../../src/config/saved.js';
import { BASE_ARGS, cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';
import { inRoot, openssl } from './helpers.js';

const ALG = ['--encryption-algorithm', 'ECDSA-P256'];
let dir: string;
let good: string;
let cas: string;

/** Signs a CSR of the node with one of the external CAs (its extensions copied, or not). */
async function sign(root: string, csr: string, out: string, ca: string, copyExtensions = true): Promise<void> {
  await openssl('x509', '-req', '-in', inRoot(root, csr), '-CA', join(cas, `${ca}.crt`), '-CAkey', join(cas, `${ca}.key`), '-CAcreateserial', '-days', '30', ...(copyExtensions ? ['-copy_extensions', 'copyall'] : []), '-out', inRoot(root, out));
}

beforeAll(async () => {
  dir = await tempRoot('nodeadm-extca-');
  cas = join(dir, 'external-cas');
  await mkdir(cas);
  for (const ca of ['ca', 'front-proxy-ca', 'etcd-ca', 'other-ca']) {
    await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(cas, `${ca}.key`), '-out', join(cas, `${ca}.crt`), '-subj', `/CN=${ca === 'ca' ? 'kubernetes' : ca}`, '-days', '365', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign');
  }
  good = join(dir, 'good');
  expect((await runCli(['init', 'phase', 'save-config', '--root', good, ...BASE_ARGS, ...ALG])).code).toBe(0);
  const csr = await runCli(['certs', 'generate-csr', '--root', good]);
  expect(csr.err).toBe('');
  expect(csr.code).toBe(0);

  const host = createHost({ root: good });
  const config = await loadSavedConfig(host);
  for (const spec of certificateList(config)) {
    const caFile = inRoot(good, `${CA_BASE_PATHS[spec.caId ?? (spec.id as 'ca')]}.crt`);
    if (spec.caId === undefined) await cp(join(cas, `${spec.id}.crt`), caFile);
    else await sign(good, `${spec.basePath}.csr`, `${spec.basePath}.crt`, spec.caId);
  }
  const caPem = await readFile(join(cas, 'ca.crt'), 'utf8');
  for (const spec of kubeconfigList(config)) {
    await sign(good, `${spec.path}.csr`, `${spec.path}.crt`, 'ca');
    // what the user does with kubectl config set-cluster/set-credentials --embed-certs
    const kubeconfig = buildKubeconfig({
      clusterName: spec.clusterName,
      server: spec.server,
      caCertPem: caPem,
      userName: spec.client.commonName,
      clientCertPem: await readFile(inRoot(good, `${spec.path}.crt`), 'utf8'),
      clientKeyPem: await readFile(inRoot(good, `${spec.path}.key`), 'utf8'),
    });
    await writeFile(inRoot(good, spec.path), serializeKubeconfig(kubeconfig), { mode: 0o600 });
  }
}, 60_000);
afterAll(async () => cleanup(dir));

describe('certs generate-csr', () => {
  it('writes a key and a CSR (0600) per certificate and kubeconfig, with the subject and SANs; openssl verifies them', async () => {
    const req = await openssl('req', '-in', inRoot(good, '/etc/kubernetes/pki/apiserver.csr'), '-noout', '-verify', '-text');
    expect(req).toMatch(/Subject: CN = kube-apiserver/);
    expect(req).toMatch(/DNS:cp-1, DNS:kubernetes, DNS:kubernetes\.default/);
    expect(req).toMatch(/IP Address:10\.96\.0\.1, IP Address:192\.0\.2\.10/);
    const admin = await openssl('req', '-in', inRoot(good, '/etc/kubernetes/admin.conf.csr'), '-noout', '-verify', '-subject');
    expect(admin).toMatch(/subject=O = kubeadm:cluster-admins, CN = kubernetes-admin/);
    const snap = await snapshot(good);
    expect(snap.get('/etc/kubernetes/pki/etcd/peer.csr')?.mode).toBe(0o600);
    expect(snap.get('/etc/kubernetes/pki/etcd/peer.key')?.mode).toBe(0o600);
  });
});

describe('init with an external CA', () => {
  it('uses good pre-placed certificates after checking them, and never creates a CA key', async () => {
    const root = join(dir, 'init-good');
    await cp(good, root, { recursive: true });
    const before = await snapshot(root);
    const { code, out, err } = await runCli(['init', '--root', root, ...BASE_ARGS, ...ALG]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('external CA: /etc/kubernetes/pki/ca.key is absent, so nodeadm signs nothing with it');
    const after = await snapshot(root);
    for (const file of ['/etc/kubernetes/pki/ca.key', '/etc/kubernetes/pki/front-proxy-ca.key', '/etc/kubernetes/pki/etcd/ca.key']) expect(after.has(file)).toBe(false);
    for (const file of ['/etc/kubernetes/pki/apiserver.crt', '/etc/kubernetes/pki/etcd/server.crt', '/etc/kubernetes/admin.conf']) {
      expect(after.get(file)?.content).toBe(before.get(file)?.content);
    }
    expect(after.has('/etc/kubernetes/manifests/kube-apiserver.yaml')).toBe(true);

    const check = await runCli(['certs', 'check-expiration', '--root', root]);
    expect(check.out).toMatch(/^apiserver\s+.*\s+2\dd\s+ca\s+no \(external CA\)$/m);
    const renew = await runCli(['certs', 'renew', 'apiserver', '--root', root]);
    expect(renew.code).toBe(1);
    expect(renew.err).toContain('cannot renew apiserver: signed by the external ca CA (/etc/kubernetes/pki/ca.key is absent)');
  }, 30_000);

  it('refuses a certificate whose SANs do not cover this node, and one from another CA; writes nothing', async () => {
    const cases = [
      { copyExtensions: false, ca: 'ca', message: /\/etc\/kubernetes\/pki\/apiserver\.crt cannot be used: lacks EKU:serverAuth, DNS:cp-1, .*IP:192\.0\.2\.10.*the ca CA is external/ },
      { copyExtensions: true, ca: 'other-ca', message: /\/etc\/kubernetes\/pki\/apiserver\.crt is not signed by the CA in \/etc\/kubernetes\/pki\/ca\.crt/ },
    ];
    for (const c of cases) {
      const root = join(dir, `init-bad-${c.ca}`);
      await rm(root, { recursive: true, force: true });
      await cp(good, root, { recursive: true });
      await sign(root, '/etc/kubernetes/pki/apiserver.csr', '/etc/kubernetes/pki/apiserver.crt', c.ca, c.copyExtensions);
      const before = await snapshot(root);
      const { code, err } = await runCli(['init', '--root', root, ...BASE_ARGS, ...ALG]);
      expect(code).toBe(1);
      expect(err).toMatch(c.message);
      const after = await snapshot(root);
      expect(after.has('/etc/kubernetes/pki/ca.key')).toBe(false);
      expect([...after.keys()].filter((k) => !before.has(k) && !k.endsWith('created.json'))).toEqual([]);
    }
  }, 30_000);
});
