/**
 * No unknown fields: a compile-time check that every field the builders can emit exists in the
 * Kubernetes API types (kubernetes-models' interfaces, generated from the OpenAPI spec). The
 * runtime schema check in addons.test.ts checks types and required fields but lets unknown
 * fields through, which the API server would drop with a warning. `tsc` fails on a stray field.
 */
import type { IDaemonSet, IDeployment } from 'kubernetes-models/apps/v1';
import type { IClusterRole, IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { IConfigMap, IService, IServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import type { buildCoreDNSObjects, buildKubeProxyObjects } from '../../src/addons/index.js';

/** T with every key that Model lacks turned into `never`, recursively (through arrays and unions). */
type KnownFields<T, Model> = T extends readonly (infer E)[]
  ? KnownFields<E, NonNullable<Model> extends readonly (infer M)[] ? M : never>[]
  : T extends object
    ? { [K in keyof T]: K extends keyof NonNullable<Model> ? KnownFields<T[K], NonNullable<Model>[K]> : never }
    : T;

/** Compiles only when T has no field Model does not know. */
type Check<T, Model> = T extends KnownFields<T, Model> ? true : false;

type CoreDNS = ReturnType<typeof buildCoreDNSObjects>;
type KubeProxy = ReturnType<typeof buildKubeProxyObjects>;

const checks: Record<string, true> = {
  'coredns ServiceAccount': true satisfies Check<CoreDNS[0], IServiceAccount>,
  'coredns ClusterRole': true satisfies Check<CoreDNS[1], IClusterRole>,
  'coredns ClusterRoleBinding': true satisfies Check<CoreDNS[2], IClusterRoleBinding>,
  'coredns ConfigMap': true satisfies Check<CoreDNS[3], IConfigMap>,
  'coredns Deployment': true satisfies Check<CoreDNS[4], IDeployment>,
  'kube-dns Service': true satisfies Check<CoreDNS[5], IService>,
  'kube-proxy ClusterRoleBinding': true satisfies Check<KubeProxy[1], IClusterRoleBinding>,
  'kube-proxy ConfigMap': true satisfies Check<KubeProxy[2], IConfigMap>,
  'kube-proxy DaemonSet': true satisfies Check<KubeProxy[3], IDaemonSet>,
};

/** The check itself: a stray field does not compile. */
// @ts-expect-error -- `replica` is not a DeploymentSpec field
const negative: true = true satisfies Check<{ spec: { replica: number } }, IDeployment>;

describe('known fields', () => {
  it('every builder type checks against the API types (enforced by tsc)', () => {
    expect(Object.values(checks).every(Boolean)).toBe(true);
    expect(negative).toBe(true);
  });
});
