/**
 * A node folder from `init --root` against every CIS check nodeadm's files decide (checks.ts):
 * each passes, except the few nodeadm leaves failing on purpose, which must fail for the
 * documented reason (so the table notices when that changes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';
import { CHECKS } from './checks.js';
import { evaluate, kubeletSource, manifestFlags, type FlagSource, type KubeletSource } from './evaluate.js';

let dir: string;
let root: string;
let flags: FlagSource;
let kubelet: KubeletSource;

beforeAll(async () => {
  dir = await tempRoot('nodeadm-cis-');
  root = join(dir, 'node');
  const init = await runCli(['init', '--root', root, ...BASE_ARGS]);
  expect(init.code, init.err).toBe(0);
  flags = await manifestFlags(root);
  kubelet = await kubeletSource(root);
}, 30_000);

afterAll(async () => {
  await cleanup(dir);
});

describe('CIS checks on a node folder from init --root', () => {
  it('covers every scored check of the reference table', () => {
    const scored = CHECKS.filter((c) => c.scored).map((c) => c.id);
    // The 64 automated (scored) rows of cis-checks.md's table.
    const reference = `1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 1.1.7 1.1.8 1.1.11 1.1.12 1.1.13 1.1.14 1.1.15 1.1.16 1.1.17 1.1.18
      1.1.19 1.2.2 1.2.4 1.2.5 1.2.6 1.2.7 1.2.8 1.2.10 1.2.12 1.2.13 1.2.14 1.2.15 1.2.16 1.2.17 1.2.18 1.2.19 1.2.21 1.2.22
      1.2.23 1.2.24 1.2.25 1.2.26 1.2.30 1.3.2 1.3.3 1.3.4 1.3.5 1.3.6 1.3.7 1.4.1 1.4.2 2.1 2.2 2.3 2.4 2.5 2.6 4.1.1 4.1.2
      4.1.5 4.1.6 4.1.9 4.1.10 4.2.1 4.2.2 4.2.3 4.2.6 4.2.10`.split(/\s+/);
    expect(scored).toEqual(reference);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
  });

  it.each(CHECKS.map((c) => [`${c.id}${c.scored ? '' : ' (manual)'}`, c] as const))('%s', async (_name, check) => {
    const outcome = await evaluate(check, root, flags, kubelet);
    if (check.expect) expect(outcome.pass, `${check.id} passes now; drop its expected failure (${check.expect.fail})`).toBe(false);
    else expect(outcome.pass, `${check.id}: ${outcome.detail}`).toBe(true);
  });

  it('1.2.28: the encryption config starts with secretbox and parses as an EncryptionConfiguration', async () => {
    const path = flags.apiserver.get('encryption-provider-config')!;
    const doc = yaml.load(await readFile(join(root, path), 'utf8')) as {
      apiVersion: string;
      kind: string;
      resources: { resources: string[]; providers: Record<string, { keys?: { name: string; secret: string }[] }>[] }[];
    };
    expect(doc.apiVersion).toBe('apiserver.config.k8s.io/v1');
    expect(doc.kind).toBe('EncryptionConfiguration');
    const secrets = doc.resources.find((r) => r.resources.includes('secrets'))!;
    const first = Object.keys(secrets.providers[0]!)[0]!;
    expect(['aescbc', 'kms', 'secretbox']).toContain(first);
    expect(Object.keys(secrets.providers.at(-1)!)).toEqual(['identity']);
    expect(Buffer.from(secrets.providers[0]![first]!.keys![0]!.secret, 'base64')).toHaveLength(32);
  });

  it('3.2.2: the audit policy parses as an audit.k8s.io/v1 Policy that keeps secret bodies out of the log', async () => {
    const doc = yaml.load(await readFile(join(root, flags.apiserver.get('audit-policy-file')!), 'utf8')) as {
      apiVersion: string;
      kind: string;
      rules: { level: string; resources?: { group: string; resources: string[] }[] }[];
    };
    expect(doc.apiVersion).toBe('audit.k8s.io/v1');
    expect(doc.kind).toBe('Policy');
    const levels = ['None', 'Metadata', 'Request', 'RequestResponse'];
    for (const rule of doc.rules) expect(levels).toContain(rule.level);
    // The first rule that names secrets (first match wins) is Metadata; the last rule catches all.
    const secretsRule = doc.rules.find((r) => r.resources?.some((g) => g.group === '' && g.resources.includes('secrets')));
    expect(secretsRule?.level).toBe('Metadata');
    const execRule = doc.rules.find((r) => r.resources?.some((g) => g.resources.includes('pods/exec')));
    expect(execRule?.level).toBe('Request');
    expect(doc.rules.at(-1)).toEqual({ level: 'Metadata' });
  });

  it('mounts every hardening file into the apiserver pod', async () => {
    const pod = yaml.load(await readFile(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8')) as {
      spec: { volumes: { name: string; hostPath: { path: string; type: string } }[] };
    };
    const byPath = new Map(pod.spec.volumes.map((v) => [v.hostPath.path, v.hostPath.type]));
    expect(byPath.get(flags.apiserver.get('audit-policy-file')!)).toBe('File');
    expect(byPath.get(flags.apiserver.get('encryption-provider-config')!)).toBe('File');
    expect(byPath.get('/var/log/kubernetes/audit')).toBe('DirectoryOrCreate');
  });
});
