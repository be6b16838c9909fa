/**
 * Per-component extraArgs and kubelet config overrides: checked against the component's flags
 * for the chosen version (exit 2 with the nearest name), merged after the sorted defaults, and
 * every weakened CIS default warned about by name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { acceptedFlags, editDistance, nearestFlag } from '../../src/manifests/flags/index.js';
import { mergeArgs } from '../../src/manifests/extra-args.js';
import { buildApiServerPod, buildControllerManagerPod, buildEtcdPod, buildSchedulerPod } from '../../src/manifests/index.js';
import { kubeletFlags } from '../../src/manifests/kubelet.js';
import { deriveValues } from '../../src/config/derive.js';
import { resolveVersion, VERSIONS } from '../../src/versions/index.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempRoot('nodeadm-extraargs-');
});
afterAll(async () => {
  await cleanup(dir);
});

let n = 0;
async function initWith(configBody: string, version = 'v1.36'): Promise<{ code: number; out: string; err: string; root: string }> {
  const file = join(dir, `config-${++n}.yaml`);
  // ECDSA keys: the inits here are about flags, and P-256 keys generate in a fraction of RSA time.
  await writeFile(file, `apiVersion: nodeadm.io/v1alpha1\nkind: NodeConfiguration\nkubernetesVersion: ${version}\nencryptionAlgorithm: ECDSA-P256\n${configBody}`);
  const root = join(dir, `node-${n}`);
  return { ...(await runCli(['init', '--root', root, ...BASE_ARGS, '--config', file])), root };
}

async function command(root: string, pod: string): Promise<string[]> {
  const doc = yaml.load(await readFile(join(root, 'etc/kubernetes/manifests', `${pod}.yaml`), 'utf8')) as { spec: { containers: { command: string[] }[] } };
  return doc.spec.containers[0]!.command;
}

describe('flag tables', () => {
  it('accept what each component takes in the chosen version only', () => {
    const v135 = resolveVersion('v1.35').info;
    const v134 = resolveVersion('v1.34').info;
    expect(acceptedFlags('kube-apiserver', v135).has('min-compatibility-version')).toBe(true);
    expect(acceptedFlags('kube-apiserver', v134).has('min-compatibility-version')).toBe(false);
    expect(acceptedFlags('kubelet', v134).has('pod-infra-container-image')).toBe(true);
    expect(acceptedFlags('kubelet', v135).has('pod-infra-container-image')).toBe(false);
    expect(acceptedFlags('etcd', resolveVersion('v1.33').info).has('enable-v2')).toBe(true);
    expect(acceptedFlags('etcd', v134).has('enable-v2')).toBe(false);
    // Scheduler and apiserver flags are not interchangeable.
    expect(acceptedFlags('kube-scheduler', v135).has('audit-log-path')).toBe(false);
  });

  it.each(VERSIONS.map((v) => `v${v.minor}`))('%s: accept every flag nodeadm itself writes', (version) => {
    const config = sampleConfig(version, { extraSchedulers: [] });
    const derived = deriveValues(config);
    const pods = [
      ['kube-apiserver', buildApiServerPod(config, derived, { caCertDirs: [] })],
      ['kube-controller-manager', buildControllerManagerPod(config, derived, { caCertDirs: [] })],
      ['kube-scheduler', buildSchedulerPod(config, derived)],
      ['etcd', buildEtcdPod(config, derived)],
    ] as const;
    for (const [component, pod] of pods) {
      const accepted = acceptedFlags(component, config.kubernetesVersion.info);
      for (const arg of pod.spec.containers[0]!.command.slice(1)) expect(accepted.has(arg.replace(/^--/, '').split('=')[0]!), `${version} ${component} ${arg}`).toBe(true);
    }
    const kubeletAccepted = acceptedFlags('kubelet', config.kubernetesVersion.info);
    for (const name of Object.keys(kubeletFlags(config))) expect(kubeletAccepted.has(name), `${version} kubelet --${name}`).toBe(true);
  });

  it('name the nearest flag by edit distance', () => {
    expect(editDistance('profilng', 'profiling')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearestFlag('audit-log-max-age', acceptedFlags('kube-apiserver', resolveVersion('v1.36').info))).toBe('audit-log-maxage');
  });
});

describe('extraArgs input', () => {
  it.each([
    ['apiServer', 'profilng', 'kube-apiserver', '--profiling'],
    ['controllerManager', 'terminated-pod-gc-treshold', 'kube-controller-manager', '--terminated-pod-gc-threshold'],
    ['scheduler', 'leader-elekt', 'kube-scheduler', '--leader-elect'],
    ['etcd', 'snapshot-cont', 'etcd', '--snapshot-count'],
    ['kubelet', 'max-pod', 'kubelet', '--max-pods'],
  ])('%s.extraArgs: misspelt %s exits 2 naming the nearest flag', async (section, flag, component, nearest) => {
    const r = await initWith(`${section}:\n  extraArgs:\n    - name: ${flag}\n      value: "1"\n`);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${section}.extraArgs[0].name`);
    expect(r.err).toContain(`${component} v1.36.5 has no flag --${flag}; did you mean ${nearest}?`);
  });

  it('refuses a flag the chosen version does not have (kubelet --pod-infra-container-image on v1.35)', async () => {
    const r = await initWith('kubelet:\n  extraArgs:\n    pod-infra-container-image: registry.k8s.io/pause:3.10\n', 'v1.35');
    expect(r.code).toBe(2);
    expect(r.err).toContain('kubelet.extraArgs.pod-infra-container-image: kubelet v1.35.5 has no flag --pod-infra-container-image');
  });

  it.each([
    ['a name with dashes', 'apiServer:\n  extraArgs:\n    - name: --profiling\n      value: "false"\n', 'without the leading dashes'],
    ['a list item without a name', 'apiServer:\n  extraArgs:\n    - value: "false"\n', 'apiServer.extraArgs[0].name: missing'],
    ['an unknown item field', 'apiServer:\n  extraArgs:\n    - name: profiling\n      vaule: "false"\n', 'unknown field "vaule"'],
    ['a scalar', 'etcd:\n  extraArgs: snapshot-count=5\n', 'etcd.extraArgs: expected a list'],
    ['a kubelet value with a space', 'kubelet:\n  extraArgs:\n    node-labels: "a=b c=d"\n', 'whitespace'],
    ['an unknown kubelet config field', 'kubelet:\n  config:\n    podPidLimit: 100\n', 'did you mean "podPidsLimit"?'],
    ['a kubelet staticPodPath override', 'kubelet:\n  config:\n    staticPodPath: /tmp\n', 'kubelet.config.staticPodPath: set by nodeadm'],
    ['an unknown section field', 'etcd:\n  extraArg: {}\n', 'unknown field "etcd.extraArg"'],
  ])('refuses %s with exit 2 and writes nothing', async (_what, body, message) => {
    const r = await initWith(body);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    await expect(readFile(join(r.root, 'etc/kubernetes/manifests/kube-apiserver.yaml'))).rejects.toThrow();
  });
});

describe('extraArgs in the manifests', () => {
  it('keeps the defaults sorted, drops the overridden ones and appends the user args in order, values as data', async () => {
    const r = await initWith(
      [
        'apiServer:',
        '  extraArgs:',
        '    - name: service-account-issuer',
        '      value: https://new.example',
        '    - name: service-account-issuer',
        '      value: https://kubernetes.default.svc.cluster.local',
        '    - name: v',
        '      value: 2',
        '    - name: oidc-username-prefix',
        '      value: "x --anonymous-auth=true"',
        '',
      ].join('\n'),
    );
    expect(r.code, r.err).toBe(0);
    const cmd = await command(r.root, 'kube-apiserver');
    expect(cmd.slice(-4)).toEqual([
      '--service-account-issuer=https://new.example',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--v=2',
      '--oidc-username-prefix=x --anonymous-auth=true',
    ]);
    const defaults = cmd.slice(1, -4);
    expect(defaults).toEqual([...defaults].sort());
    expect(cmd.filter((a) => a.startsWith('--service-account-issuer='))).toHaveLength(2);
    expect(cmd.some((a) => a === '--anonymous-auth=true')).toBe(false);
  });

  it('mergeArgs replaces a default by name', () => {
    expect(mergeArgs({ b: '2', a: '1' }, [{ name: 'b', value: '3' }])).toEqual(['--a=1', '--b=3']);
  });

  it('turns hardening off through extraArgs and kubelet.config, with a warning naming each CIS check', async () => {
    const r = await initWith(
      [
        'apiServer:',
        '  extraArgs:',
        '    profiling: "true"',
        '    audit-policy-file: ""',
        '    audit-log-path: ""',
        '    encryption-provider-config: ""',
        '    audit-log-maxage: "7"',
        'controllerManager:',
        '  extraArgs:',
        '    profiling: "true"',
        'scheduler:',
        '  extraArgs:',
        '    profiling: "true"',
        'etcd:',
        '  extraArgs:',
        '    client-cert-auth: "false"',
        'kubelet:',
        '  extraArgs:',
        '    read-only-port: "10255"',
        '  config:',
        '    seccompDefault: false',
        '    podPidsLimit: -1',
        '',
      ].join('\n'),
    );
    expect(r.code, r.err).toBe(0);
    const all = `${r.out}\n${r.err}`;
    for (const cis of ['1.2.15', '1.2.16', '1.2.17', '1.2.27', '3.2.1', '1.3.2', '1.4.1', '2.2', '4.2.4', '4.2.13', '4.2.14']) {
      expect(all, `warning for CIS ${cis}`).toContain(`CIS ${cis} `);
    }
    expect(all).toContain('kube-apiserver --profiling=true weakens CIS 1.2.15');
    const cmd = await command(r.root, 'kube-apiserver');
    expect(cmd).toContain('--profiling=true');
    expect(cmd).not.toContain('--profiling=false');
    // Turned off: no file written, nothing mounted.
    await expect(readFile(join(r.root, 'etc/kubernetes/encryption-config.yaml'))).rejects.toThrow();
    await expect(readFile(join(r.root, 'etc/kubernetes/audit-policy.yaml'))).rejects.toThrow();
    const pod = await readFile(join(r.root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8');
    expect(pod).not.toContain('name: audit-policy');
    expect(pod).not.toContain('name: audit-log');
    expect(pod).not.toContain('name: encryption-config');
    const kubeletConfig = yaml.load(await readFile(join(r.root, 'var/lib/kubelet/config.yaml'), 'utf8')) as Record<string, unknown>;
    expect(kubeletConfig.seccompDefault).toBe(false);
    expect(kubeletConfig.podPidsLimit).toBe(-1);
    expect(kubeletConfig.readOnlyPort).toBe(0);
    expect(await readFile(join(r.root, 'var/lib/kubelet/nodeadm-flags.env'), 'utf8')).toContain('--read-only-port=10255');
  });

  it('does not warn for the defaults or for a setting that keeps the check passing', async () => {
    const r = await initWith('apiServer:\n  extraArgs:\n    audit-log-maxage: "90"\nkubelet:\n  config:\n    podPidsLimit: 1024\n');
    expect(r.code, r.err).toBe(0);
    expect(`${r.out}\n${r.err}`).not.toContain('weakens CIS');
  });
});
