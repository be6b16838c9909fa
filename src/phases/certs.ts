import { CERTIFICATE_TITLES, certificateList, CERTS_SUBPHASE_IDS, ensureCertificate, ensureServiceAccountKey, SERVICE_ACCOUNT_KEY, type PkiResult } from '../pki/index.js';
import { KUBELET_DIR, MODE } from '../paths.js';
import type { Reporter } from '../workflow/reporter.js';
import { renewTimerPhase } from './certs-renew-timer.js';
import type { InitContext, InitPhase } from './context.js';

function report(result: PkiResult, out: Reporter): void {
  // An unchanged result carries a reason only when it matters (a certificate from an external CA).
  if (result.reason !== undefined) out.info(`${result.id}: ${result.reason}`);
}

function certSubPhase(id: (typeof CERTS_SUBPHASE_IDS)[number]): InitPhase {
  return {
    name: id,
    title: id === SERVICE_ACCOUNT_KEY.id ? SERVICE_ACCOUNT_KEY.title : CERTIFICATE_TITLES[id],
    async run(ctx: InitContext, out) {
      if (id === SERVICE_ACCOUNT_KEY.id) {
        report(await ensureServiceAccountKey(ctx.pki), out);
        return;
      }
      const spec = certificateList(ctx.config, ctx.derived).find((s) => s.id === id);
      if (!spec) throw new Error(`no certificate spec for ${id}`);
      // The kubelet's serving certificate is the first file under /var/lib/kubelet: create that
      // directory with its own mode (0700) rather than as a 0755 parent.
      if (spec.basePath.startsWith(`${KUBELET_DIR}/`)) await ctx.host.ensureDir(KUBELET_DIR, MODE.privateDir);
      report(await ensureCertificate(ctx.pki, spec), out);
    },
  };
}

export const certsPhase: InitPhase = {
  name: 'certs',
  title: 'Generate or check the PKI in /etc/kubernetes/pki',
  children: [...CERTS_SUBPHASE_IDS.map(certSubPhase), renewTimerPhase],
};
