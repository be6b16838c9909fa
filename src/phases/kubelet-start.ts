import { OperationalError } from '../errors.js';
import type { InitPhase } from './context.js';

/** Reload units, enable and restart the kubelet so it picks up the config and static pods. */
export const kubeletStartPhase: InitPhase = {
  name: 'kubelet-start',
  title: 'Start the kubelet',
  liveHostOnly: true,
  async run({ host }, out) {
    for (const argv of [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'kubelet'],
      ['systemctl', 'restart', 'kubelet'],
    ]) {
      const result = await host.run(argv, { mutating: true });
      if (result.exitCode !== 0) {
        const status = await host.run(['systemctl', 'status', '--no-pager', 'kubelet']);
        const journal = await host.run(['journalctl', '-u', 'kubelet', '-n', '20', '--no-pager']);
        throw new OperationalError(
          `${argv.join(' ')} exited ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim()}\n${status.stdout.trim()}\n${journal.stdout.trim()}`,
          'check that the kubelet package is installed (dpkg -l kubelet) and see journalctl -u kubelet',
        );
      }
    }
    out.info('kubelet restarted; it now starts the static pods in /etc/kubernetes/manifests');
  },
};
