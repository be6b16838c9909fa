import { describe, expect, it } from 'vitest';
import { buildKubeletConfiguration, buildKubeletDropIn, buildKubeletFlagsEnv, fromYaml, toYaml } from '../../src/manifests/index.js';
import { KUBECONFIG_FILES, KUBELET_CONFIG, KUBELET_FLAGS_ENV, MANIFESTS_DIR } from '../../src/paths.js';
import { VERSIONS } from '../../src/versions/index.js';
import { input } from './helpers.js';

describe('buildKubeletConfiguration', () => {
  it('has exactly the fields nodeadm means, apiVersion and kind first, then alphabetical', () => {
    const { config, derived } = input('v1.36');
    const kc = buildKubeletConfiguration(config, derived);
    expect(Object.keys(kc)).toEqual([
      'apiVersion',
      'kind',
      'authentication',
      'authorization',
      'cgroupDriver',
      'clusterDNS',
      'clusterDomain',
      'containerRuntimeEndpoint',
      'healthzBindAddress',
      'healthzPort',
      // CIS 4.2.4–4.2.14 hardening, written explicitly.
      'makeIPTablesUtilChains',
      'podPidsLimit',
      'readOnlyPort',
      'rotateCertificates',
      'seccompDefault',
      'staticPodPath',
      'streamingConnectionIdleTimeout',
      'tlsCertFile',
      'tlsCipherSuites',
      'tlsPrivateKeyFile',
    ]);
    expect(kc).toMatchObject({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } },
      authorization: { mode: 'Webhook' },
      cgroupDriver: 'systemd',
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      containerRuntimeEndpoint: 'unix:///var/run/containerd/containerd.sock',
      healthzBindAddress: '127.0.0.1',
      healthzPort: 10248,
      rotateCertificates: true,
      staticPodPath: MANIFESTS_DIR,
    });
    const text = toYaml(kc);
    expect(text.startsWith('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n')).toBe(true);
    expect(fromYaml(text)).toEqual(kc);
  });

  it.each(VERSIONS.map((v) => `v${v.minor}`))('%s: carries the CRI socket in the config', (version) => {
    const { config, derived } = input(version, { criSocket: 'unix:///run/crio/crio.sock' });
    expect(buildKubeletConfiguration(config, derived).containerRuntimeEndpoint).toBe('unix:///run/crio/crio.sock');
  });

  it('follows the service subnet and DNS domain, and takes resolvConf when the phase found systemd-resolved', () => {
    const { config, derived } = input('v1.36', { networking: { serviceSubnet: 'fd00:10:96::/112', dnsDomain: 'corp.example' } });
    const kc = buildKubeletConfiguration(config, derived, { resolvConf: '/run/systemd/resolve/resolv.conf' });
    expect(kc.clusterDNS).toEqual(['fd00:10:96::a']);
    expect(kc.clusterDomain).toBe('corp.example');
    expect(kc.resolvConf).toBe('/run/systemd/resolve/resolv.conf');
    expect(Object.keys(kc).indexOf('resolvConf')).toBe(Object.keys(kc).indexOf('readOnlyPort') + 1);
  });

  it('returns a fresh object each time', () => {
    const { config, derived } = input('v1.36');
    const a = buildKubeletConfiguration(config, derived);
    a.authentication.anonymous.enabled = true;
    expect(buildKubeletConfiguration(config, derived).authentication.anonymous.enabled).toBe(false);
  });
});

describe('buildKubeletFlagsEnv', () => {
  it.each(VERSIONS)('v$minor: --pod-infra-container-image only where the table says', (info) => {
    const { config } = input(`v${info.minor}`);
    const env = buildKubeletFlagsEnv(config, { osHostname: 'cp-1' });
    expect(env).toBe(
      info.kubeletPodInfraImageFlag
        ? `KUBELET_NODEADM_ARGS="--node-ip=192.0.2.10 --pod-infra-container-image=registry.k8s.io/pause:${info.pauseImageTag}"\n`
        : 'KUBELET_NODEADM_ARGS="--node-ip=192.0.2.10"\n',
    );
  });

  it('pause image follows imageRepository', () => {
    const { config } = input('v1.34', { imageRepository: 'mirror.example/k8s' });
    expect(buildKubeletFlagsEnv(config, { osHostname: 'cp-1' })).toContain('--pod-infra-container-image=mirror.example/k8s/pause:3.10.1');
  });

  it('overrides the hostname only when the node name differs from it (compared lowercased, as the kubelet does)', () => {
    const { config } = input('v1.36');
    expect(buildKubeletFlagsEnv(config, { osHostname: 'CP-1\n' })).toBe('KUBELET_NODEADM_ARGS="--node-ip=192.0.2.10"\n');
    expect(buildKubeletFlagsEnv(config, { osHostname: 'vagrant' })).toBe('KUBELET_NODEADM_ARGS="--hostname-override=cp-1 --node-ip=192.0.2.10"\n');
    // Unknown hostname (an image rendered offline): say it explicitly.
    expect(buildKubeletFlagsEnv(config)).toBe('KUBELET_NODEADM_ARGS="--hostname-override=cp-1 --node-ip=192.0.2.10"\n');
  });

  it('pins the node IP to the advertise address (the kubelet serving certificate is issued for it), except on a standalone node', () => {
    expect(buildKubeletFlagsEnv(input('v1.36', { advertiseAddress: '192.168.56.10' }).config, { osHostname: 'cp-1' })).toBe('KUBELET_NODEADM_ARGS="--node-ip=192.168.56.10"\n');
    expect(buildKubeletFlagsEnv(input('v1.36', { standalone: true }).config, { osHostname: 'cp-1' })).toBe('KUBELET_NODEADM_ARGS=""\n');
  });

  it('sorts the flags', () => {
    const { config } = input('v1.33');
    expect(buildKubeletFlagsEnv(config, { osHostname: 'other' })).toBe(
      'KUBELET_NODEADM_ARGS="--hostname-override=cp-1 --node-ip=192.0.2.10 --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    );
  });

  it('escapes systemd EnvironmentFile specials and refuses whitespace, which systemd would split into flags', () => {
    const { config } = input('v1.36', { nodeName: 'a"b\\c$d`e' });
    expect(buildKubeletFlagsEnv(config, { osHostname: 'x' })).toBe('KUBELET_NODEADM_ARGS="--hostname-override=a\\"b\\\\c\\$d\\`e --node-ip=192.0.2.10"\n');
    for (const nodeName of ['cp-1 --v=9', 'cp-1\nEVIL=1', 'cp-1\t', 'cp\x00']) {
      const bad = input('v1.36', { nodeName }).config;
      expect(() => buildKubeletFlagsEnv(bad, { osHostname: 'x' }), JSON.stringify(nodeName)).toThrow(/whitespace or a control character/);
    }
  });
});

describe('buildKubeletDropIn', () => {
  const dropIn = buildKubeletDropIn();
  const directives = dropIn.split('\n').filter((l) => l !== '' && !l.startsWith('#'));

  it('is the fixed nodeadm drop-in', () => {
    expect(directives).toEqual([
      '[Service]',
      `Environment="KUBELET_KUBECONFIG_ARGS=--kubeconfig=${KUBECONFIG_FILES.kubelet}"`,
      `Environment="KUBELET_CONFIG_ARGS=--config=${KUBELET_CONFIG}"`,
      `EnvironmentFile=-${KUBELET_FLAGS_ENV}`,
      'EnvironmentFile=-/etc/default/kubelet',
      'ExecStart=',
      'ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_NODEADM_ARGS $KUBELET_EXTRA_ARGS',
    ]);
    expect(dropIn.startsWith('# Managed by nodeadm')).toBe(true);
    expect(dropIn.endsWith('\n')).toBe(true);
    expect(dropIn).not.toContain('bootstrap-kubeconfig');
  });

  it('uses the variable the flags env file defines', () => {
    const { config } = input('v1.36');
    const variable = buildKubeletFlagsEnv(config).split('=')[0]!;
    expect(directives.at(-1)).toContain(`$${variable} `);
  });
});
