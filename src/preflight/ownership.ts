/**
 * Which files in the manifests directory are nodeadm's: its current rendering of a component,
 * or a component the saved node configuration lists (the node was initialised by nodeadm,
 * perhaps with other input). Re-runs must not trip over nodeadm's own work.
 */
import type { DerivedValues, NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';
import {
  buildApiServerPod,
  buildControllerManagerPod,
  buildEtcdPod,
  buildKubeletDropIn,
  buildSchedulerPod,
  CA_CERT_DIR_CANDIDATES,
  fromYaml,
  schedulerPodName,
  toYaml,
} from '../manifests/index.js';
import { readSavedConfig } from '../config/saved.js';
import { UsageError } from '../errors.js';
import { KUBELET_DROPIN } from '../paths.js';
import { isNodeadmScheduler } from '../schedulers/manage.js';

export interface ManifestFile {
  /** File name in the manifests directory. */
  file: string;
  text: string;
  /** nodeadm wrote it: its current rendering, or a component of the saved configuration. */
  own: boolean;
}

export interface NodeState {
  manifests: ManifestFile[];
  /** The kubelet drop-in exists with nodeadm's content: a running kubelet is nodeadm's. */
  ownKubelet: boolean;
}

const CORE_FILES = ['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'];

/** The manifests this config renders for the four core components (extra schedulers are owned through the saved config). */
async function currentRendering(host: Host, config: NodeConfig, derived: DerivedValues): Promise<Map<string, string>> {
  const present = await Promise.all(CA_CERT_DIR_CANDIDATES.map((dir) => host.exists(dir)));
  const caCertDirs = CA_CERT_DIR_CANDIDATES.filter((_, i) => present[i]);
  return new Map([
    ['etcd.yaml', toYaml(buildEtcdPod(config, derived))],
    ['kube-apiserver.yaml', toYaml(buildApiServerPod(config, derived, { caCertDirs }))],
    ['kube-controller-manager.yaml', toYaml(buildControllerManagerPod(config, derived, { caCertDirs }))],
    ['kube-scheduler.yaml', toYaml(buildSchedulerPod(config, derived))],
  ]);
}

/** Manifest files the saved configuration accounts for; empty when nodeadm never initialised this node. */
async function savedComponents(host: Host): Promise<Set<string>> {
  let saved: NodeConfig | undefined;
  try {
    saved = await readSavedConfig(host);
  } catch (error) {
    if (error instanceof UsageError) return new Set(); // damaged: nothing is vouched for
    throw error;
  }
  if (!saved) return new Set();
  return new Set([...CORE_FILES, ...saved.extraSchedulers.map((s) => `${schedulerPodName(s.name)}.yaml`)]);
}

/** The kubelet reads every file except dot-files (atomic-write temporaries) as a pod. */
export function isManifestName(file: string): boolean {
  return !file.startsWith('.');
}

export async function readNodeState(host: Host, config: NodeConfig, derived: DerivedValues): Promise<NodeState> {
  const [saved, names, dropIn] = await Promise.all([savedComponents(host), host.listDir(config.staticPodPath), host.readText(KUBELET_DROPIN)]);
  const files = names.filter(isManifestName);
  // Rendering the four manifests takes milliseconds: only when a core file's owner is in question.
  const unvouched = files.some((file) => CORE_FILES.includes(file) && !saved.has(file));
  const rendering = unvouched ? await currentRendering(host, config, derived) : new Map<string, string>();
  const manifests: ManifestFile[] = [];
  for (const file of files) {
    const text = await host.readText(`${config.staticPodPath}/${file}`).catch(() => undefined);
    if (text === undefined) continue; // a directory or a vanished file
    manifests.push({ file, text, own: rendering.get(file) === text || saved.has(file) || isExtraScheduler(file, text) });
  }
  return { manifests, ownKubelet: dropIn === buildKubeletDropIn() };
}

/** An extra scheduler nodeadm added (init --extra-scheduler or add-scheduler): kube-scheduler-N running --config=schedulers/N.yaml. */
function isExtraScheduler(file: string, text: string): boolean {
  const m = /^kube-scheduler-([a-z0-9-]+)\.yaml$/.exec(file);
  if (!m) return false;
  try {
    return isNodeadmScheduler(fromYaml(text), m[1]!);
  } catch {
    return false;
  }
}
