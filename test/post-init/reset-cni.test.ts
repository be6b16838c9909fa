/** reset removes the CNI file nodeadm wrote, and leaves a user's CNI configuration alone. */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CNI_CONFIG_FILE } from '../../src/addons/index.js';
import { BASE_ARGS, cleanup, runCli, tempRoot } from '../cli/helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map(cleanup));
});

describe('reset and the pod network', () => {
  it("removes 10-nodeadm-bridge.conflist and keeps the user's own file", async () => {
    const dir = await tempRoot('nodeadm-reset-cni-');
    dirs.push(dir);
    const init = await runCli(['init', '--root', dir, ...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256']);
    expect(init.code, init.out).toBe(0);
    const netd = join(dir, 'etc/cni/net.d');
    expect(await readdir(netd)).toEqual(['10-nodeadm-bridge.conflist']);
    await mkdir(netd, { recursive: true });
    await writeFile(join(netd, '05-user.conflist'), '{"cniVersion":"1.0.0","name":"mine","plugins":[]}\n');
    const reset = await runCli(['reset', '--root', dir, '--yes']);
    expect(reset.code, reset.out + reset.err).toBe(0);
    expect(await readdir(netd)).toEqual(['05-user.conflist']);
    expect(await readFile(join(netd, '05-user.conflist'), 'utf8')).toContain('"mine"');
    expect(CNI_CONFIG_FILE).toBe('/etc/cni/net.d/10-nodeadm-bridge.conflist');
  });
});
