/**
 * The standalone kubelet's files. Golden files: regenerate with `npx vitest run -u test/standalone`
 * and read the diff before accepting it.
 */
import { describe, expect, it } from 'vitest';
import { fromYaml, toYaml } from '../../src/manifests/index.js';
import { buildStandaloneKubeletConfiguration, buildStandaloneKubeletDropIn } from '../../src/manifests/kubelet-standalone.js';
import { sampleConfig } from '../fixtures/node-config.js';

const standalone = (overrides = {}) => sampleConfig('v1.36', { standalone: true, ...overrides });

describe('standalone kubelet configuration', () => {
  it('matches the golden file', async () => {
    await expect(toYaml(buildStandaloneKubeletConfiguration(standalone()))).toMatchFileSnapshot('./golden/kubelet-config.yaml');
  });

  it('needs no API server and exposes nothing: no webhook, no anonymous, no kubelet API server, no read-only port, loopback healthz', () => {
    const kc = fromYaml(toYaml(buildStandaloneKubeletConfiguration(standalone()))) as Record<string, unknown>;
    expect(kc.authentication).toEqual({ anonymous: { enabled: false }, webhook: { enabled: false } });
    // AlwaysAllow is the only mode a kubelet without a client accepts; with enableServer false and no
    // authenticator (no client CA, no webhook, anonymous off) it never authorizes a request.
    expect(kc.authorization).toEqual({ mode: 'AlwaysAllow' });
    expect(kc.enableServer).toBe(false);
    expect(kc).not.toHaveProperty('authentication.x509');
    expect(kc.readOnlyPort).toBe(0);
    expect(kc.healthzBindAddress).toBe('127.0.0.1');
    expect(kc).not.toHaveProperty('clusterDNS');
    expect(kc).not.toHaveProperty('rotateCertificates');
    expect(kc.cgroupDriver).toBe('systemd');
    expect(kc.containerRuntimeEndpoint).toBe('unix:///var/run/containerd/containerd.sock');
  });

  it('takes staticPodPath, CRI socket and resolvConf from its input', () => {
    const kc = buildStandaloneKubeletConfiguration(standalone({ staticPodPath: '/srv/pods', criSocket: 'unix:///run/crio/crio.sock' }), { resolvConf: '/run/systemd/resolve/resolv.conf' });
    expect(kc.staticPodPath).toBe('/srv/pods');
    expect(kc.containerRuntimeEndpoint).toBe('unix:///run/crio/crio.sock');
    expect(kc.resolvConf).toBe('/run/systemd/resolve/resolv.conf');
  });
});

describe('standalone systemd drop-in', () => {
  it('matches the golden file', async () => {
    await expect(buildStandaloneKubeletDropIn()).toMatchFileSnapshot('./golden/10-nodeadm.conf');
  });

  it('starts the kubelet without --kubeconfig and blanks a kubeadm drop-in\'s kubeconfig flags', () => {
    const text = buildStandaloneKubeletDropIn();
    const settings = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(settings).not.toContain('--kubeconfig');
    expect(settings).not.toContain('bootstrap');
    expect(text).toContain('Environment="KUBELET_KUBECONFIG_ARGS="\n');
    const exec = text.split('\n').filter((l) => l.startsWith('ExecStart='));
    expect(exec).toEqual(['ExecStart=', 'ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_NODEADM_ARGS $KUBELET_EXTRA_ARGS']);
  });
});
