/**
 * init's input, read before the phases' modules are loaded: the flags and the --config file
 * resolved to a NodeConfig, and --ignore-preflight-errors checked (exit 2 on the first problem,
 * nothing written). Then, for a whole init, the key generation the configuration implies starts
 * at once: keys are most of init's time, and loading the phases takes tens of milliseconds
 * that they need not wait for. Bad input is refused before any key starts, so it exits at once
 * (a key being generated holds the process until it is done).
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { resolveInitConfig, type InitFlags } from '../config/load.js';
import type { NodeConfig } from '../config/types.js';
import { keyFiles } from '../pki/certificates.js';
import { KeyPool } from '../pki/keys.js';
import { checkIgnoreList } from '../preflight/names.js';
import type { GlobalOptions, Io } from './global.js';

export interface InitInput {
  config: NodeConfig;
  osHostname: string;
  /** Key generation already under way (a whole init that makes keys); runInit trims or tops it up. */
  keys?: KeyPool;
}

export async function readInitInput(global: GlobalOptions, flags: InitFlags, io: Io, options: { startKeys: boolean }): Promise<InitInput> {
  const prompt = io.isTTY && !global.yes && global.output === 'text';
  const osHostname = hostname();
  const config = await resolveInitConfig(flags, {
    osHostname,
    ...(prompt
      ? {
          chooseAddress: async (candidates: string[], why: string) => {
            const { select } = await import('@inquirer/prompts');
            return select({ message: `Advertise address (${why})`, choices: candidates.map((value) => ({ value })) });
          },
        }
      : {}),
  });
  checkIgnoreList(config.ignorePreflightErrors, flags.ignorePreflightErrors !== undefined ? '--ignore-preflight-errors' : 'ignorePreflightErrors');
  // Skipped phases are checked against the phase list, which is not loaded yet: no early start then.
  if (!options.startKeys || config.standalone || config.skipPhases.length > 0) return { config, osHostname };
  // The count from file names alone; runInit corrects it with the host's view of the node.
  const missing = keyFiles().filter((file) => !existsSync(join(global.root, file))).length;
  const keys = new KeyPool(config.encryptionAlgorithm);
  keys.prefetch(missing);
  return { config, osHostname, keys };
}
