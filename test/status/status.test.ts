import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus, nodeStatus, type NodeStatus } from '../../src/commands/status.js';
import { CommandNotFoundError, createFakeRunner, createHost } from '../../src/host/index.js';
import { useTempDirs } from '../host/helpers.js';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';
import { adminConf, asLive, kubeletConfig, podManifest, testPki, useServers } from '../waiter/support.js';

const tempDir = useTempDirs();
const servers = useServers();
let root: string;

beforeAll(async () => {
  root = await tempRoot('nodeadm-status-');
  const { code, err } = await runCli(['init', ...BASE_ARGS, '--extra-scheduler', 'batch', '--encryption-algorithm', 'ECDSA-P256', '--root', root]);
  expect(code, err).toBe(0);
}, 60_000);
afterAll(() => cleanup(root));

describe('nodeadm status', () => {
  it('on a --root image: every manifest with its owner, no runtime (said plainly), the first certificate to expire', async () => {
    const { code, out } = await runCli(['status', '--root', root]);
    expect(code).toBe(0);
    expect(out).toMatch(/node image/);
    expect(out).toMatch(/container runtime: not checked: --root is a node image/);
    expect(out).toMatch(/kube-apiserver-cp-1\s+control plane/);
    expect(out).toMatch(/kube-scheduler-batch-cp-1\s+extra scheduler/);
    expect(out).toMatch(/Certificates: \d+ under \/etc\/kubernetes\/pki; the first to expire is \/etc\/kubernetes\/pki\/\S+\.crt, expires \d{4}-\d\d-\d\d \(in 36[45] days\)/);

    const json = await runCli(['status', '--root', root, '-o', 'json']);
    const doc = JSON.parse(json.out) as NodeStatus;
    expect(doc.live).toBe(false);
    expect(doc.pods.map((p) => `${p.pod} ${p.owner}`)).toEqual([
      'etcd-cp-1 control plane',
      'kube-apiserver-cp-1 control plane',
      'kube-controller-manager-cp-1 control plane',
      'kube-scheduler-batch-cp-1 extra scheduler',
      'kube-scheduler-cp-1 control plane',
    ]);
    expect(doc.pods.every((p) => p.health === undefined && p.container === undefined)).toBe(true);
    expect(doc.certificates.length).toBeGreaterThanOrEqual(10);
    expect(doc.nearestExpiry?.path).toBe(doc.certificates[0]?.path);
  });

  it('on the live host: container state from crictl, health from each probe, kubelet state', async () => {
    const pki = await testPki();
    const [etcd, api] = await Promise.all([servers.http(), servers.https(pki, { requireClientCert: true })]);
    etcd.answer = { status: 503, body: '[-]serializable_read failed' };
    const runner = createFakeRunner({
      'crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps -a -o json': {
        stdout: JSON.stringify({
          containers: [
            { id: 'e2', metadata: { name: 'etcd', attempt: 3 }, state: 'CONTAINER_RUNNING', labels: { 'io.kubernetes.pod.name': 'etcd-cp-9' } },
            { id: 'e1', metadata: { name: 'etcd', attempt: 2 }, state: 'CONTAINER_EXITED', labels: { 'io.kubernetes.pod.name': 'etcd-cp-9' } },
          ],
        }),
      },
      'systemctl is-active kubelet': { exitCode: 3, stdout: 'activating' },
    });
    const host = asLive(createHost({ root: await tempDir(), runner }));
    const mode = { mode: 0o600 };
    await host.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(10248), mode);
    await host.writeFile('/etc/kubernetes/nodeadm/config.yaml', 'nodeName: cp-9\n', mode);
    await host.writeFile('/etc/kubernetes/admin.conf', adminConf(pki, api.port), mode);
    await host.writeFile('/etc/kubernetes/manifests/etcd.yaml', podManifest('etcd', { port: etcd.port, path: '/livez', scheme: 'HTTP' }), mode);
    await host.writeFile('/etc/kubernetes/manifests/kube-apiserver.yaml', podManifest('kube-apiserver', { port: api.port, path: '/livez', scheme: 'HTTPS', named: true }), mode);
    await host.writeFile('/etc/kubernetes/manifests/web.yaml', podManifest('web', { port: 1, path: '/', scheme: 'HTTP' }), mode);

    const status = await nodeStatus(host, Date.now());
    expect(status.kubelet).toBe('activating');
    expect(status.runtime).toBe('available');
    const [etcdPod, apiPod, webPod] = status.pods;
    expect(etcdPod).toMatchObject({ pod: 'etcd-cp-9', owner: 'control plane', container: { state: 'running', restarts: 3, id: 'e2' }, health: { ok: false, detail: 'HTTP 503: [-]serializable_read failed' } });
    expect(apiPod).toMatchObject({ pod: 'kube-apiserver-cp-9', health: { ok: true } });
    expect(apiPod?.container).toBeUndefined();
    expect(webPod).toMatchObject({ pod: 'web-cp-9', owner: 'user', health: { ok: false, detail: expect.stringMatching(/connection refused/) } });
    expect(api.requests[0]?.clientCN).toBe('kubernetes-admin');

    const text = formatStatus(status);
    expect(text).toMatch(/etcd-cp-9\s+control plane\s+running \(3 restarts\)\s+unhealthy http:\/\/127\.0\.0\.1:\d+\/livez: HTTP 503/);
    expect(text).toMatch(/kube-apiserver-cp-9\s+control plane\s+no container\s+healthy https:/);
    expect(text).toContain('Certificates: none under /etc/kubernetes/pki');
  });

  it('on a standalone node without crictl: "runtime unavailable", no PKI, user pods', async () => {
    const runner = createFakeRunner({
      'crictl ps -a -o json': () => {
        throw new CommandNotFoundError('crictl');
      },
      'systemctl is-active kubelet': { stdout: 'active' },
    });
    const host = asLive(createHost({ root: await tempDir(), runner }));
    await host.writeFile('/etc/kubernetes/manifests/web.yaml', podManifest('web', { port: 1, path: '/', scheme: 'HTTP' }), { mode: 0o600 });
    const text = formatStatus(await nodeStatus(host, Date.now()));
    expect(text).toContain('container runtime: runtime unavailable');
    expect(text).toMatch(/web\s+user\s+-\s+unhealthy/);
    expect(text).toContain('Certificates: none under /etc/kubernetes/pki (a standalone node has none)');
  });
});
