/**
 * The command-line flags each component accepts, per supported Kubernetes minor, as data.
 * Sources: the generated reference pages of kubernetes/website
 * (content/en/docs/reference/command-line-tools-reference/{kube-apiserver,kube-controller-manager,
 * kube-scheduler,kubelet}.md) and `etcd --help` of the etcd release each minor pins
 * (versions table). An entry without `since`/`until` is accepted by every supported minor;
 * `since` is the first minor that has it, `until` the first minor that no longer does.
 */

export type FlagComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd' | 'kubelet';

export interface FlagEntry {
  name: string;
  since?: string;
  until?: string;
}

/** Space-separated names, all supported minors. */
const all = (names: string): FlagEntry[] => names.trim().split(/\s+/).map((name) => ({ name }));

/** Logging, metrics and generic component-base flags shared by every Kubernetes component. */
const COMPONENT_BASE = `
  allow-metric-labels allow-metric-labels-manifest disabled-metrics feature-gates help
  log-flush-frequency log-json-info-buffer-size log-json-split-stream log-text-info-buffer-size
  log-text-split-stream logging-format show-hidden-metrics-for-version v version vmodule`;

/** Secure serving, delegated authn/authz and leader election of the controller-manager and scheduler. */
const CONTROLLER_SERVING = `
  authentication-kubeconfig authentication-skip-lookup authentication-token-webhook-cache-ttl
  authentication-tolerate-lookup-failure authorization-always-allow-paths authorization-kubeconfig
  authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl bind-address
  cert-dir client-ca-file contention-profiling emulated-version http2-max-streams-per-connection
  kube-api-burst kube-api-content-type kube-api-qps kubeconfig leader-elect leader-elect-lease-duration
  leader-elect-renew-deadline leader-elect-resource-lock leader-elect-resource-name
  leader-elect-resource-namespace leader-elect-retry-period master permit-address-sharing
  permit-port-sharing profiling requestheader-allowed-names requestheader-client-ca-file
  requestheader-extra-headers-prefix requestheader-group-headers requestheader-uid-headers
  requestheader-username-headers secure-port tls-cert-file tls-cipher-suites tls-min-version
  tls-private-key-file tls-sni-cert-key`;

const APISERVER: FlagEntry[] = [
  ...all(COMPONENT_BASE),
  ...all(`
  admission-control admission-control-config-file advertise-address aggregator-reject-forwarding-redirect apiserver-count
  allow-privileged anonymous-auth api-audiences audit-log-batch-buffer-size audit-log-batch-max-size
  audit-log-batch-max-wait audit-log-batch-throttle-burst audit-log-batch-throttle-enable
  audit-log-batch-throttle-qps audit-log-compress audit-log-format audit-log-maxage audit-log-maxbackup
  audit-log-maxsize audit-log-mode audit-log-path audit-log-truncate-enabled
  audit-log-truncate-max-batch-size audit-log-truncate-max-event-size audit-log-version audit-policy-file
  audit-webhook-batch-buffer-size audit-webhook-batch-initial-backoff audit-webhook-batch-max-size
  audit-webhook-batch-max-wait audit-webhook-batch-throttle-burst audit-webhook-batch-throttle-enable
  audit-webhook-batch-throttle-qps audit-webhook-config-file audit-webhook-initial-backoff
  audit-webhook-mode audit-webhook-truncate-enabled audit-webhook-truncate-max-batch-size
  audit-webhook-truncate-max-event-size audit-webhook-version authentication-config
  authentication-token-webhook-cache-ttl authentication-token-webhook-config-file
  authentication-token-webhook-version authorization-config authorization-mode authorization-policy-file
  authorization-webhook-cache-authorized-ttl authorization-webhook-cache-unauthorized-ttl
  authorization-webhook-config-file authorization-webhook-version bind-address cert-dir client-ca-file
  cloud-config cloud-provider contention-profiling cors-allowed-origins debug-socket-path
  default-not-ready-toleration-seconds default-unreachable-toleration-seconds default-watch-cache-size
  delete-collection-workers disable-admission-plugins disable-http2-serving egress-selector-config-file
  emulated-version enable-admission-plugins enable-aggregator-routing enable-bootstrap-token-auth
  enable-garbage-collector enable-priority-and-fairness encryption-provider-config
  encryption-provider-config-automatic-reload endpoint-reconciler-type etcd-cafile etcd-certfile
  etcd-compaction-interval etcd-count-metric-poll-period etcd-db-metric-poll-interval
  etcd-healthcheck-timeout etcd-keyfile etcd-prefix etcd-readycheck-timeout etcd-servers
  etcd-servers-overrides event-ttl external-hostname goaway-chance http2-max-streams-per-connection
  kubelet-certificate-authority kubelet-client-certificate kubelet-client-key
  kubelet-preferred-address-types kubelet-timeout kubernetes-service-node-port
  lease-reuse-duration-seconds livez-grace-period max-connection-bytes-per-sec
  max-mutating-requests-inflight max-requests-inflight min-request-timeout oidc-ca-file oidc-client-id
  oidc-groups-claim oidc-groups-prefix oidc-issuer-url oidc-required-claim oidc-signing-algs
  oidc-username-claim oidc-username-prefix peer-advertise-ip peer-advertise-port peer-ca-file
  permit-address-sharing permit-port-sharing profiling proxy-client-cert-file proxy-client-key-file
  request-timeout requestheader-allowed-names requestheader-client-ca-file
  requestheader-extra-headers-prefix requestheader-group-headers requestheader-uid-headers
  requestheader-username-headers runtime-config secure-port service-account-extend-token-expiration
  service-account-issuer service-account-jwks-uri service-account-key-file service-account-lookup
  service-account-max-token-expiration service-account-signing-endpoint service-account-signing-key-file
  service-cluster-ip-range service-node-port-range shutdown-delay-duration shutdown-send-retry-after
  shutdown-watch-termination-grace-period storage-backend storage-initialization-timeout
  storage-media-type strict-transport-security-directives tls-cert-file tls-cipher-suites tls-min-version
  tls-private-key-file tls-sni-cert-key token-auth-file tracing-config-file watch-cache watch-cache-sizes`),
  { name: 'runtime-config-emulation-forward-compatible', since: '1.33' },
  { name: 'min-compatibility-version', since: '1.35' },
];

const CONTROLLER_MANAGER: FlagEntry[] = [
  ...all(COMPONENT_BASE),
  ...all(CONTROLLER_SERVING),
  ...all(`
  allocate-node-cidrs allow-untagged-cloud attach-detach-reconcile-sync-period cidr-allocator-type
  cloud-config cloud-provider cluster-cidr cluster-name cluster-signing-cert-file cluster-signing-duration
  cluster-signing-key-file cluster-signing-kube-apiserver-client-cert-file
  cluster-signing-kube-apiserver-client-key-file cluster-signing-kubelet-client-cert-file
  cluster-signing-kubelet-client-key-file cluster-signing-kubelet-serving-cert-file
  cluster-signing-kubelet-serving-key-file cluster-signing-legacy-unknown-cert-file
  cluster-signing-legacy-unknown-key-file concurrent-cron-job-syncs concurrent-daemonset-syncs
  concurrent-deployment-syncs concurrent-endpoint-syncs concurrent-ephemeralvolume-syncs
  concurrent-gc-syncs concurrent-horizontal-pod-autoscaler-syncs concurrent-job-syncs
  concurrent-namespace-syncs concurrent-rc-syncs concurrent-replicaset-syncs
  concurrent-resource-quota-syncs concurrent-service-endpoint-syncs concurrent-service-syncs
  concurrent-serviceaccount-token-syncs concurrent-statefulset-syncs concurrent-ttl-after-finished-syncs
  concurrent-validating-admission-policy-status-syncs configure-cloud-routes controller-start-interval
  controllers disable-attach-detach-reconcile-sync disable-force-detach-on-timeout
  enable-dynamic-provisioning enable-garbage-collector enable-hostpath-provisioner enable-leader-migration
  endpoint-updates-batch-period endpointslice-updates-batch-period external-cloud-volume-plugin
  flex-volume-plugin-dir horizontal-pod-autoscaler-cpu-initialization-period
  horizontal-pod-autoscaler-downscale-stabilization horizontal-pod-autoscaler-initial-readiness-delay
  horizontal-pod-autoscaler-sync-period horizontal-pod-autoscaler-tolerance large-cluster-size-threshold
  leader-migration-config legacy-service-account-token-clean-up-period max-endpoints-per-slice
  min-resync-period mirroring-concurrent-service-endpoint-syncs mirroring-endpointslice-updates-batch-period
  mirroring-max-endpoints-per-subset namespace-sync-period node-cidr-mask-size node-cidr-mask-size-ipv4
  node-cidr-mask-size-ipv6 node-eviction-rate node-monitor-grace-period node-monitor-period
  node-startup-grace-period pv-recycler-increment-timeout-nfs pv-recycler-minimum-timeout-hostpath
  pv-recycler-minimum-timeout-nfs pv-recycler-pod-template-filepath-hostpath
  pv-recycler-pod-template-filepath-nfs pv-recycler-timeout-increment-hostpath pvclaimbinder-sync-period
  resource-quota-sync-period root-ca-file route-reconciliation-period secondary-node-eviction-rate
  service-account-private-key-file service-cluster-ip-range terminated-pod-gc-threshold
  unhealthy-zone-threshold use-service-account-credentials`),
  { name: 'min-compatibility-version', since: '1.35' },
];

const SCHEDULER: FlagEntry[] = [
  ...all(COMPONENT_BASE),
  ...all(CONTROLLER_SERVING),
  ...all('config pod-max-in-unschedulable-pods-duration write-config-to'),
  { name: 'min-compatibility-version', since: '1.35' },
];

/** etcd 3.5 (v1.32, v1.33) and 3.6 (v1.34+); the versions table pins the release. */
const ETCD: FlagEntry[] = [
  ...all(`
  advertise-client-urls auth-token auth-token-ttl auto-compaction-mode auto-compaction-retention auto-tls
  backend-batch-interval backend-batch-limit backend-bbolt-freelist-type bcrypt-cost cert-file cipher-suites
  client-cert-allowed-hostname client-cert-auth client-crl-file cors data-dir discovery discovery-fallback
  discovery-proxy discovery-srv discovery-srv-name election-timeout enable-grpc-gateway enable-log-rotation
  enable-pprof experimental-compact-hash-check-enabled experimental-compact-hash-check-time
  experimental-compaction-batch-limit experimental-compaction-sleep-interval experimental-corrupt-check-time
  experimental-distributed-tracing-address experimental-distributed-tracing-instance-id
  experimental-distributed-tracing-sampling-rate experimental-distributed-tracing-service-name
  experimental-downgrade-check-time experimental-enable-distributed-tracing experimental-enable-lease-checkpoint
  experimental-enable-lease-checkpoint-persist experimental-initial-corrupt-check experimental-max-learners
  experimental-memory-mlock experimental-peer-skip-client-san-verification experimental-snapshot-catchup-entries
  experimental-txn-mode-write-with-shared-buffer experimental-wait-cluster-ready-timeout
  experimental-warning-apply-duration experimental-warning-unary-request-duration
  experimental-watch-progress-notify-interval force-new-cluster grpc-keepalive-interval
  grpc-keepalive-min-time grpc-keepalive-timeout heartbeat-interval help host-whitelist
  initial-advertise-peer-urls initial-cluster initial-cluster-state initial-cluster-token
  initial-election-tick-advance key-file listen-client-http-urls listen-client-urls listen-metrics-urls
  listen-peer-urls log-format log-level log-outputs log-rotation-config-json logger max-concurrent-streams
  max-request-bytes max-snapshots max-txn-ops max-wals metrics name peer-auto-tls peer-cert-allowed-cn
  peer-cert-allowed-hostname peer-cert-file peer-client-cert-auth peer-crl-file peer-key-file
  peer-trusted-ca-file pre-vote quota-backend-bytes self-signed-cert-validity snapshot-count
  socket-reuse-address socket-reuse-port strict-reconfig-check tls-max-version tls-min-version
  trusted-ca-file unsafe-no-fsync v2-deprecation version wal-dir`),
  // etcd 3.6 removed the v2 store and the v2 proxy.
  ...['enable-v2', 'experimental-enable-v2v3', 'proxy', 'proxy-dial-timeout', 'proxy-failure-wait', 'proxy-read-timeout', 'proxy-refresh-interval', 'proxy-write-timeout'].map(
    (name): FlagEntry => ({ name, until: '1.34' }),
  ),
  // etcd 3.6 graduated these from --experimental-* and added feature gates.
  ...[
    'bootstrap-defrag-threshold-megabytes',
    'compact-hash-check-time',
    'compaction-batch-limit',
    'compaction-sleep-interval',
    'corrupt-check-time',
    'distributed-tracing-address',
    'distributed-tracing-instance-id',
    'distributed-tracing-sampling-rate',
    'distributed-tracing-service-name',
    'downgrade-check-time',
    'enable-distributed-tracing',
    'feature-gates',
    'max-learners',
    'memory-mlock',
    'peer-skip-client-san-verification',
    'snapshot-catchup-entries',
    'warning-apply-duration',
    'warning-unary-request-duration',
    'watch-progress-notify-interval',
  ].map((name): FlagEntry => ({ name, since: '1.34' })),
  { name: 'experimental-bootstrap-defrag-threshold-megabytes' },
  { name: 'experimental-stop-grpc-service-on-defrag' },
];

const KUBELET: FlagEntry[] = [
  ...all(COMPONENT_BASE),
  ...all(`
  address allowed-unsafe-sysctls anonymous-auth authentication-token-webhook
  authentication-token-webhook-cache-ttl authorization-mode authorization-webhook-cache-authorized-ttl
  authorization-webhook-cache-unauthorized-ttl boot-id-file bootstrap-kubeconfig cert-dir cgroup-driver
  cgroup-root cgroups-per-qos client-ca-file cloud-config cloud-provider cluster-dns cluster-domain config
  config-dir container-log-max-files container-log-max-size container-runtime-endpoint contention-profiling
  cpu-cfs-quota cpu-cfs-quota-period cpu-manager-policy cpu-manager-policy-options
  cpu-manager-reconcile-period enable-controller-attach-detach enable-debugging-handlers enable-server
  enforce-node-allocatable event-burst event-qps eviction-hard eviction-max-pod-grace-period
  eviction-minimum-reclaim eviction-pressure-transition-period eviction-soft eviction-soft-grace-period
  exit-on-lock-contention experimental-allocatable-ignore-eviction experimental-mounter-path fail-cgroupv1
  fail-swap-on file-check-frequency hairpin-mode healthz-bind-address healthz-port hostname-override
  housekeeping-interval http-check-frequency image-credential-provider-bin-dir
  image-credential-provider-config image-gc-high-threshold image-gc-low-threshold image-service-endpoint
  kernel-memcg-notification kube-api-burst kube-api-content-type kube-api-qps kube-reserved
  kube-reserved-cgroup kubeconfig kubelet-cgroups local-storage-capacity-isolation lock-file
  make-iptables-util-chains manifest-url manifest-url-header max-open-files max-pods maximum-dead-containers
  maximum-dead-containers-per-container memory-manager-policy minimum-container-ttl-duration
  minimum-image-ttl-duration node-ip node-labels node-status-max-images node-status-update-frequency
  oom-score-adj pod-cidr pod-manifest-path pod-max-pids pods-per-core port protect-kernel-defaults
  provider-id qos-reserved read-only-port register-node register-schedulable register-with-taints
  registry-burst registry-qps reserved-cpus reserved-memory resolv-conf root-dir rotate-certificates
  rotate-server-certificates runonce runtime-cgroups runtime-request-timeout seccomp-default
  serialize-image-pulls streaming-connection-idle-timeout sync-frequency system-cgroups system-reserved
  system-reserved-cgroup tls-cert-file tls-cipher-suites tls-min-version tls-private-key-file
  topology-manager-policy topology-manager-policy-options topology-manager-scope volume-plugin-dir
  volume-stats-agg-period`),
  // Removed in v1.35 (PR #133779): a kubelet started with it exits.
  { name: 'pod-infra-container-image', until: '1.35' },
];

export const FLAG_TABLE: Readonly<Record<FlagComponent, readonly FlagEntry[]>> = {
  'kube-apiserver': APISERVER,
  'kube-controller-manager': CONTROLLER_MANAGER,
  'kube-scheduler': SCHEDULER,
  etcd: ETCD,
  kubelet: KUBELET,
};
