import { buildEtcdPod, toYaml } from '../manifests/index.js';
import { etcdDataDir } from '../manifests/etcd.js';
import { chownEtcdDataDir, warnWeakened } from './security.js';
import { ETCD_DATA_DIR, MANIFESTS_DIR, MODE } from '../paths.js';
import type { InitPhase } from './context.js';

export const etcdPhase: InitPhase = {
  name: 'etcd',
  title: 'Write the static pod manifest for a local etcd',
  children: [
    {
      name: 'local',
      title: `Write ${MANIFESTS_DIR}/etcd.yaml and create ${ETCD_DATA_DIR} (0700)`,
      async run({ config, derived, host }, out) {
        warnWeakened(config, 'etcd', out);
        const dataDir = etcdDataDir(config);
        await host.ensureDir(dataDir, MODE.privateDir);
        await chownEtcdDataDir(host, dataDir, out);
        await host.ensureDir(MANIFESTS_DIR, MODE.privateDir);
        await host.writeFile(`${MANIFESTS_DIR}/etcd.yaml`, toYaml(buildEtcdPod(config, derived)), { mode: MODE.manifest });
      },
    },
  ],
};
