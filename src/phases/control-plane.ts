import type { Host } from '../host/types.js';
import { buildApiServerPod, buildControllerManagerPod, buildSchedulerPod, CA_CERT_DIR_CANDIDATES, toYaml, type Pod } from '../manifests/index.js';
import { MANIFESTS_DIR, MODE } from '../paths.js';
import type { Reporter } from '../workflow/reporter.js';
import type { InitContext, InitPhase } from './context.js';
import { prepareApiServer, warnWeakened } from './security.js';

/** The CA bundle directories this node has; the apiserver and controller-manager mount them. */
async function presentCaCertDirs(host: Host): Promise<string[]> {
  const present = await Promise.all(CA_CERT_DIR_CANDIDATES.map((dir) => host.exists(dir)));
  return CA_CERT_DIR_CANDIDATES.filter((_, i) => present[i]);
}

async function writeManifest(host: Host, pod: Pod): Promise<void> {
  await host.ensureDir(MANIFESTS_DIR, MODE.privateDir);
  await host.writeFile(`${MANIFESTS_DIR}/${pod.metadata.name}.yaml`, toYaml(pod), { mode: MODE.manifest });
}

function component(
  name: string,
  title: string,
  build: (ctx: InitContext, caCertDirs: string[]) => Pod,
  prepare: (ctx: InitContext, out: Reporter) => Promise<void> | void,
): InitPhase {
  return {
    name,
    title,
    async run(ctx, out) {
      await prepare(ctx, out);
      await writeManifest(ctx.host, build(ctx, await presentCaCertDirs(ctx.host)));
    },
  };
}

export const controlPlanePhase: InitPhase = {
  name: 'control-plane',
  title: 'Write the static pod manifests of the control plane',
  children: [
    component('apiserver', 'kube-apiserver', ({ config, derived }, caCertDirs) => buildApiServerPod(config, derived, { caCertDirs }), prepareApiServer),
    component(
      'controller-manager',
      'kube-controller-manager',
      ({ config, derived }, caCertDirs) => buildControllerManagerPod(config, derived, { caCertDirs }),
      ({ config }, out) => warnWeakened(config, 'kube-controller-manager', out),
    ),
    component('scheduler', 'kube-scheduler', ({ config, derived }) => buildSchedulerPod(config, derived), ({ config }, out) => warnWeakened(config, 'kube-scheduler', out)),
  ],
};
