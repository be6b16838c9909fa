/**
 * The hardened TLS settings against real peers: a real etcd started with the rendered
 * --cipher-suites and nodeadm's certificates refuses a TLS 1.2 handshake with a non-AEAD or
 * non-ECDHE suite and accepts the allowed ones; the kubelet serving certificate verifies against
 * the cluster CA as a TLS server for the node's name and address (what --kubelet-certificate-authority checks).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';
import { startEtcd, type RunningEtcd } from '../support/etcd.js';

async function run(cmd: string, args: string[], input = ''): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
    // openssl may exit before reading its input (verify never reads it): a closed pipe is not a failure.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') out += `stdin: ${e.message}`;
    });
    child.stdin.end(input);
  });
}

let dir: string;
let root: string;
let etcd: RunningEtcd;
let port: number;
const pki = (p: string): string => join(root, 'etc/kubernetes/pki', p);

beforeAll(async () => {
  dir = await tempRoot('nodeadm-tls-');
  root = join(dir, 'node');
  const init = await runCli(['init', '--root', root, ...BASE_ARGS, '--skip-phases', 'control-plane,kubeconfig']);
  expect(init.code, init.err).toBe(0);
  etcd = await startEtcd(root, join(dir, 'etcd-data'), ['cipher-suites']);
  port = etcd.port;
}, 60_000);

afterAll(async () => {
  etcd?.stop();
  await cleanup(dir);
});

const handshake = (cipher: string): Promise<{ code: number; out: string }> =>
  run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher, '-CAfile', pki('etcd/ca.crt'), '-cert', pki('etcd/healthcheck-client.crt'), '-key', pki('etcd/healthcheck-client.key')], 'Q\n');

describe('hardened TLS against a real etcd', () => {
  it.each(['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305'])('accepts TLS 1.2 %s', async (cipher) => {
    const r = await handshake(cipher);
    expect(r.out).toContain(`Cipher is ${cipher}`);
  });

  it.each(['AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'AES256-SHA'])('refuses TLS 1.2 %s', async (cipher) => {
    const r = await handshake(cipher);
    expect(r.out).not.toContain(`Cipher is ${cipher}`);
    expect(r.out).toMatch(/handshake failure|alert|no cipher|Cipher is \(NONE\)/i);
  });

  it('still speaks TLS 1.3 (not configurable, always strong)', async () => {
    const r = await run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-CAfile', pki('etcd/ca.crt'), '-cert', pki('etcd/healthcheck-client.crt'), '-key', pki('etcd/healthcheck-client.key')], 'Q\n');
    expect(r.out).toContain('TLSv1.3');
  });
});

describe('kubelet serving certificate', () => {
  it('is signed by the cluster CA for the node name and advertise address, server auth only', async () => {
    const crt = join(root, 'var/lib/kubelet/pki/kubelet.crt');
    const verify = await run('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', pki('ca.crt'), crt]);
    expect(verify.out).toContain(': OK');
    for (const [flag, value] of [['-verify_hostname', 'cp-1'], ['-verify_ip', '192.0.2.10']]) {
      const r = await run('openssl', ['verify', '-purpose', 'sslserver', flag!, value!, '-CAfile', pki('ca.crt'), crt]);
      expect(r.out, `${flag} ${value}`).toContain(': OK');
    }
    const wrong = await run('openssl', ['verify', '-verify_hostname', 'other-node', '-CAfile', pki('ca.crt'), crt]);
    expect(wrong.out).not.toContain(': OK');
    const client = await run('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', pki('ca.crt'), crt]);
    expect(client.out).not.toContain(': OK');
    const text = (await run('openssl', ['x509', '-in', crt, '-noout', '-subject'])).out;
    expect(text).toContain('CN = system:node:cp-1');
  });

  it('key is 0600 and the kubelet config points at the pair', async () => {
    const { stat } = await import('node:fs/promises');
    expect((await stat(join(root, 'var/lib/kubelet/pki/kubelet.key'))).mode & 0o777).toBe(0o600);
    const config = yaml.load(await readFile(join(root, 'var/lib/kubelet/config.yaml'), 'utf8')) as Record<string, string>;
    expect(config.tlsCertFile).toBe('/var/lib/kubelet/pki/kubelet.crt');
    expect(config.tlsPrivateKeyFile).toBe('/var/lib/kubelet/pki/kubelet.key');
  });
});

describe('a kubelet that already made its own self-signed pair', () => {
  it('gets it replaced by one the cluster CA signs, for the same key', async () => {
    const d = await tempRoot('nodeadm-kubelet-self-');
    try {
      const node = join(d, 'node');
      const pkiDir = join(node, 'var/lib/kubelet/pki');
      await mkdir(pkiDir, { recursive: true });
      // What the kubelet writes when it has no tlsCertFile: a self-signed kubelet.crt/kubelet.key.
      const gen = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '365', '-subj', '/CN=cp-1@1700000000', '-keyout', join(pkiDir, 'kubelet.key'), '-out', join(pkiDir, 'kubelet.crt')]);
      expect(gen.code, gen.out).toBe(0);
      const keyBefore = await readFile(join(pkiDir, 'kubelet.key'), 'utf8');
      const r = await runCli(['init', 'phase', 'certs', '--root', node, ...BASE_ARGS]);
      expect(r.code, r.err).toBe(0);
      const verify = await run('openssl', ['verify', '-purpose', 'sslserver', '-verify_hostname', 'cp-1', '-CAfile', join(node, 'etc/kubernetes/pki/ca.crt'), join(pkiDir, 'kubelet.crt')]);
      expect(verify.out).toContain(': OK');
      expect(await readFile(join(pkiDir, 'kubelet.key'), 'utf8')).toBe(keyBefore);
    } finally {
      await cleanup(d);
    }
  }, 30_000);
});
