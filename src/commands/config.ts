import { UsageError } from '../errors.js';
import { readConfigFile, resolveInitConfig, toConfigFile } from '../config/load.js';
import { toYaml } from '../manifests/yaml.js';
import type { GlobalOptions, Io } from './global.js';

/** `config print init-defaults`: the file form with every default filled in. */
export async function printConfig(global: GlobalOptions, what: string, io: Io): Promise<number> {
  if (what !== 'init-defaults') throw new UsageError(`config print: unknown argument "${what}" (valid: init-defaults)`);
  // Placeholders where the default depends on the machine, as kubeadm prints them.
  const config = await resolveInitConfig({ advertiseAddress: '1.2.3.4', nodeName: 'node' });
  const file = toConfigFile(config);
  io.out(global.output === 'json' ? JSON.stringify(file, null, 2) : toYaml(file).replace(/\n$/, ''));
  return 0;
}

/** `config validate --config FILE`: exit 0 and say so, or exit 2 naming the first bad field. */
export async function validateConfig(global: GlobalOptions, path: string, io: Io): Promise<number> {
  const file = await readConfigFile(path);
  // Validate fields without probing this machine: a missing advertiseAddress is fine in a file.
  const placeholders = file.standalone === true ? {} : { ...(file.advertiseAddress === undefined ? { advertiseAddress: '192.0.2.1' } : {}) };
  const config = await resolveInitConfig({ config: path, ...placeholders, ...(file.nodeName === undefined ? { nodeName: 'node' } : {}) });
  const { checkSkipList } = await import('../workflow/select.js');
  const { initPhases } = await import('./init.js');
  const { standalonePhases } = await import('./init-standalone.js');
  checkSkipList(config.standalone ? standalonePhases() : initPhases(), config.skipPhases, `${path}: skipPhases`);
  io.out(global.output === 'json' ? JSON.stringify({ valid: true, file: path }) : `${path}: valid`);
  return 0;
}
