import { describe, expect, it } from 'vitest';
import {
  buildApiServerPod,
  buildControllerManagerPod,
  buildEtcdPod,
  buildSchedulerPod,
  CA_CERT_DIR_CANDIDATES,
  fromYaml,
  PROBE_PORT_NAME,
  toYaml,
  type Pod,
} from '../../src/manifests/index.js';
import { VERSIONS } from '../../src/versions/index.js';
import { container, DEBIAN_CA_DIRS, flagsOf, input, probesOf, shapeProblems } from './helpers.js';

const versions = VERSIONS.map((v) => `v${v.minor}`);

function allPods(version: string, overrides = {}): Pod[] {
  const { config, derived } = input(version, overrides);
  const opts = { caCertDirs: DEBIAN_CA_DIRS };
  return [
    buildEtcdPod(config, derived),
    buildApiServerPod(config, derived, opts),
    buildControllerManagerPod(config, derived, opts),
    buildSchedulerPod(config, derived),
    buildSchedulerPod(config, derived, { name: 'batch', port: 10261 }),
  ];
}

describe.each(versions)('every pod of %s', (version) => {
  it('is internally consistent: named probe ports exist, every mount has a volume and back', () => {
    for (const pod of allPods(version)) expect(shapeProblems(pod), pod.metadata.name).toEqual([]);
  });

  it('serialises with apiVersion, kind, metadata first and parses back to the same object', () => {
    for (const pod of allPods(version)) {
      const text = toYaml(pod);
      expect(Object.keys(pod)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(text.startsWith('apiVersion: v1\nkind: Pod\nmetadata:\n')).toBe(true);
      expect(fromYaml(text)).toEqual(pod);
    }
  });

  it('has the common static-pod shape', () => {
    for (const pod of allPods(version)) {
      expect(pod.metadata.namespace).toBe('kube-system');
      expect(pod.metadata.labels).toEqual({ component: pod.metadata.name, tier: 'control-plane' });
      expect(pod.spec).toMatchObject({
        hostNetwork: true,
        priority: 2000001000,
        priorityClassName: 'system-node-critical',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      });
      const c = container(pod);
      expect(c.name).toBe(pod.metadata.name);
      expect(c.imagePullPolicy).toBe('IfNotPresent');
      expect(flagsOf(pod).size).toBe(c.command.length - 1);
      const args = c.command.slice(1);
      expect(args).toEqual([...args].sort());
      expect(pod).not.toHaveProperty('status');
      expect(pod.metadata).not.toHaveProperty('creationTimestamp');
    }
  });

  it('uses probe timings 10/15/8/10, 0/15/3/1 and 10/15/24/10', () => {
    for (const pod of allPods(version)) {
      const c = container(pod);
      expect(c.livenessProbe).toMatchObject({ initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 8, periodSeconds: 10 });
      expect(c.startupProbe).toMatchObject({ initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 24, periodSeconds: 10 });
      if (c.readinessProbe) {
        expect(c.readinessProbe).toMatchObject({ timeoutSeconds: 15, failureThreshold: 3, periodSeconds: 1 });
        expect(c.readinessProbe.initialDelaySeconds).toBeUndefined();
      }
    }
  });
});

describe('version table drives the differences', () => {
  it.each(VERSIONS)('v$minor: probe ports, etcd flags, flexvolume', (info) => {
    const version = `v${info.minor}`;
    const { config, derived } = input(version);
    for (const pod of allPods(version)) {
      const c = container(pod);
      if (info.namedProbePort) {
        expect(c.ports).toHaveLength(1);
        expect(c.ports![0]).toMatchObject({ name: PROBE_PORT_NAME, protocol: 'TCP' });
        for (const p of probesOf(c)) expect(p.httpGet.port).toBe(PROBE_PORT_NAME);
      } else {
        expect(c.ports).toBeUndefined();
        for (const p of probesOf(c)) expect(typeof p.httpGet.port).toBe('number');
      }
    }
    const etcd = flagsOf(buildEtcdPod(config, derived));
    if (info.etcdFlagStyle === 'feature-gate') {
      expect(etcd.get('feature-gates')).toBe('InitialCorruptCheck=true');
      expect(etcd.get('watch-progress-notify-interval')).toBe('5s');
      expect([...etcd.keys()].filter((k) => k.startsWith('experimental-'))).toEqual([]);
    } else {
      expect(etcd.get('experimental-initial-corrupt-check')).toBe('true');
      expect(etcd.get('experimental-watch-progress-notify-interval')).toBe('5s');
      expect(etcd.has('feature-gates')).toBe(false);
    }
    const kcm = buildControllerManagerPod(config, derived, { caCertDirs: [] });
    const flex = kcm.spec.volumes.find((v) => v.name === 'flexvolume-dir');
    expect(flex !== undefined).toBe(info.controllerManagerFlexVolume);
    expect(buildEtcdPod(config, derived).spec.containers[0]!.image).toBe(`registry.k8s.io/etcd:${info.etcdImageTag}`);
  });
});

describe('kube-apiserver', () => {
  it('probes the advertise address on the bind port over HTTPS', () => {
    const { config, derived } = input('v1.33');
    const c = container(buildApiServerPod(config, derived, { caCertDirs: [] }));
    expect(c.livenessProbe!.httpGet).toEqual({ host: '192.0.2.10', path: '/livez', port: 6443, scheme: 'HTTPS' });
    expect(c.readinessProbe!.httpGet.path).toBe('/readyz');
    expect(c.startupProbe!.httpGet.path).toBe('/livez');
  });

  it('leaves the probe host out for an unspecified advertise address', () => {
    const { config, derived } = input('v1.36', { advertiseAddress: '0.0.0.0' });
    const c = container(buildApiServerPod(config, derived, { caCertDirs: [] }));
    for (const p of probesOf(c)) expect(p.httpGet).not.toHaveProperty('host');
  });

  it('follows bindPort, dnsDomain, serviceSubnet and imageRepository', () => {
    const { config, derived } = input('v1.36', {
      bindPort: 8443,
      networking: { serviceSubnet: '10.100.0.0/16', dnsDomain: 'corp.example' },
      imageRepository: 'mirror.example/k8s',
    });
    const pod = buildApiServerPod(config, derived, { caCertDirs: [] });
    const flags = flagsOf(pod);
    expect(flags.get('secure-port')).toBe('8443');
    expect(flags.get('service-account-issuer')).toBe('https://kubernetes.default.svc.corp.example');
    expect(flags.get('service-cluster-ip-range')).toBe('10.100.0.0/16');
    expect(container(pod).image).toBe('mirror.example/k8s/kube-apiserver:v1.36.5');
    expect(container(pod).ports).toEqual([{ name: 'probe-port', containerPort: 8443, protocol: 'TCP' }]);
    expect(pod.metadata.annotations).toEqual({ 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': '192.0.2.10:8443' });
  });

  it('adds the CA directories found on the host as read-only volumes, sorted by name', () => {
    const { config, derived } = input('v1.36');
    const dirs = ['/usr/share/ca-certificates', '/etc/pki/ca-trust', '/etc/pki/tls/certs', '/etc/pki/ca-trust'];
    const pod = buildApiServerPod(config, derived, { caCertDirs: dirs });
    // audit-log, audit-policy and encryption-config are the hardening mounts (CIS 1.2.16, 3.2.1, 1.2.27).
    expect(pod.spec.volumes.map((v) => v.name)).toEqual([
      'audit-log',
      'audit-policy',
      'ca-certs',
      'encryption-config',
      'etc-pki-ca-trust',
      'etc-pki-tls-certs',
      'k8s-certs',
      'usr-share-ca-certificates',
    ]);
    expect(pod.spec.volumes.find((v) => v.name === 'etc-pki-tls-certs')!.hostPath).toEqual({ path: '/etc/pki/tls/certs', type: 'DirectoryOrCreate' });
    const mounts = container(pod).volumeMounts;
    expect(mounts.map((m) => m.name)).toEqual(pod.spec.volumes.map((v) => v.name));
    // Only the audit log directory is writable: the apiserver rotates by renaming inside it.
    for (const m of mounts) expect(m.readOnly, m.name).toBe(m.name === 'audit-log' ? undefined : true);
  });

  it('names every candidate CA directory like kubeadm', () => {
    const { config, derived } = input('v1.36');
    const pod = buildApiServerPod(config, derived, { caCertDirs: CA_CERT_DIR_CANDIDATES });
    expect(pod.spec.volumes.map((v) => v.name)).toEqual([
      'audit-log',
      'audit-policy',
      'ca-certs',
      'encryption-config',
      'etc-ca-certificates',
      'etc-pki-ca-trust',
      'etc-pki-tls-certs',
      'k8s-certs',
      'usr-local-share-ca-certificates',
      'usr-share-ca-certificates',
    ]);
  });

  it('refuses a CA directory that would mount over another volume or is not absolute', () => {
    const { config, derived } = input('v1.36');
    expect(() => buildApiServerPod(config, derived, { caCertDirs: ['/etc/kubernetes/pki'] })).toThrow(/duplicate mount path/);
    expect(() => buildApiServerPod(config, derived, { caCertDirs: ['etc/pki'] })).toThrow(/absolute/);
    expect(() => buildApiServerPod(config, derived, { caCertDirs: ['/etc/../root'] })).toThrow(/absolute/);
  });
});

describe('kube-controller-manager', () => {
  it('a pod subnet adds exactly allocate-node-cidrs, cluster-cidr and service-cluster-ip-range', () => {
    const without = input('v1.36');
    const withSubnet = input('v1.36', { networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' } });
    const a = flagsOf(buildControllerManagerPod(without.config, without.derived, { caCertDirs: [] }));
    const b = flagsOf(buildControllerManagerPod(withSubnet.config, withSubnet.derived, { caCertDirs: [] }));
    const added = [...b.keys()].filter((k) => !a.has(k));
    expect(added.sort()).toEqual(['allocate-node-cidrs', 'cluster-cidr', 'service-cluster-ip-range']);
    expect([...a.keys()].every((k) => b.get(k) === a.get(k))).toBe(true);
    expect(b.get('allocate-node-cidrs')).toBe('true');
    expect(b.get('cluster-cidr')).toBe('10.244.0.0/16');
    expect(b.get('service-cluster-ip-range')).toBe('10.96.0.0/12');
    expect(a.has('node-cidr-mask-size')).toBe(false);
  });

  it('probes /healthz on 127.0.0.1:10257 with no readiness probe', () => {
    const { config, derived } = input('v1.32');
    const c = container(buildControllerManagerPod(config, derived, { caCertDirs: [] }));
    expect(c.livenessProbe!.httpGet).toEqual({ host: '127.0.0.1', path: '/healthz', port: 10257, scheme: 'HTTPS' });
    expect(c.startupProbe!.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe).toBeUndefined();
  });

  it('mounts its kubeconfig as FileOrCreate and the flexvolume dir read-write', () => {
    const { config, derived } = input('v1.35');
    const pod = buildControllerManagerPod(config, derived, { caCertDirs: [] });
    expect(pod.spec.volumes.find((v) => v.name === 'kubeconfig')!.hostPath).toEqual({
      path: '/etc/kubernetes/controller-manager.conf',
      type: 'FileOrCreate',
    });
    expect(container(pod).volumeMounts.find((m) => m.name === 'flexvolume-dir')).toEqual({
      name: 'flexvolume-dir',
      mountPath: '/usr/libexec/kubernetes/kubelet-plugins/volume/exec',
    });
  });
});

describe('etcd', () => {
  it('keeps its mounts in kubeadm order (data, certs) and its volumes sorted', () => {
    const { config, derived } = input('v1.36');
    const pod = buildEtcdPod(config, derived);
    expect(container(pod).volumeMounts).toEqual([
      { name: 'etcd-data', mountPath: '/var/lib/etcd' },
      { name: 'etcd-certs', mountPath: '/etc/kubernetes/pki/etcd' },
    ]);
    expect(pod.spec.volumes.map((v) => v.name)).toEqual(['etcd-certs', 'etcd-data']);
    expect(container(pod).resources).toEqual({ requests: { cpu: '100m', memory: '100Mi' } });
  });

  it('probes /livez and /readyz over HTTP on the metrics port', () => {
    const { config, derived } = input('v1.33');
    const c = container(buildEtcdPod(config, derived));
    expect(c.livenessProbe!.httpGet).toEqual({ host: '127.0.0.1', path: '/livez', port: 2381, scheme: 'HTTP' });
    expect(c.readinessProbe!.httpGet.path).toBe('/readyz');
    expect(c.startupProbe!.httpGet.path).toBe('/readyz');
  });
});

describe('IPv6', () => {
  const overrides = {
    advertiseAddress: '2001:db8::10',
    networking: { serviceSubnet: 'fd00:10:96::/112', dnsDomain: 'cluster.local' },
  };

  it('uses [::1] for local etcd and brackets every URL', () => {
    const { config, derived } = input('v1.36', overrides);
    const api = flagsOf(buildApiServerPod(config, derived, { caCertDirs: [] }));
    expect(api.get('etcd-servers')).toBe('https://[::1]:2379');
    expect(api.get('advertise-address')).toBe('2001:db8::10');

    const etcdPod = buildEtcdPod(config, derived);
    const etcd = flagsOf(etcdPod);
    expect(etcd.get('listen-client-urls')).toBe('https://[::1]:2379,https://[2001:db8::10]:2379');
    expect(etcd.get('listen-metrics-urls')).toBe('http://[::1]:2381');
    expect(etcd.get('listen-peer-urls')).toBe('https://[2001:db8::10]:2380');
    expect(etcd.get('advertise-client-urls')).toBe('https://[2001:db8::10]:2379');
    expect(etcd.get('initial-advertise-peer-urls')).toBe('https://[2001:db8::10]:2380');
    expect(etcd.get('initial-cluster')).toBe('cp-1=https://[2001:db8::10]:2380');
    expect(etcdPod.metadata.annotations).toEqual({ 'kubeadm.kubernetes.io/etcd.advertise-client-urls': 'https://[2001:db8::10]:2379' });
    expect(container(etcdPod).livenessProbe!.httpGet.host).toBe('::1');
  });

  it('probes the apiserver at the bare IPv6 address and annotates it bracketed', () => {
    const { config, derived } = input('v1.36', overrides);
    const pod = buildApiServerPod(config, derived, { caCertDirs: [] });
    expect(container(pod).livenessProbe!.httpGet.host).toBe('2001:db8::10');
    expect(pod.metadata.annotations!['kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint']).toBe('[2001:db8::10]:6443');
  });
});

describe('controlPlaneEndpoint', () => {
  it.each(versions)('%s: changes no static pod (they all use local endpoints)', (version) => {
    const plain = allPods(version).map(toYaml);
    const withCpe = allPods(version, { controlPlaneEndpoint: { host: 'k8s.example.com', port: 443 } }).map(toYaml);
    expect(withCpe).toEqual(plain);
  });
});

describe('kube-scheduler', () => {
  it('default: kubeadm flags, /livez /readyz /livez on 127.0.0.1:10259', () => {
    const { config, derived } = input('v1.33');
    const pod = buildSchedulerPod(config, derived);
    expect(container(pod).command).toEqual([
      'kube-scheduler',
      '--authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
      '--bind-address=127.0.0.1',
      '--kubeconfig=/etc/kubernetes/scheduler.conf',
      '--leader-elect=true',
      // Hardening beyond kubeadm: CIS 1.4.1, and strong TLS 1.2 suites on the secure port.
      '--profiling=false',
      '--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305',
    ]);
    const c = container(pod);
    expect(probesOf(c).map((p) => [p.httpGet.host, p.httpGet.port, p.httpGet.path])).toEqual([
      ['127.0.0.1', 10259, '/livez'],
      ['127.0.0.1', 10259, '/readyz'],
      ['127.0.0.1', 10259, '/livez'],
    ]);
    expect(pod.spec.volumes.map((v) => v.name)).toEqual(['kubeconfig']);
  });

  it('extra scheduler N: its own pod name, config file, secure port and probes on that port', () => {
    const { config, derived } = input('v1.36');
    const pod = buildSchedulerPod(config, derived, { name: 'batch', port: 10261, image: 'example.com/my-scheduler:1.0' });
    const c = container(pod);
    expect(pod.metadata.name).toBe('kube-scheduler-batch');
    expect(pod.metadata.labels).toEqual({ component: 'kube-scheduler-batch', tier: 'control-plane' });
    expect(c.image).toBe('example.com/my-scheduler:1.0');
    expect(c.command[0]).toBe('kube-scheduler');
    const flags = flagsOf(pod);
    expect(flags.get('config')).toBe('/etc/kubernetes/schedulers/batch.yaml');
    expect(flags.get('secure-port')).toBe('10261');
    // Ignored next to --config (kubeconfig) or overriding the file (leader-elect).
    expect(flags.has('kubeconfig')).toBe(false);
    expect(flags.has('leader-elect')).toBe(false);
    expect(c.ports).toEqual([{ name: 'probe-port', containerPort: 10261, protocol: 'TCP' }]);
    expect(pod.spec.volumes).toContainEqual({ name: 'scheduler-config', hostPath: { path: '/etc/kubernetes/schedulers/batch.yaml', type: 'File' } });
    expect(shapeProblems(pod)).toEqual([]);
  });

  it('extra scheduler on a version with numeric probe ports probes its own port', () => {
    const { config, derived } = input('v1.32');
    const c = container(buildSchedulerPod(config, derived, { name: 'batch', port: 10262, configFile: '/etc/kubernetes/schedulers/other.yaml' }));
    for (const p of probesOf(c)) expect(p.httpGet.port).toBe(10262);
    expect(c.command).toContain('--config=/etc/kubernetes/schedulers/other.yaml');
  });

  it('refuses names and ports that would collide or escape', () => {
    const { config, derived } = input('v1.36');
    expect(() => buildSchedulerPod(config, derived, { name: 'batch', port: 10259 })).toThrow(/port/);
    expect(() => buildSchedulerPod(config, derived, { name: 'batch', port: 0 })).toThrow(/port/);
    for (const name of ['default-scheduler', '../etc', 'Batch', 'a'.repeat(49), '']) {
      expect(() => buildSchedulerPod(config, derived, { name, port: 10261 }), name).toThrow(/name/);
    }
    expect(() => buildSchedulerPod(config, derived, { name: 'a'.repeat(48), port: 10261 })).not.toThrow();
  });
});

describe('values are data', () => {
  it('a hostile node name stays one argv element and one YAML list item', () => {
    const hostile = 'cp-1\n        - --unsafe-flag=true\n  hostPID: true" --x=1';
    const { config, derived } = input('v1.36', { nodeName: hostile });
    const pod = buildEtcdPod(config, derived);
    const parsed = fromYaml(toYaml(pod)) as Pod;
    expect(parsed).toEqual(pod);
    const command = container(parsed).command;
    expect(command).toHaveLength(container(pod).command.length);
    expect(command.filter((a) => a.startsWith('--unsafe-flag'))).toEqual([]);
    expect(command).toContain(`--name=${hostile}`);
    expect(parsed.spec).not.toHaveProperty('hostPID');
  });
});
