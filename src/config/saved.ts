/**
 * The configuration a node was initialised with (etc/kubernetes/nodeadm/config.yaml): how
 * every later command (add-scheduler, certs, status, pod, a re-run of init) knows the node.
 */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { fromYaml, toYaml } from '../manifests/yaml.js';
import { MODE, NODEADM_CONFIG } from '../paths.js';
import { configFromText, toConfigFile } from './load.js';
import type { NodeConfig } from './types.js';

/**
 * Parsed saved configurations by file and text. A command reads the file several times (init:
 * schedulers, preflight, the summary) and parsing is the costly part; the file is still read
 * each time, so a change on disk is always seen. Frozen, since every reader shares one.
 */
const parsed = new Map<string, Promise<NodeConfig>>();

/** The saved configuration, validated; undefined on a node nodeadm did not initialise. */
export async function readSavedConfig(host: Host): Promise<NodeConfig | undefined> {
  const text = await host.readText(NODEADM_CONFIG);
  if (text === undefined) return undefined;
  const file = host.resolve(NODEADM_CONFIG);
  const key = `${file}\0${text}`;
  let config = parsed.get(key);
  if (!config) {
    config = configFromText(text, file).then(deepFreeze);
    parsed.set(key, config);
  }
  return config;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The saved configuration, or a clear error saying the node was not initialised by nodeadm. */
export async function requireSavedConfig(host: Host): Promise<NodeConfig> {
  const config = await readSavedConfig(host);
  if (config === undefined) {
    const rootFlag = host.root === '/' ? '' : ` --root ${host.root}`;
    throw new OperationalError(
      `this node was not initialised by nodeadm: ${host.resolve(NODEADM_CONFIG)} is missing`,
      `run "nodeadm init${rootFlag}" first (or "nodeadm init phase save-config${rootFlag}" with the flags the node was created with)`,
    );
  }
  return config;
}

export async function writeSavedConfig(host: Host, config: NodeConfig): Promise<void> {
  await host.writeFile(NODEADM_CONFIG, toYaml(toConfigFile(config)), { mode: MODE.config });
}

/**
 * The node name from the saved configuration without validating the rest: status and pod
 * list only need the name (static pods run as "<pod>-<node>") and must work on a damaged node.
 */
export async function savedNodeName(host: Host): Promise<string | undefined> {
  const text = await host.readText(NODEADM_CONFIG);
  if (text === undefined) return undefined;
  try {
    const name = (fromYaml(text) as { nodeName?: unknown } | null)?.nodeName;
    return typeof name === 'string' ? name.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
