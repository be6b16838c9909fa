/**
 * A real etcd (Debian's etcd-server) started from a node rendered by `init --root`: the TLS
 * flags of its etcd.yaml with the paths re-pointed into the root, listeners on loopback ports
 * of the test's choosing. Resolves once etcdctl reads health over TLS.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';

const execFileP = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningEtcd {
  url: string;
  port: number;
  /** The manifest's flags, as rendered. */
  flags: Map<string, string>;
  /** Everything etcd printed so far. */
  log(): string;
  /** etcdctl with a client certificate `<client>.crt/.key` under the root's pki directory. */
  ctl(args: string[], client: string, ca?: string): Promise<{ code: number; out: string }>;
  /** etcdctl with a certificate and key from anywhere. */
  ctlWith(args: string[], cert: string, key: string, ca?: string): Promise<{ code: number; out: string }>;
  stop(): void;
}

const TLS_FILES = ['cert-file', 'key-file', 'trusted-ca-file', 'peer-cert-file', 'peer-key-file', 'peer-trusted-ca-file'];

/** `copy`: further manifest flags to pass as rendered (e.g. cipher-suites). */
export async function startEtcd(root: string, dataDir: string, copy: string[] = []): Promise<RunningEtcd> {
  const pod = yaml.load(await readFile(join(root, 'etc/kubernetes/manifests/etcd.yaml'), 'utf8')) as { spec: { containers: Array<{ command: string[] }> } };
  const flags = new Map(pod.spec.containers[0]!.command.slice(1).map((arg) => arg.replace(/^--/, '').split(/=(.*)/s).slice(0, 2) as [string, string]));
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const peer = `https://127.0.0.1:${await freePort()}`;
  const name = flags.get('name')!;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const child = spawn(
    'etcd',
    [
      ...TLS_FILES.map((f) => `--${f}=${join(root, flags.get(f)!)}`),
      ...['client-cert-auth', 'peer-client-cert-auth', ...copy].map((f) => `--${f}=${flags.get(f)}`),
      `--name=${name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${name}=${peer}`,
      `--listen-metrics-urls=http://127.0.0.1:${await freePort()}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const pki = (p: string): string => join(root, 'etc/kubernetes/pki', p);
  const ctlWith = async (args: string[], cert: string, key: string, ca = pki('etcd/ca.crt')): Promise<{ code: number; out: string }> => {
    try {
      const { stdout, stderr } = await execFileP('etcdctl', [`--endpoints=${url}`, `--cacert=${ca}`, `--cert=${cert}`, `--key=${key}`, '--dial-timeout=3s', '--command-timeout=5s', ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
      });
      return { code: 0, out: stdout + stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout + err.stderr };
    }
  };
  const etcd: RunningEtcd = {
    url,
    port,
    flags,
    log: () => log,
    ctlWith,
    ctl: (args, client, ca) => ctlWith(args, pki(`${client}.crt`), pki(`${client}.key`), ca),
    stop: () => child.kill('SIGTERM'),
  };
  for (let i = 0; i < 100; i++) {
    if ((await etcd.ctl(['endpoint', 'health'], 'etcd/healthcheck-client')).code === 0) return etcd;
    if (child.exitCode !== null) throw new Error(`etcd exited ${child.exitCode}:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`etcd did not become healthy:\n${log}`);
}
