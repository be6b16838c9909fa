/** The closing summary of init: what happened, how to use the node, what to do next. */
import type { NodeConfig } from '../config/types.js';
import type { InitContext } from '../phases/context.js';
import { KUBECONFIG_FILES, MANIFESTS_DIR } from '../paths.js';
import type { TallySink } from '../workflow/render.js';
import type { GlobalOptions } from './global.js';

export interface SummaryInput {
  global: GlobalOptions;
  config: NodeConfig;
  ctx: InitContext;
  tally: TallySink;
  /** `init phase X` rather than the whole init. */
  partial: boolean;
}

export function initSummary({ global, config, ctx, tally, partial }: SummaryInput): { text: string; data: Record<string, unknown> } {
  const { created, updated, unchanged } = tally.counts;
  const changed = created + updated;
  const data = {
    node: config.nodeName,
    kubernetesVersion: config.kubernetesVersion.tag,
    apiServer: ctx.derived.controlPlaneUrl,
    files: { created, updated, unchanged },
    skippedPhases: tally.skipped,
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
      `Skipped (need the live host): ${tally.skipped.join(', ') || 'none'}.`,
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
  return { text: lines.join('\n'), data };
}
