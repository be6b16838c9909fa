import { describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/errors.js';
import { createFakeRunner, createHost } from '../../src/host/index.js';
import type { InitContext } from '../../src/phases/context.js';
import { kubeletStartPhase } from '../../src/phases/kubelet-start.js';
import { sampleConfig } from '../fixtures/node-config.js';
import { runCli } from '../cli/helpers.js';
import { useTempDirs } from '../host/helpers.js';
import { asLive } from './support.js';

const tempDir = useTempDirs();

describe('kubelet-start', () => {
  it('reloads, enables and restarts the kubelet; a failure shows systemctl status and the journal tail', async () => {
    const runner = createFakeRunner({
      'systemctl daemon-reload': {},
      'systemctl enable kubelet': {},
      'systemctl restart kubelet': { exitCode: 1, stderr: 'Job for kubelet.service failed because the control process exited with error code.' },
      // status exits 3 for a failed unit and still prints it.
      'systemctl status --no-pager kubelet': { exitCode: 3, stdout: '× kubelet.service - kubelet\n     Active: failed (Result: exit-code)' },
      'journalctl -u kubelet -n 30 --no-pager': { stdout: 'kubelet[812]: E1203 "command failed" err="failed to load kubelet config file, path: /var/lib/kubelet/config.yaml"' },
    });
    const host = asLive(createHost({ root: await tempDir(), runner }));
    const ctx = { host, config: sampleConfig() } as unknown as InitContext;
    const error = await kubeletStartPhase.run!(ctx, { info: () => {}, warn: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationalError);
    const message = (error as Error).message;
    expect(message).toMatch(/^systemctl restart kubelet exited 1: Job for kubelet.service failed/);
    expect(message).toContain('systemctl status kubelet:\n  × kubelet.service - kubelet\n       Active: failed (Result: exit-code)');
    expect(message).toContain('kubelet journal (last lines):\n  kubelet[812]: E1203 "command failed" err="failed to load kubelet config file');
    expect(runner.calls.map((c) => c.argv.join(' ')).slice(0, 3)).toEqual(['systemctl daemon-reload', 'systemctl enable kubelet', 'systemctl restart kubelet']);
  });
});

describe('--wait-timeout', () => {
  it('is a Go duration from 1s to 1h; anything else exits 2 naming the flag', async () => {
    const root = await tempDir();
    for (const bad of ['4', '0s', '2h', 'soon']) {
      const { code, err } = await runCli(['init', '--root', root, '--yes', '--advertise-address', '192.0.2.10', '--node-name', 'cp-1', '--wait-timeout', bad]);
      expect(code).toBe(2);
      expect(err).toMatch(new RegExp(`^error: --wait-timeout: .*"${bad}".*Go duration`));
    }
    const { code, out } = await runCli(['config', 'print', 'init-defaults']);
    expect(code).toBe(0);
    expect(out).toMatch(/^waitTimeout: 240s$/m);
  });
});
