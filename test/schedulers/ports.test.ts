import { describe, expect, it } from 'vitest';
import { nextFreePort, podPorts, usedPorts } from '../../src/schedulers/ports.js';
import { planExtraScheduler, planExtraSchedulers, writeSchedulerFiles } from '../../src/schedulers/manage.js';
import { buildEtcdPod, buildApiServerPod } from '../../src/manifests/index.js';
import { deriveValues } from '../../src/config/derive.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { useRoots, writeNode, writePod } from './helpers.js';

const newRoot = useRoots();

/** A user's static pod using ports in every way the kubelet's host network would see them. */
const userPod = (name: string, ports: { flag?: number; url?: number; container?: number; probe?: number; hostPort?: number }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'kube-system' },
  spec: {
    hostNetwork: true,
    containers: [
      {
        name,
        image: 'example.com/x:1',
        command: ['x', ...(ports.flag ? [`--metrics-port=${ports.flag}`] : []), ...(ports.url ? ['--listen-urls', `http://127.0.0.1:${ports.url},http://[::1]:${ports.url}`] : [])],
        ...(ports.container || ports.hostPort ? { ports: [{ containerPort: ports.container ?? 80, ...(ports.hostPort ? { hostPort: ports.hostPort } : {}) }] } : {}),
        ...(ports.probe ? { livenessProbe: { tcpSocket: { port: ports.probe } } } : {}),
      },
    ],
  },
});

describe('ports in manifests', () => {
  it('finds the control plane ports: etcd URLs, the API server port, named probe ports', () => {
    const config = sampleConfig('v1.36');
    const d = deriveValues(config);
    const etcd = podPorts(buildEtcdPod(config, d), 'etcd.yaml');
    expect([...etcd.keys()]).toEqual(expect.arrayContaining([2379, 2380, 2381]));
    expect(podPorts(buildApiServerPod(config, d, { caCertDirs: [] }), 'kube-apiserver.yaml').get(6443)).toMatch(/kube-apiserver.yaml/);
  });

  it('finds flag, URL (with a separate value), containerPort, hostPort and probe ports', () => {
    const ports = podPorts(userPod('u', { flag: 10300, url: 10301, container: 10302, probe: 10303, hostPort: 10304 }), 'u.yaml');
    expect([...ports.keys()].sort()).toEqual([10300, 10301, 10302, 10303, 10304]);
    expect(ports.get(10301)).toBe('u.yaml --listen-urls');
  });

  it('allocates from 10260 around ports in use, filling gaps', async () => {
    const root = await newRoot();
    const { host } = await writeNode(root);
    await writePod(host, userPod('a', { flag: 10260 }));
    await writePod(host, userPod('b', { container: 10262 }));
    const used = await usedPorts(host, 6443);
    expect(used.get(10260)).toBe('a.yaml --metrics-port');
    expect(used.get(10250)).toBe('kubelet');
    expect(nextFreePort(used)).toBe(10261);
    expect(nextFreePort(new Map([[10260, 'x'], [10261, 'y']]))).toBe(10262);
  });

  it('gives several schedulers distinct ports, skipping used ones, and keeps them on re-plan', async () => {
    const root = await newRoot();
    const { host, config } = await writeNode(root);
    await writePod(host, userPod('metrics', { probe: 10261 }));
    const plans = await planExtraSchedulers(host, config, [{ name: 'a' }, { name: 'b', port: 10300 }, { name: 'c' }, { name: 'd' }]);
    expect(plans.map((p) => p.port)).toEqual([10260, 10300, 10262, 10263]);
    for (const p of plans) await writeSchedulerFiles(host, p);
    // b leaves a gap; the others keep their ports; a new one takes the lowest free.
    const again = await planExtraSchedulers(host, config, [{ name: 'a' }, { name: 'c' }, { name: 'd' }, { name: 'e' }]);
    expect(again.map((p) => p.port)).toEqual([10260, 10262, 10263, 10264]);
    const e = await planExtraScheduler(host, config, { name: 'e' });
    expect(e.port).toBe(10264); // 10300 still belongs to b's manifest
  });

  it("keeps a later entry's explicit port free from an earlier entry's automatic one", async () => {
    const root = await newRoot();
    const specs = [{ name: 'a' }, { name: 'b', port: 10260 }];
    const { host, config } = await writeNode(root, 'v1.36', { extraSchedulers: specs });
    expect((await planExtraSchedulers(host, config, specs)).map((p) => p.port)).toEqual([10261, 10260]);
    await expect(planExtraScheduler(host, config, { name: 'c', port: 10260 })).rejects.toThrow('is taken by extra scheduler b (extraSchedulers)');
  });

  it('refuses a port another manifest uses, naming it', async () => {
    const root = await newRoot();
    const { host, config } = await writeNode(root);
    await writePod(host, userPod('exporter', { url: 10270 }));
    await expect(planExtraScheduler(host, config, { name: 'gpu', port: 10270 })).rejects.toThrow('--port: invalid value 10270: is taken by exporter.yaml --listen-urls');
    await expect(planExtraScheduler(host, config, { name: 'gpu', port: 2381 })).rejects.toThrow(/is taken by etcd/);
  });
});
