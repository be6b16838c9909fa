/**
 * The real kubectl (Go's TLS stack) against a local HTTPS server that serves nodeadm's
 * apiserver certificate and demands a client certificate from nodeadm's CA.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../src/host/index.js';
import { ensureKubeconfig, kubeconfigList, parseKubeconfig } from '../../src/kubeconfig/index.js';
import { certificateAuthority, certificateList, createPkiContext, ensureCertificate, KeyPool } from '../../src/pki/index.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { removeTempRoots, tempRoot } from '../pki/helpers.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const config = sampleConfig('v1.36', { apiServer: { certSANs: ['127.0.0.1'] } });

let server: Server;
let url: string;
const seen: { cn?: string | string[]; o?: string | string[] }[] = [];
const rejected: string[] = [];

/** ca, apiserver and admin.conf (pointing at the test server) in a fresh root: 3 keys. */
async function pki(): Promise<{ root: string; host: Host }> {
  const { root, host } = await tempRoot('nodeadm-kubectl-');
  const keys = new KeyPool();
  keys.prefetch(3);
  const ctx = createPkiContext(host, keys);
  const [caSpec, apiserverSpec] = certificateList(config);
  await ensureCertificate(ctx, caSpec!);
  await ensureCertificate(ctx, apiserverSpec!);
  const admin = kubeconfigList(config).find((k) => k.name === 'admin')!;
  await ensureKubeconfig(host, { ...admin, server: url }, await certificateAuthority(ctx, 'ca'), keys);
  return { root, host };
}

let ours: string;
let foreign: string;

beforeAll(async () => {
  // the port first: admin.conf's server URL needs it
  server = createServer({ requestCert: true, rejectUnauthorized: true });
  server.on('tlsClientError', (error) => rejected.push(error.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const [mine, theirs] = await Promise.all([pki(), pki()]);
  ours = mine.root;
  foreign = theirs.root;
  const pkiFile = (name: string): Promise<string> => readFile(path.join(ours, 'etc/kubernetes/pki', name), 'utf8');
  server.setSecureContext({ cert: await pkiFile('apiserver.crt'), key: await pkiFile('apiserver.key'), ca: await pkiFile('ca.crt') });
  server.on('request', (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({ cn: peer.subject?.CN, o: peer.subject?.O });
    res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/readyz' ? 'ok' : 'not found');
  });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await removeTempRoots();
});

const kubectl = (root: string, kubeconfig: string) =>
  run(KUBECTL, ['--kubeconfig', path.join(root, kubeconfig), 'get', '--raw', '/readyz'], {
    env: { PATH: process.env.PATH, HOME: root },
    timeout: 20_000,
  });

describe('kubectl with nodeadm kubeconfigs', () => {
  it('reaches the server with admin.conf, authenticated as kubernetes-admin', async () => {
    const { stdout } = await kubectl(ours, 'etc/kubernetes/admin.conf');
    expect(stdout).toBe('ok');
    expect(seen.at(-1)).toEqual({ cn: 'kubernetes-admin', o: 'kubeadm:cluster-admins' });
  });

  it('fails with the admin.conf of an independent PKI', async () => {
    const before = seen.length;
    await expect(kubectl(foreign, 'etc/kubernetes/admin.conf')).rejects.toMatchObject({
      stderr: expect.stringMatching(/certificate signed by unknown authority/),
    });
    expect(seen.length).toBe(before);
  });

  it('is refused by the server when only the client certificate comes from another CA', async () => {
    // Node's client rather than kubectl: kubectl retries a reset connection for 5 s.
    const client = (root: string) => parseKubeconfig(readFileSync(path.join(root, 'etc/kubernetes/admin.conf'), 'utf8'))!;
    const get = (root: string): Promise<number | undefined> =>
      new Promise((resolve, reject) => {
        const { clientCertPem, clientKeyPem } = client(root);
        const ca = client(ours).caCertPem!;
        request(`${url}/readyz`, { cert: clientCertPem, key: clientKeyPem, ca }, (res) => resolve(res.resume().statusCode))
          .on('error', reject)
          .end();
      });
    expect(await get(ours)).toBe(200);
    const before = seen.length;
    rejected.length = 0;
    await expect(get(foreign)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(seen.length).toBe(before);
    expect(rejected).toHaveLength(1);
  });
});
