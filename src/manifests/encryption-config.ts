/**
 * /etc/kubernetes/encryption-config.yaml: an apiserver.config.k8s.io/v1 EncryptionConfiguration
 * that encrypts Secrets at rest with secretbox (XSalsa20-Poly1305, CIS 1.2.28 accepts it as the
 * first provider) and keeps `identity` last so data written before encryption stays readable.
 * The key is generated once per node and never replaced: losing it makes etcd's Secrets unreadable.
 */
import { randomBytes } from 'node:crypto';
import { canonical } from './canonical.js';

export interface EncryptionConfiguration {
  apiVersion: 'apiserver.config.k8s.io/v1';
  kind: 'EncryptionConfiguration';
  resources: {
    resources: string[];
    providers: ({ secretbox: { keys: { name: string; secret: string }[] } } | { identity: Record<string, never> })[];
  }[];
}

/** Name of the key nodeadm generates; a rotation adds key2 before it (kubernetes.io "Encrypting Confidential Data at Rest"). */
export const ENCRYPTION_KEY_NAME = 'key1';

/** secretbox needs exactly 32 bytes. */
export function generateEncryptionKey(): string {
  return randomBytes(32).toString('base64');
}

export function buildEncryptionConfig(keyBase64: string): EncryptionConfiguration {
  if (Buffer.from(keyBase64, 'base64').length !== 32) throw new Error('secretbox key must be 32 bytes, base64-encoded');
  return canonical<EncryptionConfiguration>({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ secretbox: { keys: [{ name: ENCRYPTION_KEY_NAME, secret: keyBase64 }] } }, { identity: {} }],
      },
    ],
  });
}
