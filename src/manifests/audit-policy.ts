/**
 * /etc/kubernetes/audit-policy.yaml: an audit.k8s.io/v1 Policy meeting CIS 3.2.2 — secrets,
 * configmaps and token reviews only at Metadata (their bodies never reach the log), request
 * bodies for pod and deployment writes and for exec/attach/port-forward/proxy, Metadata for
 * everything else, and the noisy read-only system traffic left out.
 */
import { canonical } from './canonical.js';

export interface AuditPolicyRule {
  level: 'None' | 'Metadata' | 'Request' | 'RequestResponse';
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: { group: string; resources: string[] }[];
  nonResourceURLs?: string[];
  omitStages?: string[];
}

export interface AuditPolicy {
  apiVersion: 'audit.k8s.io/v1';
  kind: 'Policy';
  omitStages: string[];
  rules: AuditPolicyRule[];
}

export function buildAuditPolicy(): AuditPolicy {
  return canonical<AuditPolicy>({
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // RequestReceived duplicates every event's ResponseComplete entry.
    omitStages: ['RequestReceived'],
    rules: [
      // Health checks and the kube-proxy/system watch traffic: high volume, no security value.
      { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version', '/metrics'] },
      { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'], resources: [{ group: '', resources: ['endpoints', 'services', 'services/status'] }] },
      { level: 'None', userGroups: ['system:nodes'], verbs: ['get'], resources: [{ group: '', resources: ['nodes', 'nodes/status'] }] },
      { level: 'None', verbs: ['get', 'list', 'watch'], resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
      { level: 'None', resources: [{ group: '', resources: ['events'] }, { group: 'events.k8s.io', resources: ['events'] }] },
      // Never log the content of secrets, configmaps or token reviews.
      {
        level: 'Metadata',
        resources: [
          { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
          { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
        ],
      },
      // Interactive access into workloads: who ran what where.
      {
        level: 'Request',
        resources: [{ group: '', resources: ['pods/exec', 'pods/attach', 'pods/portforward', 'pods/proxy', 'services/proxy', 'nodes/proxy'] }],
      },
      // Writes to workloads, RBAC and admission configuration, with the request body.
      {
        level: 'Request',
        verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
        resources: [
          { group: '', resources: ['pods', 'pods/ephemeralcontainers', 'serviceaccounts', 'services', 'namespaces', 'nodes'] },
          { group: 'apps', resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'] },
          { group: 'batch', resources: ['jobs', 'cronjobs'] },
          { group: 'rbac.authorization.k8s.io', resources: ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'] },
          { group: 'admissionregistration.k8s.io', resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies', 'validatingadmissionpolicybindings'] },
          { group: 'certificates.k8s.io', resources: ['certificatesigningrequests', 'certificatesigningrequests/approval'] },
        ],
      },
      // Everything else: who did what, without bodies.
      { level: 'Metadata' },
    ],
  });
}
