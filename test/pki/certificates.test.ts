import { describe, expect, it } from 'vitest';
import { CERTS_SUBPHASE_IDS, certificateList, certPath, keyPath, type CertificateSpec } from '../../src/pki/index.js';
import { sampleConfig } from '../fixtures/node-config.js';

const byId = (list: CertificateSpec[], id: string): CertificateSpec => {
  const spec = list.find((s) => s.id === id);
  if (!spec) throw new Error(`no ${id}`);
  return spec;
};

describe('certificateList', () => {
  const list = certificateList(sampleConfig());

  it("follows kubeadm's order and sub-phase ids, CAs before the leaves they sign", () => {
    expect([...list.map((s) => s.id), 'sa']).toEqual(CERTS_SUBPHASE_IDS);
    for (const [i, spec] of list.entries()) {
      if (spec.caId) expect(list.findIndex((s) => s.id === spec.caId)).toBeLessThan(i);
    }
  });

  it('puts every file under /etc/kubernetes/pki as kubeadm names it', () => {
    expect(list.map(certPath)).toEqual([
      '/etc/kubernetes/pki/ca.crt',
      '/etc/kubernetes/pki/apiserver.crt',
      '/etc/kubernetes/pki/apiserver-kubelet-client.crt',
      '/etc/kubernetes/pki/front-proxy-ca.crt',
      '/etc/kubernetes/pki/front-proxy-client.crt',
      '/etc/kubernetes/pki/etcd/ca.crt',
      '/etc/kubernetes/pki/etcd/server.crt',
      '/etc/kubernetes/pki/etcd/peer.crt',
      '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      '/etc/kubernetes/pki/apiserver-etcd-client.crt',
      '/var/lib/kubelet/pki/kubelet.crt', // not kubeadm's: the kubelet's serving certificate (CIS hardening)
    ]);
    expect(keyPath(byId(list, 'etcd-server'))).toBe('/etc/kubernetes/pki/etcd/server.key');
  });

  it('has the subjects, issuers and EKUs of reference §1', () => {
    const summary = list.map((s) => [s.id, s.caId ?? 'self', s.commonName, s.organizations.join(','), s.extKeyUsages.join(',')]);
    expect(summary).toEqual([
      ['ca', 'self', 'kubernetes', '', ''],
      ['apiserver', 'ca', 'kube-apiserver', '', 'serverAuth'],
      ['apiserver-kubelet-client', 'ca', 'kube-apiserver-kubelet-client', '', 'clientAuth'],
      ['front-proxy-ca', 'self', 'front-proxy-ca', '', ''],
      ['front-proxy-client', 'front-proxy-ca', 'front-proxy-client', '', 'clientAuth'],
      ['etcd-ca', 'self', 'etcd-ca', '', ''],
      ['etcd-server', 'etcd-ca', 'cp-1', '', 'serverAuth,clientAuth'],
      ['etcd-peer', 'etcd-ca', 'cp-1', '', 'serverAuth,clientAuth'],
      ['etcd-healthcheck-client', 'etcd-ca', 'kube-etcd-healthcheck-client', '', 'clientAuth'],
      ['apiserver-etcd-client', 'etcd-ca', 'kube-apiserver-etcd-client', '', 'clientAuth'],
      ['kubelet-serving', 'ca', 'system:node:cp-1', 'system:nodes', 'serverAuth'],
    ]);
    for (const spec of list) expect(spec.isCA).toBe(spec.caId === undefined);
  });

  it('gives CAs the SAN DNS:<CN> and client certificates no SANs', () => {
    expect(byId(list, 'ca')).toMatchObject({ dnsNames: ['kubernetes'], ips: [] });
    expect(byId(list, 'etcd-ca')).toMatchObject({ dnsNames: ['etcd-ca'], ips: [] });
    for (const id of ['apiserver-kubelet-client', 'front-proxy-client', 'etcd-healthcheck-client', 'apiserver-etcd-client']) {
      expect(byId(list, id)).toMatchObject({ dnsNames: [], ips: [] });
    }
  });

  it('gives the default apiserver sorted DNS SANs and the service IP first', () => {
    expect(byId(list, 'apiserver')).toMatchObject({
      dnsNames: ['cp-1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ips: ['10.96.0.1', '192.0.2.10'],
    });
  });

  it('gives etcd server and peer the node name, localhost and loopbacks', () => {
    for (const id of ['etcd-server', 'etcd-peer']) {
      expect(byId(list, id)).toMatchObject({ dnsNames: ['cp-1', 'localhost'], ips: ['192.0.2.10', '127.0.0.1', '::1'] });
    }
  });

  it('adds a DNS controlPlaneEndpoint and certSANs to the apiserver, sorted and de-duplicated', () => {
    const config = sampleConfig('v1.36', {
      controlPlaneEndpoint: { host: 'api.example.com', port: 6443 },
      apiServer: { certSANs: ['zeta.example.com', '203.0.113.7', 'api.example.com', 'alpha.example.com', '192.0.2.10'] },
      networking: { serviceSubnet: '10.100.0.0/16', dnsDomain: 'corp.local' },
    });
    expect(byId(certificateList(config), 'apiserver')).toMatchObject({
      dnsNames: [
        'alpha.example.com',
        'api.example.com',
        'cp-1',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.corp.local',
        'zeta.example.com',
      ],
      ips: ['10.100.0.1', '192.0.2.10', '203.0.113.7'],
    });
  });

  it('adds an IP controlPlaneEndpoint as an IP SAN after the advertise address', () => {
    const config = sampleConfig('v1.36', {
      controlPlaneEndpoint: { host: '198.51.100.5', port: 443 },
      apiServer: { certSANs: ['198.51.100.6'] },
    });
    const apiserver = byId(certificateList(config), 'apiserver');
    expect(apiserver.ips).toEqual(['10.96.0.1', '192.0.2.10', '198.51.100.5', '198.51.100.6']);
    expect(apiserver.dnsNames).not.toContain('198.51.100.5');
  });

  it('handles an IPv6 advertise address and service subnet, in canonical form', () => {
    const config = sampleConfig('v1.36', {
      advertiseAddress: '2001:db8:0:0::10',
      networking: { serviceSubnet: 'fd00:10:96::/112', dnsDomain: 'cluster.local' },
      apiServer: { certSANs: ['2001:DB8::10', '::ffff:192.0.2.1'] },
    });
    const list6 = certificateList(config);
    expect(byId(list6, 'apiserver').ips).toEqual(['fd00:10:96::1', '2001:db8::10', '::ffff:c000:201']);
    expect(byId(list6, 'etcd-server').ips).toEqual(['2001:db8::10', '127.0.0.1', '::1']);
  });

  it('gives apiserver-kubelet-client O=kubeadm:cluster-admins before the dedicated role and no O after it', () => {
    const o = (version: string): readonly string[] =>
      byId(certificateList(sampleConfig(version)), 'apiserver-kubelet-client').organizations;
    expect(o('v1.32')).toEqual(['kubeadm:cluster-admins']);
    expect(o('v1.33.11')).toEqual(['kubeadm:cluster-admins']);
    expect(o('v1.33.12')).toEqual([]);
    expect(o('v1.36.0')).toEqual(['kubeadm:cluster-admins']);
    expect(o('v1.36')).toEqual([]);
  });
});
