import { OperationalError } from '../errors.js';
import type { Host } from '../host/types.js';
import { kubeletJournal } from '../waiter/index.js';
import type { InitPhase } from './context.js';

/** Reload units, enable and restart the kubelet so it picks up the config and static pods. */
export const kubeletStartPhase: InitPhase = {
  name: 'kubelet-start',
  title: 'Start the kubelet',
  liveHostOnly: true,
  async run({ host, config }, out) {
    for (const argv of [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'kubelet'],
      ['systemctl', 'restart', 'kubelet'],
    ]) {
      const result = await host.run(argv, { mutating: true });
      if (result.exitCode !== 0) {
        const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
        throw new OperationalError(
          `${argv.join(' ')} exited ${result.exitCode}${output ? `: ${output}` : ''}\n${await kubeletState(host)}`,
          'check that the kubelet package is installed (dpkg -l kubelet, or use --prepare-host) and see journalctl -xeu kubelet',
        );
      }
    }
    out.info(`kubelet ${host.dryRun ? 'would be restarted; it would start' : 'restarted; it now starts'} the static pods in ${config.staticPodPath}`);
  },
};

/** `systemctl status` and the journal's tail, labelled, for an error message. */
async function kubeletState(host: Host): Promise<string> {
  // systemctl status exits 3 for an inactive unit and still prints it: keep the output whatever the code.
  const status = await host.run(['systemctl', 'status', '--no-pager', 'kubelet']).catch((e: unknown) => ({ stdout: '', stderr: (e as Error).message }));
  const statusText = (status.stdout.trim() || status.stderr.trim() || '(no output)').split('\n').map((l) => `  ${l}`).join('\n');
  const journal = await kubeletJournal(host);
  return `systemctl status kubelet:\n${statusText}${journal ? `\nkubelet journal (last lines):\n${journal.split('\n').map((l) => `  ${l}`).join('\n')}` : ''}`;
}
