/** validatePodManifests: every refusal is one line naming the document and field; warnings for what a static pod cannot use. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { validatePodManifests } from '../../src/pods/validate.js';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n';

function refusal(text: string): string {
  try {
    validatePodManifests(text, 'web.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a refusal');
}

describe('validatePodManifests refuses', () => {
  it.each(['Deployment', 'ReplicaSet', 'DaemonSet', 'Job', 'StatefulSet'])('a %s, with the reason', (kind) => {
    const message = refusal(`apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: web\n`);
    expect(message).toBe(
      `web.yaml: kind: "${kind}" is refused: static pods are pods only: the kubelet has no controller for a ${kind}; write a kind: Pod (apiVersion: v1), or run the ${kind} on a cluster`,
    );
  });

  it.each([
    ['another apiVersion', POD.replace('apiVersion: v1', 'apiVersion: v2'), /^web\.yaml: apiVersion: invalid value "v2": a Pod is apiVersion v1$/],
    ['no kind', POD.replace('kind: Pod\n', ''), /kind: null is refused: static pods are pods only/],
    ['no name', POD.replace('  name: web\n', '  generateName: web-\n'), /metadata\.name: missing \(generateName is not enough/],
    ['a name that is not a DNS-1123 subdomain', POD.replace('name: web\nspec', 'name: Web_1\nspec'), /metadata\.name: invalid value "Web_1": must be a lowercase DNS-1123 subdomain/],
    ['a number as name', POD.replace('name: web\nspec', 'name: 42\nspec'), /metadata\.name: invalid value 42/],
    ['the etcd manifest', POD.replace('name: web\nspec', 'name: etcd\nspec'), /"etcd" is refused: etcd\.yaml is the control plane's manifest/],
    ['the API server manifest', POD.replace('name: web\nspec', 'name: kube-apiserver\nspec'), /kube-apiserver\.yaml is the control plane's manifest/],
    ['the default scheduler', POD.replace('name: web\nspec', 'name: kube-scheduler\nspec'), /kube-scheduler\.yaml is the control plane's manifest/],
    ['an extra scheduler', POD.replace('name: web\nspec', 'name: kube-scheduler-batch\nspec'), /kube-scheduler-batch\.yaml is an extra scheduler's manifest \(use "nodeadm add-scheduler"/],
    ['a bad namespace', POD.replace('  name: web\n', '  name: web\n  namespace: Kube_System\n'), /metadata\.namespace: invalid value "Kube_System"/],
    ['no containers', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: []\n', /spec\.containers: a Pod needs at least one container/],
    ['no spec', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n', /spec: missing/],
    ['a container without image', POD.replace('      image: nginx:1.27\n', ''), /spec\.containers\[0\]\.image: missing/],
    ['two containers of one name', `${POD}    - name: web\n      image: busybox\n`, /spec\.containers\[1\]\.name: "web" is used twice/],
    ['malformed YAML', 'apiVersion: v1\nkind: [Pod\n', /^web\.yaml: malformed YAML at line \d+: /],
    ['empty input', '\n---\n', /^web\.yaml: no YAML document found/],
    ['a list', '- a\n- b\n', /expected a Pod manifest \(a mapping\), got a list/],
    ['two pods of one name', `${POD}---\n${POD}`, /^web\.yaml: document 2: metadata\.name "web" is also the name of web\.yaml: document 1/],
    ['a bad second document after a good one', `${POD}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n`, /^web\.yaml: document 2: kind: "Deployment" is refused/],
  ])('%s', (_what, text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});

describe('validatePodManifests accepts', () => {
  it('several pods, marks each as the user\'s, and keeps every value as data', () => {
    const { pods, warnings } = validatePodManifests(`${POD}---\n${POD.replace('name: web\nspec', 'name: cache\nspec')}`, 'pods.yaml');
    expect(pods.map((p) => p.metadata.name)).toEqual(['web', 'cache']);
    expect(pods[0]!.metadata.annotations).toEqual({ 'nodeadm.io/owner': 'user' });
    expect(warnings).toEqual([]);
  });

  it('parses with the core schema: a date-like value stays the string it was written as', () => {
    const { pods } = validatePodManifests(POD.replace('      image: nginx:1.27\n', '      image: nginx:1.27\n      env:\n        - name: SINCE\n          value: 2024-01-01\n'), 'web.yaml');
    const env = (pods[0]!.spec.containers as Array<{ env: Array<{ value: unknown }> }>)[0]!.env;
    expect(env[0]!.value).toBe('2024-01-01');
  });

  it('warns about everything a static pod cannot use', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  name: app
spec:
  serviceAccountName: app
  imagePullSecrets: [{ name: regcred }]
  ephemeralContainers: [{ name: debug, image: busybox }]
  containers:
    - name: app
      image: app:1
      envFrom: [{ configMapRef: { name: cfg } }, { secretRef: { name: sec } }]
      env:
        - { name: A, valueFrom: { configMapKeyRef: { name: cfg, key: a } } }
        - { name: B, valueFrom: { secretKeyRef: { name: sec, key: b } } }
        - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
  volumes:
    - { name: s, secret: { secretName: sec } }
    - { name: c, configMap: { name: cfg } }
    - { name: t, projected: { sources: [] } }
    - { name: h, hostPath: { path: /data } }
`;
    const { warnings } = validatePodManifests(text, 'app.yaml');
    expect(warnings).toHaveLength(10);
    const joined = warnings.join('\n');
    for (const needle of [
      'spec.serviceAccountName "app" refers to a ServiceAccount',
      'spec.imagePullSecrets refers to Secrets',
      'spec.ephemeralContainers',
      'envFrom[0] refers to a ConfigMap',
      'envFrom[1] refers to a Secret',
      'env[0] (A) takes its value from a ConfigMap',
      'env[1] (B) takes its value from a Secret',
      'spec.volumes[0] (s) is a secret volume',
      'spec.volumes[1] (c) is a configMap volume',
      'spec.volumes[2] (t) is a projected volume',
    ]) {
      expect(joined).toContain(needle);
    }
    expect(joined).not.toContain('NODE');
    expect(joined).not.toContain('(h)');
  });
});
