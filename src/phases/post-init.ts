/**
 * post-init: what kubeadm does through the API right after the control plane is up. RBAC first
 * (admin.conf's group has no rights until kubeadm:cluster-admins exists), then the node's
 * control-plane labels and taint once the kubelet has registered it, then every object file
 * other phases recorded under ADDONS_DIR. Offline (--root, --dry-run) the bindings are recorded.
 */
import { OperationalError } from '../errors.js';
import {
  applyAll,
  applyOrRecord,
  connectKube,
  describeCounts,
  KubeApiError,
  readRecordedObjects,
  recordedFiles,
  type KubeClient,
  type KubeClock,
  type KubeObject,
} from '../kube/index.js';
import {
  clusterAdminsBinding,
  CONTROL_PLANE_LABELS,
  CONTROL_PLANE_TAINT,
  desiredTaints,
  postInitBindings,
  SUPER_ADMIN_KUBECONFIG,
  type Taint,
} from '../addons/control-plane-node.js';
import { waitForNode } from '../addons/ready.js';
import { ADDONS_DIR } from '../paths.js';
import type { NodeConfig } from '../config/types.js';
import type { Reporter } from '../workflow/reporter.js';
import type { InitContext, InitPhase } from './context.js';

export const POST_INIT_RECORD = `${ADDONS_DIR}/post-init.yaml`;

export interface ClusterPhaseOptions {
  clock?: KubeClock;
}

export function createPostInitPhase(options: ClusterPhaseOptions = {}): InitPhase {
  return {
    name: 'post-init',
    title: 'Label and taint the control-plane node, create the RBAC nodeadm needs, apply recorded objects',
    guard: ({ config }) => (config.standalone ? 'a standalone node has no API server' : undefined),
    async run(ctx, out) {
      const { host, config } = ctx;
      const clock = options.clock;
      const connect = { server: ctx.derived.localApiEndpoint, ...(clock ? { clock } : {}) };
      const admin = await connectKube(host, connect);
      if (!admin) {
        if (host.isLiveRoot && !host.dryRun) {
          throw new OperationalError('cannot reach the API server with /etc/kubernetes/admin.conf', 'check nodeadm status; then re-run this phase');
        }
        await applyOrRecord(host, postInitBindings(config), POST_INIT_RECORD, out);
        out.info(offlineNodeMessage(ctx));
        return;
      }
      await ensureClusterAdmins(ctx, admin, out, clock);
      const node = await waitForNode(admin, config.nodeName, { timeoutMs: config.waitTimeoutMs, ...(clock ? { clock } : {}) });
      out.info(await markControlPlane(admin, node, config));
      await applyOrRecord(host, postInitBindings(config), POST_INIT_RECORD, out, { client: admin });
      for (const file of await recordedFiles(host)) {
        if (file === POST_INIT_RECORD) continue;
        const objects = await readRecordedObjects(host, file);
        out.info(`applied ${objects.length} recorded objects from ${file} (${describeCounts(await applyAll(admin, objects))})`);
      }
    },
  };
}

export const postInitPhase = createPostInitPhase();

function offlineNodeMessage({ host, config }: InitContext): string {
  const what = `label node ${config.nodeName} as control plane${config.allowScheduleOnControlPlane ? '' : ` and taint it ${taintText(CONTROL_PLANE_TAINT)}`}`;
  if (host.dryRun) return `would wait for node ${config.nodeName} to register, ${what}, and apply the objects under ${ADDONS_DIR}`;
  return `to ${what} and apply everything under ${ADDONS_DIR}: boot the node, then run nodeadm init phase post-init`;
}

const taintText = (t: Taint): string => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;

/**
 * kubeadm's EnsureAdminClusterRoleBinding: create the binding with admin.conf if it may, else
 * with super-admin.conf (system:masters), the one use of that credential.
 */
async function ensureClusterAdmins({ host, derived }: InitContext, admin: KubeClient, out: Reporter, clock?: KubeClock): Promise<void> {
  const binding = clusterAdminsBinding();
  try {
    await admin.apply(binding);
    return;
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 403) throw error;
  }
  const superAdmin = await connectKube(host, { kubeconfig: SUPER_ADMIN_KUBECONFIG, server: derived.localApiEndpoint, ...(clock ? { clock } : {}) });
  if (!superAdmin) {
    throw new OperationalError(
      `admin.conf may not create ClusterRoleBinding ${binding.metadata.name} yet, and ${SUPER_ADMIN_KUBECONFIG} is missing or unusable`,
      'run nodeadm init phase kubeconfig super-admin to recreate it',
    );
  }
  const result = await superAdmin.apply(binding);
  out.info(`ClusterRoleBinding ${binding.metadata.name} ${result} with ${SUPER_ADMIN_KUBECONFIG} (admin.conf had no rights yet)`);
}

/** Labels and taints the node with server-side apply; reports what changed. */
export async function markControlPlane(client: KubeClient, node: KubeObject, config: NodeConfig): Promise<string> {
  const current = ((node.spec as { taints?: Taint[] } | undefined)?.taints ?? []) as Taint[];
  const taints = desiredTaints(current, config.allowScheduleOnControlPlane);
  const result = await client.apply({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: config.nodeName, labels: { ...CONTROL_PLANE_LABELS } },
    spec: { taints },
  });
  const taint = config.allowScheduleOnControlPlane
    ? 'no control-plane taint (--allow-schedule-on-control-plane): ordinary pods may run here'
    : `tainted ${taintText(CONTROL_PLANE_TAINT)}`;
  return `node ${config.nodeName} ${result}: labelled ${Object.keys(CONTROL_PLANE_LABELS).join(', ')}; ${taint}`;
}
