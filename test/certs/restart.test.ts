/**
 * Restarting the static pods that read renewed files: which ones (from the rendered manifests),
 * and how — one at a time, manifest moved out and back byte for byte, each waited for until
 * healthy — with a fake health check, a fake clock and the fake command runner.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeRunner } from '../../src/host/fake-runner.js';
import { createHost } from '../../src/host/index.js';
import type { Host } from '../../src/host/types.js';
import { planRestarts, restartComponents, RESTART_DIR, type RestartDeps } from '../../src/pki/index.js';
import { readStaticPods, type HealthTarget } from '../../src/waiter/index.js';
import { cleanup } from '../cli/helpers.js';
import { initNode, inRoot } from './helpers.js';

let root: string;
beforeAll(async () => {
  root = await initNode('--encryption-algorithm', 'ECDSA-P256', '--extra-scheduler', 'batch');
}, 30_000);
afterAll(async () => cleanup(root));

const MANIFESTS = '/etc/kubernetes/manifests';

/** A kubelet stand-in: a pod answers its health check while its manifest is in place, `lag` checks after it came back. */
function fakeNode(host: Host, options: { neverHealthy?: string } = {}): { deps: RestartDeps; log: string[] } {
  const log: string[] = [];
  let now = 0;
  const checks = new Map<string, number>();
  const deps: RestartDeps = {
    clock: { now: () => now, sleep: async (ms) => void (now += ms) },
    checkHealth: async (_host, target: HealthTarget) => {
      const pods = await readStaticPods(host);
      const present = pods.some((p) => p.name === target.pod);
      const seen = present ? (checks.get(target.pod) ?? 0) + 1 : 0;
      checks.set(target.pod, seen);
      // every other manifest stays in place while one pod restarts
      const others = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].filter((p) => p !== target.pod && !pods.some((q) => q.name === p));
      if (others.length > 0) log.push(`ALSO DOWN: ${others.join(',')}`);
      const ok = present && seen >= 2 && target.pod !== options.neverHealthy;
      log.push(`${target.pod} ${ok ? 'up' : 'down'}`);
      return { ok, detail: ok ? 'HTTP 200' : 'connection refused' };
    },
    waitForKubelet: async () => void log.push('kubelet healthz'),
  };
  return { deps, log };
}

const reporter = (lines: string[]) => ({ info: (m: string) => lines.push(m), warn: (m: string) => lines.push(`WARN ${m}`) });

describe('which components read a renewed file', () => {
  it('follows manifests, an extra scheduler\'s config file, and the kubelet\'s own files', async () => {
    const host = createHost({ root });
    const plan = await planRestarts(
      host,
      ['/etc/kubernetes/pki/etcd/server.crt', '/etc/kubernetes/scheduler.conf', '/etc/kubernetes/kubelet.conf', '/etc/kubernetes/admin.conf'],
      await readStaticPods(host),
    );
    expect(plan.pods.map((p) => [p.name, p.uses])).toEqual([
      ['etcd', ['/etc/kubernetes/pki/etcd/server.crt']],
      // manifest order: kube-scheduler-batch.yaml sorts before kube-scheduler.yaml
      ['kube-scheduler-batch', ['/etc/kubernetes/scheduler.conf']],
      ['kube-scheduler', ['/etc/kubernetes/scheduler.conf']],
    ]);
    expect(plan.kubelet).toEqual(['/etc/kubernetes/kubelet.conf']);
  });

  it('a path is matched whole: etcd/server.crt is not etcd/server.crt.bak', async () => {
    const host = createHost({ root });
    const plan = await planRestarts(host, ['/etc/kubernetes/pki/etcd/server.cr', '/etc/kubernetes/pki/front-proxy-ca.crt'], await readStaticPods(host));
    // --requestheader-client-ca-file of both; nothing reads a file named etcd/server.cr
    expect(plan.pods.map((p) => [p.name, p.uses])).toEqual([
      ['kube-apiserver', ['/etc/kubernetes/pki/front-proxy-ca.crt']],
      ['kube-controller-manager', ['/etc/kubernetes/pki/front-proxy-ca.crt']],
    ]);
  });
});

describe('restarting on a live host', () => {
  it('restarts one pod at a time, each waited for until healthy, manifests restored byte for byte, then the kubelet', async () => {
    const runner = createFakeRunner({ 'systemctl restart kubelet': {} });
    const host = createHost({ root, runner });
    const files = ['/etc/kubernetes/pki/etcd/server.crt', '/etc/kubernetes/pki/apiserver.crt', '/etc/kubernetes/kubelet.conf'];
    const plan = await planRestarts(host, files, await readStaticPods(host));
    const before = await Promise.all(['etcd', 'kube-apiserver'].map((p) => readFile(inRoot(root, `${MANIFESTS}/${p}.yaml`), 'utf8')));
    const { deps, log } = fakeNode(host);
    const lines: string[] = [];
    await restartComponents(host, plan, deps, reporter(lines));

    expect(log.filter((l) => l.startsWith('ALSO DOWN'))).toEqual([]);
    // etcd: seen down, then up twice-checked; only then the API server goes down
    const order = log.filter((l, i) => l !== log[i - 1]);
    expect(order).toEqual(['etcd down', 'etcd up', 'kube-apiserver down', 'kube-apiserver up', 'kubelet healthz']);
    expect(runner.calls.map((c) => c.argv.join(' '))).toEqual(['systemctl restart kubelet']);
    expect(lines).toEqual([
      'restarting etcd (it reads /etc/kubernetes/pki/etcd/server.crt)',
      expect.stringMatching(/^etcd is healthy again \(http:\/\/127\.0\.0\.1:2381\/(livez|health)/),
      'restarting kube-apiserver (it reads /etc/kubernetes/pki/apiserver.crt)',
      expect.stringMatching(/^kube-apiserver is healthy again \(https:\/\/192\.0\.2\.10:6443\/livez\)/),
      'restarting the kubelet (it reads /etc/kubernetes/kubelet.conf)',
      'the kubelet is healthy again',
    ]);
    const after = await Promise.all(['etcd', 'kube-apiserver'].map((p) => readFile(inRoot(root, `${MANIFESTS}/${p}.yaml`), 'utf8')));
    expect(after).toEqual(before);
    expect(await host.listDir(RESTART_DIR)).toEqual([]);
  });

  it('stops at a pod that does not come back: says which, restores its manifest, leaves the rest alone', async () => {
    const host = createHost({ root });
    const plan = await planRestarts(host, ['/etc/kubernetes/pki/etcd/server.crt', '/etc/kubernetes/pki/apiserver.crt'], await readStaticPods(host));
    const { deps, log } = fakeNode(host, { neverHealthy: 'etcd' });
    await expect(restartComponents(host, plan, { ...deps, healthyTimeoutMs: 10_000 }, reporter([]))).rejects.toThrow(
      expect.objectContaining({
        name: 'OperationalError',
        message: expect.stringMatching(/^etcd is not healthy after its restart \(.*: connection refused\)$/),
        hint: expect.stringContaining('the remaining components were not restarted'),
      }),
    );
    expect(log.some((l) => l.startsWith('kube-apiserver'))).toBe(false);
    expect(await host.exists(`${MANIFESTS}/etcd.yaml`)).toBe(true);
    expect(await host.listDir(RESTART_DIR)).toEqual([]);
  });
});
