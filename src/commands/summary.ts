/** The closing summary of init: what happened, how to use the node, what to do next. */
import type { NodeConfig } from '../config/types.js';
import type { InitContext } from '../phases/context.js';
import type { NearestExpiry } from '../pki/index.js';
import { KUBECONFIG_FILES, MANIFESTS_DIR } from '../paths.js';
import { describeSkipped, type TallySink } from '../workflow/render.js';
import { addonSummary } from '../addons/summary.js';
import type { GlobalOptions } from './global.js';

export interface SummaryInput {
  global: GlobalOptions;
  config: NodeConfig;
  ctx: InitContext;
  tally: TallySink;
  /** `init phase X` rather than the whole init. */
  partial: boolean;
  /** The certificate that expires first (see `nodeadm certs check-expiration`). */
  nearestExpiry?: NearestExpiry;
}

export function initSummary({ global, config, ctx, tally, partial, nearestExpiry }: SummaryInput): { text: string; data: Record<string, unknown> } {
  const { created, updated, unchanged } = tally.counts;
  const changed = created + updated;
  const addons = addonSummary({ root: global.root, dryRun: global.dryRun, config, willRun: ctx.willRun });
  const data = {
    node: config.nodeName,
    kubernetesVersion: config.kubernetesVersion.tag,
    apiServer: ctx.derived.controlPlaneUrl,
    files: { created, updated, unchanged },
    skippedPhases: tally.skipped.map((s) => s.phase),
    addons: addons.data,
  };
  const verb = global.dryRun ? 'would change' : 'changed';
  const counts = changed === 0 ? `nothing ${global.dryRun ? 'would change' : 'changed'}: ${unchanged} files already up to date` : `${verb} ${changed} files (${created} new, ${updated} updated), ${unchanged} unchanged`;
  const lines: string[] = [];
  if (partial) {
    lines.push(`\nDone: ${counts}.`);
    return { text: lines.join('\n'), data };
  }
  const admin = KUBECONFIG_FILES.admin;
  if (global.root !== '/') {
    lines.push(
      `\nRendered control-plane node ${config.nodeName} (Kubernetes ${config.kubernetesVersion.tag}) into ${global.root}: ${counts}.`,
      `Skipped: ${describeSkipped(tally.skipped)}.`,
      `Copy the tree onto the machine, then: systemctl daemon-reload && systemctl restart kubelet`,
    );
  } else if (global.dryRun) {
    lines.push(`\nDry run: ${counts}. Nothing was written and no command was run.`);
  } else {
    lines.push(
      `\nYour Kubernetes control plane (${config.kubernetesVersion.tag}) is set up as static pods in ${MANIFESTS_DIR}: ${counts}.`,
      '',
      'To use the cluster as a regular user:',
      '  mkdir -p $HOME/.kube',
      `  sudo cp -i ${admin} $HOME/.kube/config`,
      '  sudo chown $(id -u):$(id -g) $HOME/.kube/config',
      '',
      `As root: export KUBECONFIG=${admin}`,
      `API server: ${ctx.derived.controlPlaneUrl}`,
    );
  }
  lines.push(...addons.lines);
  if (nearestExpiry) {
    const days = Math.floor((nearestExpiry.notAfter.getTime() - Date.now()) / 86_400_000);
    lines.push(
      '',
      `Certificates: the first to expire is ${nearestExpiry.name}, on ${nearestExpiry.notAfter.toISOString().slice(0, 10)} (in ${days} days).`,
      '  See all: nodeadm certs check-expiration; renew: nodeadm certs renew all (or init with --certificate-renewal-timer).',
    );
  }
  return { text: lines.join('\n'), data: { ...data, ...(nearestExpiry ? { nearestExpiry: { name: nearestExpiry.name, path: nearestExpiry.path, notAfter: nearestExpiry.notAfter.toISOString() } } : {}) } };
}
