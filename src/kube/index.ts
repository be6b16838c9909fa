/**
 * Talking to the cluster's API server: connect with a kubeconfig from the node, apply objects
 * (server-side apply), and record them under ADDONS_DIR so an offline image (--root) or a later
 * post-init can apply them. Contract shared with other phases: connectKube, applyOrRecord.
 */
import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { parseKubeconfig } from '../kubeconfig/build.js';
import { fromYamlStream, toYamlStream } from '../manifests/yaml.js';
import { ADDONS_DIR, KUBECONFIG_FILES, MODE } from '../paths.js';
import type { Reporter } from '../workflow/reporter.js';
import { realClock, type Clock } from '../waiter/index.js';
import { createKubeClient, sendRequest, type ApplyResult, type Credentials, type KubeClient, type KubeObject } from './client.js';

export { createKubeClient, FIELD_MANAGER, KubeApiError, type ApplyResult, type Credentials, type KubeClient, type KubeObject } from './client.js';
export { KINDS, kindInfo, resourcePath, type KindInfo } from './kinds.js';

/** Injectable time, so bounded waits are testable without sleeping: the waiter's clock. */
export type KubeClock = Clock;
export { realClock };

export interface ConnectOptions {
  /** Node path of the kubeconfig; default admin.conf. */
  kubeconfig?: string;
  /**
   * Talk to this URL instead of the kubeconfig's server: init uses the local API endpoint, as
   * kubeadm does from v1.37, since a controlPlaneEndpoint (load balancer) may not route yet.
   */
  server?: string;
  /** How long to wait for /readyz; default 30 s (wait-control-plane has already waited). */
  timeoutMs?: number;
  clock?: KubeClock;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const READYZ_POLL_MS = 1_000;

/** Reads the kubeconfig's server and embedded credentials; undefined when a part is missing. */
export async function readCredentials(host: Host, kubeconfig: string): Promise<Credentials | undefined> {
  const text = await host.readText(kubeconfig);
  const parsed = text === undefined ? undefined : parseKubeconfig(text);
  if (!parsed?.server || !parsed.caCertPem || !parsed.clientCertPem || !parsed.clientKeyPem) return undefined;
  return { server: parsed.server, caCertPem: parsed.caCertPem, clientCertPem: parsed.clientCertPem, clientKeyPem: parsed.clientKeyPem };
}

/** undefined when not on a live root, in dry-run, or when the API server does not answer /readyz in time. */
export async function connectKube(host: Host, options: ConnectOptions = {}): Promise<KubeClient | undefined> {
  if (!host.isLiveRoot || host.dryRun) return undefined;
  const fromFile = await readCredentials(host, options.kubeconfig ?? KUBECONFIG_FILES.admin);
  if (!fromFile) return undefined;
  const creds = options.server ? { ...fromFile, server: options.server } : fromFile;
  const clock = options.clock ?? realClock;
  const deadline = clock.now() + (options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  for (;;) {
    const remaining = deadline - clock.now();
    try {
      const res = await sendRequest(creds, 'GET', '/readyz', undefined, Math.max(1_000, Math.min(remaining, 5_000)));
      if (res.status === 200) return createKubeClient(creds);
    } catch {
      // not listening yet: keep polling until the deadline
    }
    if (clock.now() + READYZ_POLL_MS > deadline) return undefined;
    await clock.sleep(READYZ_POLL_MS);
  }
}

/** Applies objects in order; counts what happened. */
export async function applyAll(client: KubeClient, objects: readonly KubeObject[]): Promise<Record<ApplyResult, number>> {
  const counts: Record<ApplyResult, number> = { created: 0, configured: 0, unchanged: 0 };
  for (const obj of objects) counts[await client.apply(obj)] += 1;
  return counts;
}

export const describeCounts = (c: Record<ApplyResult, number>): string =>
  `${c.created} created, ${c.configured} configured, ${c.unchanged} unchanged`;

/** How to apply a recorded file by hand, for messages. */
export const applyCommand = (recordFile: string): string =>
  `kubectl --kubeconfig ${KUBECONFIG_FILES.admin} apply --server-side --field-manager=nodeadm --force-conflicts -f ${recordFile}`;

export interface ApplyOrRecordOptions {
  /** Use this client instead of connecting with admin.conf (post-init's super-admin fallback, tests). */
  client?: KubeClient;
  connect?: ConnectOptions;
}

/**
 * Always writes the objects as one YAML stream to recordFile (a node path under ADDONS_DIR, 0600)
 * so post-init or the user can apply them later; applies them too when connectKube answers.
 * Reports which through `out`.
 */
export async function applyOrRecord(
  host: Host,
  objects: KubeObject[],
  recordFile: string,
  out: Reporter,
  options: ApplyOrRecordOptions = {},
): Promise<'applied' | 'recorded'> {
  if (!recordFile.startsWith(`${ADDONS_DIR}/`)) throw new Error(`applyOrRecord: ${recordFile} is not under ${ADDONS_DIR}`);
  await host.writeFile(recordFile, toYamlStream(objects), { mode: MODE.config });
  const client = options.client ?? (await connectKube(host, options.connect));
  if (!client) {
    out.info(recordUnappliedMessage(host, objects.length, recordFile));
    return 'recorded';
  }
  const counts = await applyAll(client, objects);
  out.info(`applied ${objects.length} objects from ${recordFile} (${describeCounts(counts)})`);
  return 'applied';
}

/** Why objects were only recorded, and what to do about it. */
export function recordUnappliedMessage(host: Host, count: number, recordFile: string): string {
  if (host.dryRun) return `would apply ${count} objects through the API server (recorded in ${recordFile})`;
  if (!host.isLiveRoot) return `${count} objects written to ${recordFile}; they await application on the node: ${applyCommand(recordFile)}`;
  return `the API server did not answer; ${count} objects recorded in ${recordFile}; apply them later: ${applyCommand(recordFile)}`;
}

/** Node paths of the recorded object files (*.yaml under ADDONS_DIR), sorted. */
export async function recordedFiles(host: Host): Promise<string[]> {
  return (await host.listDir(ADDONS_DIR)).filter((f) => f.endsWith('.yaml') && !f.startsWith('.')).map((f) => `${ADDONS_DIR}/${f}`);
}

/** The objects of one recorded file. */
export async function readRecordedObjects(host: Host, file: string): Promise<KubeObject[]> {
  const text = (await host.readText(file)) ?? '';
  let docs: unknown[];
  try {
    docs = fromYamlStream(text);
  } catch (error) {
    throw new OperationalError(`${file}: malformed YAML: ${(error as Error).message.split('\n')[0]}`, `fix or remove ${file}, then re-run`);
  }
  return docs.map((doc, i) => {
    if (!isKubeObject(doc)) throw new OperationalError(`${file}: document ${i + 1} is not a Kubernetes object (apiVersion, kind, metadata.name)`, `fix or remove ${file}, then re-run`);
    return doc;
  });
}

function isKubeObject(doc: unknown): doc is KubeObject {
  const d = doc as Partial<KubeObject> | null;
  return typeof d?.apiVersion === 'string' && typeof d.kind === 'string' && typeof d.metadata?.name === 'string';
}
