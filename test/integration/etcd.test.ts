/**
 * A real etcd (Debian's etcd-server) serving TLS with nodeadm's certificates, started with the
 * TLS flags of the rendered etcd.yaml; etcdctl talks to it as the API server would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';

const execFileP = promisify(execFile);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

let dir: string;
let root: string;
let etcd: ChildProcess | undefined;
let clientUrl: string;
let etcdLog = '';
const pki = (p: string): string => join(root, 'etc/kubernetes/pki', p);

async function etcdctl(args: string[], cert: string, key: string, ca = pki('etcd/ca.crt')): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileP('etcdctl', [`--endpoints=${clientUrl}`, `--cacert=${ca}`, `--cert=${cert}`, `--key=${key}`, '--dial-timeout=3s', '--command-timeout=5s', ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

beforeAll(async () => {
  dir = await tempRoot('nodeadm-etcd-');
  root = join(dir, 'node');
  const init = await runCli(['init', '--root', root, ...BASE_ARGS, '--skip-phases', 'control-plane,kubeconfig']);
  expect(init.code).toBe(0);

  // Take the flags from the rendered manifest; re-point paths into the root and listeners at
  // loopback ports of our choosing.
  const pod = yaml.load(await readFile(join(root, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8')) as {
    spec: { containers: Array<{ command: string[] }> };
  };
  const flags = new Map(
    pod.spec.containers[0]!.command.slice(1).map((arg) => {
      const [k, ...v] = arg.replace(/^--/, '').split('=');
      return [k!, v.join('=')] as const;
    }),
  );
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  clientUrl = `https://127.0.0.1:${clientPort}`;
  const peerUrl = `https://127.0.0.1:${peerPort}`;
  const inRoot = (p: string): string => join(root, p);
  const name = flags.get('name')!;
  const dataDir = join(dir, 'etcd-data');
  await mkdir(dataDir, { mode: 0o700 });
  const tlsFlags = ['cert-file', 'key-file', 'trusted-ca-file', 'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file'];
  const args = [
    ...tlsFlags.map((f) => `--${f}=${inRoot(flags.get(f)!)}`),
    `--client-cert-auth=${flags.get('client-cert-auth')}`,
    `--peer-client-cert-auth=${flags.get('peer-client-cert-auth')}`,
    `--name=${name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${name}=${peerUrl}`,
    `--listen-metrics-urls=http://127.0.0.1:${metricsPort}`,
  ];
  expect(flags.get('client-cert-auth')).toBe('true');
  expect(flags.get('peer-client-cert-auth')).toBe('true');
  etcd = spawn('etcd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  etcd.stdout?.on('data', (d: Buffer) => (etcdLog += d.toString()));
  etcd.stderr?.on('data', (d: Buffer) => (etcdLog += d.toString()));
  // Wait until it answers health over TLS.
  for (let i = 0; i < 100; i++) {
    const health = await etcdctl(['endpoint', 'health'], pki('etcd/healthcheck-client.crt'), pki('etcd/healthcheck-client.key'));
    if (health.code === 0) return;
    if (etcd.exitCode !== null) throw new Error(`etcd exited ${etcd.exitCode}:\n${etcdLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd did not become healthy:\n${etcdLog}`);
}, 60_000);

afterAll(async () => {
  etcd?.kill('SIGTERM');
  await cleanup(dir);
});

describe('real etcd with nodeadm certificates', () => {
  it('the API server client certificate writes and reads a key', async () => {
    const cert = pki('apiserver-etcd-client.crt');
    const key = pki('apiserver-etcd-client.key');
    const put = await etcdctl(['put', '/registry/nodeadm-test', 'hello'], cert, key);
    expect(put).toEqual({ code: 0, out: 'OK\n' });
    const get = await etcdctl(['get', '/registry/nodeadm-test', '--print-value-only'], cert, key);
    expect(get).toEqual({ code: 0, out: 'hello\n' });
  });

  it('the health-check client certificate reads health', async () => {
    const health = await etcdctl(['endpoint', 'health'], pki('etcd/healthcheck-client.crt'), pki('etcd/healthcheck-client.key'));
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
    const refused = await etcdctl(['get', '/registry/nodeadm-test'], o('c.crt'), o('c.key'));
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/bad certificate|certificate required|unknown certificate authority|context deadline exceeded|tls/i);
    // The same request with the real client certificate still works, so the refusal was the certificate.
    const ok = await etcdctl(['get', '/registry/nodeadm-test', '--print-value-only'], pki('apiserver-etcd-client.crt'), pki('apiserver-etcd-client.key'));
    expect(ok.out).toBe('hello\n');
  });
});

describe('real etcd with an ECDSA-P256 PKI (--encryption-algorithm)', () => {
  let ecDir: string;
  let ecRoot: string;
  let ecEtcd: ChildProcess | undefined;
  let ecUrl: string;
  let ecLog = '';
  const ecPki = (p: string): string => join(ecRoot, 'etc/kubernetes/pki', p);
  const ctl = async (args: string[], client: string): Promise<{ code: number; out: string }> => {
    try {
      const { stdout, stderr } = await execFileP(
        'etcdctl',
        [`--endpoints=${ecUrl}`, `--cacert=${ecPki('etcd/ca.crt')}`, `--cert=${ecPki(`${client}.crt`)}`, `--key=${ecPki(`${client}.key`)}`, '--dial-timeout=3s', '--command-timeout=5s', ...args],
        { env: { ...process.env, ETCDCTL_API: '3' } },
      );
      return { code: 0, out: stdout + stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout + err.stderr };
    }
  };

  beforeAll(async () => {
    ecDir = await tempRoot('nodeadm-etcd-ec-');
    ecRoot = join(ecDir, 'node');
    const init = await runCli(['init', '--root', ecRoot, ...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256', '--skip-phases', 'control-plane,kubeconfig']);
    expect(init.code).toBe(0);
    expect(await readFile(ecPki('etcd/server.key'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    const pod = yaml.load(await readFile(join(ecRoot, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8')) as { spec: { containers: Array<{ command: string[] }> } };
    const flags = new Map(pod.spec.containers[0]!.command.slice(1).map((arg) => {
      const [k, ...v] = arg.replace(/^--/, '').split('=');
      return [k!, v.join('=')] as const;
    }));
    const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
    ecUrl = `https://127.0.0.1:${clientPort}`;
    const peerUrl = `https://127.0.0.1:${peerPort}`;
    const name = flags.get('name')!;
    const dataDir = join(ecDir, 'etcd-data');
    await mkdir(dataDir, { mode: 0o700 });
    const tls = ['cert-file', 'key-file', 'trusted-ca-file', 'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file'].map((f) => `--${f}=${join(ecRoot, flags.get(f)!)}`);
    ecEtcd = spawn('etcd', [
      ...tls,
      '--client-cert-auth=true',
      '--peer-client-cert-auth=true',
      `--name=${name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${ecUrl}`,
      `--advertise-client-urls=${ecUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${name}=${peerUrl}`,
      `--listen-metrics-urls=http://127.0.0.1:${metricsPort}`,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    ecEtcd.stdout?.on('data', (d: Buffer) => (ecLog += d.toString()));
    ecEtcd.stderr?.on('data', (d: Buffer) => (ecLog += d.toString()));
    for (let i = 0; i < 100; i++) {
      if ((await ctl(['endpoint', 'health'], 'etcd/healthcheck-client')).code === 0) return;
      if (ecEtcd.exitCode !== null) throw new Error(`etcd exited ${ecEtcd.exitCode}:\n${ecLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd did not become healthy:\n${ecLog}`);
  }, 60_000);

  afterAll(async () => {
    ecEtcd?.kill('SIGTERM');
    await cleanup(ecDir);
  });

  it('serves TLS with the ECDSA server and peer certificates; the ECDSA API server client writes and reads', async () => {
    expect(await ctl(['put', '/registry/nodeadm-ec', 'p256'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'OK\n' });
    expect(await ctl(['get', '/registry/nodeadm-ec', '--print-value-only'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'p256\n' });
    expect(ecLog).not.toMatch(/tls: bad certificate|handshake error/);
  });

  it('accepts a client certificate renewed by `nodeadm certs renew` (same CA, new key)', async () => {
    const renew = await runCli(['certs', 'renew', 'apiserver-etcd-client', '--root', ecRoot]);
    expect(renew.code).toBe(0);
    expect(await ctl(['get', '/registry/nodeadm-ec', '--print-value-only'], 'apiserver-etcd-client')).toEqual({ code: 0, out: 'p256\n' });
  });
});
