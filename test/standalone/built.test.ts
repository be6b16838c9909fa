/** The "done when", with the built CLI: a standalone node folder, a pod in it, a Deployment refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromYaml } from '../../src/manifests/yaml.js';
import { cleanup, runBuilt, tempRoot } from '../cli/helpers.js';

let dir: string;
let root: string;
beforeAll(async () => {
  dir = await tempRoot('nodeadm-standalone-built-');
  root = join(dir, 'node');
  await writeFile(join(dir, 'web.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n');
  await writeFile(join(dir, 'deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n');
});
afterAll(() => cleanup(dir));

describe('nodeadm init --standalone, then pod add (built CLI)', () => {
  it('gives a node folder a kubelet would run, and refuses a Deployment with exit 2 and the reason', async () => {
    const init = await runBuilt(['init', '--standalone', '--root', root, '--yes']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const add = await runBuilt(['pod', 'add', '--root', root, join(dir, 'web.yaml')]);
    expect(add.code).toBe(0);
    const kubelet = fromYaml(await readFile(join(root, 'var/lib/kubelet/config.yaml'), 'utf8')) as { staticPodPath: string };
    expect(await readdir(join(root, kubelet.staticPodPath))).toEqual(['web.yaml']);
    expect(fromYaml(await readFile(join(root, kubelet.staticPodPath, 'web.yaml'), 'utf8'))).toMatchObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } });

    const deploy = await runBuilt(['pod', 'add', '--root', root, join(dir, 'deploy.yaml')]);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain('static pods are pods only: the kubelet has no controller for a Deployment');
    expect(await readdir(join(root, kubelet.staticPodPath))).toEqual(['web.yaml']);
  }, 30_000);
});
