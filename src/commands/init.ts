/**
 * `nodeadm init`: the whole node as one ordered list of phases, the way kubeadm's init.go
 * reads. `init phase X`, `--skip-phases` and the help listing all come from this list.
 */
import type { InitFlags } from '../config/load.js';
import { deriveValues } from '../config/derive.js';
import { readSavedConfig } from '../config/saved.js';
import type { NodeConfig } from '../config/types.js';
import { UsageError } from '../errors.js';
import type { Host } from '../host/types.js';
import { keepAddedSchedulers } from '../schedulers/manage.js';
import { countMissingKeys, createPkiContext, KeyPool, nearestExpiry } from '../pki/index.js';
import type { Step } from '../workflow/phase.js';
import { certsPhase } from '../phases/certs.js';
import type { InitContext, InitPhase } from '../phases/context.js';
import { controlPlanePhase } from '../phases/control-plane.js';
import { etcdPhase } from '../phases/etcd.js';
import { extraSchedulersPhase } from '../phases/extra-schedulers.js';
import { kubeconfigPhase } from '../phases/kubeconfig.js';
import { preflightPhase } from '../phases/preflight.js';
import { prepareHostPhase } from '../phases/prepare-host.js';
import { kubeletConfigPhase } from '../phases/kubelet-config.js';
import { kubeletStartPhase } from '../phases/kubelet-start.js';
import { saveConfigPhase } from '../phases/save-config.js';
import { waitControlPlanePhase } from '../phases/wait-control-plane.js';
import { postInitPhase } from '../phases/post-init.js';
import { addonPhase } from '../phases/addon.js';
import { runWithListr } from '../workflow/listr.js';
import { checkSkipList, plan, selectSubtree } from '../workflow/select.js';
import { runSteps } from '../workflow/run.js';
import { startRun, type GlobalOptions, type Io } from './global.js';
import { initSummary } from './summary.js';
import { readInitInput, type InitInput } from './init-input.js';
import { standalonePhases, standaloneSummary } from './init-standalone.js';

/**
 * The whole init, in order (SPEC "Phases of init"): preflight, prepare-host, save-config,
 * certs, kubeconfig, kubelet-config, etcd, control-plane, extra-schedulers, kubelet-start,
 * wait-control-plane, post-init, addon. One entry per line.
 */
export function initPhases(): InitPhase[] {
  return [
    preflightPhase,
    prepareHostPhase,
    saveConfigPhase,
    certsPhase,
    kubeconfigPhase,
    kubeletConfigPhase,
    etcdPhase,
    controlPlanePhase,
    extraSchedulersPhase,
    kubeletStartPhase,
    waitControlPlanePhase,
    postInitPhase,
    addonPhase,
  ];
}

/** `nodeadm init phase --help`: the tree, generated from the same list. */
export function phaseHelp(): string {
  const lines = ['Phases:'];
  for (const p of initPhases()) {
    lines.push(`  ${p.name.padEnd(26)} ${p.title}${p.liveHostOnly ? ' (live host only)' : ''}`);
    for (const c of p.children ?? []) lines.push(`    ${c.name.padEnd(24)} ${c.title}`);
  }
  lines.push('', 'Sub-phase "all" runs every sub-phase of its parent.');
  return lines.join('\n');
}

/** The node's saved configuration; a damaged one is ignored, since init is about to rewrite it. */
async function savedConfigIfValid(host: Host): Promise<NodeConfig | undefined> {
  try {
    return await readSavedConfig(host);
  } catch (error) {
    if (error instanceof UsageError) return undefined;
    throw error;
  }
}

export interface PhaseSelection {
  name: string;
  sub?: string;
}

/**
 * `input`: what readInitInput made of the flags when the CLI read them before loading this
 * module (with key generation under way); read here otherwise.
 */
export async function runInit(global: GlobalOptions, flags: InitFlags, io: Io, only?: PhaseSelection, input?: InitInput): Promise<number> {
  // Input first, all of it, before anything is written (exit 2 on the first problem).
  const { config: resolved, osHostname, keys: started } = input ?? (await readInitInput(global, flags, io, { startKeys: false }));
  const tree = resolved.standalone ? standalonePhases() : initPhases();
  const selected = only ? selectSubtree(tree, only.name, only.sub) : undefined;
  checkSkipList(tree, resolved.skipPhases, flags.skipPhases !== undefined ? '--skip-phases' : 'skipPhases');

  const run = startRun(global, io);
  const config = await keepAddedSchedulers(run.host, resolved, await savedConfigIfValid(run.host));
  const keys = started ?? new KeyPool(config.encryptionAlgorithm);
  const pki = createPkiContext(run.host, keys, {
    validity: { leafHours: config.certificateValidityHours, caHours: config.caCertificateValidityHours },
  });
  const running = new Set<string>();
  const ctx: InitContext = { config, derived: deriveValues(config), host: run.host, pki, osHostname, willRun: (path) => running.has(path) };
  const roots = selected ? [selected.phase] : tree;
  const prefix = selected ? selected.path.split('/').slice(0, -1).join('/') : '';
  const steps = plan(roots, { skip: config.skipPhases, liveHost: run.host.isLiveRoot, ctx }, prefix ? `${prefix}/` : '');
  const collect = (list: readonly Step<InitContext>[]): void =>
    list.forEach((s) => {
      if (s.skipReason === undefined) running.add(s.path);
      collect(s.children);
    });
  collect(steps);
  // Key generation dominates init: every key the run will need is generating before the first
  // phase (for a whole init since its input was read, see init-input.ts), on all cores; the certs and
  // kubeconfig sub-phases then take them one by one.
  const certificates = running.has('certs');
  const kubeconfigs = running.has('kubeconfig');
  keys.target(certificates || kubeconfigs ? await countMissingKeys(run.host, { certificates, kubeconfigs }) : 0);
  const resume = (path: string): string => `nodeadm init phase ${path.split('/').join(' ')}${config.standalone ? ' --standalone' : ''}${global.root !== '/' ? ` --root ${global.root}` : ''}`;

  try {
    if (run.interactive) await runWithListr(steps, ctx, run.bus, resume);
    else await runSteps(steps, ctx, run.bus, resume);
  } finally {
    pki.keys.close();
    await run.finish(); // also after a failed phase: reset must know what this run created
  }

  const expiry = config.standalone ? undefined : await nearestExpiry(run.host);
  const summary = (config.standalone ? standaloneSummary : initSummary)({ global, config, ctx, tally: run.tally, partial: selected !== undefined, ...(expiry ? { nearestExpiry: expiry } : {}) });
  if (run.json) io.out(JSON.stringify({ command: selected ? `init phase ${selected.path}` : 'init', root: global.root, dryRun: global.dryRun, phases: run.json.phases, summary: summary.data }, null, 2));
  else io.out(summary.text);
  return 0;
}

