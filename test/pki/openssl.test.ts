/** The PKI checked by the real /usr/bin/openssl, as a user of the files would see it. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubeconfig, kubeconfigList, parseKubeconfig } from '../../src/kubeconfig/index.js';
import {
  CA_BASE_PATHS,
  certificateAuthority,
  certificateList,
  createPkiContext,
  ensureCertificates,
  KeyPool,
  type CertificateSpec,
} from '../../src/pki/index.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { openssl, removeTempRoots, tempRoot } from './helpers.js';

const config = sampleConfig('v1.32', {
  controlPlaneEndpoint: { host: 'cp.example.com', port: 6443 },
  apiServer: { certSANs: ['203.0.113.7', 'extra.example.com'] },
});
const specs = certificateList(config);
const leaves = specs.filter((s) => s.caId);
const cas = specs.filter((s) => !s.caId);
let root: string;
let start: number;
const file = (nodePath: string): string => path.join(root, nodePath);
const crt = (spec: Pick<CertificateSpec, 'basePath'>): string => file(`${spec.basePath}.crt`);
const key = (spec: Pick<CertificateSpec, 'basePath'>): string => file(`${spec.basePath}.key`);
const text = (spec: CertificateSpec): Promise<string> => openssl('x509', '-noout', '-text', '-in', crt(spec));

beforeAll(async () => {
  const temp = await tempRoot();
  root = temp.root;
  const host = temp.host;
  start = Date.now();
  const pool = new KeyPool();
  pool.prefetch(16);
  const ctx = createPkiContext(host, pool, { now: new Date(start) });
  await ensureCertificates(ctx, config);
  const ca = await certificateAuthority(ctx, 'ca');
  for (const spec of kubeconfigList(config)) await ensureKubeconfig(host, spec, ca, pool, { now: new Date(start) });
});
afterAll(removeTempRoots);

describe('openssl', () => {
  it('verifies every leaf against its own CA', async () => {
    for (const spec of leaves) {
      const out = await openssl('verify', '-CAfile', file(`${CA_BASE_PATHS[spec.caId!]}.crt`), crt(spec));
      expect(out.trim(), spec.id).toBe(`${crt(spec)}: OK`);
    }
  });

  it('refuses a leaf against another CA', async () => {
    const apiserver = leaves.find((s) => s.id === 'apiserver')!;
    await expect(openssl('verify', '-CAfile', file(`${CA_BASE_PATHS['etcd-ca']}.crt`), crt(apiserver))).rejects.toThrow(
      /unable to get local issuer certificate/,
    );
  });

  it('shows the apiserver SANs, EKU, key usage and subject', async () => {
    const out = await text(specs.find((s) => s.id === 'apiserver')!);
    expect(out).toContain(
      'DNS:cp-1, DNS:cp.example.com, DNS:extra.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, ' +
        'DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:192.0.2.10, IP Address:203.0.113.7',
    );
    expect(out).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    expect(out).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(out).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(out).toMatch(/Subject: CN = kube-apiserver\n/);
    expect(out).toMatch(/Issuer: CN = kubernetes\n/);
    expect(out).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(out).toContain('Public-Key: (2048 bit)');
  });

  it('shows the etcd server certificate with both EKUs and loopback SANs', async () => {
    const out = await text(specs.find((s) => s.id === 'etcd-server')!);
    expect(out).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(out).toContain('DNS:cp-1, DNS:localhost, IP Address:192.0.2.10, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(out).toMatch(/Issuer: CN = etcd-ca\n/);
  });

  it('shows client certificates with clientAuth, O when the version wants it, and no SANs', async () => {
    const out = await text(specs.find((s) => s.id === 'apiserver-kubelet-client')!);
    expect(out).toMatch(/Subject: O = kubeadm:cluster-admins, CN = kube-apiserver-kubelet-client\n/);
    expect(out).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
    expect(out).not.toContain('Subject Alternative Name');
  });

  it('shows CAs as CA:TRUE with keyCertSign, SAN DNS:<CN>, a subject key id, and leaves pointing at it', async () => {
    for (const spec of cas) {
      const out = await text(spec);
      expect(out).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
      expect(out).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
      expect(out).toMatch(new RegExp(`Subject: CN = ${spec.commonName}\\n`));
      expect(out).toContain(`DNS:${spec.commonName}`);
      expect(out).not.toContain('Extended Key Usage');
      const ski = /X509v3 Subject Key Identifier: \n\s+([0-9A-F:]+)\n/.exec(out)?.[1];
      expect(ski, spec.id).toBeDefined();
      for (const leaf of leaves.filter((l) => l.caId === spec.id)) {
        expect(await text(leaf)).toMatch(new RegExp(`X509v3 Authority Key Identifier: \\n\\s+(keyid:)?${ski}\\n`));
      }
    }
  });

  it('gives leaves 1 year and CAs 10 years from 5 minutes before the run', async () => {
    const dates = async (spec: CertificateSpec): Promise<[number, number]> => {
      const out = await openssl('x509', '-noout', '-startdate', '-enddate', '-in', crt(spec));
      const [, from, to] = /notBefore=(.*)\nnotAfter=(.*)\n/.exec(out)!;
      return [Date.parse(from!), Date.parse(to!)];
    };
    const hour = 3600 * 1000;
    const startSecond = Math.floor(start / 1000) * 1000;
    for (const spec of specs) {
      const [from, to] = await dates(spec);
      expect(from, spec.id).toBe(startSecond - 5 * 60 * 1000);
      expect(to - startSecond, spec.id).toBe((spec.isCA ? 87600 : 8760) * hour);
    }
  });

  it('gives positive serials below 2^63-1, different per certificate', async () => {
    const serials = new Set<bigint>();
    for (const spec of specs) {
      const out = await openssl('x509', '-noout', '-serial', '-in', crt(spec));
      const serial = BigInt(`0x${/serial=([0-9A-F]+)/.exec(out)![1]}`);
      expect(serial > 0n && serial < (1n << 63n) - 1n).toBe(true);
      serials.add(serial);
    }
    expect(serials.size).toBe(specs.length);
  });

  it('passes `openssl rsa -check` on every PKCS#1 key, whose modulus matches its certificate', async () => {
    await Promise.all(
      specs.map(async (spec) => {
        expect(await readFile(key(spec), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
        expect(await openssl('rsa', '-check', '-noout', '-in', key(spec))).toContain('RSA key ok');
        const keyModulus = await openssl('rsa', '-noout', '-modulus', '-in', key(spec));
        const certModulus = await openssl('x509', '-noout', '-modulus', '-in', crt(spec));
        expect(certModulus, spec.id).toBe(keyModulus);
      }),
    );
  });

  it('reads sa.pub as a PKIX public key equal to the public half of sa.key', async () => {
    const pub = file('/etc/kubernetes/pki/sa.pub');
    expect(await readFile(pub, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(await openssl('pkey', '-pubin', '-in', pub, '-noout', '-text')).toContain('Public-Key: (2048 bit)');
    expect(await openssl('rsa', '-check', '-noout', '-in', file('/etc/kubernetes/pki/sa.key'))).toContain('RSA key ok');
    expect(await openssl('rsa', '-in', file('/etc/kubernetes/pki/sa.key'), '-pubout')).toBe(await readFile(pub, 'utf8'));
  });

  it('verifies each kubeconfig client certificate against ca.crt, with its subject', async () => {
    const dir = await mkdtemp(path.join(root, 'tmp-'));
    const subjects: string[] = [];
    for (const spec of kubeconfigList(config)) {
      const contents = parseKubeconfig(await readFile(file(spec.path), 'utf8'))!;
      const cert = path.join(dir, `${spec.name}.crt`);
      await writeFile(cert, contents.clientCertPem!);
      expect((await openssl('verify', '-CAfile', file('/etc/kubernetes/pki/ca.crt'), cert)).trim()).toBe(`${cert}: OK`);
      expect(await openssl('x509', '-noout', '-text', '-in', cert)).toMatch(/TLS Web Client Authentication/);
      subjects.push((await openssl('x509', '-noout', '-subject', '-in', cert)).trim());
    }
    expect(subjects).toEqual([
      'subject=O = kubeadm:cluster-admins, CN = kubernetes-admin',
      'subject=O = system:masters, CN = kubernetes-super-admin',
      'subject=O = system:nodes, CN = system:node:cp-1',
      'subject=CN = system:kube-controller-manager',
      'subject=CN = system:kube-scheduler',
    ]);
  });
});
