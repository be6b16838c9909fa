/**
 * encryptionAlgorithm ECDSA-P256/P384 checked by the real openssl; the validity periods and the
 * renew-timer opt-in as config fields and flags, with their one-line errors.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/host/index.js';
import { certificateList, SERVICE_ACCOUNT_KEY } from '../../src/pki/index.js';
import { requireSavedConfig as loadSavedConfig } from '../../src/config/saved.js';
import { BASE_ARGS, cleanup, runCli, snapshot, tempRoot } from '../cli/helpers.js';
import { initNode, inRoot, openssl } from './helpers.js';

const roots: string[] = [];
afterAll(async () => Promise.all(roots.map(cleanup)));

describe.each([
  { alg: 'ECDSA-P256', version: 'v1.32', curve: 'P-256', sig: 'ecdsa-with-SHA256' },
  { alg: 'ECDSA-P384', version: 'v1.34', curve: 'P-384', sig: 'ecdsa-with-SHA384' },
])('$alg PKI ($version)', ({ alg, version, curve, sig }) => {
  let root: string;
  beforeAll(async () => {
    root = await initNode('--encryption-algorithm', alg, '--kubernetes-version', version);
    roots.push(root);
  }, 30_000);

  it('every certificate verifies against its CA with openssl, with the curve and signature algorithm asked for', async () => {
    const config = await loadSavedConfig(createHost({ root }));
    for (const spec of certificateList(config)) {
      const crt = inRoot(root, `${spec.basePath}.crt`);
      const ca = inRoot(root, `${certificateList(config).find((s) => s.id === (spec.caId ?? spec.id))!.basePath}.crt`);
      expect(await openssl('verify', '-x509_strict', '-CAfile', ca, crt)).toBe(`${crt}: OK\n`);
      const text = await openssl('x509', '-in', crt, '-noout', '-text');
      expect(text).toContain(`Signature Algorithm: ${sig}`);
      expect(text).toContain(`NIST CURVE: ${curve}`);
      expect(text).toMatch(spec.caId ? /X509v3 Authority Key Identifier/ : /X509v3 Subject Key Identifier/);
      const key = await readFile(inRoot(root, `${spec.basePath}.key`), 'utf8');
      expect(key.startsWith('-----BEGIN EC PRIVATE KEY-----\n')).toBe(true);
      expect(await openssl('pkey', '-in', inRoot(root, `${spec.basePath}.key`), '-pubout')).toBe(await openssl('x509', '-in', crt, '-noout', '-pubkey'));
    }
    // the service-account key too, as kubeadm does
    expect(await openssl('ec', '-in', inRoot(root, SERVICE_ACCOUNT_KEY.keyPath), '-check', '-noout')).toBe('');
  });
});

describe('configuration', () => {
  it('applies certificateValidityPeriod and caCertificateValidityPeriod', async () => {
    const root = await initNode('--encryption-algorithm', 'ECDSA-P256', '--certificate-validity-period', '48h', '--ca-certificate-validity-period', '2160h30m');
    roots.push(root);
    const end = async (file: string): Promise<number> => new Date((await openssl('x509', '-in', inRoot(root, file), '-noout', '-enddate')).replace('notAfter=', '')).getTime();
    const hours = (ms: number): number => Math.round((ms - Date.now()) / 3_600_000);
    expect(hours(await end('/etc/kubernetes/pki/etcd/peer.crt'))).toBe(48);
    expect(hours(await end('/etc/kubernetes/pki/ca.crt'))).toBe(2160);
    expect(await readFile(inRoot(root, '/etc/kubernetes/nodeadm/config.yaml'), 'utf8')).toMatch(/^certificateValidityPeriod: 48h\ncaCertificateValidityPeriod: 2160\.5h$/m);
  });

  it.each([
    [['--encryption-algorithm', 'ECDSA-P521'], '--encryption-algorithm: invalid value "ECDSA-P521": must be one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384'],
    [['--encryption-algorithm', 'ECDSA-P384', '--kubernetes-version', 'v1.33'], '--encryption-algorithm: invalid value "ECDSA-P384": must be one of RSA-2048, RSA-3072, RSA-4096, ECDSA-P256 (ECDSA-P384 needs Kubernetes v1.34 or newer'],
    [['--certificate-validity-period', '1y'], '--certificate-validity-period: invalid value "1y": must be a Go duration such as 8760h'],
    [['--ca-certificate-validity-period', '0h'], '--ca-certificate-validity-period: invalid value "0h": must be a Go duration'],
    [['--certificate-renewal-timer', '--certificate-validity-period', ''], '--certificate-validity-period: invalid value "": must be a Go duration'],
  ])('refuses %j with exit 2, writing nothing', async (flags, message) => {
    const root = await tempRoot();
    roots.push(root);
    const { code, err } = await runCli(['init', '--root', root, ...BASE_ARGS, ...flags]);
    expect(code).toBe(2);
    expect(err).toContain(`error: ${message}`);
    expect([...(await snapshot(root)).keys()]).toEqual(['/']);
  });

  it('--certificate-renewal-timer writes the service and the timer, and says how to enable them', async () => {
    const root = await initNode('--encryption-algorithm', 'ECDSA-P256', '--certificate-renewal-timer');
    roots.push(root);
    const service = await readFile(inRoot(root, '/etc/systemd/system/nodeadm-certs-renew.service'), 'utf8');
    expect(service).toContain('ExecStart=/usr/bin/env nodeadm certs renew all --if-expiring-within 60d --yes\n');
    const timer = await readFile(inRoot(root, '/etc/systemd/system/nodeadm-certs-renew.timer'), 'utf8');
    expect(timer).toMatch(/\[Timer\]\nOnCalendar=daily\n/);
    expect(timer).toContain('[Install]\nWantedBy=timers.target\n');
    const again = await runCli(['init', '--root', root, ...BASE_ARGS, '--encryption-algorithm', 'ECDSA-P256', '--certificate-renewal-timer']);
    expect(again.out).toContain('[certs/renew-timer] on the machine, enable it: systemctl enable --now nodeadm-certs-renew.timer');
    expect(again.out).toMatch(/nothing changed/);
  });
});
