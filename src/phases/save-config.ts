import { toConfigFile } from '../config/load.js';
import { toYaml } from '../manifests/yaml.js';
import { MODE, NODEADM_CONFIG } from '../paths.js';
import type { InitPhase } from './context.js';

/** The effective configuration, so later commands (add-scheduler, certs renew, status) know this node. */
export const saveConfigPhase: InitPhase = {
  name: 'save-config',
  title: `Save the node configuration to ${NODEADM_CONFIG}`,
  async run({ config, host }) {
    await host.writeFile(NODEADM_CONFIG, toYaml(toConfigFile(config)), { mode: MODE.config });
  },
};
