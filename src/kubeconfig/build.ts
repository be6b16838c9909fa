/** The kubeconfig object (clientcmd's v1 Config) and reading back the parts nodeadm owns. */
import { fromYaml, toYaml } from '../manifests/yaml.js';

export interface KubeconfigInput {
  clusterName: string;
  server: string;
  caCertPem: string;
  /** The user name: the client certificate's CN, as kubeadm names it. */
  userName: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { 'certificate-authority-data': string; server: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  preferences: Record<string, never>;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function buildKubeconfig(input: KubeconfigInput): Kubeconfig {
  const context = `${input.userName}@${input.clusterName}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: input.clusterName, cluster: { 'certificate-authority-data': b64(input.caCertPem), server: input.server } }],
    contexts: [{ name: context, context: { cluster: input.clusterName, user: input.userName } }],
    'current-context': context,
    users: [{ name: input.userName, user: { 'client-certificate-data': b64(input.clientCertPem), 'client-key-data': b64(input.clientKeyPem) } }],
    preferences: {},
  };
}

export const serializeKubeconfig = (config: Kubeconfig): string => toYaml(config);

/** What an existing kubeconfig says about the current context; undefined parts are missing. */
export interface KubeconfigContents {
  server?: string;
  caCertPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

/** Reads the current context's cluster and user; undefined when the text is not a kubeconfig. */
export function parseKubeconfig(text: string): KubeconfigContents | undefined {
  let doc: unknown;
  try {
    doc = fromYaml(text);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || doc.kind !== 'Config') return undefined;
  const named = (list: unknown, name: unknown, field: string): Record<string, unknown> | undefined => {
    const items = Array.isArray(list) ? list.filter(isRecord) : [];
    const item = items.find((i) => i.name === name) ?? (items.length === 1 ? items[0] : undefined);
    const value = item?.[field];
    return isRecord(value) ? value : undefined;
  };
  const context = named(doc.contexts, doc['current-context'], 'context');
  const cluster = named(doc.clusters, context?.cluster, 'cluster');
  const user = named(doc.users, context?.user, 'user');
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const unb64 = (v: unknown): string | undefined => (typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined);
  return {
    server: str(cluster?.server),
    caCertPem: unb64(cluster?.['certificate-authority-data']),
    clientCertPem: unb64(user?.['client-certificate-data']),
    clientKeyPem: unb64(user?.['client-key-data']),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
