import { readFileSync } from 'node:fs';
import { DEFAULT_VERSION, VERSIONS } from '../versions/index.js';
import type { GlobalOptions, Io } from './global.js';

function nodeadmVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function printVersion(global: GlobalOptions, io: Io): number {
  const info = {
    nodeadm: nodeadmVersion(),
    defaultKubernetesVersion: `v${DEFAULT_VERSION.defaultPatch}`,
    supportedKubernetesVersions: VERSIONS.map((v) => `v${v.minor}`),
  };
  if (global.output === 'json') io.out(JSON.stringify(info, null, 2));
  else io.out(`nodeadm ${info.nodeadm} (Kubernetes ${info.supportedKubernetesVersions.join(', ')}; default ${info.defaultKubernetesVersion})`);
  return 0;
}
