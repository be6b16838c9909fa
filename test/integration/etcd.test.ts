/**
 * A real etcd (Debian's etcd-server) serving TLS with nodeadm's certificates, started with the
 * TLS flags of the rendered etcd.yaml; etcdctl talks to it as the API server would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';
import { startEtcd, type RunningEtcd } from '../support/etcd.js';

const execFileP = promisify(execFile);

describe('real etcd with nodeadm certificates', () => {
  let dir: string;
  let etcd: RunningEtcd;

  beforeAll(async () => {
    dir = await tempRoot('nodeadm-etcd-');
    const root = join(dir, 'node');
    const init = await runCli(['init', '--root', root, ...BASE_ARGS, '--skip-phases', 'control-plane,kubeconfig']);
    expect(init.code).toBe(0);
    etcd = await startEtcd(root, join(dir, 'etcd-data'));
    // The rendered manifest demands client certificates from clients and peers.
    expect(etcd.flags.get('client-cert-auth')).toBe('true');
    expect(etcd.flags.get('peer-client-cert-auth')).toBe('true');
  }, 60_000);

  afterAll(async () => {
    etcd?.stop();
    await cleanup(dir);
  });

  it('the API server client certificate writes and reads a key', async () => {
    expect(await etcd.ctl(['put', '/registry/nodeadm-test', 'hello'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'OK\n' });
    expect(await etcd.ctl(['get', '/registry/nodeadm-test', '--print-value-only'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'hello\n' });
  });

  it('the health-check client certificate reads health', async () => {
    const health = await etcd.ctl(['endpoint', 'health'], 'etcd/healthcheck-client');
    expect(health.code).toBe(0);
    expect(health.out).toMatch(/is healthy/);
  });

  it('a client certificate from another CA is refused', async () => {
    const other = join(dir, 'other');
    await mkdir(other);
    const o = (f: string): string => join(other, f);
    const ossl = (args: string[]): Promise<unknown> => execFileP('openssl', args);
    await ossl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', o('ca.key'), '-out', o('ca.crt'), '-subj', '/CN=etcd-ca', '-days', '1']);
    await ossl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', o('c.key'), '-out', o('c.csr'), '-subj', '/CN=kube-apiserver-etcd-client']);
    await ossl(['x509', '-req', '-in', o('c.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-out', o('c.crt'), '-days', '1']);
    const refused = await etcd.ctlWith(['get', '/registry/nodeadm-test'], o('c.crt'), o('c.key'));
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/bad certificate|certificate required|unknown certificate authority|context deadline exceeded|tls/i);
    // The same request with the real client certificate still works, so the refusal was the certificate.
    expect((await etcd.ctl(['get', '/registry/nodeadm-test', '--print-value-only'], 'apiserver-etcd-client')).out).toBe('hello\n');
  });
});

describe('real etcd with an ECDSA-P256 PKI (--encryption-algorithm)', () => {
  let dir: string;
  let root: string;
  let etcd: RunningEtcd;

  beforeAll(async () => {
    dir = await tempRoot('nodeadm-etcd-ec-');
    root = join(dir, 'node');
    const init = await runCli(['init', '--root', root, ...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256', '--skip-phases', 'control-plane,kubeconfig']);
    expect(init.code).toBe(0);
    expect(await readFile(join(root, 'etc/kubernetes/pki/etcd/server.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    etcd = await startEtcd(root, join(dir, 'etcd-data'));
  }, 60_000);

  afterAll(async () => {
    etcd?.stop();
    await cleanup(dir);
  });

  it('serves TLS with the ECDSA server and peer certificates; the ECDSA API server client writes and reads', async () => {
    expect(await etcd.ctl(['put', '/registry/nodeadm-ec', 'p256'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'OK\n' });
    expect(await etcd.ctl(['get', '/registry/nodeadm-ec', '--print-value-only'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'p256\n' });
    expect(etcd.log()).not.toMatch(/tls: bad certificate|handshake error/);
  });

  it('accepts a client certificate renewed by `nodeadm certs renew` (same CA, new key)', async () => {
    const renew = await runCli(['certs', 'renew', 'apiserver-etcd-client', '--root', root]);
    expect(renew.code).toBe(0);
    expect(await etcd.ctl(['get', '/registry/nodeadm-ec', '--print-value-only'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'p256\n' });
  });
});
