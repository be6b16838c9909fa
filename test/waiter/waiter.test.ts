import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { CommandNotFoundError, createFakeRunner, createHost } from '../../src/host/index.js';
import { containerLogs, containerStates, containersOfPod } from '../../src/runtime/crictl.js';
import { checkHealth, healthTargetsFromManifests, parseStaticPod, waitForKubelet, waitForTargets } from '../../src/waiter/index.js';
import { useTempDirs } from '../host/helpers.js';
import { adminConf, asLive, fakeClock, kubeletConfig, podManifest, testPki, useServers } from './support.js';

const tempDir = useTempDirs();
const servers = useServers();
const MODE = { mode: 0o600 };

describe('health targets from manifests', () => {
  it('reads each golden manifest’s own probe, resolving the named probe-port', async () => {
    const golden = (f: string): Promise<string> => readFile(new URL(`../manifests/golden/v1.36/${f}`, import.meta.url), 'utf8');
    expect(parseStaticPod('/m/kube-apiserver.yaml', await golden('kube-apiserver.yaml')).target).toEqual({
      pod: 'kube-apiserver',
      url: 'https://192.0.2.10:6443/livez',
      scheme: 'HTTPS',
    });
    expect(parseStaticPod('/m/etcd.yaml', await golden('etcd.yaml')).target?.url).toBe('http://127.0.0.1:2381/livez');
    const batch = parseStaticPod('/m/kube-scheduler-batch.yaml', await golden('kube-scheduler-batch.yaml'));
    expect(batch.owner).toBe('extra scheduler');
    expect(batch.target?.url).toMatch(/^https:\/\/127\.0\.0\.1:10261\/livez$/);
    expect(parseStaticPod('/m/kube-controller-manager.yaml', await golden('kube-controller-manager.yaml')).target?.url).toBe('https://127.0.0.1:10257/healthz');
  });

  it('lists the manifests of the kubelet’s staticPodPath, skipping dot-files, and reports unreadable ones', async () => {
    const host = createHost({ root: await tempDir() });
    await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(10248, { staticPodPath: '/srv/pods' }), MODE);
    await host.writeFile('/srv/pods/web.yaml', podManifest('web', { port: 8080, path: '/ready', scheme: 'HTTP', host: '' }), MODE);
    await host.writeFile('/srv/pods/.web.yaml.swp', 'junk', MODE);
    await host.writeFile('/srv/pods/broken.yaml', 'kind: Deployment', MODE);
    expect(await healthTargetsFromManifests(host)).toEqual([{ pod: 'web', url: 'http://127.0.0.1:8080/ready', scheme: 'HTTP' }]);
    expect(parseStaticPod('/x/p.yaml', podManifest('p', { port: 1, path: '/', scheme: 'HTTP' }).replace('"port":1', '"port":"nope"')).problem).toMatch(/probe port nope/);
  });
});

describe('checkHealth', () => {
  it('checks the API server with admin.conf’s client certificate and the cluster CA', async () => {
    const pki = await testPki();
    const api = await servers.https(pki, { requireClientCert: true });
    const host = createHost({ root: await tempDir() });
    const target = { pod: 'kube-apiserver', url: `https://127.0.0.1:${api.port}/livez`, scheme: 'HTTPS' as const };

    expect(await checkHealth(host, target)).toEqual({ ok: false, detail: expect.stringMatching(/admin\.conf is missing/) });

    await host.writeFile('/etc/kubernetes/admin.conf', adminConf(pki, api.port), MODE);
    expect(await checkHealth(host, target)).toEqual({ ok: true, detail: 'HTTP 200: ok' });
    expect(api.requests).toEqual([{ path: '/livez', clientCN: 'kubernetes-admin' }]);

    // A client certificate from another CA: the server refuses the handshake, so a bad admin.conf fails here.
    await host.writeFile('/etc/kubernetes/admin.conf', adminConf(pki, api.port, 'rogue'), MODE);
    const rejected = await checkHealth(host, target);
    expect(rejected.ok).toBe(false);
    expect(api.requests).toHaveLength(1);
  });

  it('does not verify other components’ self-signed serving certificates, as the kubelet’s probes do not', async () => {
    const pki = await testPki();
    const scheduler = await servers.https(pki);
    scheduler.answer = { status: 500, body: '[+]ping ok\n[-]leaderElection failed' };
    const host = createHost({ root: await tempDir() });
    const result = await checkHealth(host, { pod: 'kube-scheduler', url: `https://127.0.0.1:${scheduler.port}/livez`, scheme: 'HTTPS' });
    expect(result).toEqual({ ok: false, detail: 'HTTP 500: [-]leaderElection failed' });
  });

  it('says "connection refused" when nothing listens', async () => {
    const host = createHost({ root: await tempDir() });
    // Port 1 (tcpmux) is privileged and unused: nothing listens there in a rootless test.
    const result = await checkHealth(host, { pod: 'etcd', url: 'http://127.0.0.1:1/livez', scheme: 'HTTP' });
    expect(result.detail).toMatch(/connection refused/);
  });
});

describe('waiting', () => {
  it('waits for the kubelet at the healthz address of its config', async () => {
    const kubelet = await servers.http();
    kubelet.answer = { status: 503 };
    const host = createHost({ root: await tempDir() });
    await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(kubelet.port), MODE);
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      await sleep(ms);
      if (clock.slept.length === 3) kubelet.answer = { status: 200 };
    };
    await waitForKubelet(host, { timeoutMs: 240_000, clock });
    expect(kubelet.requests.map((r) => r.path)).toEqual(['/healthz', '/healthz', '/healthz', '/healthz']);
  });

  it('times out with the kubelet journal, instantly with an injected clock', async () => {
    const kubelet = await servers.http();
    kubelet.answer = { status: 500 };
    const runner = createFakeRunner({ 'journalctl -u kubelet -n 30 --no-pager': { stdout: 'E1203 kubelet: failed to run Kubelet: swap is on' } });
    const host = asLive(createHost({ root: await tempDir(), runner }));
    await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(kubelet.port), MODE);
    const clock = fakeClock();
    const started = Date.now();
    const error = await waitForKubelet(host, { timeoutMs: 240_000, clock }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    expect((error as Error).message).toMatch(/not healthy after 240s .*HTTP 500/);
    expect((error as Error).message).toContain('swap is on');
    expect(clock.slept.length).toBe(240); // a check each second from 0 s to 240 s inclusive
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('waits for every target in parallel and reports each one’s time to healthy', async () => {
    const a = await servers.http();
    const b = await servers.http();
    b.answer = { status: 500 };
    const host = createHost({ root: await tempDir() });
    const clock = fakeClock();
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      await sleep(ms);
      if (clock.slept.length >= 4) b.answer = { status: 200 };
    };
    const healthy: string[] = [];
    const outcomes = await waitForTargets(
      host,
      [
        { pod: 'etcd', url: `http://127.0.0.1:${a.port}/livez`, scheme: 'HTTP' },
        { pod: 'kube-scheduler', url: `http://127.0.0.1:${b.port}/livez`, scheme: 'HTTP' },
      ],
      { timeoutMs: 60_000, clock, onHealthy: (o) => healthy.push(`${o.target.pod} ${o.ms}`) },
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(healthy[0]).toBe('etcd 0');
    expect(healthy[1]).toMatch(/^kube-scheduler [1-9]\d*000$/);
  });
});

describe('crictl', () => {
  const ps = JSON.stringify({
    containers: [
      { id: 'aaa', metadata: { name: 'kube-apiserver', attempt: 2 }, state: 'CONTAINER_EXITED', createdAt: '1700000000000000000', labels: { 'io.kubernetes.pod.name': 'kube-apiserver-cp-1' } },
      { id: 'bbb', metadata: { name: 'etcd', attempt: 0 }, state: 'CONTAINER_RUNNING', createdAt: '1700000000000000000', labels: { 'io.kubernetes.pod.name': 'etcd-cp-1' } },
    ],
  });

  it('reads container states with the node’s runtime endpoint', async () => {
    const root = await tempDir();
    const runner = createFakeRunner({
      'crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps -a -o json': { stdout: ps },
      'crictl --runtime-endpoint unix:///run/containerd/containerd.sock logs --tail 5 aaa': { stdout: '', stderr: 'E etcd: connection refused' },
    });
    const host = asLive(createHost({ root, runner }));
    await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(10248), MODE);
    const states = await containerStates(host);
    expect(states).toEqual([
      { pod: 'etcd-cp-1', container: 'etcd', state: 'running', attempt: 0, id: 'bbb', createdAt: 1_700_000_000_000 },
      { pod: 'kube-apiserver-cp-1', container: 'kube-apiserver', state: 'exited', attempt: 2, id: 'aaa', createdAt: 1_700_000_000_000 },
    ]);
    expect(containersOfPod(states!, 'kube-apiserver').map((s) => s.id)).toEqual(['aaa']);
    expect(await containerLogs(host, 'aaa', 5)).toBe('E etcd: connection refused');
  });

  it('is "unavailable" (undefined) without crictl, with a dead runtime, and on a --root folder', async () => {
    const root = await tempDir();
    const missing = asLive(createHost({ root, runner: createFakeRunner({ 'crictl ps -a -o json': () => { throw new CommandNotFoundError('crictl'); } }) }));
    expect(await containerStates(missing)).toBeUndefined();
    const dead = asLive(createHost({ root, runner: createFakeRunner({ 'crictl ps -a -o json': { exitCode: 1, stderr: 'connect: no such file' } }) }));
    expect(await containerStates(dead)).toBeUndefined();
    const runner = createFakeRunner({});
    expect(await containerStates(createHost({ root, runner }))).toBeUndefined();
    expect(runner.calls).toEqual([]);
  });
});
