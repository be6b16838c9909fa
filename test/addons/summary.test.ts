import { describe, expect, it } from 'vitest';
import { addonSummary } from '../../src/addons/summary.js';
import { sampleConfig } from '../fixtures/node-config.js';

const all = (): boolean => true;
const base = sampleConfig();
const bridge = sampleConfig('v1.36', { podNetwork: 'bridge', networking: { ...base.networking, podSubnet: '10.244.0.0/16' } });

describe('addonSummary', () => {
  it('live host with the bridge: the node and the addons are ready; how to allow ordinary pods', () => {
    const { lines, data } = addonSummary({ root: '/', dryRun: false, config: bridge, willRun: all });
    expect(lines.join('\n')).toContain('Node cp-1 is Ready: CoreDNS and kube-proxy and the bridge pod network on 10.244.0.0/16 (/etc/cni/net.d/10-nodeadm-bridge.conflist) are up.');
    expect(lines.join('\n')).toContain('kubectl taint nodes cp-1 node-role.kubernetes.io/control-plane:NoSchedule-');
    expect(data).toEqual({ installed: ['coredns', 'kube-proxy'], podNetwork: 'bridge', podSubnet: '10.244.0.0/16', controlPlaneTaint: true });
  });

  it('--pod-network none: NotReady until a network is installed, and which ones fit the pod subnet', () => {
    const withSubnet = sampleConfig('v1.36', { networking: { ...base.networking, podSubnet: '192.168.0.0/16' } });
    const text = addonSummary({ root: '/', dryRun: false, config: withSubnet, willRun: (p) => p !== 'addon/pod-network' }).lines.join('\n');
    expect(text).toContain('Addons applied: CoreDNS and kube-proxy.');
    expect(text).not.toContain('is Ready');
    expect(text).toMatch(/the node stays NotReady[\s\S]*pod CIDR is 192\.168\.0\.0\/16: Flannel/);
    const noSubnet = addonSummary({ root: '/', dryRun: false, config: base, willRun: all }).lines.join('\n');
    expect(noSubnet).toMatch(/re-run init with --pod-subnet CIDR/);
  });

  it('--root: recorded, awaiting post-init on the booted node; --allow-schedule-on-control-plane reported', () => {
    const config = { ...bridge, allowScheduleOnControlPlane: true };
    const text = addonSummary({ root: '/img', dryRun: false, config, willRun: all }).lines.join('\n');
    expect(text).toContain('CoreDNS and kube-proxy objects written to /etc/kubernetes/nodeadm/addons');
    expect(text).toContain('run `nodeadm init phase post-init`');
    expect(text).toContain('ordinary pods may run on this control-plane node');
  });

  it('says nothing for a standalone node', () => {
    expect(addonSummary({ root: '/', dryRun: false, config: { ...base, standalone: true }, willRun: all }).lines).toEqual([]);
  });
});
