/**
 * post-init and addon against the fake API server on a "live" temp root: RBAC with the
 * super-admin fallback, waiting for the node (injected clock), labels and taint, recorded
 * objects, idempotence, and the readiness wait of the pod network.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CNI_CONFIG_FILE } from '../../src/addons/index.js';
import { deriveValues } from '../../src/config/derive.js';
import type { NodeConfig } from '../../src/config/types.js';
import { createHost, type Host } from '../../src/host/index.js';
import type { KubeObject } from '../../src/kube/index.js';
import { fromYamlStream, toYamlStream } from '../../src/manifests/yaml.js';
import { ADDONS_DIR, KUBECONFIG_FILES } from '../../src/paths.js';
import { createAddonPhase } from '../../src/phases/addon.js';
import type { InitContext, InitPhase } from '../../src/phases/context.js';
import { createPostInitPhase, POST_INIT_RECORD } from '../../src/phases/post-init.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { asLiveHost, startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const UNROUTED = 'https://127.0.0.1:1';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** A fake clock; `onSleep` runs at each sleep (the kubelet registering, pods becoming ready…). */
function fakeClock(onSleep: (n: number) => void = () => {}) {
  let now = 0;
  let sleeps = 0;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      onSleep(++sleeps);
    },
    get sleeps() {
      return sleeps;
    },
  };
}

/** RBAC as on a fresh cluster: admin.conf's group has rights only once kubeadm:cluster-admins exists. */
async function cluster(): Promise<{ api: FakeApiServer; host: Host; messages: string[] }> {
  const api: FakeApiServer = await startFakeApiServer({
    authorize: ({ groups }) =>
      groups.includes('system:masters') ||
      (groups.includes('kubeadm:cluster-admins') && api.object(RBAC, 'ClusterRoleBinding', 'kubeadm:cluster-admins') !== undefined),
  });
  const root = await mkdtemp(path.join(tmpdir(), 'nodeadm-postinit-'));
  cleanups.push(() => api.close(), () => rm(root, { recursive: true, force: true }));
  const host = asLiveHost(createHost({ root }));
  // As with a controlPlaneEndpoint that does not route yet: init must use the local endpoint.
  await api.writeKubeconfig(host, KUBECONFIG_FILES.admin, 'kubernetes-admin', ['kubeadm:cluster-admins'], UNROUTED);
  await api.writeKubeconfig(host, KUBECONFIG_FILES['super-admin'], 'kubernetes-super-admin', ['system:masters'], UNROUTED);
  return { api, host, messages: [] };
}

const registerNode = (api: FakeApiServer, taints: unknown[] = []): void =>
  api.put({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp-1', labels: { 'kubernetes.io/hostname': 'cp-1' } }, spec: { taints } });

/** The init context; `api` stands in for the node's local API endpoint. */
function context(host: Host, overrides: Partial<NodeConfig> = {}, api?: FakeApiServer): InitContext {
  const config = sampleConfig('v1.36', { waitTimeoutMs: 60_000, ...overrides });
  const derived = deriveValues(config);
  return { config, derived: { ...derived, localApiEndpoint: api?.url ?? derived.localApiEndpoint }, host, pki: undefined as never, willRun: () => true, osHostname: 'cp-1' };
}

const reporter = (messages: string[]) => ({ info: (m: string) => messages.push(m), warn: (m: string) => messages.push(`WARN ${m}`) });

async function runPhase(phase: InitPhase, ctx: InitContext, messages: string[]): Promise<void> {
  await phase.run?.(ctx, reporter(messages));
  for (const child of phase.children ?? []) if (child.guard?.(ctx) === undefined) await child.run?.(ctx, reporter(messages));
}

const rv = (o: KubeObject | undefined): unknown => (o?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;

describe('post-init on a live node', () => {
  it('binds cluster-admins with super-admin.conf, waits for the node, labels and taints it, applies recorded files', async () => {
    const { api, host, messages } = await cluster();
    const pending: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-another-phase', namespace: 'kube-system' }, data: { a: '1' } };
    await host.writeFile(`${ADDONS_DIR}/extra-schedulers.yaml`, toYamlStream([pending]), { mode: 0o600 });
    const clock = fakeClock((n) => n === 3 && registerNode(api, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]));

    await runPhase(createPostInitPhase({ clock }), context(host, { kubernetesVersion: sampleConfig('v1.36.1').kubernetesVersion }, api), messages);

    const crb = api.requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/clusterrolebindings/kubeadm:cluster-admins') && r.status === 201);
    expect(crb?.user).toBe('kubernetes-super-admin');
    expect(messages[0]).toMatch(/kubeadm:cluster-admins created with \/etc\/kubernetes\/super-admin.conf/);
    expect(clock.sleeps).toBe(3);
    const node = api.object('v1', 'Node', 'cp-1')!;
    expect(node.metadata.labels).toEqual({
      'kubernetes.io/hostname': 'cp-1',
      'node-role.kubernetes.io/control-plane': '',
      'node.kubernetes.io/exclude-from-external-load-balancers': '',
    });
    expect((node.spec as { taints: unknown[] }).taints).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    ]);
    expect(api.object(RBAC, 'ClusterRoleBinding', 'kubeadm:apiserver-kubelet-client')?.subjects).toEqual([
      { kind: 'User', name: 'kube-apiserver-kubelet-client', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
    expect(api.object('v1', 'ConfigMap', 'from-another-phase', 'kube-system')?.data).toEqual({ a: '1' });
    expect(fromYamlStream((await host.readText(POST_INIT_RECORD))!)).toHaveLength(2);
    // everything after the binding goes through admin.conf
    expect(api.requests.filter((r) => r.method === 'PATCH' && r.user === 'kubernetes-super-admin')).toHaveLength(1);
  });

  it('changes nothing the second time', async () => {
    const { api, host, messages } = await cluster();
    registerNode(api);
    const phase = createPostInitPhase({ clock: fakeClock() });
    await runPhase(phase, context(host, {}, api), messages);
    const before = new Map(api.objects().map((o) => [`${o.kind}/${o.metadata.name}`, rv(o)]));
    messages.length = 0;
    await runPhase(phase, context(host, {}, api), messages);
    expect(new Map(api.objects().map((o) => [`${o.kind}/${o.metadata.name}`, rv(o)]))).toEqual(before);
    expect(messages.join('\n')).toMatch(/node cp-1 unchanged/);
    expect(messages.join('\n')).toMatch(/post-init.yaml \(0 created, 0 configured, 2 unchanged\)/);
    // v1.36 (.5) has the dedicated kubelet client role, so its binding too
    expect(api.object(RBAC, 'ClusterRoleBinding', 'kubeadm:apiserver-kubelet-client')).toBeDefined();
  });

  it('leaves the node untainted (and removes its own taint) with --allow-schedule-on-control-plane', async () => {
    const { api, host, messages } = await cluster();
    registerNode(api, [
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
      { key: 'example.com/keep', value: 'yes', effect: 'NoExecute' },
    ]);
    await runPhase(createPostInitPhase({ clock: fakeClock() }), context(host, { allowScheduleOnControlPlane: true }, api), messages);
    expect((api.object('v1', 'Node', 'cp-1')!.spec as { taints: unknown[] }).taints).toEqual([{ key: 'example.com/keep', value: 'yes', effect: 'NoExecute' }]);
    expect(messages.join('\n')).toMatch(/no control-plane taint/);
  });

  it('gives up after the wait timeout when the kubelet never registers, naming the kubelet', async () => {
    const { api, host, messages } = await cluster();
    const clock = fakeClock();
    const error = await runPhase(createPostInitPhase({ clock }), context(host, { waitTimeoutMs: 10_000 }, api), messages).catch((e: unknown) => e);
    expect((error as Error).message).toBe('node cp-1 did not register within 10s: no Node object yet');
    expect((error as { hint?: string }).hint).toMatch(/journalctl -u kubelet/);
    expect(clock.sleeps).toBe(5);
  });
});

describe('post-init and addon off the live host', () => {
  it('--root: records the bindings and the addons, says they await application, writes the CNI file', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'nodeadm-postinit-root-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const host = createHost({ root });
    const messages: string[] = [];
    const base = sampleConfig();
    const ctx = context(host, { podNetwork: 'bridge', networking: { ...base.networking, podSubnet: '10.244.0.0/16' } });
    await runPhase(createPostInitPhase(), ctx, messages);
    await runPhase(createAddonPhase(), ctx, messages);
    expect((await host.listDir(ADDONS_DIR)).sort()).toEqual(['coredns.yaml', 'kube-proxy.yaml', 'post-init.yaml']);
    expect(messages[0]).toMatch(/objects written to \/etc\/kubernetes\/nodeadm\/addons\/post-init.yaml; they await application/);
    expect(messages[1]).toMatch(/boot the node, then run nodeadm init phase post-init/);
    expect(JSON.parse((await host.readText(CNI_CONFIG_FILE))!).plugins[0].ipam.ranges).toEqual([[{ subnet: '10.244.0.0/16' }]]);
  });

  it('skips the pod network with --pod-network none', () => {
    const pod = createAddonPhase().children!.find((c) => c.name === 'pod-network')!;
    expect(pod.guard?.(context(createHost({ root: '/tmp' })))).toMatch(/--pod-network none/);
  });
});

describe('addon on a live node', () => {
  it('applies CoreDNS and kube-proxy, writes the CNI file and waits until the node and the addons are ready', async () => {
    const { api, host, messages } = await cluster();
    registerNode(api);
    await runPhase(createPostInitPhase({ clock: fakeClock() }), context(host, {}, api), messages);
    const setStatus = (apiVersion: string, kind: string, name: string, status: Record<string, unknown>, ns?: string): void =>
      api.put({ ...api.object(apiVersion, kind, name, ns)!, status });
    // the kubelet reports Ready once the CNI config is there; the pods come up one poll later
    const clock = fakeClock((n) => {
      if (n === 1) setStatus('v1', 'Node', 'cp-1', { conditions: [{ type: 'Ready', status: 'True' }] });
      if (n === 2) {
        setStatus('apps/v1', 'DaemonSet', 'kube-proxy', { desiredNumberScheduled: 1, numberReady: 1 }, 'kube-system');
        setStatus('apps/v1', 'Deployment', 'coredns', { readyReplicas: 2 }, 'kube-system');
      }
    });
    messages.length = 0;
    const base = sampleConfig();
    await runPhase(createAddonPhase({ clock }), context(host, { podNetwork: 'bridge', networking: { ...base.networking, podSubnet: '10.244.0.0/16' } }, api), messages);
    expect(api.object('apps/v1', 'Deployment', 'coredns', 'kube-system')).toBeDefined();
    expect(api.object('v1', 'Service', 'kube-dns', 'kube-system')?.spec).toMatchObject({ clusterIP: '10.96.0.10' });
    expect(api.object('apps/v1', 'DaemonSet', 'kube-proxy', 'kube-system')).toBeDefined();
    expect(await host.exists(CNI_CONFIG_FILE)).toBe(true);
    expect(clock.sleeps).toBe(2);
    expect(messages.at(-1)).toBe('ready: node cp-1, kube-proxy, coredns');
  });

  it('fails with the state of what is not ready when the wait times out', async () => {
    const { api, host, messages } = await cluster();
    registerNode(api);
    await runPhase(createPostInitPhase({ clock: fakeClock() }), context(host, {}, api), messages);
    const base = sampleConfig();
    const ctx = context(host, { podNetwork: 'bridge', networking: { ...base.networking, podSubnet: '10.244.0.0/16' }, waitTimeoutMs: 4_000 }, api);
    const error = await runPhase(createAddonPhase({ clock: fakeClock() }), ctx, messages).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'the node and its addons did not become ready within 4s: Node cp-1 (no Ready condition yet); DaemonSet kube-system/kube-proxy (0/0 pods ready); Deployment kube-system/coredns (0/2 pods ready)',
    );
  });
});
