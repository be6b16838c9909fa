/**
 * addon: CoreDNS and kube-proxy through the API server (recorded under ADDONS_DIR offline), and
 * the single-node pod network as a CNI file. On a live node the last step waits until the node
 * is Ready and the addons' pods run, so init ends with a node that can run an ordinary pod.
 */
import { buildBridgeConflist, buildCoreDNSObjects, buildKubeProxyObjects, CNI_CONFIG_FILE, CNI_CONFIG_MODE, renderConflist } from '../addons/index.js';
import { waitForReady, type ReadyTarget } from '../addons/ready.js';
import { applyOrRecord, connectKube } from '../kube/index.js';
import { ADDONS_DIR } from '../paths.js';
import type { ClusterPhaseOptions } from './post-init.js';
import type { InitContext, InitPhase } from './context.js';

export const ADDON_RECORDS = { coredns: `${ADDONS_DIR}/coredns.yaml`, 'kube-proxy': `${ADDONS_DIR}/kube-proxy.yaml` } as const;

export function createAddonPhase(options: ClusterPhaseOptions = {}): InitPhase {
  const clock = options.clock ? { clock: options.clock } : {};
  // The local API endpoint, not admin.conf's controlPlaneEndpoint (see connectKube's `server`).
  const connect = (ctx: InitContext) => ({ server: ctx.derived.localApiEndpoint, ...clock });
  return {
    name: 'addon',
    title: 'Install the essential addons: CoreDNS, kube-proxy and a single-node pod network',
    guard: ({ config }) => (config.standalone ? 'a standalone node has no API server' : undefined),
    children: [
      {
        name: 'coredns',
        title: 'Install the CoreDNS addon (Deployment and the kube-dns Service)',
        run: async (ctx, out) => {
          const { config, derived, host } = ctx;
          await applyOrRecord(host, buildCoreDNSObjects(config, derived), ADDON_RECORDS.coredns, out, { connect: connect(ctx) });
        },
      },
      {
        name: 'kube-proxy',
        title: 'Install the kube-proxy addon (DaemonSet and its configuration)',
        run: async (ctx, out) => {
          const { config, derived, host } = ctx;
          await applyOrRecord(host, buildKubeProxyObjects(config, derived), ADDON_RECORDS['kube-proxy'], out, { connect: connect(ctx) });
        },
      },
      {
        name: 'pod-network',
        title: 'Write the single-node bridge CNI configuration and wait for the node to be Ready',
        guard: ({ config }) =>
          config.podNetwork === 'none' ? '--pod-network none: install a pod network yourself (see the summary)' : undefined,
        run: async (ctx, out) => {
          const { config, host } = ctx;
          await host.writeFile(CNI_CONFIG_FILE, renderConflist(buildBridgeConflist(config)), { mode: CNI_CONFIG_MODE });
          out.info(`bridge network ${config.networking.podSubnet} on cni0 (${CNI_CONFIG_FILE})`);
          const client = await connectKube(host, connect(ctx));
          if (!client) {
            // Offline (--root, --dry-run) the kubelet picks the file up when the node boots.
            if (host.isLiveRoot && !host.dryRun) out.warn('the API server did not answer: node readiness not checked (kubectl get nodes)');
            return;
          }
          const targets = readyTargets(ctx);
          await waitForReady(client, targets, { timeoutMs: config.waitTimeoutMs, ...clock });
          out.info(`ready: ${targets.map((t) => (t.kind === 'Node' ? `node ${t.name}` : t.name)).join(', ')}`);
        },
      },
    ],
  };
}

export const addonPhase = createAddonPhase();

/** The node, and each addon this run installs. */
function readyTargets({ config, willRun }: InitContext): ReadyTarget[] {
  return [
    { kind: 'Node', name: config.nodeName },
    ...(willRun('addon/kube-proxy') ? [{ kind: 'DaemonSet' as const, name: 'kube-proxy', namespace: 'kube-system' }] : []),
    ...(willRun('addon/coredns') ? [{ kind: 'Deployment' as const, name: 'coredns', namespace: 'kube-system' }] : []),
  ];
}
