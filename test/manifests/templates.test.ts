import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTextTemplate, loadYamlTemplate, templatePath } from '../../src/manifests/templates.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

describe('templates', () => {
  it('resolve under <repo>/templates/manifests', () => {
    expect(templatePath('probes.yaml')).toBe(join(repo, 'templates/manifests/probes.yaml'));
  });

  it('hand out deep copies: a builder cannot change what the next one gets', () => {
    const a = loadYamlTemplate('control-plane-pod.yaml');
    a.metadata.labels.tier = 'changed';
    a.spec.securityContext.seccompProfile.type = 'Unconfined' as 'RuntimeDefault';
    const b = loadYamlTemplate('control-plane-pod.yaml');
    expect(b.metadata.labels.tier).toBe('control-plane');
    expect(b.spec.securityContext.seccompProfile.type).toBe('RuntimeDefault');
  });

  it('hold the shapes the builders expect', () => {
    expect(loadYamlTemplate('control-plane-pod.yaml')).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: 'kube-system', labels: { tier: 'control-plane' } },
      spec: {
        hostNetwork: true,
        priority: 2000001000,
        priorityClassName: 'system-node-critical',
        securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      },
    });
    expect(loadYamlTemplate('probes.yaml')).toEqual({
      liveness: { initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 8, periodSeconds: 10 },
      readiness: { timeoutSeconds: 15, failureThreshold: 3, periodSeconds: 1 },
      startup: { initialDelaySeconds: 10, timeoutSeconds: 15, failureThreshold: 24, periodSeconds: 10 },
    });
    expect(loadTextTemplate('10-nodeadm.conf')).toContain('[Service]\n');
  });

  // The compiled module sits at the same depth under dist/ as the source under src/, so the
  // relative template URL must resolve to the same directory once built.
  it('are found from the compiled output too', () => {
    const outDir = mkdtempSync(join(repo, '.tmp-dist-'));
    try {
      const tsc = join(repo, 'node_modules/typescript/bin/tsc');
      const files = ['src/manifests/templates.ts', 'src/manifests/yaml.ts', 'src/manifests/k8s-types.ts'];
      execFileSync(process.execPath, [tsc, '--outDir', outDir, '--rootDir', join(repo, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', ...files.map((f) => join(repo, f))], { cwd: repo });
      const script = `import('${join(outDir, 'manifests/templates.js')}').then((m) => process.stdout.write(JSON.stringify([m.templatePath('probes.yaml'), m.loadYamlTemplate('probes.yaml').startup.failureThreshold])))`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: '/' }).toString();
      expect(JSON.parse(out)).toEqual([join(repo, 'templates/manifests/probes.yaml'), 24]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
