/**
 * The scheduler config must decode strictly in kube-scheduler: every key nodeadm writes is
 * checked against the field names of the upstream Go types (fixtures/…types.go.txt), read
 * independently of the list the source keeps.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildSchedulerConfiguration,
  KSC_V1_FIELDS,
  parseUserProfile,
  unknownFields,
} from '../../src/schedulers/scheduler-config.js';
import { fromYaml, toYaml } from '../../src/manifests/yaml.js';

interface GoStruct {
  fields: Map<string, string>;
}

/** type X struct { Field T `json:"name,..."` } → X: name → T (inline members merged). */
function parseGoStructs(text: string): Map<string, GoStruct> {
  const raw = new Map<string, Array<{ json: string; type: string }>>();
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields: Array<{ json: string; type: string }> = [];
    for (const line of m[2]!.split('\n')) {
      const f = /^\s+(?:(\w+)\s+)?([\w.*[\]]+)\s+`json:"([^",]*)/.exec(line);
      if (f) fields.push({ json: f[3]!, type: f[2]! });
    }
    raw.set(m[1]!, fields);
  }
  const resolve = (name: string): Map<string, string> => {
    const out = new Map<string, string>();
    for (const f of raw.get(name) ?? []) {
      if (f.json === '') for (const [k, v] of resolve(baseType(f.type))) out.set(k, v);
      else out.set(f.json, baseType(f.type));
    }
    return out;
  };
  return new Map([...raw.keys()].map((name) => [name, { fields: resolve(name) }]));
}

function baseType(goType: string): string {
  return goType.replace(/^[*[\]]+/, '').replace(/^\w+\./, '');
}

const UPSTREAM = parseGoStructs(readFileSync(new URL('./fixtures/kube-scheduler-config-v1-types.go.txt', import.meta.url), 'utf8'));

/** Paths of keys the upstream types do not have. */
function notUpstream(value: unknown, type: string, at = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => notUpstream(v, type, `${at}[${i}]`));
  const struct = UPSTREAM.get(type);
  if (struct === undefined || value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = at ? `${at}.${key}` : key;
    const childType = struct.fields.get(key);
    return childType === undefined ? [path] : notUpstream(child, childType, path);
  });
}

const PROFILE = `
plugins:
  multiPoint:
    enabled:
      - name: NodeResourcesFit
        weight: 2
  score:
    disabled:
      - name: NodeResourcesBalancedAllocation
pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
        resources:
          - name: cpu
            weight: 1
percentageOfNodesToScore: 50
`;

describe('KubeSchedulerConfiguration v1 field names', () => {
  it('the upstream fixture parses into the types it should', () => {
    expect([...UPSTREAM.get('KubeSchedulerConfiguration')!.fields.keys()]).toContain('enableProfiling'); // inline DebuggingConfiguration
    expect(UPSTREAM.get('KubeSchedulerConfiguration')!.fields.get('profiles')).toBe('KubeSchedulerProfile');
    expect(UPSTREAM.get('Plugins')!.fields.size).toBe(13);
  });

  it('the list nodeadm validates user input with is exactly the upstream field set', () => {
    for (const [type, fields] of Object.entries(KSC_V1_FIELDS)) {
      expect([...fields].sort(), type).toEqual([...UPSTREAM.get(type)!.fields.keys()].sort());
    }
  });

  it.each([
    ['leader election off', { name: 'bin-packer', leaderElect: false }],
    ['leader election on', { name: 'gpu', leaderElect: true }],
    ['with a full profile and top-level tuning', { name: 'gpu', leaderElect: true, profile: parseUserProfile(`apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nparallelism: 8\npodMaxBackoffSeconds: 20\nprofiles:\n${PROFILE.replace(/^/gm, '    ').replace(/^ {4}plugins/m, '  - plugins')}`, 'gpu', 'test') }],
  ])('every key written (%s) is a v1 field', (_label, opts) => {
    const written = fromYaml(toYaml(buildSchedulerConfiguration(opts)));
    expect(notUpstream(written, 'KubeSchedulerConfiguration')).toEqual([]);
    expect(unknownFields(written)).toEqual([]);
  });

  it('the walker finds a misspelt key at any depth (so the checks above can fail)', () => {
    const bad = { apiVersion: 'x', profiles: [{ schedulerName: 'a', plugins: { score: { enabled: [{ name: 'x', wieght: 1 }] } } }], leaderElection: { leaderElection: true } };
    expect(notUpstream(bad, 'KubeSchedulerConfiguration')).toEqual(['profiles[0].plugins.score.enabled[0].wieght', 'leaderElection.leaderElection']);
    expect(unknownFields(bad)).toEqual(['profiles[0].plugins.score.enabled[0].wieght', 'leaderElection.leaderElection']);
  });
});

describe('buildSchedulerConfiguration', () => {
  it('uses scheduler.conf, lease N in kube-system, no profiling, one profile named N', () => {
    const cfg = buildSchedulerConfiguration({ name: 'bin-packer', leaderElect: false });
    expect(cfg).toEqual({
      apiVersion: 'kubescheduler.config.k8s.io/v1',
      kind: 'KubeSchedulerConfiguration',
      clientConnection: { kubeconfig: '/etc/kubernetes/scheduler.conf' },
      enableProfiling: false,
      leaderElection: { leaderElect: false, resourceLock: 'leases', resourceName: 'bin-packer', resourceNamespace: 'kube-system' },
      profiles: [{ schedulerName: 'bin-packer' }],
    });
    expect(buildSchedulerConfiguration({ name: 'gpu', leaderElect: true }).leaderElection).toMatchObject({ leaderElect: true, resourceName: 'gpu' });
  });

  it('merges a single profile: plugins and pluginConfig kept, schedulerName set', () => {
    const cfg = buildSchedulerConfiguration({ name: 'gpu', leaderElect: false, profile: parseUserProfile(PROFILE, 'gpu', 'p.yaml') });
    const [profile] = cfg.profiles as Array<Record<string, unknown>>;
    expect(profile).toEqual({ ...(fromYaml(PROFILE) as object), schedulerName: 'gpu' });
    expect(cfg.clientConnection).toEqual({ kubeconfig: '/etc/kubernetes/scheduler.conf' });
  });

  it('merges a whole KubeSchedulerConfiguration: its tuning kept, schedulerName matching', () => {
    const text = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nparallelism: 8\nenableProfiling: true\nprofiles:\n  - schedulerName: gpu\n    plugins:\n      score:\n        enabled:\n          - name: ImageLocality\n';
    const cfg = buildSchedulerConfiguration({ name: 'gpu', leaderElect: true, profile: parseUserProfile(text, 'gpu', 'p.yaml') });
    expect(cfg.parallelism).toBe(8);
    expect(cfg.enableProfiling).toBe(true); // the user's explicit choice wins over nodeadm's default
    expect(cfg.profiles).toEqual([{ plugins: { score: { enabled: [{ name: 'ImageLocality' }] } }, schedulerName: 'gpu' }]);
    expect(cfg.leaderElection).toMatchObject({ leaderElect: true, resourceName: 'gpu' });
  });
});

describe('parseUserProfile accepts', () => {
  it("the README's bin-packing profile", () => {
    const text = 'plugins:\n  score:\n    disabled:\n      - name: NodeResourcesBalancedAllocation\npluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: MostAllocated\n        resources:\n          - name: cpu\n            weight: 1\n          - name: memory\n            weight: 1\n';
    const { profile, topLevel } = parseUserProfile(text, 'bin-packer', 'p.yaml');
    expect(topLevel).toEqual({});
    expect(profile).toEqual(fromYaml(text));
    expect(notUpstream(buildSchedulerConfiguration({ name: 'bin-packer', leaderElect: false, profile: { profile, topLevel } }), 'KubeSchedulerConfiguration')).toEqual([]);
  });
});

describe('parseUserProfile refuses', () => {
  const full = (body: string): string => `apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n${body}`;
  it.each([
    ['malformed YAML', 'plugins: [', /malformed YAML/],
    ['an empty file', '\n', /is empty/],
    ['not a mapping', '- a\n- b', /expected a KubeSchedulerConfiguration or a single scheduler profile/],
    ['two documents', 'plugins: {}\n---\nplugins: {}\n', /one YAML document/],
    ['a wrong apiVersion', 'apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n', /apiVersion: invalid value "kubescheduler.config.k8s.io\/v1beta3"/],
    ['a wrong kind', 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeProxyConfiguration\n', /kind: invalid value "KubeProxyConfiguration"/],
    ['several profiles', full('profiles:\n  - schedulerName: gpu\n  - schedulerName: other\n'), /has 2 profiles/],
    ['another scheduler name', 'schedulerName: other\n', /schedulerName: invalid value "other"/],
    ['another scheduler name in a full config', full('profiles:\n  - schedulerName: default-scheduler\n'), /schedulerName: invalid value "default-scheduler"/],
    ['clientConnection (nodeadm owns it)', full('clientConnection:\n  kubeconfig: /x\n'), /clientConnection: is set by nodeadm/],
    ['leaderElection (nodeadm owns it)', full('leaderElection:\n  leaderElect: true\n'), /leaderElection: is set by nodeadm/],
    ['an unknown profile field', 'plugin:\n  score: {}\n', /unknown field "plugin"/],
    ['an unknown extension point', 'plugins:\n  scoring: {}\n', /unknown field "plugins.scoring"/],
    ['an unknown top-level field', full('schedulerName: gpu\n'), /unknown field "schedulerName"/],
    ['a plugin without a name', 'plugins:\n  score:\n    enabled:\n      - weight: 2\n', /plugins.score.enabled\[0\]: expected \{name, weight\?\}/],
    ['a non-integer weight', 'plugins:\n  score:\n    enabled:\n      - name: A\n        weight: heavy\n', /weight: invalid value "heavy"/],
    ['pluginConfig twice for one plugin', 'pluginConfig:\n  - name: A\n  - name: A\n', /configured twice/],
    ['a percentage over 100', 'percentageOfNodesToScore: 150\n', /percentageOfNodesToScore: invalid value 150/],
  ])('%s', (_label, text, message) => {
    expect(() => parseUserProfile(text, 'gpu', 'p.yaml')).toThrow(message);
  });
});
