/**
 * A minimal Kubernetes API client: HTTPS with the kubeconfig's embedded client certificate,
 * server-side apply for writes. node:https only, so nodeadm carries no client library.
 */
import { OperationalError } from '../errors.js';
import { resourcePath } from './kinds.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export type ApplyResult = 'created' | 'configured' | 'unchanged';

export interface KubeClient {
  /** Server-side apply, fieldManager "nodeadm", force. */
  apply(obj: KubeObject): Promise<ApplyResult>;
  get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined>;
  delete(apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean>;
}

/** What a client needs from a kubeconfig. */
export interface Credentials {
  server: string;
  caCertPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

export const FIELD_MANAGER = 'nodeadm';

/** The API server answered with an error status; `status` is the HTTP code (403, 422…). */
export class KubeApiError extends OperationalError {
  override readonly name = 'KubeApiError';
  constructor(
    readonly status: number,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

interface Response {
  status: number;
  body: string;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** One HTTPS request; rejects only when the server cannot be reached. */
export async function sendRequest(
  creds: Credentials,
  method: string,
  path: string,
  body?: { contentType: string; text: string },
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Response> {
  const url = new URL(path, creds.server);
  // Loaded when first needed: node:https costs milliseconds of start-up, and a run under
  // --root never talks to an API server.
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: creds.caCertPem,
        cert: creds.clientCertPem,
        key: creds.clientKeyPem,
        headers: {
          accept: 'application/json',
          ...(body ? { 'content-type': body.contentType, 'content-length': Buffer.byteLength(body.text) } : {}),
        },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body?.text);
  });
}

export function createKubeClient(creds: Credentials): KubeClient {
  const describe = (kind: string, name: string, namespace?: string): string => `${kind} ${namespace ? `${namespace}/` : ''}${name}`;

  async function call(method: string, path: string, what: string, body?: { contentType: string; text: string }): Promise<Response> {
    let res: Response;
    try {
      res = await sendRequest(creds, method, path, body);
    } catch (error) {
      throw new OperationalError(
        `cannot reach the API server at ${creds.server} (${method} ${what}): ${(error as Error).message}`,
        'check that the kube-apiserver static pod is running: nodeadm status',
      );
    }
    return res;
  }

  const fail = (res: Response, verb: string, what: string): KubeApiError => {
    const reason = statusMessage(res.body) ?? `HTTP ${res.status}`;
    const hint = res.status === 401 || res.status === 403 ? 'the kubeconfig in use lacks the rights; nodeadm uses admin.conf' : undefined;
    return new KubeApiError(res.status, `${verb} ${what}: ${reason}`, hint);
  };

  async function get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const what = describe(kind, name, namespace);
    const res = await call('GET', resourcePath(apiVersion, kind, name, namespace), what);
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw fail(res, 'get', what);
    return JSON.parse(res.body) as KubeObject;
  }

  return {
    get,

    async apply(obj) {
      const { apiVersion, kind } = obj;
      const { name, namespace } = obj.metadata;
      const what = describe(kind, name, namespace);
      // SSA answers 200 both for a change and for a no-op; a no-op keeps the resourceVersion.
      const before = await get(apiVersion, kind, name, namespace);
      const path = `${resourcePath(apiVersion, kind, name, namespace)}?fieldManager=${FIELD_MANAGER}&force=true`;
      const res = await call('PATCH', path, what, { contentType: 'application/apply-patch+yaml', text: JSON.stringify(obj) });
      if (res.status === 201) return 'created';
      if (res.status !== 200) throw fail(res, 'apply', what);
      if (before === undefined) return 'created';
      const after = JSON.parse(res.body) as KubeObject;
      return resourceVersion(after) === resourceVersion(before) ? 'unchanged' : 'configured';
    },

    async delete(apiVersion, kind, name, namespace) {
      const what = describe(kind, name, namespace);
      const res = await call('DELETE', resourcePath(apiVersion, kind, name, namespace), what);
      if (res.status === 404) return false;
      if (res.status !== 200 && res.status !== 202) throw fail(res, 'delete', what);
      return true;
    },
  };
}

const resourceVersion = (obj: KubeObject): unknown => (obj.metadata as { resourceVersion?: string }).resourceVersion;

/** The `message` of a metav1.Status body, if it is one. */
function statusMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { kind?: string; message?: string };
    return parsed.kind === 'Status' && typeof parsed.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}
