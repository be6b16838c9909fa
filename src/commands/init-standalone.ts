/**
 * `nodeadm init --standalone`: a kubelet-only node that runs static pods with no control plane
 * (no PKI, no kubeconfigs, no control-plane manifests). The same shape as `init`: one ordered
 * list of phases, `init phase X --standalone`, --skip-phases and the run machinery.
 */
import type { InitPhase } from '../phases/context.js';
import { kubeletStartPhase } from '../phases/kubelet-start.js';
import { prepareHostPhase } from '../phases/prepare-host.js';
import { saveConfigPhase } from '../phases/save-config.js';
import { standaloneKubeletConfigPhase, standalonePreflightPhase, waitKubeletPhase } from '../standalone/phases.js';
import type { SummaryInput } from './summary.js';
import { describeSkipped } from '../workflow/render.js';

/** The standalone node, in order: preflight, prepare-host, save-config, kubelet-config, kubelet-start, wait-kubelet. */
export function standalonePhases(): InitPhase[] {
  return [
    standalonePreflightPhase,
    prepareHostPhase,
    saveConfigPhase,
    standaloneKubeletConfigPhase,
    kubeletStartPhase,
    waitKubeletPhase,
  ];
}

/** The closing summary of a standalone init: where pods go and how to see them. */
export function standaloneSummary({ global, config, tally, partial }: SummaryInput): { text: string; data: Record<string, unknown> } {
  const { created, updated, unchanged } = tally.counts;
  const changed = created + updated;
  const data = {
    node: config.nodeName,
    standalone: true,
    staticPodPath: config.staticPodPath,
    files: { created, updated, unchanged },
    skippedPhases: tally.skipped.map((s) => s.phase),
  };
  const counts =
    changed === 0
      ? `nothing ${global.dryRun ? 'would change' : 'changed'}: ${unchanged} files already up to date`
      : `${global.dryRun ? 'would change' : 'changed'} ${changed} files (${created} new, ${updated} updated), ${unchanged} unchanged`;
  if (partial) return { text: `\nDone: ${counts}.`, data };
  const root = global.root !== '/' ? ` --root ${global.root}` : '';
  const lines: string[] = [];
  if (global.root !== '/') {
    lines.push(
      `\nRendered standalone node ${config.nodeName} (a kubelet with no control plane) into ${global.root}: ${counts}.`,
      `Skipped: ${describeSkipped(tally.skipped)}.`,
      'Copy the tree onto the machine, then: systemctl daemon-reload && systemctl restart kubelet',
    );
  } else if (global.dryRun) {
    lines.push(`\nDry run: ${counts}. Nothing was written and no command was run.`);
  } else {
    lines.push(`\nThe kubelet runs standalone (no API server, no control plane): ${counts}.`);
  }
  lines.push(
    '',
    `Static pods: every Pod manifest in ${config.staticPodPath} runs on this node; the kubelet restarts crashed`,
    'containers, recreates a pod when its file changes and stops it when the file is removed.',
    `  nodeadm pod add${root} web.yaml      validate and add a pod`,
    `  nodeadm pod list${root}              manifests, owners and container states`,
    '  crictl ps                          the running containers',
  );
  return { text: lines.join('\n'), data };
}
