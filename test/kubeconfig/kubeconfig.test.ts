import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiError } from '../../src/errors.js';
import { createHost } from '../../src/host/index.js';
import { fromYaml, toYaml } from '../../src/manifests/yaml.js';
import {
  buildKubeconfig,
  ensureKubeconfig,
  kubeconfigList,
  parseKubeconfig,
  serializeKubeconfig,
  type KubeconfigSpec,
} from '../../src/kubeconfig/index.js';
import {
  certificateAuthority,
  certificateList,
  createPkiContext,
  ensureCertificate,
  inspectCertificate,
  isIssuedBy,
  type CertificateAuthority,
  type KeyPair,
  type KeyPool,
  type PkiResult,
} from '../../src/pki/index.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { changedFiles, noKeys, poolOf, pregenerate, removeTempRoots, snapshot, tempRoot } from '../pki/helpers.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const config = sampleConfig();

describe('serializeKubeconfig', () => {
  it('writes exactly what js-yaml writes for the whole object, the base64 fields included', async () => {
    const [ca, client] = await pregenerate(2);
    const input = {
      clusterName: 'kubernetes',
      server: 'https://[fd00::10]:6443',
      caCertPem: ca!.publicKeyPem,
      userName: 'system:node:nodeadm-blob-0',
      clientCertPem: client!.publicKeyPem,
      clientKeyPem: client!.privateKeyPem,
    };
    const kc = buildKubeconfig(input);
    expect(serializeKubeconfig(kc)).toBe(toYaml(kc));
    expect(parseKubeconfig(serializeKubeconfig(kc))).toEqual({ server: input.server, caCertPem: input.caCertPem, clientCertPem: input.clientCertPem, clientKeyPem: input.clientKeyPem });
    // A value that is not PEM's base64 is js-yaml's to quote.
    const odd = { ...kc, users: [{ ...kc.users[0]!, user: { 'client-certificate-data': '12345', 'client-key-data': 'true' } }] };
    expect(serializeKubeconfig(odd)).toBe(toYaml(odd));
    expect(serializeKubeconfig(odd)).toContain("client-certificate-data: \"12345\"");
  });
});

describe('kubeconfigList', () => {
  const byName = (list: KubeconfigSpec[]) => Object.fromEntries(list.map((k) => [k.name, k]));

  it('lists the five files with kubeadm subjects and servers (v1.36, no controlPlaneEndpoint)', () => {
    const list = kubeconfigList(config);
    expect(list.map((k) => [k.path, k.server, k.client.commonName, k.client.organizations.join(',')])).toEqual([
      ['/etc/kubernetes/admin.conf', 'https://192.0.2.10:6443', 'kubernetes-admin', 'kubeadm:cluster-admins'],
      ['/etc/kubernetes/super-admin.conf', 'https://192.0.2.10:6443', 'kubernetes-super-admin', 'system:masters'],
      ['/etc/kubernetes/kubelet.conf', 'https://192.0.2.10:6443', 'system:node:cp-1', 'system:nodes'],
      ['/etc/kubernetes/controller-manager.conf', 'https://192.0.2.10:6443', 'system:kube-controller-manager', ''],
      ['/etc/kubernetes/scheduler.conf', 'https://192.0.2.10:6443', 'system:kube-scheduler', ''],
    ]);
    for (const k of list) expect(k.client).toMatchObject({ isCA: false, extKeyUsages: ['clientAuth'], dnsNames: [], ips: [] });
  });

  it('points admin and super-admin at controlPlaneEndpoint, the components at the local endpoint', () => {
    const cpe = { controlPlaneEndpoint: { host: 'cp.example.com', port: 443 } };
    const v136 = byName(kubeconfigList(sampleConfig('v1.36', cpe)));
    expect(v136.admin!.server).toBe('https://cp.example.com:443');
    expect(v136['super-admin']!.server).toBe('https://cp.example.com:443');
    expect(v136.kubelet!.server).toBe('https://192.0.2.10:6443');
    expect(v136.scheduler!.server).toBe('https://192.0.2.10:6443');
    // before ControlPlaneKubeletLocalMode (v1.33) the kubelet used controlPlaneEndpoint too
    expect(byName(kubeconfigList(sampleConfig('v1.32', cpe))).kubelet!.server).toBe('https://cp.example.com:443');
  });

  it('brackets an IPv6 endpoint', () => {
    const list = kubeconfigList(sampleConfig('v1.36', { advertiseAddress: 'fd00::10' }));
    expect(list[0]!.server).toBe('https://[fd00::10]:6443');
  });
});

describe('buildKubeconfig', () => {
  it("builds clientcmd's v1 Config with embedded data, and reads it back", () => {
    const object = buildKubeconfig({
      clusterName: 'kubernetes',
      server: 'https://192.0.2.10:6443',
      caCertPem: 'CA\n',
      userName: 'kubernetes-admin',
      clientCertPem: 'CERT\n',
      clientKeyPem: 'KEY\n',
    });
    expect(object).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubernetes', cluster: { 'certificate-authority-data': 'Q0EK', server: 'https://192.0.2.10:6443' } }],
      contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
      'current-context': 'kubernetes-admin@kubernetes',
      users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': 'Q0VSVAo=', 'client-key-data': 'S0VZCg==' } }],
      preferences: {},
    });
    expect(parseKubeconfig(JSON.stringify(object))).toEqual({
      server: 'https://192.0.2.10:6443',
      caCertPem: 'CA\n',
      clientCertPem: 'CERT\n',
      clientKeyPem: 'KEY\n',
    });
    expect(parseKubeconfig('kind: Pod\n')).toBeUndefined();
    expect(parseKubeconfig(': not yaml : [')).toBeUndefined();
  });
});

describe('ensureKubeconfig', () => {
  let keys: KeyPair[];
  let ca: CertificateAuthority;
  let otherCa: CertificateAuthority;

  /** Runs every kubeconfig of `cfg` in `root` against `authority`. */
  const ensureAll = async (root: string, pool: KeyPool, cfg = config, authority = ca): Promise<PkiResult[]> => {
    const host = createHost({ root });
    const results: PkiResult[] = [];
    for (const spec of kubeconfigList(cfg)) results.push(await ensureKubeconfig(host, spec, authority, pool, { now: NOW }));
    return results;
  };
  const actions = (results: PkiResult[]) => results.map((r) => r.action);
  const adminOf = async (root: string) => parseKubeconfig(await readFile(path.join(root, 'etc/kubernetes/admin.conf'), 'utf8'))!;

  beforeAll(async () => {
    keys = await pregenerate(13);
    const caRoot = await tempRoot();
    const caSpec = certificateList(config)[0]!;
    const ctx = createPkiContext(caRoot.host, poolOf([keys[0]!]), { now: NOW });
    await ensureCertificate(ctx, caSpec);
    ca = { ...(await certificateAuthority(ctx, 'ca')), issuedNow: false };
    const otherRoot = await tempRoot();
    const otherCtx = createPkiContext(otherRoot.host, poolOf([keys[1]!]), { now: NOW });
    await ensureCertificate(otherCtx, caSpec);
    otherCa = { ...(await certificateAuthority(otherCtx, 'ca')), issuedNow: false };
  });
  afterAll(removeTempRoots);

  /** A root holding the five kubeconfigs, made with keys[2..6]. */
  const written = async (): Promise<string> => {
    const { root } = await tempRoot();
    expect(actions(await ensureAll(root, poolOf(keys.slice(2, 7))))).toEqual(Array(5).fill('created'));
    return root;
  };

  it('writes each file 0600 with a client certificate signed by the CA, and a re-run changes no byte', async () => {
    const root = await written();
    const before = await snapshot(root);
    for (const [file, entry] of before) expect(entry.mode, file).toBe(0o600);
    const doc = fromYaml(before.get('etc/kubernetes/admin.conf')!.content) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'clusters', 'contexts', 'current-context', 'users', 'preferences']);
    const admin = await adminOf(root);
    expect(admin.caCertPem).toBe(ca.certPem);
    expect(admin.clientKeyPem).toBe(keys[2]!.privateKeyPem);
    const cert = inspectCertificate(admin.clientCertPem!)!;
    expect(isIssuedBy(cert, ca.info)).toBe(true);
    expect(cert).toMatchObject({ commonName: 'kubernetes-admin', organizations: ['kubeadm:cluster-admins'], extKeyUsages: ['clientAuth'] });
    expect(cert.notAfter.getTime() - NOW.getTime()).toBe(8760 * 3600 * 1000);

    expect(actions(await ensureAll(root, noKeys()))).toEqual(Array(5).fill('unchanged'));
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('rewrites the server URL but keeps the client certificate and key', async () => {
    const root = await written();
    const before = await adminOf(root);
    const moved = sampleConfig('v1.36', { controlPlaneEndpoint: { host: 'cp.example.com', port: 6443 } });
    const results = await ensureAll(root, noKeys(), moved);
    expect(results.filter((r) => r.action !== 'unchanged')).toEqual([
      { id: 'admin', paths: ['/etc/kubernetes/admin.conf'], action: 'updated', reason: 'server https://192.0.2.10:6443 → https://cp.example.com:6443' },
      expect.objectContaining({ id: 'super-admin', action: 'updated' }),
    ]);
    const after = await adminOf(root);
    expect(after.server).toBe('https://cp.example.com:6443');
    expect(after.clientCertPem).toBe(before.clientCertPem);
    expect(after.clientKeyPem).toBe(before.clientKeyPem);
  });

  it('re-issues the kubelet client certificate for a new node name, keeping its key', async () => {
    const root = await written();
    const renamed = sampleConfig('v1.36', { nodeName: 'cp-2' });
    const results = await ensureAll(root, noKeys(), renamed);
    expect(results.find((r) => r.id === 'kubelet')).toMatchObject({
      action: 'updated',
      reason: 'client certificate re-issued for its key: CN system:node:cp-1 → system:node:cp-2',
    });
    const kubelet = parseKubeconfig(await readFile(path.join(root, 'etc/kubernetes/kubelet.conf'), 'utf8'))!;
    expect(kubelet.clientKeyPem).toBe(keys[4]!.privateKeyPem);
    expect(inspectCertificate(kubelet.clientCertPem!)!.commonName).toBe('system:node:cp-2');
    expect(results.filter((r) => r.action !== 'unchanged').map((r) => r.id)).toEqual(['kubelet']);
  });

  it('refuses a kubeconfig whose client certificate another CA signed, and leaves it alone', async () => {
    const root = await written();
    const before = await snapshot(root);
    const error = await ensureAll(root, noKeys(), config, otherCa).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PkiError);
    expect(error).toMatchObject({
      message: 'the client certificate in /etc/kubernetes/admin.conf is not signed by the CA in /etc/kubernetes/pki/ca.crt',
      hint: 'move /etc/kubernetes/admin.conf away to have nodeadm write a new one, or restore the CA that signed it',
    });
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('re-issues for a CA created in this run instead', async () => {
    const root = await written();
    const results = await ensureAll(root, noKeys(), config, { ...otherCa, issuedNow: true });
    expect(actions(results)).toEqual(Array(5).fill('updated'));
    expect(results[0]!.reason).toBe(
      'client certificate re-issued for its key: signed by the CA that the new /etc/kubernetes/pki/ca.crt replaced; CA certificate from /etc/kubernetes/pki/ca.crt',
    );
    const admin = await adminOf(root);
    expect(admin.caCertPem).toBe(otherCa.certPem);
    expect(isIssuedBy(inspectCertificate(admin.clientCertPem!)!, otherCa.info)).toBe(true);
    expect(admin.clientKeyPem).toBe(keys[2]!.privateKeyPem);
  });

  it('refuses a file that is not a kubeconfig with embedded credentials, or whose key does not match', async () => {
    const root = await written();
    const file = path.join(root, 'etc/kubernetes/scheduler.conf');
    await writeFile(file, 'apiVersion: v1\nkind: Config\nusers: []\n');
    await expect(ensureAll(root, noKeys())).rejects.toThrow(
      '/etc/kubernetes/scheduler.conf is not a kubeconfig with an embedded client certificate and key',
    );
    await rm(file);
    const admin = path.join(root, 'etc/kubernetes/admin.conf');
    const swapped = (await readFile(admin, 'utf8')).replace(
      /client-key-data: .*/,
      `client-key-data: ${Buffer.from(keys[12]!.privateKeyPem).toString('base64')}`,
    );
    await writeFile(admin, swapped);
    await expect(ensureAll(root, poolOf([keys[7]!]))).rejects.toThrow(
      'the client key in /etc/kubernetes/admin.conf does not match the client certificate in /etc/kubernetes/admin.conf',
    );
  });

  it('re-creates a missing file with a key from the pool, and corrects a widened mode', async () => {
    const root = await written();
    await rm(path.join(root, 'etc/kubernetes/controller-manager.conf'));
    await chmod(path.join(root, 'etc/kubernetes/scheduler.conf'), 0o644);
    const pool = poolOf([keys[8]!]);
    const results = await ensureAll(root, pool);
    expect(pool.used()).toBe(1);
    expect(results.map((r) => [r.id, r.action, r.reason])).toEqual([
      ['admin', 'unchanged', undefined],
      ['super-admin', 'unchanged', undefined],
      ['kubelet', 'unchanged', undefined],
      ['controller-manager', 'created', undefined],
      ['scheduler', 'updated', 'file mode corrected'],
    ]);
  });
});
