import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { toConfigFile } from '../../src/config/load.js';
import { deriveValues } from '../../src/config/derive.js';
import type { NodeConfig } from '../../src/config/types.js';
import { createHost, type Host } from '../../src/host/index.js';
import { buildApiServerPod, buildControllerManagerPod, buildEtcdPod, buildSchedulerPod, toYaml, type Pod } from '../../src/manifests/index.js';
import { MANIFESTS_DIR, MODE, NODEADM_CONFIG } from '../../src/paths.js';
import { sampleConfig } from '../fixtures/node-config.js';

/** Temp roots removed after each test. */
export function useRoots(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nodeadm-sched-'));
    made.push(dir);
    return dir;
  };
}

/** The files add-scheduler reads from an initialised node: the saved config and the control-plane manifests. */
export async function writeNode(root: string, version = 'v1.36', overrides: Partial<NodeConfig> = {}): Promise<{ host: Host; config: NodeConfig }> {
  const config = sampleConfig(version, overrides);
  const derived = deriveValues(config);
  const host = createHost({ root });
  await host.writeFile(NODEADM_CONFIG, toYaml(toConfigFile(config)), { mode: MODE.config });
  const opts = { caCertDirs: [] };
  for (const pod of [buildEtcdPod(config, derived), buildApiServerPod(config, derived, opts), buildControllerManagerPod(config, derived, opts), buildSchedulerPod(config, derived)]) {
    await writePod(host, pod);
  }
  return { host, config };
}

export async function writePod(host: Host, pod: Pod | Record<string, unknown>, file?: string): Promise<void> {
  const name = (pod as Pod).metadata.name;
  await host.writeFile(`${MANIFESTS_DIR}/${file ?? `${name}.yaml`}`, toYaml(pod), { mode: MODE.manifest });
}
