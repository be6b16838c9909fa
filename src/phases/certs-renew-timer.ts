/**
 * certs/renew-timer (opt-in: --certificate-renewal-timer / certificateRenewalTimer): a systemd
 * timer that runs `nodeadm certs renew all --if-expiring-within 60d` daily, so a node renews
 * its certificates (and restarts what uses them) long before they expire.
 */
import type { InitPhase } from './context.js';

export const RENEW_SERVICE = '/etc/systemd/system/nodeadm-certs-renew.service';
export const RENEW_TIMER = '/etc/systemd/system/nodeadm-certs-renew.timer';
export const RENEW_WINDOW = '60d';

type Unit = [section: string, entries: [key: string, value: string][]][];

/** systemd's INI form; values are nodeadm's own constants, never user text. */
function unitText(unit: Unit): string {
  return unit.map(([section, entries]) => [`[${section}]`, ...entries.map(([k, v]) => `${k}=${v}`)].join('\n')).join('\n\n') + '\n';
}

export function renewServiceUnit(): string {
  return unitText([
    ['Unit', [['Description', `Renew Kubernetes certificates that expire within ${RENEW_WINDOW} (nodeadm)`], ['Wants', 'network-online.target'], ['After', 'network-online.target kubelet.service']]],
    // PATH lookup: the image builder does not know where nodeadm will be installed.
    ['Service', [['Type', 'oneshot'], ['ExecStart', `/usr/bin/env nodeadm certs renew all --if-expiring-within ${RENEW_WINDOW} --yes`]]],
  ]);
}

export function renewTimerUnit(): string {
  return unitText([
    ['Unit', [['Description', 'Daily check for expiring Kubernetes certificates (nodeadm)']]],
    ['Timer', [['OnCalendar', 'daily'], ['RandomizedDelaySec', '1h'], ['Persistent', 'true']]],
    ['Install', [['WantedBy', 'timers.target']]],
  ]);
}

export const renewTimerPhase: InitPhase = {
  name: 'renew-timer',
  title: `Install a systemd timer that renews certificates expiring within ${RENEW_WINDOW}`,
  guard: (ctx) => (ctx.config.certificateRenewalTimer ? undefined : 'not requested (--certificate-renewal-timer)'),
  async run(ctx, out) {
    const service = await ctx.host.writeFile(RENEW_SERVICE, renewServiceUnit(), { mode: 0o644 });
    const timer = await ctx.host.writeFile(RENEW_TIMER, renewTimerUnit(), { mode: 0o644 });
    const unit = RENEW_TIMER.split('/').pop()!;
    if (!ctx.host.isLiveRoot) {
      out.info(`on the machine, enable it: systemctl enable --now ${unit}`);
      return;
    }
    if (service !== 'unchanged' || timer !== 'unchanged') await ctx.host.run(['systemctl', 'daemon-reload'], { mutating: true });
    await ctx.host.run(['systemctl', 'enable', '--now', unit], { mutating: true });
  },
};
