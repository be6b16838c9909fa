import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/host/index.js';
import {
  applyOrRecord,
  connectKube,
  createKubeClient,
  KubeApiError,
  readRecordedObjects,
  resourcePath,
  type KubeObject,
} from '../../src/kube/index.js';
import { fromYamlStream } from '../../src/manifests/yaml.js';
import { KUBECONFIG_FILES } from '../../src/paths.js';
import { asLiveHost, startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver.js';

const roots: string[] = [];
const tempHost = async (dryRun = false) => {
  const root = await mkdtemp(path.join(tmpdir(), 'nodeadm-kube-'));
  roots.push(root);
  return createHost({ root, dryRun });
};
const messages: string[] = [];
const out = { info: (m: string) => messages.push(m), warn: (m: string) => messages.push(`WARN ${m}`) };

const configMap = (data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'demo', namespace: 'kube-system' },
  data,
});
const binding: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRoleBinding',
  metadata: { name: 'demo' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  subjects: [{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }],
};

const rvOf = (o: KubeObject | undefined): unknown => (o?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;

let api: FakeApiServer;
beforeAll(async () => {
  api = await startFakeApiServer();
});
afterAll(async () => {
  await api.close();
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

describe('resourcePath', () => {
  it('maps core, grouped, namespaced and cluster-scoped kinds', () => {
    expect(resourcePath('v1', 'ConfigMap', 'coredns', 'kube-system')).toBe('/api/v1/namespaces/kube-system/configmaps/coredns');
    expect(resourcePath('apps/v1', 'DaemonSet', 'kube-proxy', 'kube-system')).toBe('/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy');
    expect(resourcePath('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'kubeadm:cluster-admins')).toBe(
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeadm%3Acluster-admins',
    );
    expect(resourcePath('v1', 'Node', 'cp-1')).toBe('/api/v1/nodes/cp-1');
    expect(() => resourcePath('example.com/v1', 'Widget', 'w')).toThrow(/no REST mapping/);
  });
});

describe('KubeClient against the fake API server', () => {
  it('creates, then reports unchanged, then configured; identifies as the client certificate', async () => {
    const client = createKubeClient(await api.credentials('kubernetes-admin', ['kubeadm:cluster-admins']));
    expect(await client.apply(configMap({ a: '1' }))).toBe('created');
    expect(await client.apply(configMap({ a: '1' }))).toBe('unchanged');
    expect(await client.apply(configMap({ a: '2' }))).toBe('configured');
    expect((await client.get('v1', 'ConfigMap', 'demo', 'kube-system'))?.data).toEqual({ a: '2' });
    const patches = api.requests.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(3);
    for (const p of patches) {
      expect(p.contentType).toBe('application/apply-patch+yaml');
      expect(p.query).toEqual({ fieldManager: 'nodeadm', force: 'true' });
      expect(p.user).toBe('kubernetes-admin');
      expect(p.groups).toEqual(['kubeadm:cluster-admins']);
    }
  });

  it('gets and deletes cluster-scoped objects, false when absent', async () => {
    const client = createKubeClient(await api.credentials('kubernetes-admin'));
    expect(await client.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'demo')).toBeUndefined();
    expect(await client.apply(binding)).toBe('created');
    expect((await client.get('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'demo'))?.subjects).toEqual(binding.subjects);
    expect(await client.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'demo')).toBe(true);
    expect(await client.delete('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'demo')).toBe(false);
  });

  it('turns a 403 into a KubeApiError carrying the status and the server message', async () => {
    const strict = await startFakeApiServer({ authorize: (c) => c.groups.includes('system:masters') });
    try {
      const client = createKubeClient(await strict.credentials('kubernetes-admin', ['kubeadm:cluster-admins']));
      const error = await client.apply(binding).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KubeApiError);
      expect((error as KubeApiError).status).toBe(403);
      expect((error as KubeApiError).message).toMatch(/cannot get/);
      const admin = createKubeClient(await strict.credentials('kubernetes-super-admin', ['system:masters']));
      expect(await admin.apply(binding)).toBe('created');
    } finally {
      await strict.close();
    }
  });

  it('refuses a client certificate from another CA at the TLS handshake', async () => {
    const other = await startFakeApiServer({ freshKeys: true });
    try {
      const foreign = await other.credentials('kubernetes-admin', ['system:masters']);
      const client = createKubeClient({ ...foreign, server: api.url, caCertPem: api.caCertPem });
      await expect(client.get('v1', 'Node', 'cp-1')).rejects.toThrow(/cannot reach the API server/);
      // and a server certificate from another CA is not trusted either
      const mine = await api.credentials('kubernetes-admin');
      await expect(createKubeClient({ ...mine, caCertPem: other.caCertPem }).get('v1', 'Node', 'cp-1')).rejects.toThrow(/cannot reach/);
    } finally {
      await other.close();
    }
  });
});

describe('connectKube', () => {
  it('is undefined off a live root and in dry-run, without reading anything', async () => {
    const host = await tempHost();
    await api.writeKubeconfig(host, KUBECONFIG_FILES.admin, 'kubernetes-admin');
    expect(await connectKube(host)).toBeUndefined();
    const dry = await tempHost(true);
    expect(await connectKube(asLiveHost(dry))).toBeUndefined();
  });

  it('connects with admin.conf on a live root once /readyz answers', async () => {
    const host = asLiveHost(await tempHost());
    await api.writeKubeconfig(host, KUBECONFIG_FILES.admin, 'kubernetes-admin');
    const client = await connectKube(host);
    expect(client).toBeDefined();
    expect(api.requests.some((r) => r.path === '/readyz' && r.user === 'kubernetes-admin')).toBe(true);
  });

  it('gives up when /readyz never answers 200 within the timeout (injected clock)', async () => {
    const host = asLiveHost(await tempHost());
    const sick = await startFakeApiServer({ ready: false });
    try {
      await sick.writeKubeconfig(host, KUBECONFIG_FILES.admin, 'kubernetes-admin');
      let now = 0;
      const sleeps: number[] = [];
      const clock = { now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
      expect(await connectKube(host, { timeoutMs: 5_000, clock })).toBeUndefined();
      expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000]);
      expect(sick.requests.filter((r) => r.path === '/readyz')).toHaveLength(6);
    } finally {
      await sick.close();
    }
  });

  it('is undefined when the kubeconfig is missing', async () => {
    expect(await connectKube(asLiveHost(await tempHost()))).toBeUndefined();
  });
});

describe('applyOrRecord', () => {
  it('records under --root (0600, one YAML stream) and says the objects await application', async () => {
    const host = await tempHost();
    messages.length = 0;
    const file = '/etc/kubernetes/nodeadm/addons/demo.yaml';
    expect(await applyOrRecord(host, [configMap({ a: '1' }), binding], file, out)).toBe('recorded');
    const text = (await host.readText(file))!;
    expect(fromYamlStream(text)).toEqual([configMap({ a: '1' }), binding]);
    expect(await readRecordedObjects(host, file)).toHaveLength(2);
    expect(messages[0]).toMatch(/2 objects written to .*demo\.yaml; they await application.*kubectl .*apply --server-side/);
  });

  it('applies on a live root and sends no change the second time', async () => {
    const host = asLiveHost(await tempHost());
    await api.writeKubeconfig(host, KUBECONFIG_FILES.admin, 'kubernetes-admin');
    messages.length = 0;
    const file = '/etc/kubernetes/nodeadm/addons/twice.yaml';
    const objects = [{ ...configMap({ b: '1' }), metadata: { name: 'twice', namespace: 'kube-system' } }];
    expect(await applyOrRecord(host, objects, file, out)).toBe('applied');
    const rv = rvOf(api.object('v1', 'ConfigMap', 'twice', 'kube-system'));
    expect(await applyOrRecord(host, objects, file, out)).toBe('applied');
    expect(messages).toEqual([
      `applied 1 objects from ${file} (1 created, 0 configured, 0 unchanged)`,
      `applied 1 objects from ${file} (0 created, 0 configured, 1 unchanged)`,
    ]);
    expect(rvOf(api.object('v1', 'ConfigMap', 'twice', 'kube-system'))).toBe(rv);
  });

  it('refuses a record file outside the addons directory', async () => {
    await expect(applyOrRecord(await tempHost(), [], '/etc/kubernetes/x.yaml', out)).rejects.toThrow(/not under/);
  });
});

describe('readRecordedObjects', () => {
  it('names the file and the document that is not an object', async () => {
    const host = await tempHost();
    const file = '/etc/kubernetes/nodeadm/addons/bad.yaml';
    await host.writeFile(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n', { mode: 0o600 });
    await expect(readRecordedObjects(host, file)).rejects.toThrow(`${file}: document 2 is not a Kubernetes object`);
    await host.writeFile(file, 'a: [unclosed\n', { mode: 0o600 });
    await expect(readRecordedObjects(host, file)).rejects.toThrow(/bad\.yaml: malformed YAML/);
  });
});
