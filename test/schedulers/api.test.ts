/**
 * The lease RBAC through a real HTTPS API server double (client certificates, server-side
 * apply), and list-schedulers' runtime columns with injected crictl and health answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addScheduler, loadNodeConfig, removeScheduler, withRuntimeState } from '../../src/commands/schedulers.js';
import type { GlobalOptions, Io } from '../../src/commands/global.js';
import { createKubeClient, type KubeClient } from '../../src/kube/index.js';
import { listSchedulers } from '../../src/schedulers/manage.js';
import { leaseRbacName } from '../../src/schedulers/rbac.js';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver.js';
import { useRoots, writeNode } from './helpers.js';

const newRoot = useRoots();
let api: FakeApiServer;
let client: KubeClient;
beforeAll(async () => {
  api = await startFakeApiServer();
  client = createKubeClient(await api.credentials('kubernetes-admin', ['kubeadm:cluster-admins']));
});
afterAll(() => api.close());

const global = (root: string): GlobalOptions => ({ root, dryRun: false, yes: true, verbose: false, color: false, output: 'text' });
function capture(): Io & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => lines.push(t), err: (t) => lines.push(`ERR ${t}`), isTTY: false };
}
const RBAC = 'rbac.authorization.k8s.io/v1';

describe('lease RBAC through the API server', () => {
  it('add --leader-elect applies ClusterRole and binding (and records them); remove deletes them', async () => {
    const root = await newRoot();
    await writeNode(root);
    const io = capture();
    expect(await addScheduler(global(root), { name: 'gpu', leaderElect: true }, io, { client })).toBe(0);
    const name = leaseRbacName('gpu');
    expect(api.object(RBAC, 'ClusterRole', name)).toMatchObject({ rules: [{ resources: ['leases'], resourceNames: ['gpu'], verbs: ['get', 'update'] }] });
    expect(api.object(RBAC, 'ClusterRoleBinding', name)).toMatchObject({ subjects: [{ kind: 'User', name: 'system:kube-scheduler' }] });
    expect(io.lines.join('\n')).toContain('applied 2 objects from /etc/kubernetes/nodeadm/addons/kube-scheduler-gpu-rbac.yaml');
    const applies = api.requests.filter((r) => r.method === 'PATCH' && r.path.includes(encodeURIComponent(name)));
    expect(applies.every((r) => r.query.fieldManager === 'nodeadm' && r.user === 'kubernetes-admin')).toBe(true);

    const rm = capture();
    expect(await removeScheduler(global(root), { name: 'gpu' }, rm, { client })).toBe(0);
    expect(api.object(RBAC, 'ClusterRole', name)).toBeUndefined();
    expect(api.object(RBAC, 'ClusterRoleBinding', name)).toBeUndefined();
    expect(rm.lines.join('\n')).toContain(`ClusterRoleBinding ${name} deleted`);
  });

  it('turning leader election off deletes the RBAC it no longer needs', async () => {
    const root = await newRoot();
    await writeNode(root);
    await addScheduler(global(root), { name: 'batch', leaderElect: true }, capture(), { client });
    expect(api.object(RBAC, 'ClusterRole', leaseRbacName('batch'))).toBeDefined();
    await addScheduler(global(root), { name: 'batch' }, capture(), { client });
    expect(api.object(RBAC, 'ClusterRole', leaseRbacName('batch'))).toBeUndefined();
    expect(api.object(RBAC, 'ClusterRoleBinding', leaseRbacName('batch'))).toBeUndefined();
  });
});

describe('list-schedulers on a live node', () => {
  it('adds the container state from crictl and the health of each scheduler', async () => {
    const root = await newRoot();
    const { host } = await writeNode(root);
    await addScheduler(global(root), { name: 'gpu' }, capture());
    const rows = await listSchedulers(host, await loadNodeConfig(host));
    const probed: string[] = [];
    const live = await withRuntimeState(host, 'cp-1', rows, {
      states: async () => [
        { pod: 'kube-scheduler-cp-1', container: 'kube-scheduler', state: 'running', attempt: 0, id: 'a', createdAt: 1 },
        { pod: 'kube-scheduler-gpu-cp-1', container: 'kube-scheduler-gpu', state: 'exited', attempt: 2, id: 'b', createdAt: 3 },
        { pod: 'kube-scheduler-gpu-cp-1', container: 'kube-scheduler-gpu', state: 'running', attempt: 3, id: 'c', createdAt: 4 },
      ],
      health: async (_h, t) => {
        probed.push(t.url);
        return t.pod === 'kube-scheduler' ? { ok: true, detail: 'HTTP 200: ok' } : { ok: false, detail: 'connection refused (nothing listening yet)' };
      },
    });
    expect(live.map((r) => [r.name, r.state, r.health?.ok])).toEqual([
      ['default-scheduler', 'running', true],
      ['gpu', 'running', false],
    ]);
    expect(probed.sort()).toEqual(['https://127.0.0.1:10259/livez', 'https://127.0.0.1:10260/livez']);
    const noRuntime = await withRuntimeState(host, 'cp-1', rows, { states: async () => undefined, health: async () => ({ ok: false, detail: 'x' }) });
    expect(noRuntime[1]!.state).toBe('unknown (crictl unavailable)');
  });
});
