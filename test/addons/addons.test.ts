/**
 * The addon objects: golden YAML per supported version (regenerate with
 * `npx vitest run -u test/addons`, then check the diff against reference/kubeadm.md §8.9), the
 * Kubernetes schema of every object (kubernetes-models), and the values other files must agree on.
 */
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, Node, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  buildBridgeConflist,
  buildCoreDNSObjects,
  buildKubeProxyObjects,
  postInitBindings,
  renderConflist,
} from '../../src/addons/index.js';
import { deriveValues } from '../../src/config/derive.js';
import type { NodeConfig } from '../../src/config/types.js';
import type { KubeObject } from '../../src/kube/index.js';
import { buildKubeletConfiguration } from '../../src/manifests/index.js';
import { fromYaml, toYamlStream } from '../../src/manifests/yaml.js';
import { VERSIONS } from '../../src/versions/index.js';
import { sampleConfig } from '../fixtures/node-config.js';

const bridged = (version: string, overrides: Partial<NodeConfig> = {}) => {
  const base = sampleConfig(version);
  const config = sampleConfig(version, {
    podNetwork: 'bridge',
    networking: { ...base.networking, podSubnet: '10.244.0.0/16' },
    ...overrides,
  });
  return { config, derived: deriveValues(config) };
};

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/Node': Node,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

function validateSchema(obj: KubeObject): void {
  const Model = MODELS[`${obj.apiVersion}/${obj.kind}`];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  // Through YAML and back: what the API server receives, not the in-memory object.
  new Model(fromYaml(toYamlStream([obj])) as never).validate();
}

describe.each(VERSIONS.map((v) => `v${v.minor}`))('addons %s', (version) => {
  const { config, derived } = bridged(version);
  const golden = (file: string): string => `./golden/${version}/${file}`;
  const coredns = buildCoreDNSObjects(config, derived);
  const proxy = buildKubeProxyObjects(config, derived);

  it('coredns.yaml', async () => {
    await expect(toYamlStream(coredns)).toMatchFileSnapshot(golden('coredns.yaml'));
  });
  it('kube-proxy.yaml', async () => {
    await expect(toYamlStream(proxy)).toMatchFileSnapshot(golden('kube-proxy.yaml'));
  });
  it('post-init.yaml', async () => {
    await expect(toYamlStream(postInitBindings(config))).toMatchFileSnapshot(golden('post-init.yaml'));
  });
  it('10-nodeadm-bridge.conflist', async () => {
    await expect(renderConflist(buildBridgeConflist(config))).toMatchFileSnapshot(golden('10-nodeadm-bridge.conflist'));
  });

  it('every object passes the Kubernetes schema of its kind', () => {
    for (const obj of [...coredns, ...proxy, ...postInitBindings(config)]) expect(() => validateSchema(obj), `${obj.kind} ${obj.metadata.name}`).not.toThrow();
  });

  it('images come from the versions table', () => {
    const deployment = coredns[4];
    const daemonSet = proxy[3];
    const info = VERSIONS.find((v) => `v${v.minor}` === version)!;
    expect(deployment.spec.template.spec.containers[0]!.image).toBe(`registry.k8s.io/coredns/coredns:${info.coreDNSImageTag}`);
    expect(daemonSet.spec.template.spec.containers[0]!.image).toBe(`registry.k8s.io/kube-proxy:v${info.defaultPatch}`);
  });

  it('CoreDNS probes use named ports exactly where the table says', () => {
    const c = coredns[4].spec.template.spec.containers[0]!;
    const named = VERSIONS.find((v) => `v${v.minor}` === version)!.coreDNSNamedProbePorts;
    const portNames = c.ports!.map((p) => p.name);
    expect(c.livenessProbe!.httpGet.port).toBe(named ? 'liveness-probe' : 8080);
    expect(c.readinessProbe!.httpGet.port).toBe(named ? 'readiness-probe' : 8181);
    // a named probe port must exist on the container
    if (named) expect(portNames).toEqual(expect.arrayContaining(['liveness-probe', 'readiness-probe']));
    else expect(portNames).toEqual(['dns', 'dns-tcp', 'metrics']);
  });
});

describe('values shared with other files', () => {
  it("the kube-dns Service IP is the kubelet's clusterDNS (10th address of the service subnet)", () => {
    for (const serviceSubnet of ['10.96.0.0/12', '172.20.0.0/16', 'fd00:96::/108']) {
      const base = sampleConfig('v1.36');
      const config = sampleConfig('v1.36', { networking: { ...base.networking, serviceSubnet } });
      const derived = deriveValues(config);
      const service = buildCoreDNSObjects(config, derived)[5];
      expect([service.spec.clusterIP]).toEqual(buildKubeletConfiguration(config, derived).clusterDNS);
    }
    expect(buildCoreDNSObjects(sampleConfig(), deriveValues(sampleConfig()))[5].spec.clusterIP).toBe('10.96.0.10');
  });

  it('the KubeProxyConfiguration and its kubeconfig parse, with the cluster CIDR and the API server', () => {
    const { config, derived } = bridged('v1.36', { controlPlaneEndpoint: { host: 'cp.example.com', port: 443 } });
    const cm = buildKubeProxyObjects(config, derived)[2];
    expect(fromYaml(cm.data['config.conf']!)).toEqual({
      apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
      kind: 'KubeProxyConfiguration',
      bindAddress: '0.0.0.0',
      clientConnection: { kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf' },
      clusterCIDR: '10.244.0.0/16',
    });
    const kubeconfig = fromYaml(cm.data['kubeconfig.conf']!) as { clusters: { cluster: { server: string; 'certificate-authority': string } }[] };
    expect(kubeconfig.clusters[0]!.cluster).toEqual({
      'certificate-authority': '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      server: 'https://cp.example.com:443',
    });
    expect(cm.metadata.annotations?.['kubeadm.kubernetes.io/component-config.hash']).toMatch(/^sha256:[0-9a-f]{64}$/);
    // no pod subnet (--pod-network none without --pod-subnet): no clusterCIDR, and IPv6 binds ::
    const v6 = sampleConfig('v1.36', { advertiseAddress: 'fd00::10' });
    const conf = fromYaml(buildKubeProxyObjects(v6, deriveValues(v6))[2].data['config.conf']!) as Record<string, unknown>;
    expect(conf.clusterCIDR).toBeUndefined();
    expect(conf.bindAddress).toBe('::');
  });

  it('the Corefile parses into the server block kubeadm writes, with the DNS domain', () => {
    const config = sampleConfig('v1.36', { networking: { ...sampleConfig().networking, dnsDomain: 'corp.example' } });
    const corefile = buildCoreDNSObjects(config, deriveValues(config))[3].data.Corefile!;
    const tree = parseCorefile(corefile);
    expect(Object.keys(tree)).toEqual(['.:53']);
    const plugins = tree['.:53']!;
    expect(plugins.map((p) => p.head)).toEqual([
      'errors',
      'health',
      'ready',
      'kubernetes corp.example in-addr.arpa ip6.arpa',
      'prometheus :9153',
      'forward . /etc/resolv.conf',
      'cache 30',
      'loop',
      'reload',
      'loadbalance',
    ]);
    expect(plugins.find((p) => p.head === 'cache 30')!.body).toEqual(['disable success corp.example', 'disable denial corp.example']);
    expect(plugins[3]!.body).toEqual(['pods insecure', 'fallthrough in-addr.arpa ip6.arpa', 'ttl 30']);
  });

  it('the conflist is bridge + host-local over the pod subnet + portmap, dual-stack aware', () => {
    const base = sampleConfig('v1.36');
    const config = sampleConfig('v1.36', { podNetwork: 'bridge', networking: { ...base.networking, podSubnet: '10.244.0.0/16,fd00:10:244::/56' } });
    const parsed = JSON.parse(renderConflist(buildBridgeConflist(config))) as { cniVersion: string; plugins: { type: string; ipam?: unknown }[] };
    expect(parsed.cniVersion).toBe('0.4.0');
    expect(parsed.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap']);
    expect(parsed.plugins[0]!.ipam).toEqual({
      type: 'host-local',
      ranges: [[{ subnet: '10.244.0.0/16' }], [{ subnet: 'fd00:10:244::/56' }]],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }],
    });
    expect(() => buildBridgeConflist(sampleConfig())).toThrow(/needs networking.podSubnet/);
  });

  it('binds the apiserver kubelet client only on versions whose certificate has no group (a pair)', () => {
    expect(postInitBindings(sampleConfig('v1.36.0')).map((b) => b.metadata.name)).toEqual(['kubeadm:cluster-admins']);
    expect(postInitBindings(sampleConfig('v1.36.1')).map((b) => b.metadata.name)).toEqual(['kubeadm:cluster-admins', 'kubeadm:apiserver-kubelet-client']);
    expect(postInitBindings(sampleConfig('v1.32')).map((b) => b.metadata.name)).toEqual(['kubeadm:cluster-admins']);
  });

  it('uses <repo>/coredns for a custom image repository, as kubeadm does', () => {
    const config = sampleConfig('v1.36', { imageRepository: 'mirror.example/k8s' });
    expect(buildCoreDNSObjects(config, deriveValues(config))[4].spec.template.spec.containers[0]!.image).toBe('mirror.example/k8s/coredns:v1.14.2');
  });

  it('the schema check itself rejects a wrong shape', () => {
    const { config, derived } = bridged('v1.36');
    const broken = structuredClone(buildCoreDNSObjects(config, derived)[5]) as unknown as KubeObject;
    (broken.spec as { ports: unknown[] }).ports.push({ name: 'x', port: 'fifty-three' });
    expect(() => validateSchema(broken)).toThrow();
  });
});

/** A small Corefile reader: server blocks → plugins, each with its head line and block body. */
function parseCorefile(text: string): Record<string, { head: string; body: string[] }[]> {
  const servers: Record<string, { head: string; body: string[] }[]> = {};
  let server: { head: string; body: string[] }[] | undefined;
  let plugin: { head: string; body: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (server === undefined) {
      const m = /^(\S+) \{$/.exec(line);
      if (!m) throw new Error(`expected a server block, got "${line}"`);
      server = servers[m[1]!] = [];
    } else if (plugin?.body && line === '}' && plugin.head.endsWith(' {')) {
      plugin.head = plugin.head.slice(0, -2);
      plugin = undefined;
    } else if (line === '}') {
      server = undefined;
    } else if (plugin && plugin.head.endsWith(' {')) {
      plugin.body.push(line);
    } else {
      plugin = { head: line, body: [] };
      server.push(plugin);
      if (!line.endsWith(' {')) plugin = undefined;
    }
  }
  if (server !== undefined) throw new Error('unterminated server block');
  return servers;
}
