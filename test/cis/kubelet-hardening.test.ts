/** The kubelet's hardened config, user overrides merged over it, and the warnings they raise. */
import { describe, expect, it } from 'vitest';
import { deriveValues } from '../../src/config/derive.js';
import { buildKubeletConfiguration } from '../../src/manifests/kubelet.js';
import { weakeningWarnings } from '../../src/manifests/hardening.js';
import { sampleConfig } from '../fixtures/node-config.js';

describe('kubelet hardening', () => {
  it('merges kubelet.config mappings key by key and replaces lists and scalars', () => {
    const config = sampleConfig('v1.36', {
      kubelet: { config: { authentication: { anonymous: { enabled: true } }, tlsCipherSuites: ['TLS_RSA_WITH_AES_128_CBC_SHA'], maxPods: 50 } },
    });
    const kc = buildKubeletConfiguration(config, deriveValues(config)) as unknown as Record<string, unknown>;
    expect(kc.authentication).toEqual({ anonymous: { enabled: true }, webhook: { enabled: true }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } });
    expect(kc.tlsCipherSuites).toEqual(['TLS_RSA_WITH_AES_128_CBC_SHA']);
    expect(kc.maxPods).toBe(50);
    expect(Object.keys(kc).indexOf('maxPods')).toBe(Object.keys(kc).indexOf('makeIPTablesUtilChains') + 1);
    expect(weakeningWarnings(config, 'kubelet')).toEqual([
      'kubelet config authentication.anonymous.enabled: true weakens CIS 4.2.1 (anonymous kubelet API access)',
      'kubelet config tlsCipherSuites: ["TLS_RSA_WITH_AES_128_CBC_SHA"] weakens CIS 4.2.12 (weak TLS cipher suites allowed)',
    ]);
  });

  it('judges a kubelet flag before the config field, as the kubelet does', () => {
    const config = sampleConfig('v1.36', { kubelet: { extraArgs: [{ name: 'seccomp-default', value: 'true' }], config: { seccompDefault: false } } });
    expect(weakeningWarnings(config, 'kubelet')).toEqual([]);
  });

  it('leaves a standalone kubelet its self-signed serving certificate (no cluster CA there)', () => {
    const config = sampleConfig('v1.36', { standalone: true } as Partial<ReturnType<typeof sampleConfig>>);
    const kc = buildKubeletConfiguration(config, deriveValues(config));
    expect(kc.tlsCertFile).toBeUndefined();
    expect(kc.readOnlyPort).toBe(0);
    expect(sampleConfig().standalone === false && buildKubeletConfiguration(sampleConfig(), deriveValues(sampleConfig())).tlsCertFile).toBe('/var/lib/kubelet/pki/kubelet.crt');
  });

  it('warns for every weakened apiserver default it is given, and for nothing else', () => {
    const config = sampleConfig('v1.36', {
      apiServer: {
        certSANs: [],
        extraArgs: [
          { name: 'tls-cipher-suites', value: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA' },
          { name: 'enable-admission-plugins', value: 'NodeRestriction' },
          { name: 'service-account-extend-token-expiration', value: 'true' },
          { name: 'kubelet-certificate-authority', value: '' },
          { name: 'audit-log-maxsize', value: '500' },
        ],
      },
    });
    expect(weakeningWarnings(config, 'kube-apiserver').map((w) => w.split(' weakens ')[1]!.split(' ')[1])).toEqual(['1.2.3', '1.2.5', '1.2.29', '1.2.30']);
    expect(weakeningWarnings(sampleConfig(), 'kube-apiserver')).toEqual([]);
  });
});
