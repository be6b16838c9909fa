/**
 * Golden files per supported version, from the reference input (sampleConfig) on a
 * Debian/Ubuntu host. Regenerate with `npx vitest run -u test/manifests`, then read the diff
 * against reference/kubeadm.md (§3, §4, §8.3, §8.5) before accepting it.
 */
import { describe, expect, it } from 'vitest';
import {
  buildApiServerPod,
  buildControllerManagerPod,
  buildEtcdPod,
  buildKubeletConfiguration,
  buildKubeletDropIn,
  buildKubeletFlagsEnv,
  buildSchedulerPod,
  toYaml,
} from '../../src/manifests/index.js';
import { VERSIONS } from '../../src/versions/index.js';
import { DEBIAN_CA_DIRS, input } from './helpers.js';

describe.each(VERSIONS.map((v) => `v${v.minor}`))('golden files %s', (version) => {
  const { config, derived } = input(version);
  const golden = (file: string): string => `./golden/${version}/${file}`;
  const opts = { caCertDirs: DEBIAN_CA_DIRS };

  it('etcd.yaml', async () => {
    await expect(toYaml(buildEtcdPod(config, derived))).toMatchFileSnapshot(golden('etcd.yaml'));
  });
  it('kube-apiserver.yaml', async () => {
    await expect(toYaml(buildApiServerPod(config, derived, opts))).toMatchFileSnapshot(golden('kube-apiserver.yaml'));
  });
  it('kube-controller-manager.yaml', async () => {
    await expect(toYaml(buildControllerManagerPod(config, derived, opts))).toMatchFileSnapshot(golden('kube-controller-manager.yaml'));
  });
  it('kube-scheduler.yaml', async () => {
    await expect(toYaml(buildSchedulerPod(config, derived))).toMatchFileSnapshot(golden('kube-scheduler.yaml'));
  });
  it('kube-scheduler-batch.yaml (an extra scheduler)', async () => {
    const pod = buildSchedulerPod(config, derived, { name: 'batch', port: 10261 });
    await expect(toYaml(pod)).toMatchFileSnapshot(golden('kube-scheduler-batch.yaml'));
  });
  it('kubelet config.yaml', async () => {
    await expect(toYaml(buildKubeletConfiguration(config, derived))).toMatchFileSnapshot(golden('kubelet-config.yaml'));
  });
  it('nodeadm-flags.env', async () => {
    await expect(buildKubeletFlagsEnv(config, { osHostname: 'cp-1' })).toMatchFileSnapshot(golden('nodeadm-flags.env'));
  });
  it('10-nodeadm.conf', async () => {
    await expect(buildKubeletDropIn()).toMatchFileSnapshot(golden('10-nodeadm.conf'));
  });
});
