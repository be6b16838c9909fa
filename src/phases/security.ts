/**
 * The hardening files nodeadm writes next to the manifests: the audit policy and log directory,
 * the Secrets encryption config (generated once, never replaced), the etcd data directory's
 * owner, and the warnings for user settings that weaken a CIS default.
 */
import { dirname } from 'node:path/posix';
import type { NodeConfig } from '../config/types.js';
import type { Host } from '../host/types.js';
import { apiServerFlags } from '../manifests/control-plane.js';
import { buildAuditPolicy } from '../manifests/audit-policy.js';
import { buildEncryptionConfig, generateEncryptionKey } from '../manifests/encryption-config.js';
import { effectiveArg } from '../manifests/extra-args.js';
import { AUDIT_POLICY_FILE, ENCRYPTION_CONFIG_FILE, weakeningWarnings, type HardenedComponent } from '../manifests/hardening.js';
import { fromYaml, toYaml } from '../manifests/yaml.js';
import { MODE } from '../paths.js';
import type { Reporter } from '../workflow/reporter.js';
import type { InitContext } from './context.js';

/** Reporter warnings for every user setting that makes a CIS check of `component` fail. */
export function warnWeakened(config: NodeConfig, component: HardenedComponent, out: Reporter): void {
  for (const warning of weakeningWarnings(config, component)) out.warn(warning);
}

/**
 * Before kube-apiserver.yaml: the files its hardening flags point at. Only nodeadm's own paths
 * are written; a user path (extraArgs) is the user's file, and only checked for presence.
 */
export async function prepareApiServer({ config, derived, host }: InitContext, out: Reporter): Promise<void> {
  warnWeakened(config, 'kube-apiserver', out);
  const flags = apiServerFlags(config, derived);
  const arg = (name: string): string => effectiveArg(flags, config.apiServer.extraArgs, name) ?? '';

  const policy = arg('audit-policy-file');
  if (policy === AUDIT_POLICY_FILE) await host.writeFile(AUDIT_POLICY_FILE, toYaml(buildAuditPolicy()), { mode: MODE.config });
  else if (policy !== '' && !(await host.exists(policy))) out.warn(`audit policy ${policy} does not exist yet; kube-apiserver will not start without it`);

  const log = arg('audit-log-path');
  // Audit events name users and resources: readable by root only.
  if (log !== '' && log !== '-') await host.ensureDir(dirname(log), MODE.privateDir);

  const encryption = arg('encryption-provider-config');
  if (encryption === ENCRYPTION_CONFIG_FILE) await ensureEncryptionConfig(host, out);
  else if (encryption !== '' && !(await host.exists(encryption))) out.warn(`encryption config ${encryption} does not exist yet; kube-apiserver will not start without it`);
}

/**
 * The encryption config with a fresh key, or the one already there: a new key would make every
 * Secret etcd holds unreadable, so an existing file is never rewritten (its mode is corrected).
 */
async function ensureEncryptionConfig(host: Host, out: Reporter): Promise<void> {
  const existing = await host.readText(ENCRYPTION_CONFIG_FILE);
  if (existing === undefined) {
    await host.writeFile(ENCRYPTION_CONFIG_FILE, toYaml(buildEncryptionConfig(generateEncryptionKey())), { mode: MODE.config, secret: true });
    out.info(`${host.dryRun ? 'would generate' : 'generated'} a Secrets encryption key in ${ENCRYPTION_CONFIG_FILE}: back it up with your etcd snapshots`);
    return;
  }
  let kind: unknown;
  try {
    kind = (fromYaml(existing) as { kind?: unknown } | null)?.kind;
  } catch {
    kind = undefined;
  }
  if (kind !== 'EncryptionConfiguration') out.warn(`${ENCRYPTION_CONFIG_FILE} is not an EncryptionConfiguration; kept as it is, but kube-apiserver will refuse it`);
  // Same content: only the mode is corrected if someone loosened it.
  await host.writeFile(ENCRYPTION_CONFIG_FILE, existing, { mode: MODE.config, secret: true });
}

/** The uid and gid of `name` in the node's /etc/passwd, if it has that user. */
export async function systemUser(host: Host, name: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await host.readText('/etc/passwd');
  for (const line of passwd?.split('\n') ?? []) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * CIS 1.1.12: /var/lib/etcd owned by etcd:etcd where the host has that user (prepare-host
 * creates it). Only as root on the live machine: under --root the files belong to whoever runs
 * nodeadm. etcd itself keeps running as root — as the etcd user it could not read its keys,
 * which CIS 1.1.19 wants root-owned.
 */
export async function chownEtcdDataDir(
  host: Host,
  dataDir: string,
  out: Reporter,
  asRoot: boolean = host.isLiveRoot && process.getuid?.() === 0,
): Promise<void> {
  if (!asRoot) return;
  const etcd = await systemUser(host, 'etcd');
  if (etcd === undefined) {
    out.info(`no "etcd" user on this host: ${dataDir} stays root-owned (CIS 1.1.12 wants etcd:etcd; --prepare-host creates the user)`);
    return;
  }
  const result = await host.run(['chown', '-R', `${etcd.uid}:${etcd.gid}`, dataDir], { mutating: true });
  if (result.exitCode !== 0) out.warn(`chown ${dataDir} to etcd failed: ${result.stderr.trim()}`);
}
