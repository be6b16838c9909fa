/**
 * The static pod manifests of a node as `nodeadm pod` sees them: read from the kubelet's
 * staticPodPath (its own config says where), classified by owner, and changed only through the
 * host layer's atomic writes, so the directory never holds anything but finished manifests.
 */
import type { Host, WriteResult } from '../host/types.js';
import { fromYaml, toYaml } from '../manifests/yaml.js';
import { MODE } from '../paths.js';
import { UsageError } from '../errors.js';
import { readNodeSettings } from '../waiter/node-settings.js';
import { ownerOf, reservedFor, type ManifestOwner } from './owner.js';
import type { UserPod } from './validate.js';

export interface ManifestEntry {
  /** File name in the manifests directory, e.g. "web.yaml". */
  file: string;
  /** Node path of the file. */
  path: string;
  /** metadata.name; the file name without extension when the file is not a readable pod. */
  name: string;
  namespace: string;
  owner: ManifestOwner;
  /** Why the file is not a pod the kubelet can run. */
  problem?: string;
}

/** The kubelet's staticPodPath (from /var/lib/kubelet/config.yaml; kubeadm's default without one). */
export async function manifestsDir(host: Host): Promise<string> {
  return (await readNodeSettings(host)).staticPodPath.replace(/\/+$/, '') || '/';
}

/** Every manifest the kubelet would read: dot-files are ignored, as the kubelet ignores them. */
export async function listManifests(host: Host): Promise<ManifestEntry[]> {
  const dir = await manifestsDir(host);
  const entries: ManifestEntry[] = [];
  for (const file of await host.listDir(dir)) {
    if (file.startsWith('.')) continue;
    const path = `${dir}/${file}`;
    entries.push(describe(file, path, (await host.readText(path)) ?? ''));
  }
  return entries;
}

function describe(file: string, path: string, text: string): ManifestEntry {
  const base = { file, path, name: file.replace(/\.(ya?ml|json)$/, ''), namespace: 'default' };
  let doc: unknown;
  try {
    doc = fromYaml(text);
  } catch (error) {
    return { ...base, owner: ownerOf(file, undefined), problem: `not valid YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  const pod = (doc ?? {}) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown; annotations?: Record<string, unknown> } };
  const owner = ownerOf(file, pod.metadata?.annotations);
  if (typeof doc !== 'object' || pod.kind !== 'Pod') return { ...base, owner, problem: 'not a Pod manifest' };
  return {
    ...base,
    owner,
    ...(typeof pod.metadata?.name === 'string' ? { name: pod.metadata.name } : {}),
    ...(typeof pod.metadata?.namespace === 'string' ? { namespace: pod.metadata.namespace } : {}),
  };
}

export interface AddResult {
  name: string;
  path: string;
  action: WriteResult;
}

/**
 * Checks every pod against what is on the node first (a file of the same name nodeadm did not
 * write, or another manifest that already runs a pod of the same name), then writes each one.
 */
export async function addPods(host: Host, pods: readonly UserPod[]): Promise<AddResult[]> {
  const dir = await manifestsDir(host);
  const existing = await listManifests(host);
  for (const pod of pods) {
    const file = `${pod.metadata.name}.yaml`;
    // validatePodManifests refuses these names; kept here so no caller can bypass it.
    if (reservedFor(file) !== undefined) throw new UsageError(`${file} is reserved for the ${reservedFor(file)}; nodeadm pod does not write it`);
    const same = existing.find((e) => e.file === file);
    if (same && same.owner !== 'user') {
      throw new UsageError(`${pod.metadata.name}: ${same.path} exists and was not added by "nodeadm pod add"; remove it first ("nodeadm pod remove ${pod.metadata.name} --force") or choose another metadata.name`);
    }
    const namespace = pod.metadata.namespace ?? 'default';
    const twin = existing.find((e) => e.file !== file && e.name === pod.metadata.name && e.namespace === namespace && e.problem === undefined);
    if (twin) throw new UsageError(`${pod.metadata.name}: ${twin.path} already defines pod ${namespace}/${pod.metadata.name}; the kubelet would run only one of them`);
  }
  if (!(await host.exists(dir))) await host.ensureDir(dir, MODE.privateDir);
  const results: AddResult[] = [];
  for (const pod of pods) {
    const path = `${dir}/${pod.metadata.name}.yaml`;
    results.push({ name: pod.metadata.name, path, action: await host.writeFile(path, toYaml(pod), { mode: MODE.manifest }) });
  }
  return results;
}

/**
 * Removes NAME.yaml: only a pod `pod add` wrote, unless `force`; never a control-plane or
 * scheduler manifest (init/reset and remove-scheduler own those).
 */
export async function removePod(host: Host, name: string, force: boolean): Promise<ManifestEntry> {
  const entries = await listManifests(host);
  const entry = entries.find((e) => e.file === `${name}.yaml` || e.file === `${name}.yml` || e.file === `${name}.json`) ?? entries.find((e) => e.name === name && e.problem === undefined);
  if (!entry) {
    const known = entries.map((e) => e.name);
    throw new UsageError(`pod remove: no static pod "${name}" in ${await manifestsDir(host)} (${known.length > 0 ? `present: ${known.join(', ')}` : 'the directory holds no manifests'})`);
  }
  if (entry.owner === 'control plane') throw new UsageError(`pod remove: ${entry.path} is the control plane's manifest; "nodeadm reset" removes it`);
  if (entry.owner === 'scheduler') throw new UsageError(`pod remove: ${entry.path} is an extra scheduler's manifest; use "nodeadm remove-scheduler --name ${entry.name.replace(/^kube-scheduler-/, '')}"`);
  if (entry.owner === 'unknown' && !force) {
    throw new UsageError(`pod remove: ${entry.path} was not added by "nodeadm pod add"; pass --force to remove it anyway`);
  }
  await host.remove(entry.path);
  return entry;
}
