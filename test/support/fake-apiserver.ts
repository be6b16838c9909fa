/**
 * A test double of the Kubernetes API server that speaks the real protocol: HTTPS with a
 * generated serving certificate, client certificates required and checked against ca.crt (a
 * foreign client fails the TLS handshake), /readyz, GET, DELETE and server-side-apply PATCH for
 * the kinds in src/kube/kinds.ts. Every request is recorded with the caller's user and groups.
 *
 * Apply semantics are simplified: the applied configuration is merged into the stored object
 * (maps merge, lists replace); fields a manager stops applying are not removed. A no-op apply
 * keeps the resourceVersion, as the real server does.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isDeepStrictEqual } from 'node:util';
import type { Host } from '../../src/host/types.js';
import { KINDS, type Credentials, type KubeObject } from '../../src/kube/index.js';
import { buildKubeconfig, serializeKubeconfig } from '../../src/kubeconfig/index.js';
import { fromYaml } from '../../src/manifests/yaml.js';
import { createSelfSignedCA, createSignedCertificate, generateKey, type CertificateProfile, type KeyPair } from '../../src/pki/index.js';

export interface RecordedRequest {
  method: string;
  /** URL path without the query. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed body (apply patches). */
  body?: unknown;
  user: string;
  groups: string[];
  status: number;
}

export interface Caller {
  user: string;
  groups: string[];
}

export interface FakeApiServerOptions {
  /** Use this CA (e.g. a node's /etc/kubernetes/pki/ca.*) instead of generating one. */
  ca?: { certPem: string; keyPem: string };
  /** Return false to answer 403 Forbidden (RBAC); default: everything is allowed. */
  authorize?: (caller: Caller, request: { method: string; path: string }) => boolean;
  /** /readyz answers 200 (default true). */
  ready?: boolean;
  /**
   * Generate new keys instead of the process-wide ones (RSA generation is the slow part of a
   * test). Needed for a truly foreign CA: two default servers share their CA key.
   */
  freshKeys?: boolean;
}

export interface FakeApiServer {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  readonly caCertPem: string;
  readonly requests: RecordedRequest[];
  ready: boolean;
  /** Stores an object as if another client had created it (e.g. the kubelet registering its Node). */
  put(obj: KubeObject): void;
  object(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  /** Every stored object. */
  objects(): KubeObject[];
  /** Client credentials signed by the server's CA. */
  credentials(commonName: string, organizations?: string[]): Promise<Credentials>;
  /** A kubeconfig (clientcmd v1) for this server (or `server`) with an embedded client certificate. */
  kubeconfig(commonName: string, organizations?: string[], server?: string): Promise<string>;
  /** Writes that kubeconfig to a node path (0600). */
  writeKubeconfig(host: Host, nodePath: string, commonName: string, organizations?: string[], server?: string): Promise<void>;
  close(): Promise<void>;
}

const NOW = (): Date => new Date();

const keyCache = new Map<string, Promise<KeyPair>>();
function cachedKey(slot: string): Promise<KeyPair> {
  let key = keyCache.get(slot);
  if (!key) keyCache.set(slot, (key = generateKey()));
  return key;
}

const leafProfile = (commonName: string, organizations: string[], server: boolean): CertificateProfile => ({
  commonName,
  organizations,
  isCA: false,
  extKeyUsages: [server ? 'serverAuth' : 'clientAuth'],
  dnsNames: server ? ['localhost'] : [],
  ips: server ? ['127.0.0.1'] : [],
});

/** plural + apiVersion → kind, from the client's own table. */
function kindOf(apiVersion: string, plural: string): { kind: string; namespaced: boolean } | undefined {
  for (const [key, info] of Object.entries(KINDS)) {
    const slash = key.lastIndexOf('/');
    if (key.slice(0, slash) === apiVersion && info.plural === plural) return { kind: key.slice(slash + 1), namespaced: info.namespaced };
  }
  return undefined;
}

interface Target {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  namespace?: string;
  name: string;
  key: string;
}

/** Parses /api/v1/... and /apis/G/V/... object paths. */
function parsePath(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    apiVersion = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length === 4) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  if (rest.length !== 2) return undefined;
  const found = kindOf(apiVersion, rest[0]!);
  if (!found || found.namespaced !== (namespace !== undefined)) return undefined;
  const name = rest[1]!;
  return { apiVersion, kind: found.kind, namespaced: found.namespaced, ...(namespace ? { namespace } : {}), name, key: `${apiVersion}/${found.kind}/${namespace ?? ''}/${name}` };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Applied configuration over the live object: maps merge, everything else replaces. */
function merge(live: unknown, applied: unknown): unknown {
  if (!isMap(live) || !isMap(applied)) return structuredClone(applied);
  const out: Record<string, unknown> = { ...live };
  for (const [k, v] of Object.entries(applied)) out[k] = k in live ? merge(live[k], v) : structuredClone(v);
  return out;
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const newKey = (slot: string): Promise<KeyPair> => (options.freshKeys ? generateKey() : cachedKey(slot));
  const caKey = options.ca ? undefined : await newKey('ca');
  const ca = options.ca ?? {
    certPem: createSelfSignedCA(
      { commonName: 'kubernetes', organizations: [], isCA: true, extKeyUsages: [], dnsNames: ['kubernetes'], ips: [] },
      caKey!,
      'ca.key',
      { now: NOW(), hours: 24 },
    ),
    keyPem: caKey!.privateKeyPem,
  };
  const issuer = { certPem: ca.certPem, keyPem: ca.keyPem, keyPath: 'ca.key' };
  const serverKey = await newKey('server');
  const serverCert = createSignedCertificate(leafProfile('kube-apiserver', [], true), serverKey.publicKeyPem, issuer, { now: NOW(), hours: 24 });

  const store = new Map<string, KubeObject>();
  const requests: RecordedRequest[] = [];
  let revision = 100;
  let uid = 0;

  const targetOf = (obj: KubeObject): Target | undefined => {
    const info = KINDS[`${obj.apiVersion}/${obj.kind}`];
    if (!info) return undefined;
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = info.namespaced ? `/namespaces/${obj.metadata.namespace ?? 'default'}` : '';
    return parsePath(`${base}${ns}/${info.plural}/${obj.metadata.name}`);
  };

  const stamp = (obj: KubeObject, target: Target): KubeObject => {
    const metadata = { ...obj.metadata, ...(target.namespace ? { namespace: target.namespace } : {}), uid: `uid-${++uid}`, resourceVersion: String(++revision) };
    return { ...structuredClone(obj), metadata };
  };

  const fake: FakeApiServer = {
    url: '',
    caCertPem: ca.certPem,
    requests,
    ready: options.ready ?? true,
    put(obj) {
      const target = targetOf(obj);
      if (!target) throw new Error(`fake apiserver: unknown kind ${obj.apiVersion} ${obj.kind}`);
      store.set(target.key, stamp(obj, target));
    },
    object(apiVersion, kind, name, namespace) {
      const info = KINDS[`${apiVersion}/${kind}`];
      const ns = info?.namespaced ? (namespace ?? 'default') : '';
      return store.get(`${apiVersion}/${kind}/${ns}/${name}`);
    },
    objects: () => [...store.values()],
    async credentials(commonName, organizations = []) {
      const key = await newKey(`client:${commonName}`);
      const cert = createSignedCertificate(leafProfile(commonName, organizations, false), key.publicKeyPem, issuer, { now: NOW(), hours: 24 });
      return { server: fake.url, caCertPem: ca.certPem, clientCertPem: cert, clientKeyPem: key.privateKeyPem };
    },
    async kubeconfig(commonName, organizations = [], server = fake.url) {
      const c = await fake.credentials(commonName, organizations);
      return serializeKubeconfig(
        buildKubeconfig({ clusterName: 'kubernetes', server, caCertPem: c.caCertPem, userName: commonName, clientCertPem: c.clientCertPem, clientKeyPem: c.clientKeyPem }),
      );
    },
    async writeKubeconfig(host, nodePath, commonName, organizations = [], server = fake.url) {
      await host.writeFile(nodePath, await fake.kubeconfig(commonName, organizations, server), { mode: 0o600, secret: true });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'https://fake');
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    const subject = peer.subject as unknown as Record<string, string | string[]> | undefined;
    const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    const caller: Caller = { user: asList(subject?.CN)[0] ?? '', groups: asList(subject?.O) };
    const method = req.method ?? 'GET';
    const record: RecordedRequest = { method, path: decodeURIComponent(url.pathname), query: Object.fromEntries(url.searchParams), user: caller.user, groups: caller.groups, status: 0 };
    if (req.headers['content-type']) record.contentType = req.headers['content-type'];
    requests.push(record);
    const send = (code: number, text: string): void => {
      record.status = code;
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(text);
    };

    if (url.pathname === '/readyz' && method === 'GET') {
      if (fake.ready) send(200, 'ok');
      else send(500, '[-]etcd failed: reason withheld\nreadyz check failed');
      return;
    }
    if (options.authorize && !options.authorize(caller, { method, path: url.pathname })) {
      send(403, status(403, 'Forbidden', `User "${caller.user}" cannot ${method.toLowerCase()} ${url.pathname}`));
      return;
    }
    const target = parsePath(url.pathname);
    if (!target) {
      send(404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
      return;
    }
    const existing = store.get(target.key);
    const notFound = (): void => send(404, status(404, 'NotFound', `${target.kind} "${target.name}" not found`));

    if (method === 'GET') {
      if (existing) send(200, JSON.stringify(existing));
      else notFound();
      return;
    }
    if (method === 'DELETE') {
      if (!existing) return notFound();
      store.delete(target.key);
      send(200, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: target.name, kind: target.kind } }));
      return;
    }
    if (method === 'PATCH') {
      if (record.contentType !== 'application/apply-patch+yaml') {
        send(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml`));
        return;
      }
      if (!record.query.fieldManager) {
        send(422, status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
        return;
      }
      let applied: KubeObject;
      try {
        applied = fromYaml(body) as KubeObject;
        record.body = applied;
      } catch (error) {
        send(400, status(400, 'BadRequest', `error decoding YAML: ${(error as Error).message}`));
        return;
      }
      const mismatch =
        applied?.apiVersion !== target.apiVersion ||
        applied.kind !== target.kind ||
        applied.metadata?.name !== target.name ||
        (applied.metadata.namespace !== undefined && applied.metadata.namespace !== target.namespace);
      if (mismatch) {
        send(400, status(400, 'BadRequest', `the object (${String(applied?.kind)} ${String(applied?.metadata?.name)}) does not match the request path ${url.pathname}`));
        return;
      }
      if (!existing) {
        const created = stamp(applied, target);
        store.set(target.key, created);
        send(201, JSON.stringify(created));
        return;
      }
      const merged = merge(existing, applied) as KubeObject;
      if (isDeepStrictEqual(merged, existing)) {
        send(200, JSON.stringify(existing));
        return;
      }
      merged.metadata = { ...merged.metadata, resourceVersion: String(++revision) } as KubeObject['metadata'];
      store.set(target.key, merged);
      send(200, JSON.stringify(merged));
      return;
    }
    send(405, status(405, 'MethodNotAllowed', `${method} is not supported by the fake API server`));
  }

  const server: Server = createServer(
    { key: serverKey.privateKeyPem, cert: serverCert, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (fake as { url: string }).url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A live-root view of a temp-root host, so code that only talks to the cluster on a live node runs in tests. */
export function asLiveHost(host: Host): Host {
  return { ...host, isLiveRoot: true };
}
