import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createFakeRunner, createHost, type Host } from '../../src/host/index.js';
import { waitControlPlane } from '../../src/phases/wait-control-plane.js';
import type { Reporter } from '../../src/workflow/reporter.js';
import { useTempDirs } from '../host/helpers.js';
import { adminConf, asLive, fakeClock, kubeletConfig, podManifest, testPki, useServers, type TestServer } from './support.js';

const tempDir = useTempDirs();
const servers = useServers();
const MODE = { mode: 0o600 };
const ENDPOINT = 'crictl --runtime-endpoint unix:///run/containerd/containerd.sock';

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), warn: (m) => lines.push(`warn: ${m}`) };
}

/** A node whose kubelet, etcd, apiserver (mTLS) and scheduler are test doubles on loopback. */
async function node(runner = createFakeRunner({})): Promise<{ host: Host; root: string; kubelet: TestServer; etcd: TestServer; api: TestServer; scheduler: TestServer }> {
  const pki = await testPki();
  const [kubelet, etcd, api, scheduler] = await Promise.all([servers.http(), servers.http(), servers.https(pki, { requireClientCert: true }), servers.https(pki)]);
  const root = await tempDir();
  const host = asLive(createHost({ root, runner }));
  await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(kubelet.port), MODE);
  await host.writeFile('/etc/kubernetes/admin.conf', adminConf(pki, api.port), MODE);
  await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', podManifest('etcd', { port: etcd.port, path: '/livez', scheme: 'HTTP', named: true }), MODE);
  await host.writeFile('/etc/kubernetes/manifests/kube-apiserver.yaml', podManifest('kube-apiserver', { port: api.port, path: '/livez', scheme: 'HTTPS', named: true }), MODE);
  await host.writeFile('/etc/kubernetes/manifests/kube-scheduler.yaml', podManifest('kube-scheduler', { port: scheduler.port, path: '/livez', scheme: 'HTTPS' }), MODE);
  return { host, root, kubelet, etcd, api, scheduler };
}

describe('wait-control-plane', () => {
  it('waits for the kubelet, then each static pod on its own probe, and says how long each took', async () => {
    const { host, kubelet, etcd, api, scheduler } = await node();
    const out = recorder();
    await waitControlPlane(host, { timeoutMs: 240_000, clock: fakeClock() }, out);
    expect(out.lines[0]).toBe('kubelet healthy after 0s');
    // The pods are waited for in parallel: any order.
    expect(out.lines.slice(1).sort()).toEqual(['etcd healthy after 0s', 'kube-apiserver healthy after 0s', 'kube-scheduler healthy after 0s']);
    expect(kubelet.requests.map((r) => r.path)).toEqual(['/healthz']);
    expect(etcd.requests).toHaveLength(1);
    expect(scheduler.requests).toHaveLength(1);
    // The API server saw admin.conf's user.
    expect(api.requests).toEqual([{ path: '/livez', clientCN: 'kubernetes-admin' }]);
  });

  it('fails on a bad admin.conf: the API server refuses a client certificate from another CA', async () => {
    const runner = createFakeRunner({
      [`${ENDPOINT} ps -a -o json`]: { stdout: '{"containers":[]}' },
      'journalctl -u kubelet -n 30 --no-pager': { stdout: '' },
      'journalctl -u kubelet -n 300 --no-pager': { stdout: '' },
      'systemctl status --no-pager kubelet': { stdout: 'active (running)' },
    });
    const { host, api } = await node(runner);
    await host.writeFile('/etc/kubernetes/admin.conf', adminConf(await testPki(), api.port, 'rogue'), MODE);
    const error = await waitControlPlane(host, { timeoutMs: 5_000, clock: fakeClock() }, recorder()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toMatch(/^kube-apiserver did not become healthy within 5s/);
    expect((error as Error).message).toMatch(/container: none \(the kubelet has not started it/);
    expect((error as Error).message).toContain('likely cause: the API server refused the credentials in admin.conf');
    expect(api.requests).toEqual([]);
  });

  it('on timeout names the component, its container state and logs, the kubelet journal, and writes a diagnostics folder', async () => {
    const ps = { containers: [{ id: 'c0ffee1234567890', metadata: { name: 'kube-scheduler', attempt: 4 }, state: 'CONTAINER_EXITED', createdAt: '0', labels: { 'io.kubernetes.pod.name': 'kube-scheduler-cp-1' } }] };
    const runner = createFakeRunner({
      [`${ENDPOINT} ps -a -o json`]: { stdout: JSON.stringify(ps) },
      [`${ENDPOINT} logs --tail 20 c0ffee1234567890`]: { stderr: 'E1203 run.go:72] "command failed" err="open /etc/kubernetes/scheduler.conf: permission denied"' },
      'journalctl -u kubelet -n 30 --no-pager': { stdout: 'kubelet: back-off restarting failed container kube-scheduler' },
      'journalctl -u kubelet -n 300 --no-pager': { stdout: 'I1203 started\nE1203 pod_workers.go] "Error syncing pod" pod="kube-system/kube-scheduler-cp-1"' },
      'systemctl status --no-pager kubelet': { exitCode: 0, stdout: '● kubelet.service - active (running)' },
    });
    const { host, root, scheduler } = await node(runner);
    scheduler.answer = { status: 500, body: '[-]leaderElection failed' };
    const clock = fakeClock(Date.UTC(2026, 11, 3, 18, 0, 0));
    const started = Date.now();
    const error = await waitControlPlane(host, { timeoutMs: 30_000, clock }, recorder()).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error).toBeInstanceOf(OperationalError);
    const message = (error as OperationalError).message;
    expect(message).toMatch(/^kube-scheduler did not become healthy within 30s/);
    expect(message).toContain('HTTP 500: [-]leaderElection failed');
    expect(message).toContain('container: exited, restarts 4, id c0ffee1234567');
    expect(message).toContain('likely cause: it keeps crashing (restarted 4 times)');
    expect(message).toContain('kubelet about kube-scheduler:\n    E1203 pod_workers.go] "Error syncing pod" pod="kube-system/kube-scheduler-cp-1"');
    expect(message).toContain('scheduler.conf: permission denied');
    expect(message).toContain('back-off restarting failed container kube-scheduler');
    const dir = '/var/log/nodeadm/diagnostics-2026-12-03T18-00-30-000Z';
    expect(message).toContain(`diagnostics written to ${dir}`);
    expect((error as OperationalError).hint).toContain(dir);

    const files = (await readdir(join(root, dir))).sort();
    expect(files).toEqual(['containers.json', 'health.json', 'kubelet-journal.txt', 'kubelet-status.txt', 'logs-kube-scheduler.txt', 'manifests.txt']);
    const health = JSON.parse(await readFile(join(root, dir, 'health.json'), 'utf8')) as Array<{ pod: string; healthy: boolean }>;
    expect(health.map((h) => `${h.pod} ${h.healthy}`)).toEqual(['etcd true', 'kube-apiserver true', 'kube-scheduler false']);
    expect(await readFile(join(root, dir, 'manifests.txt'), 'utf8')).toMatch(/kube-scheduler\.yaml\tkube-scheduler\tcontrol plane\thttps:/);
    for (const f of files) expect(await readFile(join(root, dir, f), 'utf8')).not.toMatch(/PRIVATE KEY|client-key-data/);
  });

  it('in dry-run says what it would wait for and waits for nothing', async () => {
    const root = await tempDir();
    const seed = createHost({ root });
    await seed.writeFile('/etc/kubernetes/manifests/etcd.yaml', podManifest('etcd', { port: 2381, path: '/livez', scheme: 'HTTP' }), MODE);
    const out = recorder();
    await waitControlPlane(createHost({ root, dryRun: true }), { timeoutMs: 240_000, clock: fakeClock() }, out);
    expect(out.lines).toEqual(['would wait up to 240s for the kubelet at http://127.0.0.1:10248/healthz', 'would wait up to 240s for etcd at http://127.0.0.1:2381/livez']);
  });
});
