/** The addon part of init's closing summary: what was installed or recorded, and what the user does next. */
import type { NodeConfig } from '../config/types.js';
import { ADDONS_DIR } from '../paths.js';
import { CNI_CONFIG_FILE } from './cni.js';
import { CONTROL_PLANE_TAINT } from './control-plane-node.js';

export interface AddonSummaryInput {
  root: string;
  dryRun: boolean;
  config: NodeConfig;
  willRun: (path: string) => boolean;
}

/** Networks that run on a kubeadm-style cluster, with where their pod CIDR is set. */
const NETWORK_HINTS = [
  'Flannel (its net-conf.json "Network", 10.244.0.0/16 by default)',
  'Calico (the IPPool cidr, 192.168.0.0/16 by default)',
  'Cilium (ipam.operator.clusterPoolIPv4PodCIDRList)',
];

export function addonSummary({ root, dryRun, config, willRun }: AddonSummaryInput): { lines: string[]; data: Record<string, unknown> } {
  const installed = ['coredns', 'kube-proxy'].filter((a) => willRun(`addon/${a}`));
  const bridge = config.podNetwork === 'bridge' && willRun('addon/pod-network');
  const podSubnet = config.networking.podSubnet;
  const data = {
    installed,
    podNetwork: config.podNetwork,
    ...(podSubnet ? { podSubnet } : {}),
    controlPlaneTaint: !config.allowScheduleOnControlPlane,
  };
  if (config.standalone || (installed.length === 0 && !bridge && !willRun('post-init'))) return { lines: [], data };

  const names = installed.map((a) => (a === 'coredns' ? 'CoreDNS' : a)).join(' and ');
  const network = bridge ? `the bridge pod network on ${podSubnet} (${CNI_CONFIG_FILE})` : '';
  const lines = [''];
  if (root !== '/') {
    lines.push(
      `Addons: ${[names && `${names} objects written to ${ADDONS_DIR}`, network && `${network} written`].filter(Boolean).join('; ')}.`,
      '  They await application: on the booted node run `nodeadm init phase post-init`; it labels and taints the node and applies everything in that directory.',
    );
  } else if (dryRun) {
    lines.push(`Addons: would apply ${names || 'nothing'}${network ? ` and write ${network}` : ''}.`);
  } else {
    const ready = bridge ? `Node ${config.nodeName} is Ready: ${[names, network].filter(Boolean).join(' and ')} are up.` : `Addons applied: ${names || 'none'}.`;
    lines.push(ready);
  }
  if (config.podNetwork === 'none') {
    lines.push(
      'No pod network (--pod-network none): the node stays NotReady and only host-network pods run until you install one.',
      podSubnet
        ? `  Use one whose pod CIDR is ${podSubnet}: ${NETWORK_HINTS.join('; ')}.`
        : `  Most networks need a pod subnet: re-run init with --pod-subnet CIDR (it enables node CIDR allocation), then install e.g. ${NETWORK_HINTS.join('; ')}.`,
    );
  }
  lines.push(
    config.allowScheduleOnControlPlane
      ? 'Scheduling: ordinary pods may run on this control-plane node (--allow-schedule-on-control-plane).'
      : `Scheduling: the ${CONTROL_PLANE_TAINT.key}:${CONTROL_PLANE_TAINT.effect} taint keeps ordinary pods off this node. On a single-node cluster, init with --allow-schedule-on-control-plane, or: kubectl taint nodes ${config.nodeName} ${CONTROL_PLANE_TAINT.key}:${CONTROL_PLANE_TAINT.effect}-`,
  );
  return { lines, data };
}
