import { createPrivateKey } from 'node:crypto';
import { chmod, cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PkiError } from '../../src/errors.js';
import { createHost } from '../../src/host/index.js';
import {
  CA_BASE_PATHS,
  certificateAuthority,
  certificateList,
  countMissingKeys,
  createPkiContext,
  createSelfSignedCA,
  createSignedCertificate,
  ensureCertificate,
  ensureCertificates,
  inspectCertificate,
  isIssuedBy,
  keyFiles,
  SERVICE_ACCOUNT_KEY,
  type CaId,
  type KeyPair,
  type KeyPool,
  type PkiResult,
} from '../../src/pki/index.js';
import { KUBECONFIG_FILES } from '../../src/paths.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { changedFiles, noKeys, poolOf, pregenerate, removeTempRoots, snapshot, tempRoot } from './helpers.js';

const config = sampleConfig();
const NOW = new Date('2026-06-01T12:00:00Z');
const PKI = 'etc/kubernetes/pki';

let keys: KeyPair[];
let base: string;
let firstRun: PkiResult[];

/** A copy of the base PKI in a fresh root. */
async function copyOfBase(): Promise<{ root: string; run: (pool?: KeyPool, cfg?: typeof config, now?: Date) => Promise<PkiResult[]> }> {
  const { root } = await tempRoot();
  await cp(base, root, { recursive: true });
  const run = (pool: KeyPool = noKeys(), cfg = config, now = NOW): Promise<PkiResult[]> =>
    ensureCertificates(createPkiContext(createHost({ root }), pool, { now }), cfg);
  return { root, run };
}

/** Reads a file under root; `file` may be a node path or relative to root. */
const read = (root: string, file: string): Promise<string> => readFile(path.join(root, file), 'utf8');

beforeAll(async () => {
  keys = await pregenerate(17); // 12 for the base PKI, the rest for single tests
  const { root, host } = await tempRoot();
  base = root;
  const pool = poolOf(keys.slice(0, 12));
  firstRun = await ensureCertificates(createPkiContext(host, pool, { now: NOW }), config);
  expect(pool.used()).toBe(12);
});
afterAll(removeTempRoots);

describe('ensureCertificates on an empty root', () => {
  it('creates every certificate, key and the sa pair with kubeadm modes', async () => {
    expect(firstRun.map((r) => [r.id, r.action])).toEqual(
      [...certificateList(config).map((s) => s.id), 'sa'].map((id) => [id, 'created']),
    );
    const files = await snapshot(base);
    expect(files.get(`${PKI}/ca.crt`)!.mode).toBe(0o644);
    expect(files.get(`${PKI}/ca.key`)!.mode).toBe(0o600);
    expect(files.get(`${PKI}/etcd/peer.key`)!.mode).toBe(0o600);
    expect(files.get(`${PKI}/sa.key`)!.mode).toBe(0o600);
    expect(files.get(`${PKI}/sa.pub`)!.mode).toBe(0o600);
    expect(files.size).toBe(24); // 11 certificates with their keys (the kubelet's serving pair included), sa.key, sa.pub
  });

  it('signs every leaf by its own CA', async () => {
    for (const spec of certificateList(config)) {
      const cert = inspectCertificate(await read(base, `${spec.basePath}.crt`))!;
      const ca = inspectCertificate(await read(base, `${CA_BASE_PATHS[spec.caId ?? (spec.id as CaId)]}.crt`))!;
      expect(isIssuedBy(cert, ca), spec.id).toBe(true);
      expect(isIssuedBy(cert, inspectCertificate(await read(base, `${PKI}/front-proxy-ca.crt`))!)).toBe(spec.caId === 'front-proxy-ca' || spec.id === 'front-proxy-ca');
    }
  });
});

describe('re-running', () => {
  it('changes no byte and generates no key', async () => {
    const { root, run } = await copyOfBase();
    const before = await snapshot(root);
    const results = await run(noKeys());
    expect(new Set(results.map((r) => r.action))).toEqual(new Set(['unchanged']));
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('re-issues only apiserver.crt for a new certSAN, keeping apiserver.key and the CA', async () => {
    const { root, run } = await copyOfBase();
    const before = await snapshot(root);
    const withSan = sampleConfig('v1.36', { apiServer: { certSANs: ['api.example.com', '203.0.113.7'] } });
    const results = await run(noKeys(), withSan);
    const apiserver = results.find((r) => r.id === 'apiserver')!;
    expect(apiserver.action).toBe('updated');
    expect(apiserver.reason).toContain('added DNS:api.example.com, IP:203.0.113.7');
    expect(results.filter((r) => r.action !== 'unchanged')).toHaveLength(1);
    expect(changedFiles(before, await snapshot(root))).toEqual([`${PKI}/apiserver.crt`]);

    const cert = inspectCertificate(await read(root, `${PKI}/apiserver.crt`))!;
    expect(cert.dnsNames).toContain('api.example.com');
    expect(cert.ips).toEqual(['10.96.0.1', '192.0.2.10', '203.0.113.7']);
    expect(isIssuedBy(cert, inspectCertificate(await read(root, `${PKI}/ca.crt`))!)).toBe(true);
    expect(cert.x509.checkPrivateKey(createPrivateKey(await read(root, `${PKI}/apiserver.key`)))).toBe(true);

    // and removing the SAN again re-issues it once more
    const back = await run(noKeys());
    expect(back.find((r) => r.id === 'apiserver')).toMatchObject({ action: 'updated', reason: expect.stringContaining('removed DNS:api.example.com') });
  });

  it('re-issues apiserver-kubelet-client when the version changes its Organization', async () => {
    const { run } = await copyOfBase();
    const results = await run(noKeys(), sampleConfig('v1.32'));
    expect(results.filter((r) => r.action !== 'unchanged')).toEqual([
      expect.objectContaining({ id: 'apiserver-kubelet-client', action: 'updated', reason: expect.stringContaining('added O:kubeadm:cluster-admins') }),
    ]);
  });

  it('re-issues expired leaves for their keys, and refuses an expired CA', async () => {
    const { root, run } = await copyOfBase();
    const twoYearsOn = new Date(NOW.getTime() + 2 * 365 * 24 * 3600 * 1000);
    const results = await run(noKeys(), config, twoYearsOn);
    const leaves = certificateList(config).filter((s) => s.caId).map((s) => s.id);
    expect(results.filter((r) => r.action === 'updated').map((r) => r.id)).toEqual(leaves);
    expect(results.find((r) => r.id === 'apiserver')!.reason).toMatch(/expired on 2027-06-01/);
    const renewed = inspectCertificate(await read(root, `${PKI}/apiserver.crt`))!;
    expect(renewed.notAfter.getUTCFullYear()).toBe(2029);

    const elevenYearsOn = new Date(NOW.getTime() + 11 * 365 * 24 * 3600 * 1000);
    await expect(run(noKeys(), config, elevenYearsOn)).rejects.toThrow(/the CA \/etc\/kubernetes\/pki\/ca\.crt expired on 2036/);
  });

  it('corrects a widened key mode without touching its bytes', async () => {
    const { root, run } = await copyOfBase();
    await chmod(path.join(root, PKI, 'apiserver.key'), 0o644);
    const results = await run();
    expect(results.find((r) => r.id === 'apiserver')).toMatchObject({ action: 'updated', reason: 'file mode corrected' });
    expect((await snapshot(root)).get(`${PKI}/apiserver.key`)!.mode).toBe(0o600);
  });
});

describe('refusals: never overwrite', () => {
  it('refuses a key that does not match its certificate, and leaves the files alone', async () => {
    const { root, run } = await copyOfBase();
    await cp(path.join(root, PKI, 'front-proxy-client.key'), path.join(root, PKI, 'apiserver.key'));
    const before = await snapshot(root);
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).message).toBe('/etc/kubernetes/pki/apiserver.key does not match /etc/kubernetes/pki/apiserver.crt');
    expect((error as PkiError).hint).toBe(
      'move /etc/kubernetes/pki/apiserver.crt and /etc/kubernetes/pki/apiserver.key away to have nodeadm issue new ones',
    );
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('refuses a leaf signed by a CA that is not on disk', async () => {
    const { root, run } = await copyOfBase();
    // an independent CA with the same name, and an apiserver pair from it
    const [foreignCaKey, foreignLeafKey] = [keys[12]!, keys[13]!];
    const foreignCa = createSelfSignedCA(certificateList(config)[0]!, foreignCaKey, 'foreign-ca.key', { now: NOW, hours: 87600 });
    const apiserverSpec = certificateList(config)[1]!;
    const foreignLeaf = createSignedCertificate(
      apiserverSpec,
      foreignLeafKey.publicKeyPem,
      { certPem: foreignCa, keyPem: foreignCaKey.privateKeyPem, keyPath: 'foreign-ca.key' },
      { now: NOW, hours: 8760 },
    );
    await writeFile(path.join(root, PKI, 'apiserver.crt'), foreignLeaf);
    await writeFile(path.join(root, PKI, 'apiserver.key'), foreignLeafKey.privateKeyPem);
    const before = await snapshot(root);
    await expect(run()).rejects.toThrow(
      expect.objectContaining({
        name: 'PkiError',
        message: '/etc/kubernetes/pki/apiserver.crt is not signed by the CA in /etc/kubernetes/pki/ca.crt',
        hint: expect.stringContaining('or restore the CA that signed it'),
      }),
    );
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('refuses a leaf certificate without its key', async () => {
    const { root, run } = await copyOfBase();
    await rm(path.join(root, PKI, 'front-proxy-client.key'));
    const before = await snapshot(root);
    await expect(run()).rejects.toThrow(/front-proxy-client\.crt exists but its key .*front-proxy-client\.key does not/);
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
  });

  it('takes a CA certificate without its key as an external CA: its certificates are used, none is issued', async () => {
    const { root, run } = await copyOfBase();
    await rm(path.join(root, PKI, 'etcd/ca.key'));
    const before = await snapshot(root);
    const results = await run();
    expect(results.find((r) => r.id === 'etcd-ca')).toMatchObject({ action: 'unchanged', reason: expect.stringContaining('external CA') });
    expect(results.find((r) => r.id === 'etcd-peer')).toMatchObject({ action: 'unchanged', reason: 'issued by the external etcd-ca CA' });
    expect(changedFiles(before, await snapshot(root))).toEqual([]);
    // a missing certificate cannot be issued: the error says how to get it
    await rm(path.join(root, PKI, 'etcd/peer.crt'));
    await expect(run()).rejects.toThrow(/etcd\/peer\.crt does not exist, and the etcd-ca CA is external .*so nodeadm cannot issue it/);
    expect(await readdir(path.join(root, PKI, 'etcd'))).not.toContain('ca.key');
  });

  it('refuses a CA key that does not match the CA certificate', async () => {
    const { root, run } = await copyOfBase();
    await cp(path.join(root, PKI, 'front-proxy-ca.key'), path.join(root, PKI, 'ca.key'));
    await expect(run()).rejects.toThrow('/etc/kubernetes/pki/ca.key does not match /etc/kubernetes/pki/ca.crt');
  });

  it('refuses a file that is not a certificate', async () => {
    const { root, run } = await copyOfBase();
    await writeFile(path.join(root, PKI, 'etcd/server.crt'), 'garbage\n');
    await expect(run()).rejects.toThrow('/etc/kubernetes/pki/etcd/server.crt is not a PEM certificate');
  });
});

describe('partial PKI', () => {
  it('issues a certificate for a key that is there without one', async () => {
    const { root, run } = await copyOfBase();
    const key = await read(root, `${PKI}/apiserver-etcd-client.key`);
    await rm(path.join(root, PKI, 'apiserver-etcd-client.crt'));
    const results = await run(noKeys());
    expect(results.find((r) => r.id === 'apiserver-etcd-client')).toMatchObject({ action: 'created', reason: 'issued for the existing key' });
    expect(await read(root, `${PKI}/apiserver-etcd-client.key`)).toBe(key);
    const cert = inspectCertificate(await read(root, `${PKI}/apiserver-etcd-client.crt`))!;
    expect(cert.commonName).toBe('kube-apiserver-etcd-client');
  });

  it('re-issues the leaves of a CA that was removed, keeping their keys', async () => {
    const { root, run } = await copyOfBase();
    await rm(path.join(root, PKI, 'front-proxy-ca.crt'));
    await rm(path.join(root, PKI, 'front-proxy-ca.key'));
    const before = await snapshot(root);
    const pool = poolOf([keys[14]!]);
    const results = await run(pool);
    expect(pool.used()).toBe(1);
    expect(results.filter((r) => r.action !== 'unchanged').map((r) => [r.id, r.action, r.reason])).toEqual([
      ['front-proxy-ca', 'created', undefined],
      ['front-proxy-client', 'updated', 're-issued for the existing key: signed by the CA that the new /etc/kubernetes/pki/front-proxy-ca.crt replaced'],
    ]);
    expect(changedFiles(before, await snapshot(root))).toEqual([
      `${PKI}/front-proxy-ca.crt`,
      `${PKI}/front-proxy-ca.key`,
      `${PKI}/front-proxy-client.crt`,
    ]);
    // a second run is quiet again
    expect(new Set((await run()).map((r) => r.action))).toEqual(new Set(['unchanged']));
  });

  it('reuses sa.key and re-derives a missing sa.pub from it', async () => {
    const { root, run } = await copyOfBase();
    const pub = await read(root, `${PKI}/sa.pub`);
    await rm(path.join(root, PKI, 'sa.pub'));
    const results = await run(noKeys());
    expect(results.at(-1)).toMatchObject({ id: 'sa', action: 'updated', reason: expect.stringContaining('derived from') });
    expect(await read(root, `${PKI}/sa.pub`)).toBe(pub);
  });

  it('replaces sa.pub with a new pair when sa.key is gone', async () => {
    const { root, run } = await copyOfBase();
    await rm(path.join(root, PKI, 'sa.key'));
    const results = await run(poolOf([keys[15]!]));
    expect(results.at(-1)).toMatchObject({ id: 'sa', action: 'created', reason: expect.stringContaining('replaced /etc/kubernetes/pki/sa.pub') });
    expect(await read(root, `${PKI}/sa.pub`)).toBe(keys[15]!.publicKeyPem);
  });
});

describe('sub-phases and key counting', () => {
  it('countMissingKeys counts missing key files and kubeconfigs', async () => {
    const empty = await tempRoot();
    expect(await countMissingKeys(empty.host)).toBe(17);
    expect(await countMissingKeys(empty.host, { kubeconfigs: false })).toBe(12);
    const { root } = await copyOfBase();
    await rm(path.join(root, PKI, 'etcd/peer.key'));
    expect(await countMissingKeys(createHost({ root }))).toBe(1 + 5);
  });

  it('keyFiles lists the key of every certificate, sa.key and every kubeconfig: what a first run generates', async () => {
    const certificateKeys = certificateList(config).map((spec) => `${spec.basePath}.key`);
    expect(keyFiles({ kubeconfigs: false })).toEqual([...certificateKeys, SERVICE_ACCOUNT_KEY.keyPath]);
    expect(keyFiles({ certificates: false })).toEqual(Object.values(KUBECONFIG_FILES));
    const files = [...(await snapshot(base)).keys()].filter((f) => f.endsWith('.key')).map((f) => `/${f}`);
    expect(keyFiles({ kubeconfigs: false }).sort()).toEqual(files.sort());
  });

  it('a leaf sub-phase alone loads its CA from disk, and says which sub-phase is missing', async () => {
    const { root } = await copyOfBase();
    const ctx = createPkiContext(createHost({ root }), noKeys(), { now: NOW });
    const spec = certificateList(config).find((s) => s.id === 'etcd-peer')!;
    expect(await ensureCertificate(ctx, spec)).toMatchObject({ id: 'etcd-peer', action: 'unchanged' });
    expect((await certificateAuthority(ctx, 'etcd-ca')).issuedNow).toBe(false);

    const empty = await tempRoot();
    const emptyCtx = createPkiContext(empty.host, noKeys(), { now: NOW });
    await expect(ensureCertificate(emptyCtx, spec)).rejects.toThrow(
      expect.objectContaining({ message: expect.stringContaining('the etcd-ca CA is missing'), hint: 'run "nodeadm init phase certs etcd-ca" first' }),
    );
  });

  it('dry-run creates the whole PKI in the overlay and nothing on disk', async () => {
    const { root } = await tempRoot();
    const host = createHost({ root, dryRun: true });
    const results = await ensureCertificates(createPkiContext(host, poolOf(keys.slice(0, 12)), { now: NOW }), config);
    expect(new Set(results.map((r) => r.action))).toEqual(new Set(['created']));
    expect((await snapshot(root)).size).toBe(0);
  });
});
