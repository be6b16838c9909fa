/**
 * Validation of user pod manifests for `nodeadm pod add`: everything is checked before anything is
 * written. Static pods are Pods only (the kubelet has no controllers), named by a DNS-1123
 * subdomain, and must not take a control-plane or scheduler manifest's file name. References to
 * API objects (ServiceAccounts, Secrets, ConfigMaps) are warned about: the kubelet cannot resolve
 * them without an API server, and an API server refuses mirror pods that use them.
 */
import yaml from 'js-yaml';
import { isDns1123Label, isDns1123Subdomain, show } from '../config/validate.js';
import { UsageError } from '../errors.js';
import { OWNER_ANNOTATION, reservedFor, USER_OWNER } from './owner.js';

/** A pod as the user wrote it (values are data), with metadata checked and nodeadm's mark added. */
export interface UserPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: { name: string; namespace?: string; annotations: Record<string, string>; [field: string]: unknown };
  spec: Record<string, unknown>;
  [field: string]: unknown;
}

export interface ValidatedPods {
  pods: UserPod[];
  warnings: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Parses a YAML stream with the core schema: no timestamps or binary, so values re-serialise as written. */
function parseStream(text: string, source: string): unknown[] {
  try {
    return yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    const reason = e instanceof yaml.YAMLException ? e.reason : String(e);
    const line = e instanceof yaml.YAMLException ? ` at line ${e.mark.line + 1}` : '';
    throw new UsageError(`${source}: malformed YAML${line}: ${reason}`);
  }
}

/** Validates every document; throws a one-line UsageError on the first problem, else returns the pods and warnings. */
export function validatePodManifests(text: string, source: string): ValidatedPods {
  const docs = parseStream(text, source);
  if (docs.length === 0) throw new UsageError(`${source}: no YAML document found; expected one or more Pod manifests`);
  const pods: UserPod[] = [];
  const warnings: string[] = [];
  const files = new Map<string, string>();
  docs.forEach((doc, i) => {
    const where = docs.length === 1 ? source : `${source}: document ${i + 1}`;
    const pod = checkPod(doc, where);
    const file = `${pod.metadata.name}.yaml`;
    const previous = files.get(file);
    if (previous !== undefined) throw new UsageError(`${where}: metadata.name ${show(pod.metadata.name)} is also the name of ${previous}; each pod is written to NAME.yaml, so names must be unique`);
    files.set(file, where);
    warnings.push(...staticPodWarnings(pod, `${where} (pod ${pod.metadata.name})`));
    pods.push(pod);
  });
  return { pods, warnings };
}

function checkPod(doc: unknown, where: string): UserPod {
  if (!isObj(doc)) throw new UsageError(`${where}: expected a Pod manifest (a mapping), got ${Array.isArray(doc) ? 'a list' : show(doc)}`);
  const { kind, apiVersion } = doc;
  if (kind !== 'Pod') {
    const what = typeof kind === 'string' && kind !== '' ? kind : 'object without kind';
    throw new UsageError(
      `${where}: kind: ${show(kind ?? null)} is refused: static pods are pods only: the kubelet has no controller for a ${what}; write a kind: Pod (apiVersion: v1), or run the ${what} on a cluster`,
    );
  }
  if (apiVersion !== 'v1') throw new UsageError(`${where}: apiVersion: invalid value ${show(apiVersion ?? null)}: a Pod is apiVersion v1`);
  const metadata = doc.metadata;
  if (!isObj(metadata)) throw new UsageError(`${where}: metadata: missing; a static pod needs metadata.name`);
  const { name, namespace } = metadata;
  if (name === undefined) throw new UsageError(`${where}: metadata.name: missing${metadata.generateName !== undefined ? ' (generateName is not enough: the kubelet names static pods from their manifest)' : ''}`);
  if (typeof name !== 'string' || !isDns1123Subdomain(name)) {
    throw new UsageError(`${where}: metadata.name: invalid value ${show(name)}: must be a lowercase DNS-1123 subdomain (a-z, 0-9, "-" and ".", at most 253 characters)`);
  }
  const reserved = reservedFor(`${name}.yaml`);
  if (reserved === 'control plane') {
    throw new UsageError(`${where}: metadata.name: ${show(name)} is refused: ${name}.yaml is the control plane's manifest (managed by "nodeadm init" and "nodeadm reset")`);
  }
  if (reserved === 'scheduler') {
    throw new UsageError(`${where}: metadata.name: ${show(name)} is refused: ${name}.yaml is an extra scheduler's manifest (use "nodeadm add-scheduler" / "nodeadm remove-scheduler")`);
  }
  if (namespace !== undefined && (typeof namespace !== 'string' || !isDns1123Label(namespace))) {
    throw new UsageError(`${where}: metadata.namespace: invalid value ${show(namespace)}: must be a lowercase DNS-1123 label (a-z, 0-9 and "-", at most 63 characters)`);
  }
  const annotations = metadata.annotations ?? {};
  if (!isObj(annotations) || Object.values(annotations).some((v) => typeof v !== 'string')) {
    throw new UsageError(`${where}: metadata.annotations: must be a mapping of strings to strings`);
  }
  const spec = doc.spec;
  if (!isObj(spec)) throw new UsageError(`${where}: spec: missing; a Pod needs spec.containers`);
  checkContainers(spec, where);
  return {
    ...doc,
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...metadata, name, annotations: { ...(annotations as Record<string, string>), [OWNER_ANNOTATION]: USER_OWNER } },
    spec,
  } as UserPod;
}

function checkContainers(spec: Obj, where: string): void {
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) throw new UsageError(`${where}: spec.containers: a Pod needs at least one container`);
  const seen = new Set<string>();
  for (const field of ['initContainers', 'containers'] as const) {
    if (spec[field] !== undefined && !Array.isArray(spec[field])) throw new UsageError(`${where}: spec.${field}: expected a list of containers`);
    list(spec[field]).forEach((c, i) => {
      const at = `${where}: spec.${field}[${i}]`;
      if (!isObj(c)) throw new UsageError(`${at}: expected a container (a mapping)`);
      if (typeof c.name !== 'string' || !isDns1123Label(c.name)) throw new UsageError(`${at}.name: invalid value ${show(c.name ?? null)}: must be a lowercase DNS-1123 label`);
      if (seen.has(c.name)) throw new UsageError(`${at}.name: ${show(c.name)} is used twice; container names must be unique in a pod`);
      seen.add(c.name);
      if (typeof c.image !== 'string' || c.image.trim() === '') throw new UsageError(`${at}.image: missing; a static pod container needs an image`);
    });
  }
}

const CANNOT = 'a static pod cannot use it (a standalone kubelet has no API server to read it from, and an API server refuses such a mirror pod): the pod will not start';

/** Fields a static pod cannot use: warnings, because the user may be preparing for something else. */
export function staticPodWarnings(pod: UserPod, where: string): string[] {
  const spec = pod.spec;
  const out: string[] = [];
  const sa = spec.serviceAccountName ?? spec.serviceAccount;
  if (sa !== undefined) out.push(`${where}: spec.serviceAccountName ${show(sa)} refers to a ServiceAccount; ${CANNOT}`);
  if (list(spec.imagePullSecrets).length > 0) out.push(`${where}: spec.imagePullSecrets refers to Secrets; ${CANNOT}`);
  if (spec.ephemeralContainers !== undefined) out.push(`${where}: spec.ephemeralContainers: the kubelet does not run ephemeral containers from a manifest (they are added through the API)`);
  list(spec.volumes).forEach((v, i) => {
    if (!isObj(v)) return;
    for (const kind of ['secret', 'configMap', 'projected', 'persistentVolumeClaim'] as const) {
      if (v[kind] !== undefined) out.push(`${where}: spec.volumes[${i}] (${String(v.name)}) is a ${kind} volume; ${CANNOT}`);
    }
  });
  for (const field of ['initContainers', 'containers'] as const) {
    list(spec[field]).forEach((c, i) => {
      if (!isObj(c)) return;
      const at = `${where}: spec.${field}[${i}] (${String(c.name)})`;
      list(c.envFrom).forEach((e, j) => {
        if (isObj(e) && (e.configMapRef !== undefined || e.secretRef !== undefined)) out.push(`${at}.envFrom[${j}] refers to a ${e.secretRef !== undefined ? 'Secret' : 'ConfigMap'}; ${CANNOT}`);
      });
      list(c.env).forEach((e, j) => {
        const from = isObj(e) && isObj(e.valueFrom) ? e.valueFrom : undefined;
        if (from && (from.configMapKeyRef !== undefined || from.secretKeyRef !== undefined)) {
          out.push(`${at}.env[${j}] (${String((e as Obj).name)}) takes its value from a ${from.secretKeyRef !== undefined ? 'Secret' : 'ConfigMap'}; ${CANNOT}`);
        }
      });
    });
  }
  return out;
}
