import { describe, expect, it } from 'vitest';
import { parseGlobalOptions, type Io } from '../../src/commands/global.js';
import { runReset } from '../../src/commands/reset.js';
import { createFakeRunner, createHost, type Host } from '../../src/host/index.js';
import { writeRecord } from '../../src/record.js';
import { useTempDirs } from '../host/helpers.js';
import { fakeClock, kubeletConfig, podManifest } from '../waiter/support.js';

const tempDir = useTempDirs();
const CRICTL = 'crictl --runtime-endpoint unix:///run/containerd/containerd.sock';

const container = (id: string, pod: string, state: string): object => ({
  id,
  metadata: { name: pod, attempt: 0 },
  state: `CONTAINER_${state}`,
  createdAt: '0',
  labels: { 'io.kubernetes.pod.name': `${pod}-cp-1` },
});

describe('reset on the live host', () => {
  it('removes the manifests first, waits for the kubelet to stop their containers, removes leftovers, then stops the kubelet', async () => {
    const root = await tempDir();
    const seed = createHost({ root });
    await seed.writeFile('/var/lib/kubelet/config.yaml', kubeletConfig(10248), { mode: 0o600 });
    await seed.writeFile('/etc/kubernetes/manifests/etcd.yaml', podManifest('etcd', { port: 2381, path: '/livez', scheme: 'HTTP' }), { mode: 0o600 });
    await seed.writeFile('/etc/kubernetes/manifests/user.yaml', podManifest('user', { port: 8080, path: '/', scheme: 'HTTP' }), { mode: 0o600 });
    await writeRecord(seed, [{ path: '/etc/kubernetes/manifests/etcd.yaml', kind: 'file' }]);

    let polls = 0;
    const calls: string[] = [];
    const runner = createFakeRunner({
      [`${CRICTL} ps -a -o json`]: () => {
        polls += 1;
        // Running for the first three looks, then exited (not yet garbage-collected by the kubelet).
        const etcd = container('e1', 'etcd', polls <= 3 ? 'RUNNING' : 'EXITED');
        return { stdout: JSON.stringify({ containers: [etcd, container('u1', 'user', 'RUNNING')] }) };
      },
      'systemctl is-active kubelet': { stdout: 'active' },
      [`${CRICTL} rm --force e1`]: {},
      'systemctl stop kubelet': {},
    });
    const wrapHost = (host: Host): Host => ({
      ...host,
      isLiveRoot: true,
      run: (argv, options = {}) => {
        calls.push(argv.join(' '));
        return runner(argv, options);
      },
    });
    const lines: string[] = [];
    const io: Io = { out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY: false };
    const clock = fakeClock();
    expect(await runReset(parseGlobalOptions({ root, yes: true }), io, { wrapHost, clock })).toBe(0);

    expect(calls.filter((c) => !c.endsWith('ps -a -o json'))).toEqual(['systemctl is-active kubelet', `${CRICTL} rm --force e1`, 'systemctl stop kubelet']);
    expect(clock.slept).toEqual([1000, 1000, 1000]);
    expect(lines.join('\n')).toContain('containers of etcd are gone');
    // The user's pod and its container are not nodeadm's: untouched.
    expect(await seed.exists('/etc/kubernetes/manifests/user.yaml')).toBe(true);
    expect(await seed.exists('/etc/kubernetes/manifests/etcd.yaml')).toBe(false);
    expect(calls.join('\n')).not.toContain('u1');
  });
});
