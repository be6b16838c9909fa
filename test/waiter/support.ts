/**
 * Test doubles that speak the real protocols: HTTP(S) health endpoints on loopback with
 * certificates made by nodeadm's own PKI code; the API server double requires a client
 * certificate signed by the cluster CA, as the real one does.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach } from 'vitest';
import type { Host } from '../../src/host/types.js';
import { buildKubeconfig, serializeKubeconfig } from '../../src/kubeconfig/build.js';
import { createSelfSignedCA, createSignedCertificate, generateKey, type CertificateProfile } from '../../src/pki/index.js';

const now = new Date();
const profile = (commonName: string, extra: Partial<CertificateProfile> = {}): CertificateProfile => ({
  commonName,
  organizations: [],
  isCA: false,
  extKeyUsages: [],
  dnsNames: [],
  ips: [],
  ...extra,
});

export interface TestPki {
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  /** A client certificate from another CA: the API server must refuse it. */
  rogueCertPem: string;
  rogueKeyPem: string;
}

// ECDSA keys: fast to generate, and the TLS handshake is the same protocol.
const key = (): ReturnType<typeof generateKey> => generateKey('ECDSA-P256');

let cached: Promise<TestPki> | undefined;
/** One PKI per test file: key generation is the slow part. */
export function testPki(): Promise<TestPki> {
  cached ??= (async () => {
    const [caKey, serverKey, adminKey, rogueCaKey, rogueKey] = await Promise.all([key(), key(), key(), key(), key()]);
    const caCertPem = createSelfSignedCA(profile('kubernetes', { isCA: true, dnsNames: ['kubernetes'] }), caKey, 'ca.key', { now, hours: 24 });
    const issuer = { certPem: caCertPem, keyPem: caKey.privateKeyPem, keyPath: 'ca.key' };
    const serverCertPem = createSignedCertificate(
      profile('kube-apiserver', { extKeyUsages: ['serverAuth'], dnsNames: ['kubernetes', 'localhost'], ips: ['127.0.0.1'] }),
      serverKey.publicKeyPem,
      issuer,
      { now, hours: 24 },
    );
    const adminCertPem = createSignedCertificate(profile('kubernetes-admin', { organizations: ['kubeadm:cluster-admins'], extKeyUsages: ['clientAuth'] }), adminKey.publicKeyPem, issuer, { now, hours: 24 });
    const rogueCaPem = createSelfSignedCA(profile('rogue', { isCA: true, dnsNames: ['rogue'] }), rogueCaKey, 'rogue.key', { now, hours: 24 });
    const rogueCertPem = createSignedCertificate(profile('kubernetes-admin', { extKeyUsages: ['clientAuth'] }), rogueKey.publicKeyPem, { certPem: rogueCaPem, keyPem: rogueCaKey.privateKeyPem, keyPath: 'rogue.key' }, { now, hours: 24 });
    return {
      caCertPem,
      caKeyPem: caKey.privateKeyPem,
      serverCertPem,
      serverKeyPem: serverKey.privateKeyPem,
      adminCertPem,
      adminKeyPem: adminKey.privateKeyPem,
      rogueCertPem,
      rogueKeyPem: rogueKey.privateKeyPem,
    };
  })();
  return cached;
}

export type Answer = { status: number; body?: string };

export interface TestServer {
  port: number;
  /** What the next requests get; change it during a test. */
  answer: Answer;
  /** Paths requested, and whether a client certificate was presented. */
  requests: { path: string; clientCN?: string }[];
}

/** Starts servers and closes them after each test. */
export function useServers(): {
  http: () => Promise<TestServer>;
  https: (pki: TestPki, options?: { requireClientCert?: boolean }) => Promise<TestServer>;
} {
  const open: (http.Server | https.Server)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    })));
  });
  const listen = async (server: http.Server | https.Server, state: TestServer): Promise<TestServer> => {
    open.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    state.port = (server.address() as AddressInfo).port;
    return state;
  };
  const handler = (state: TestServer) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    state.requests.push({ path: req.url ?? '', ...(peer?.subject?.CN ? { clientCN: String(peer.subject.CN) } : {}) });
    res.writeHead(state.answer.status, { 'content-type': 'text/plain' });
    res.end(state.answer.body ?? (state.answer.status === 200 ? 'ok' : 'not ok'));
  };
  return {
    http: async () => {
      const state: TestServer = { port: 0, answer: { status: 200 }, requests: [] };
      return listen(http.createServer(handler(state)), state);
    },
    https: async (pki, { requireClientCert = false } = {}) => {
      const state: TestServer = { port: 0, answer: { status: 200 }, requests: [] };
      const server = https.createServer(
        { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem, requestCert: requireClientCert, rejectUnauthorized: requireClientCert },
        handler(state),
      );
      return listen(server, state);
    },
  };
}

export function adminConf(pki: TestPki, port: number, client: 'admin' | 'rogue' = 'admin'): string {
  return serializeKubeconfig(
    buildKubeconfig({
      clusterName: 'kubernetes',
      server: `https://127.0.0.1:${port}`,
      caCertPem: pki.caCertPem,
      userName: 'kubernetes-admin',
      clientCertPem: client === 'admin' ? pki.adminCertPem : pki.rogueCertPem,
      clientKeyPem: client === 'admin' ? pki.adminKeyPem : pki.rogueKeyPem,
    }),
  );
}

/** A kubelet config pointing the healthz at a test port. */
export function kubeletConfig(healthzPort: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    healthzBindAddress: '127.0.0.1',
    healthzPort,
    staticPodPath: '/etc/kubernetes/manifests',
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    ...extra,
  });
}

/** A static pod manifest with a liveness probe, optionally on a named probe-port. */
export function podManifest(name: string, probe: { port: number; path: string; scheme: 'HTTP' | 'HTTPS'; named?: boolean; host?: string }, command: string[] = [name]): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      hostNetwork: true,
      containers: [
        {
          name,
          image: `registry.k8s.io/${name}:v1.36.0`,
          command,
          ...(probe.named ? { ports: [{ name: 'probe-port', containerPort: probe.port, protocol: 'TCP' }] } : {}),
          livenessProbe: {
            httpGet: { ...(probe.host === '' ? {} : { host: probe.host ?? '127.0.0.1' }), path: probe.path, port: probe.named ? 'probe-port' : probe.port, scheme: probe.scheme },
          },
        },
      ],
    },
  });
}

/** A clock whose sleep returns at once and moves time forward. */
export function fakeClock(start = 1_700_000_000_000): { now(): number; sleep(ms: number): Promise<void>; slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
    slept,
  };
}

/** The same host, treated as the live machine so crictl and journalctl are asked (through the fake runner). */
export function asLive(host: Host): Host {
  return { ...host, isLiveRoot: true };
}
