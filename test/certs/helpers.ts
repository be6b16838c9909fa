/** Shared by the certs tests: a node folder made by `init --root`, openssl, and file reading. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { BASE_ARGS, runCli, tempRoot } from '../cli/helpers.js';

const run = promisify(execFile);

export async function openssl(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/openssl', args, { encoding: 'utf8' });
  return stdout;
}

/** A node folder rendered by `nodeadm init --root` with the given extra flags. */
export async function initNode(...flags: string[]): Promise<string> {
  const root = await tempRoot('nodeadm-certs-');
  const init = await runCli(['init', '--root', root, ...BASE_ARGS, ...flags]);
  expect(init.err).toBe('');
  expect(init.code).toBe(0);
  return root;
}

export const inRoot = (root: string, nodePath: string): string => join(root, nodePath);
export const readNode = (root: string, nodePath: string): Promise<string> => readFile(inRoot(root, nodePath), 'utf8');

/** Serial, subject, issuer, SANs and dates of a certificate file, as openssl prints them. */
export async function certFacts(file: string): Promise<{ serial: string; subject: string; issuer: string; sans: string; notBefore: string; notAfter: string }> {
  const text = await openssl('x509', '-in', file, '-noout', '-serial', '-subject', '-issuer', '-startdate', '-enddate', '-ext', 'subjectAltName');
  const field = (re: RegExp): string => re.exec(text)?.[1]?.trim() ?? '';
  return {
    serial: field(/serial=(.*)/),
    subject: field(/subject=(.*)/),
    issuer: field(/issuer=(.*)/),
    sans: field(/Subject Alternative Name:\s*\n\s*(.*)/),
    notBefore: field(/notBefore=(.*)/),
    notAfter: field(/notAfter=(.*)/),
  };
}
