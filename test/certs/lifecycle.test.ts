/**
 * check-expiration and renew on a node folder made by `init --root`: openssl reads the results,
 * the real kubectl uses a renewed kubeconfig against an HTTPS server that trusts the node's CA.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/host/index.js';
import { KeyPool, loadSavedConfig, parseKubeconfigClient, renewCertificates } from './api.js';
import { cleanup, runCli, snapshot } from '../cli/helpers.js';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { certFacts, initNode, inRoot, openssl, readNode } from './helpers.js';

const run = promisify(execFile);
const DAY = 24 * 3600 * 1000;
let root: string;

beforeAll(async () => {
  // ECDSA keys generate in microseconds; the renewal code is the same for every algorithm
  // (RSA renewal runs in external-ca.test.ts), and Go's TLS (kubectl) then checks ECDSA too.
  root = await initNode('--apiserver-cert-extra-sans', 'api.example.com', '--encryption-algorithm', 'ECDSA-P256');
}, 30_000);
afterAll(async () => cleanup(root));

/** Re-issues certificates with an injected clock: they then expire `daysLeft` days from now. */
async function backdate(names: string[], daysLeft: number): Promise<void> {
  const host = createHost({ root });
  const config = await loadSavedConfig(host);
  const keys = new KeyPool(config.encryptionAlgorithm);
  await renewCertificates(host, config, names, { keys, now: new Date(Date.now() - (365 - daysLeft) * DAY), validity: { leafHours: 8760, caHours: 87600 } });
  keys.close();
}

describe('certs check-expiration', () => {
  it('lists every certificate, the kubeconfigs included, and the CAs apart (JSON)', async () => {
    const { code, out } = await runCli(['certs', 'check-expiration', '--root', root, '-o', 'json']);
    expect(code).toBe(0);
    const report = JSON.parse(out) as { certificates: { name: string; authority: string; renewable: boolean; residual: string }[]; authorities: { name: string }[] };
    const names = report.certificates.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['apiserver', 'etcd-server', 'apiserver-etcd-client', 'admin.conf', 'super-admin.conf', 'kubelet.conf', 'controller-manager.conf', 'scheduler.conf']));
    expect(report.authorities.map((a) => a.name)).toEqual(['ca', 'front-proxy-ca', 'etcd-ca']);
    expect(report.certificates.find((c) => c.name === 'etcd-peer')).toMatchObject({ authority: 'etcd-ca', renewable: true, residual: '364d' });
  });

  it('warns under 30 days and reports expired certificates as errors, exit 0', async () => {
    await backdate(['apiserver'], 5);
    await backdate(['admin.conf'], -3);
    const { code, out, err } = await runCli(['certs', 'check-expiration', '--root', root]);
    expect(code).toBe(0);
    expect(out).toMatch(/^apiserver\s+\w{3} \d\d, \d{4} \d\d:\d\d UTC\s+4d\s+ca\s+yes$/m);
    expect(out).toMatch(/^admin\.conf\s+.*\s+expired\s+ca\s+yes$/m);
    expect(out).toMatch(/^CERTIFICATE AUTHORITY\s+EXPIRES/m);
    expect(err).toMatch(/^warning: apiserver \(\/etc\/kubernetes\/pki\/apiserver\.crt\) expires in 4d; renew it: nodeadm certs renew apiserver$/m);
    expect(err).toMatch(/^error: admin\.conf \(\/etc\/kubernetes\/admin\.conf\) expired on /m);
    expect(err.split('\n')).toHaveLength(2);
  });
});

describe('certs renew', () => {
  it('keeps the CA, subjects and SANs, and changes serials and dates (openssl)', async () => {
    await backdate(['all'], 100);
    const files = ['/etc/kubernetes/pki/apiserver.crt', '/etc/kubernetes/pki/etcd/server.crt', '/etc/kubernetes/pki/front-proxy-client.crt'];
    const before = await Promise.all(files.map((f) => certFacts(inRoot(root, f))));
    const caBefore = await readNode(root, '/etc/kubernetes/pki/ca.crt');
    const { code, out } = await runCli(['certs', 'renew', 'all', '--root', root]);
    expect(code).toBe(0);
    expect(out).toMatch(/Renewed 1[0-9] of 1[0-9] certificates\./);
    expect(await readNode(root, '/etc/kubernetes/pki/ca.crt')).toBe(caBefore);
    const after = await Promise.all(files.map((f) => certFacts(inRoot(root, f))));
    files.forEach((_, i) => {
      expect(after[i]!.subject).toBe(before[i]!.subject);
      expect(after[i]!.issuer).toBe(before[i]!.issuer);
      expect(after[i]!.sans).toBe(before[i]!.sans);
      expect(after[i]!.serial).not.toBe(before[i]!.serial);
      expect(new Date(after[i]!.notAfter).getTime()).toBeGreaterThan(new Date(before[i]!.notAfter).getTime() + 200 * DAY);
      expect(new Date(after[i]!.notBefore).getTime()).toBeGreaterThan(new Date(before[i]!.notBefore).getTime());
    });
    expect(after[0]!.sans).toContain('DNS:api.example.com');
    const pki = inRoot(root, '/etc/kubernetes/pki');
    expect(await openssl('verify', '-CAfile', `${pki}/etcd/ca.crt`, `${pki}/etcd/server.crt`)).toContain('OK');
    expect(await openssl('verify', '-CAfile', `${pki}/ca.crt`, `${pki}/apiserver.crt`)).toContain('OK');
    // a new key that matches the new certificate
    const pub = (args: string[]): Promise<string> => openssl(...args, '-pubout');
    expect(await pub(['pkey', '-in', `${pki}/apiserver.key`])).toBe(await openssl('x509', '-in', `${pki}/apiserver.crt`, '-noout', '-pubkey'));
  });

  it('renews the kubeconfigs: the real kubectl is accepted by a server that trusts the CA', async () => {
    const oldAdmin = await readNode(root, '/etc/kubernetes/admin.conf');
    await backdate(['admin.conf'], -1);
    const expired = await readNode(root, '/etc/kubernetes/admin.conf');
    expect((await runCli(['certs', 'renew', 'admin.conf', '--root', root])).code).toBe(0);
    const renewed = await readNode(root, '/etc/kubernetes/admin.conf');
    expect(renewed).not.toBe(expired);
    expect(renewed).not.toBe(oldAdmin);
    const client = parseKubeconfigClient(renewed);
    expect(client.caCertPem).toBe(await readNode(root, '/etc/kubernetes/pki/ca.crt'));
    expect(client.server).toBe('https://192.0.2.10:6443');
    const server = await startFakeApiServer({
      ca: { certPem: await readNode(root, '/etc/kubernetes/pki/ca.crt'), keyPem: await readNode(root, '/etc/kubernetes/pki/ca.key') },
    });
    try {
      const kubectl = (file: string): Promise<{ stdout: string }> =>
        run('/usr/bin/kubectl', ['--kubeconfig', file, '--server', server.url, 'get', '--raw', '/readyz', '--request-timeout=5s'], { encoding: 'utf8' });
      expect((await kubectl(inRoot(root, '/etc/kubernetes/admin.conf'))).stdout.trim()).toBe('ok');
      expect(server.requests.at(-1)).toMatchObject({ path: '/readyz', user: 'kubernetes-admin', groups: ['kubeadm:cluster-admins'] });
      // the expired client certificate it replaced is refused by the same server
      await writeFile(inRoot(root, 'expired-admin.conf'), expired, { mode: 0o600 });
      await expect(kubectl(inRoot(root, 'expired-admin.conf'))).rejects.toThrow(/certificate|tls|Unauthorized|expired/i);
    } finally {
      await server.close();
    }
  }, 20_000);

  it('re-derives SANs from the saved configuration: a SAN added there is in the renewed certificate', async () => {
    const configFile = inRoot(root, '/etc/kubernetes/nodeadm/config.yaml');
    const saved = await readFile(configFile, 'utf8');
    const doc = yaml.load(saved) as { apiServer: { certSANs: string[] } };
    doc.apiServer.certSANs.push('renewed.example.com', '198.51.100.9');
    await writeFile(configFile, yaml.dump(doc));
    try {
      const { code, out } = await runCli(['certs', 'renew', 'apiserver', '--root', root]);
      expect(code).toBe(0);
      const { sans } = await certFacts(inRoot(root, '/etc/kubernetes/pki/apiserver.crt'));
      expect(sans).toContain('DNS:renewed.example.com');
      expect(sans).toContain('IP Address:198.51.100.9');
      expect(sans).toContain('DNS:api.example.com');
      // --root: says what a live host would restart, and only the API server reads that file
      expect(out).toMatch(/a live host would now restart, one at a time, each waited for until healthy \(--root .*\): kube-apiserver \(reads \/etc\/kubernetes\/pki\/apiserver\.crt, \/etc\/kubernetes\/pki\/apiserver\.key\)$/m);
    } finally {
      await writeFile(configFile, saved);
    }
  });

  it('--if-expiring-within renews only what expires within the window', async () => {
    await backdate(['etcd-peer'], 20);
    const before = await snapshot(root);
    const { code, out } = await runCli(['certs', 'renew', 'all', '--if-expiring-within', '60d', '--root', root]);
    expect(code).toBe(0);
    expect(out).toMatch(/Renewed 1 of \d+ certificates\./);
    expect(out).toMatch(/etcd-peer: renewed/);
    expect(out).toMatch(/apiserver: skipped: expires in 36\dd, not within the window/);
    const after = await snapshot(root);
    const changed = [...after.keys()].filter((k) => after.get(k)?.content !== before.get(k)?.content);
    // (the record of created files is bookkeeping: renew creates none)
    expect(changed.filter((k) => !k.endsWith('created.json')).sort()).toEqual(['/etc/kubernetes/pki/etcd/peer.crt', '/etc/kubernetes/pki/etcd/peer.key']);
  });

  it('--dry-run lists what would change and writes nothing', async () => {
    const before = await snapshot(root);
    const { code, out } = await runCli(['certs', 'renew', 'etcd-server', 'scheduler.conf', '--dry-run', '--root', root]);
    expect(code).toBe(0);
    expect(out).toContain('would update /etc/kubernetes/pki/etcd/server.crt (0644)');
    expect(out).toContain('would update /etc/kubernetes/pki/etcd/server.key (0600)');
    expect(out).toContain('would update /etc/kubernetes/scheduler.conf (0600)');
    expect(out).toMatch(/\(dry run\): etcd \(reads .*etcd\/server\.crt.*\); kube-scheduler \(reads \/etc\/kubernetes\/scheduler\.conf\)/);
    expect(out).toContain('Dry run: would renew 2 of 2 certificates.');
    expect(await snapshot(root)).toEqual(before);
  });

  it('refuses unknown names and bad windows with exit 2, writing nothing', async () => {
    const before = await snapshot(root);
    const unknown = await runCli(['certs', 'renew', 'apiserverr', '--root', root]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^error: certs renew: unknown certificate "apiserverr" \(accepted: all, apiserver, /);
    const window = await runCli(['certs', 'renew', 'all', '--if-expiring-within', '2w', '--root', root]);
    expect(window.code).toBe(2);
    expect(window.err).toContain('--if-expiring-within: invalid value "2w"');
    expect(await snapshot(root)).toEqual(before);
  });

  it('fails with a hint on a folder nodeadm did not initialise', async () => {
    const empty = inRoot(root, 'not-a-node');
    await cp(inRoot(root, '/etc/kubernetes/pki'), `${empty}/etc/kubernetes/pki`, { recursive: true });
    const { code, err } = await runCli(['certs', 'check-expiration', '--root', empty]);
    expect(code).toBe(1);
    expect(err).toMatch(/this node was not initialised by nodeadm: .*config\.yaml is missing/);
  });
});

