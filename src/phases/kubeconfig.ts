import { ensureKubeconfig, kubeconfigList } from '../kubeconfig/index.js';
import { certificateAuthority } from '../pki/index.js';
import { KUBECONFIG_FILES, type KubeconfigName } from '../paths.js';
import type { InitPhase } from './context.js';

function kubeconfigSubPhase(name: KubeconfigName): InitPhase {
  return {
    name,
    title: `Write ${KUBECONFIG_FILES[name]}`,
    async run(ctx, out) {
      const spec = kubeconfigList(ctx.config, ctx.derived).find((s) => s.name === name);
      if (!spec) throw new Error(`no kubeconfig spec for ${name}`);
      const ca = await certificateAuthority(ctx.pki, 'ca');
      const result = await ensureKubeconfig(ctx.host, spec, ca, ctx.pki.keys, { now: ctx.pki.now, validity: ctx.pki.validity });
      if (result.reason !== undefined && result.action !== 'unchanged') out.info(`${name}: ${result.reason}`);
    },
  };
}

export const kubeconfigPhase: InitPhase = {
  name: 'kubeconfig',
  title: 'Write the kubeconfig files of the admin, the kubelet and the control plane',
  children: (Object.keys(KUBECONFIG_FILES) as KubeconfigName[]).map(kubeconfigSubPhase),
};
