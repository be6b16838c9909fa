/**
 * Golden files of an extra scheduler per supported version: its static pod, its
 * KubeSchedulerConfiguration and (version-independent) its lease RBAC. Regenerate with
 * `npx vitest run -u test/schedulers` and read the diff before accepting it.
 */
import { describe, expect, it } from 'vitest';
import { toYaml, toYamlStream } from '../../src/manifests/index.js';
import { leaseRbacObjects } from '../../src/schedulers/rbac.js';
import { planExtraScheduler } from '../../src/schedulers/manage.js';
import { VERSIONS } from '../../src/versions/index.js';
import { container, flagsOf, probesOf, shapeProblems } from '../manifests/helpers.js';
import { useRoots, writeNode } from './helpers.js';

const newRoot = useRoots();

describe.each(VERSIONS.map((v) => `v${v.minor}`))('extra scheduler %s', (version) => {
  it('kube-scheduler-gpu.yaml and schedulers/gpu.yaml match the golden files', async () => {
    const { host, config } = await writeNode(await newRoot(), version);
    const plan = await planExtraScheduler(host, config, { name: 'gpu', leaderElect: true });
    await expect(toYaml(plan.pod)).toMatchFileSnapshot(`./golden/${version}/kube-scheduler-gpu.yaml`);
    await expect(toYaml(plan.configuration)).toMatchFileSnapshot(`./golden/${version}/gpu.yaml`);
  });

  it('passes the control-plane structural checks, and everything points at its own port', async () => {
    const { host, config } = await writeNode(await newRoot(), version);
    const plan = await planExtraScheduler(host, config, { name: 'gpu', image: 'registry.k8s.io/scheduler-plugins/kube-scheduler:v0.31.8' });
    const pod = plan.pod;
    expect(shapeProblems(pod)).toEqual([]);
    expect(pod.metadata).toMatchObject({ name: 'kube-scheduler-gpu', namespace: 'kube-system', labels: { component: 'kube-scheduler-gpu', tier: 'control-plane' } });
    expect(pod.spec).toMatchObject({ hostNetwork: true, priorityClassName: 'system-node-critical', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } });
    const c = container(pod);
    expect(c.image).toBe('registry.k8s.io/scheduler-plugins/kube-scheduler:v0.31.8');
    const flags = flagsOf(pod);
    expect(Object.fromEntries(flags)).toMatchObject({
      'authentication-kubeconfig': '/etc/kubernetes/scheduler.conf',
      'authorization-kubeconfig': '/etc/kubernetes/scheduler.conf',
      'bind-address': '127.0.0.1',
      config: '/etc/kubernetes/schedulers/gpu.yaml',
      'secure-port': String(plan.port),
    });
    // With --config these would be ignored (or fight the file): the file says them.
    for (const ignored of ['kubeconfig', 'leader-elect', 'profiling', 'scheduler-name', 'lock-object-name']) expect(flags.has(ignored), ignored).toBe(false);
    const named = config.kubernetesVersion.info.namedProbePort;
    for (const p of probesOf(c)) expect(p.httpGet).toMatchObject({ host: '127.0.0.1', scheme: 'HTTPS', port: named ? 'probe-port' : plan.port });
    if (named) expect(c.ports).toEqual([{ name: 'probe-port', containerPort: plan.port, protocol: 'TCP' }]);
    expect(c.volumeMounts).toContainEqual({ name: 'scheduler-config', mountPath: '/etc/kubernetes/schedulers/gpu.yaml', readOnly: true });
    expect(plan.configuration).toMatchObject({ profiles: [{ schedulerName: 'gpu' }], leaderElection: { leaderElect: false, resourceName: 'gpu' } });
    expect(plan.rbac).toEqual([]);
  });
});

describe('lease RBAC', () => {
  it('matches the golden file: get/update on lease N only, bound to system:kube-scheduler', async () => {
    await expect(toYamlStream(leaseRbacObjects('gpu'))).toMatchFileSnapshot('./golden/kube-scheduler-gpu-rbac.yaml');
    const [role, binding] = leaseRbacObjects('gpu');
    expect(role).toMatchObject({ kind: 'ClusterRole', rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['gpu'], verbs: ['get', 'update'] }] });
    expect(binding).toMatchObject({
      kind: 'ClusterRoleBinding',
      roleRef: { kind: 'ClusterRole', name: role!.metadata.name },
      subjects: [{ kind: 'User', name: 'system:kube-scheduler' }],
    });
  });
});
