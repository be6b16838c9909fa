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

/** Base64 of PEM text ("-----BEGIN…" encodes to "LS0t…"): a plain YAML scalar, never quoted. */
const PEM_BASE64 = /^LS0t[A-Za-z0-9+/]*={0,2}$/;

/**
 * The kubeconfig as YAML, as toYaml writes it. js-yaml examines every character of a scalar to
 * choose its style, and the three base64 fields are nearly all of the text: they are serialised
 * as short placeholders and put in afterwards, exactly as js-yaml would have written them (plain,
 * unfolded). A value that is not PEM's base64 is left to js-yaml.
 */
export function serializeKubeconfig(config: Kubeconfig): string {
  const blobs: string[] = [];
  const hold = (value: string): string => {
    if (!PEM_BASE64.test(value)) return value;
    blobs.push(value);
    return `nodeadm-blob-${blobs.length - 1}`;
  };
  const held: Kubeconfig = {
    ...config,
    clusters: config.clusters.map((c) => ({ ...c, cluster: { ...c.cluster, 'certificate-authority-data': hold(c.cluster['certificate-authority-data']) } })),
    users: config.users.map((u) => ({
      ...u,
      user: { ...u.user, 'client-certificate-data': hold(u.user['client-certificate-data']), 'client-key-data': hold(u.user['client-key-data']) },
    })),
  };
  const field = /^(\s*(?:certificate-authority-data|client-certificate-data|client-key-data): )nodeadm-blob-(\d+)$/gm;
  return toYaml(held).replace(field, (_, key: string, i: string) => `${key}${blobs[Number(i)]!}`);
}

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
