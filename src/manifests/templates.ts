/**
 * Loads the static shapes in templates/manifests/: each file is read and parsed once, and every
 * caller gets its own deep copy, so a builder can never change what the next one sees.
 * Paths are relative to this module: the bundle (dist/bundle/) sits at the depth of src/<dir>/,
 * so the same URL finds templates/ from the source and from the built CLI.
 */
import { readFileSync } from 'node:fs';
import type { KubeletConfiguration, Pod, Probe } from './k8s-types.js';
import { fromYaml } from './yaml.js';

const TEMPLATE_DIR = new URL('../../templates/manifests/', import.meta.url);

/** Probe timings; the builders add httpGet. */
export type ProbeTimings = Omit<Probe, 'httpGet'>;

/** The YAML templates and the shape each one holds. */
export interface YamlTemplates {
  'control-plane-pod.yaml': Pick<Pod, 'apiVersion' | 'kind'> & {
    metadata: { namespace: string; labels: Record<string, string> };
    spec: Omit<Pod['spec'], 'containers' | 'volumes'>;
  };
  'probes.yaml': { liveness: ProbeTimings; readiness: ProbeTimings; startup: ProbeTimings };
  'kubelet-config.yaml': Omit<
    KubeletConfiguration,
    | 'clusterDNS'
    | 'clusterDomain'
    | 'containerRuntimeEndpoint'
    | 'resolvConf'
    | 'makeIPTablesUtilChains'
    | 'podPidsLimit'
    | 'readOnlyPort'
    | 'seccompDefault'
    | 'streamingConnectionIdleTimeout'
    | 'tlsCertFile'
    | 'tlsCipherSuites'
    | 'tlsPrivateKeyFile'
  >;
}

export type TextTemplate = '10-nodeadm.conf';

const textCache = new Map<string, string>();
const yamlCache = new Map<string, unknown>();

/** The absolute path of a template file (for error messages and tests). */
export function templatePath(file: string): string {
  return new URL(file, TEMPLATE_DIR).pathname;
}

function readTemplate(file: string): string {
  let text = textCache.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(new URL(file, TEMPLATE_DIR), 'utf8');
    } catch (err) {
      // A missing template is a broken installation, not bad input.
      throw new Error(`nodeadm template ${templatePath(file)} cannot be read: ${(err as Error).message}`);
    }
    textCache.set(file, text);
  }
  return text;
}

/** A static text template, verbatim. */
export function loadTextTemplate(file: TextTemplate): string {
  return readTemplate(file);
}

/** A YAML template as a fresh object. */
export function loadYamlTemplate<K extends keyof YamlTemplates>(file: K): YamlTemplates[K] {
  let parsed = yamlCache.get(file);
  if (parsed === undefined) {
    parsed = fromYaml(readTemplate(file));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`nodeadm template ${templatePath(file)} is not a YAML mapping`);
    }
    yamlCache.set(file, parsed);
  }
  return structuredClone(parsed) as YamlTemplates[K];
}
