import { deriveValues } from '../../src/config/derive.js';
import type { NodeConfig } from '../../src/config/types.js';
import type { Container, Pod, Probe } from '../../src/manifests/k8s-types.js';
import { sampleConfig } from '../fixtures/node-config.js';

/** The CA directories a Debian/Ubuntu host has, as the control-plane phase would find them. */
export const DEBIAN_CA_DIRS = ['/etc/ca-certificates', '/usr/share/ca-certificates', '/usr/local/share/ca-certificates'];

export function input(version = 'v1.36', overrides: Partial<NodeConfig> = {}) {
  const config = sampleConfig(version, overrides);
  return { config, derived: deriveValues(config) };
}

export function container(pod: Pod): Container {
  const [c] = pod.spec.containers;
  if (!c || pod.spec.containers.length !== 1) throw new Error(`${pod.metadata.name}: expected exactly one container`);
  return c;
}

/** `--name=value` flags of the pod's command as a map (the binary is dropped). */
export function flagsOf(pod: Pod): Map<string, string> {
  const [, ...args] = container(pod).command;
  return new Map(
    args.map((a) => {
      const m = /^--([^=]+)=(.*)$/s.exec(a);
      if (!m) throw new Error(`not a --name=value flag: ${a}`);
      return [m[1]!, m[2]!];
    }),
  );
}

export function probesOf(c: Container): Probe[] {
  return [c.livenessProbe, c.readinessProbe, c.startupProbe].filter((p): p is Probe => p !== undefined);
}

/** Problems with the pod's internal references; empty when it is sane. */
export function shapeProblems(pod: Pod): string[] {
  const problems: string[] = [];
  const volumeNames = new Set(pod.spec.volumes.map((v) => v.name));
  for (const c of pod.spec.containers) {
    const portNames = new Set((c.ports ?? []).map((p) => p.name));
    for (const p of probesOf(c)) {
      if (typeof p.httpGet.port === 'string' && !portNames.has(p.httpGet.port)) {
        problems.push(`${c.name}: probe port ${p.httpGet.port} is not a container port`);
      }
    }
    for (const m of c.volumeMounts) {
      if (!volumeNames.has(m.name)) problems.push(`${c.name}: mount ${m.name} has no volume`);
    }
  }
  for (const v of pod.spec.volumes) {
    if (!pod.spec.containers.some((c) => c.volumeMounts.some((m) => m.name === v.name))) problems.push(`volume ${v.name} is not mounted`);
  }
  return problems;
}
