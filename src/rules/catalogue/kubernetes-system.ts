// Alerts and recording rules about the API server, kubelets, nodes, scheduler and controller manager.
import { alertingRule, promql, recordingRule, ruleGroup, series } from '../builders';
import type { AlertDefinition, RecordDefinition, RuleGroupDefinition, SeriesInput } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface KubernetesSystemThresholds {
  /** How long components of different Kubernetes minor versions may run side by side (KubeVersionMismatch). @default "15m" */
  readonly versionMismatchFor: string;
  /** KubeClientErrors fires above this share (0-1) of a client's API requests failing (5xx or no response). @default 0.01 */
  readonly clientErrorsRatio: number;
  /** @default "15m" */
  readonly clientErrorsFor: string;

  /** Availability objective of the API server (0-1), for reads and for writes: its error budget is `1 - apiServerSlo`. @default 0.99 */
  readonly apiServerSlo: number;
  /**
   * A read of one object slower than this many seconds counts against the error budget. Must be a bucket
   * boundary of apiserver_request_sli_duration_seconds. @default 1
   */
  readonly apiServerReadResourceLatencySeconds: number;
  /** Same for a read (list) of one namespace. @default 5 */
  readonly apiServerReadNamespaceLatencySeconds: number;
  /** Same for a read (list) across the cluster. @default 30 */
  readonly apiServerReadClusterLatencySeconds: number;
  /** Same for a write (POST, PUT, PATCH, DELETE). @default 1 */
  readonly apiServerWriteLatencySeconds: number;
  /** Burn rate (multiple of the budget) that pages over 1h, confirmed over 5m: 2% of a 30-day budget per hour. @default 14.4 */
  readonly apiServerBurnRate1h: number;
  /** Burn rate that pages over 6h, confirmed over 30m: 5% of the budget in 6 hours. @default 6 */
  readonly apiServerBurnRate6h: number;
  /** Burn rate that warns over 1d, confirmed over 2h: 10% of the budget in a day. @default 3 */
  readonly apiServerBurnRate1d: number;
  /** Burn rate that warns over 3d, confirmed over 6h: 10% of the budget in 3 days. @default 1 */
  readonly apiServerBurnRate3d: number;
  /** `for` of the critical KubeAPIErrorBudgetBurn over 1h and 5m. @default "2m" */
  readonly apiServerBudgetBurn1hFor: string;
  /** `for` of the critical KubeAPIErrorBudgetBurn over 6h and 30m: a 30m window needs longer to confirm. @default "15m" */
  readonly apiServerBudgetBurn6hFor: string;
  /** `for` of the warning KubeAPIErrorBudgetBurn over 1d and 2h. @default "1h" */
  readonly apiServerBudgetBurn1dFor: string;
  /** `for` of the warning KubeAPIErrorBudgetBurn over 3d and 6h. @default "3h" */
  readonly apiServerBudgetBurn3dFor: string;
  /** KubeClientCertificateExpiration warns when a client certificate seen by the API server expires within this many seconds. @default 604800 */
  readonly clientCertificateExpirationWarningSeconds: number;
  /** ... and is critical within this many seconds. @default 86400 */
  readonly clientCertificateExpirationCriticalSeconds: number;
  /** @default "5m" */
  readonly clientCertificateExpirationFor: string;
  /** KubeAggregatedAPIErrors fires when an aggregated API was reported unavailable more than this many times in `aggregatedApiErrorsWindow`. @default 4 */
  readonly aggregatedApiErrors: number;
  /** @default "10m" */
  readonly aggregatedApiErrorsWindow: string;
  /** ... for this long (a single burst of discovery failures while an APIService restarts is not an alert). @default '10m' */
  readonly aggregatedApiErrorsFor: string;
  /** KubeAggregatedAPIDown fires when an aggregated API was available less than this percentage of the last 10 minutes. @default 85 */
  readonly aggregatedApiAvailabilityPercent: number;
  /** @default "5m" */
  readonly aggregatedApiDownFor: string;
  /** KubeAPITerminatedRequests fires above this share (0-1) of requests the API server terminated itself. @default 0.2 */
  readonly apiServerTerminatedRequestsRatio: number;
  /** @default "5m" */
  readonly apiServerTerminatedRequestsFor: string;

  /** How long every target of the API server, kubelets, scheduler or controller manager may be down (the ...Down alerts). @default "15m" */
  readonly kubeComponentDownFor: string;
  /** How long one target of them may be down while the others are up (the ...InstanceUnreachable alerts). @default "15m" */
  readonly kubeComponentInstanceUnreachableFor: string;

  /** @default "15m" */
  readonly nodeNotReadyFor: string;
  /** @default "10m" */
  readonly nodePressureFor: string;
  /** @default "15m" */
  readonly nodeUnreachableFor: string;
  /**
   * Regular expression of taint keys that mark a node as going away on purpose: an unreachable node with one of
   * them does not raise KubeNodeUnreachable.
   * @default "ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn"
   */
  readonly nodeUnreachableIgnoredTaintKeys: string;
  /** KubeNodeReadinessFlapping fires when a node's readiness changes more than this many times in `nodeReadinessFlappingWindow`. @default 2 */
  readonly nodeReadinessFlappingChanges: number;
  /** @default "15m" */
  readonly nodeReadinessFlappingWindow: string;
  /** @default "15m" */
  readonly nodeReadinessFlappingFor: string;
  /** KubeNodeEviction fires while the kubelet evicted pods in this window. @default "15m" */
  readonly nodeEvictionWindow: string;

  /** KubeletTooManyPods fires above this share (0-1) of a node's pod capacity. @default 0.95 */
  readonly kubeletTooManyPodsRatio: number;
  /** @default "15m" */
  readonly kubeletTooManyPodsFor: string;
  /** KubeletPlegDurationHigh fires when the 99th percentile PLEG relist takes at least this many seconds (10 is the largest bucket). @default 10 */
  readonly kubeletPlegDurationSeconds: number;
  /** @default "5m" */
  readonly kubeletPlegDurationFor: string;
  /** KubeletPodStartUpLatencyHigh fires when the 99th percentile pod start (without image pulls) takes longer than this many seconds. @default 60 */
  readonly kubeletPodStartUpLatencySeconds: number;
  /** @default "15m" */
  readonly kubeletPodStartUpLatencyFor: string;
  /** The kubelet certificate alerts warn when a certificate expires within this many seconds. @default 604800 */
  readonly kubeletCertificateExpirationWarningSeconds: number;
  /** ... and are critical within this many seconds. @default 86400 */
  readonly kubeletCertificateExpirationCriticalSeconds: number;
  /** How long a kubelet may keep failing to renew a certificate. @default "15m" */
  readonly kubeletCertificateRenewalErrorsFor: string;
}

export const DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS: KubernetesSystemThresholds = {
  versionMismatchFor: '15m',
  clientErrorsRatio: 0.01,
  clientErrorsFor: '15m',
  apiServerSlo: 0.99,
  apiServerReadResourceLatencySeconds: 1,
  apiServerReadNamespaceLatencySeconds: 5,
  apiServerReadClusterLatencySeconds: 30,
  apiServerWriteLatencySeconds: 1,
  apiServerBurnRate1h: 14.4,
  apiServerBurnRate6h: 6,
  apiServerBurnRate1d: 3,
  apiServerBurnRate3d: 1,
  apiServerBudgetBurn1hFor: '2m',
  apiServerBudgetBurn6hFor: '15m',
  apiServerBudgetBurn1dFor: '1h',
  apiServerBudgetBurn3dFor: '3h',
  clientCertificateExpirationWarningSeconds: 604800,
  clientCertificateExpirationCriticalSeconds: 86400,
  clientCertificateExpirationFor: '5m',
  aggregatedApiErrors: 4,
  aggregatedApiErrorsWindow: '10m',
  aggregatedApiErrorsFor: '10m',
  aggregatedApiAvailabilityPercent: 85,
  aggregatedApiDownFor: '5m',
  apiServerTerminatedRequestsRatio: 0.2,
  apiServerTerminatedRequestsFor: '5m',
  kubeComponentDownFor: '15m',
  kubeComponentInstanceUnreachableFor: '15m',
  nodeNotReadyFor: '15m',
  nodePressureFor: '10m',
  nodeUnreachableFor: '15m',
  nodeUnreachableIgnoredTaintKeys:
    'ToBeDeletedByClusterAutoscaler|cloud.google.com/impending-node-termination|aws-node-termination-handler/spot-itn',
  nodeReadinessFlappingChanges: 2,
  nodeReadinessFlappingWindow: '15m',
  nodeReadinessFlappingFor: '15m',
  nodeEvictionWindow: '15m',
  kubeletTooManyPodsRatio: 0.95,
  kubeletTooManyPodsFor: '15m',
  kubeletPlegDurationSeconds: 10,
  kubeletPlegDurationFor: '5m',
  kubeletPodStartUpLatencySeconds: 60,
  kubeletPodStartUpLatencyFor: '15m',
  kubeletCertificateExpirationWarningSeconds: 604800,
  kubeletCertificateExpirationCriticalSeconds: 86400,
  kubeletCertificateRenewalErrorsFor: '15m',
};

/** `<name>_bucket`, `<name>_sum` and `<name>_count`. */
const histogram = (name: string): string[] => [`${name}_bucket`, `${name}_sum`, `${name}_count`];

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const KUBERNETES_SYSTEM_METRICS: readonly string[] = [
  // Every Kubernetes component.
  'kubernetes_build_info', 'kubernetes_feature_enabled', 'leader_election_master_status',
  'rest_client_requests_total', ...histogram('rest_client_request_duration_seconds'),
  ...histogram('rest_client_rate_limiter_duration_seconds'), ...histogram('rest_client_request_size_bytes'),
  ...histogram('rest_client_response_size_bytes'),
  'workqueue_adds_total', 'workqueue_depth', 'workqueue_retries_total', 'workqueue_unfinished_work_seconds',
  'workqueue_longest_running_processor_seconds', ...histogram('workqueue_queue_duration_seconds'),
  ...histogram('workqueue_work_duration_seconds'),
  ...GO_PROCESS_METRICS,
  // API server.
  'apiserver_request_total', ...histogram('apiserver_request_duration_seconds'),
  ...histogram('apiserver_request_sli_duration_seconds'), 'apiserver_request_terminations_total',
  ...histogram('apiserver_response_sizes'), 'apiserver_current_inflight_requests', 'apiserver_longrunning_requests',
  'apiserver_flowcontrol_current_executing_requests', 'apiserver_flowcontrol_current_inqueue_requests',
  'apiserver_flowcontrol_rejected_requests_total', ...histogram('apiserver_flowcontrol_request_wait_duration_seconds'),
  ...histogram('apiserver_client_certificate_expiration_seconds'),
  'aggregator_unavailable_apiservice', 'aggregator_unavailable_apiservice_total',
  ...histogram('apiserver_admission_controller_admission_duration_seconds'),
  ...histogram('apiserver_admission_webhook_admission_duration_seconds'), 'apiserver_admission_webhook_rejection_count',
  // The step histogram's buckets are dropped at scrape time; its sum and count stay.
  'apiserver_admission_step_admission_duration_seconds_sum', 'apiserver_admission_step_admission_duration_seconds_count',
  'apiserver_storage_objects', 'apiserver_storage_size_bytes', 'apiserver_requested_deprecated_apis',
  'apiserver_watch_events_total', 'apiserver_audit_event_total',
  // The etcd histogram's buckets are dropped at scrape time; its sum and count stay.
  'etcd_request_duration_seconds_sum', 'etcd_request_duration_seconds_count',
  // Kubelet (its /metrics; cAdvisor's container_* belong to the workload rules).
  'kubelet_node_name', 'kubelet_running_pods', 'kubelet_running_containers', 'kubelet_evictions',
  ...histogram('kubelet_pleg_relist_duration_seconds'), ...histogram('kubelet_pleg_relist_interval_seconds'),
  ...histogram('kubelet_pod_worker_duration_seconds'), ...histogram('kubelet_pod_start_duration_seconds'),
  ...histogram('kubelet_pod_start_sli_duration_seconds'),
  'kubelet_runtime_operations_total', 'kubelet_runtime_operations_errors_total',
  ...histogram('kubelet_runtime_operations_duration_seconds'), ...histogram('kubelet_cgroup_manager_duration_seconds'),
  'kubelet_started_pods_total', 'kubelet_started_pods_errors_total', 'kubelet_started_containers_total',
  'kubelet_started_containers_errors_total', 'kubelet_node_config_error',
  'kubelet_certificate_manager_client_ttl_seconds', 'kubelet_certificate_manager_server_ttl_seconds',
  'kubelet_certificate_manager_client_expiration_renew_errors', 'kubelet_server_expiration_renew_errors',
  'kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_inodes', 'kubelet_volume_stats_inodes_free', 'kubelet_volume_stats_inodes_used',
  ...histogram('storage_operation_duration_seconds'), 'volume_manager_total_volumes', 'prober_probe_total',
  // Scheduler.
  'scheduler_pending_pods', 'scheduler_schedule_attempts_total', 'scheduler_preemption_attempts_total',
  'scheduler_queue_incoming_pods_total', 'scheduler_unschedulable_pods',
  ...histogram('scheduler_scheduling_attempt_duration_seconds'), ...histogram('scheduler_pod_scheduling_sli_duration_seconds'),
  ...histogram('scheduler_scheduling_algorithm_duration_seconds'),
  ...histogram('scheduler_framework_extension_point_duration_seconds'),
  // Controller manager.
  'node_collector_evictions_total', 'node_collector_zone_health', 'node_collector_unhealthy_nodes_in_zone',
  // CoreDNS.
  'coredns_build_info', 'coredns_panics_total', 'coredns_dns_requests_total', 'coredns_dns_responses_total',
  ...histogram('coredns_dns_request_duration_seconds'), ...histogram('coredns_dns_request_size_bytes'),
  ...histogram('coredns_dns_response_size_bytes'), 'coredns_cache_hits_total', 'coredns_cache_misses_total',
  'coredns_cache_entries', 'coredns_forward_requests_total', 'coredns_forward_responses_total',
  ...histogram('coredns_forward_request_duration_seconds'), 'coredns_forward_healthcheck_failures_total',
  'coredns_plugin_enabled', 'coredns_reload_failed_total',
];


/**
 * A matcher of one histogram bucket. Prometheus 3 writes `le` of classic histograms as floats (`1.0`), older
 * versions as they were scraped (`1`): match both.
 */
function le(seconds: number): string {
  return Number.isInteger(seconds) ? `le=~"${seconds}([.]0)?"` : `le="${seconds}"`;
}

const APISERVER = 'job="apiserver"';
const KUBELET = 'job="kubelet", metrics_path="/metrics"';
const KSM = 'job="kube-state-metrics"';
const READ_VERBS = 'verb=~"LIST|GET"';
const WRITE_VERBS = 'verb=~"POST|PUT|PATCH|DELETE"';
/** Streaming subresources: their latency says nothing about the API server. */
const LATENCY_SCOPE = 'subresource!~"proxy|attach|log|exec|portforward"';
const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;
const BUDGET_BURN = 'KubeAPIErrorBudgetBurn';
const SPENT = 'verb:apiserver_request_budget_spent:rate5m';
const REQUESTS = 'verb:apiserver_request:rate5m';

/** Adds the node name to kubelet series (the kubelet target carries only its address). */
const withNode = `* on (instance) group_left (node) max by (instance, node) (kubelet_node_name{${KUBELET}})`;

/** Which parts of the cluster the stack scrapes: each group of rules is there only when its metrics are. */
export interface KubernetesSystemScrapes {
  readonly apiserver: boolean;
  readonly kubelet: boolean;
  readonly kubeScheduler: boolean;
  readonly kubeControllerManager: boolean;
  /** kube-proxy is scraped (its PodMonitor, job `kube-proxy`). */
  readonly kubeProxy: boolean;
  /** kube-state-metrics runs: the node alerts read its `kube_node_*` series. */
  readonly nodes: boolean;
}

export function kubernetesSystemRules(t: KubernetesSystemThresholds, scrapes: KubernetesSystemScrapes): RuleGroupDefinition[] {
  const nodesMonitored = scrapes.nodes;
  const groups: RuleGroupDefinition[] = [];
  const add = (name: string, rules: Array<AlertDefinition | RecordDefinition | false>, runbookArea = 'kubernetes') => {
    const kept = rules.filter((r): r is AlertDefinition | RecordDefinition => r !== false);
    if (kept.length) groups.push(ruleGroup(name, kept, { runbookArea }));
  };

  if (scrapes.apiserver) {
    // Requests per second that spent error budget, and all requests, per kind (read or write); the burn rates of
    // longer windows average these instead of reading days of raw histograms at every evaluation.
    add('kube-apiserver-burnrate.rules', [
      recordingRule(SPENT, budgetSpent(t, 'read'), { verb: 'read' }),
      recordingRule(SPENT, budgetSpent(t, 'write'), { verb: 'write' }),
      recordingRule(REQUESTS, promql`sum(rate(apiserver_request_total{${APISERVER}, ${READ_VERBS}}[5m]))`, { verb: 'read' }),
      recordingRule(REQUESTS, promql`sum(rate(apiserver_request_total{${APISERVER}, ${WRITE_VERBS}}[5m]))`, { verb: 'write' }),
      ...BURN_WINDOWS.map((w) => recordingRule(`apiserver_request:burnrate${w}`, w === '5m'
        ? `${SPENT} / ${REQUESTS}`
        : `sum_over_time(${SPENT}[${w}]) / sum_over_time(${REQUESTS}[${w}])`)),
    ]);
    add('kube-apiserver.rules', [
      recordingRule('code_verb:apiserver_request:rate5m', promql`
        sum by (code, verb) (rate(apiserver_request_total{${APISERVER}}[5m]))`),
      recordingRule('verb_scope:apiserver_request_sli_duration_seconds:p99_rate5m', promql`
        histogram_quantile(0.99, sum by (verb, scope, le) (
          rate(apiserver_request_sli_duration_seconds_bucket{${APISERVER}, ${LATENCY_SCOPE}}[5m])))`),
    ]);
  }
  if (scrapes.kubelet) {
    const quantiles = (record: string, metric: string, qs: number[]) =>
      qs.map((q) => recordingRule(record, promql`
        histogram_quantile(${q}, sum by (instance, le) (rate(${metric}{${KUBELET}}[5m])) ${withNode})`, { quantile: String(q) }));
    add('kubelet.rules', [
      ...quantiles('node_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile', 'kubelet_pleg_relist_duration_seconds_bucket', [0.99, 0.9, 0.5]),
      ...quantiles('node_quantile:kubelet_pod_worker_duration_seconds:histogram_quantile', 'kubelet_pod_worker_duration_seconds_bucket', [0.99]),
      ...quantiles('node_quantile:kubelet_pod_start_sli_duration_seconds:histogram_quantile', 'kubelet_pod_start_sli_duration_seconds_bucket', [0.99]),
    ]);
  }
  if (scrapes.kubeScheduler) {
    // The community's cluster-wide quantiles (fed from the metrics that replaced the e2e and binding histograms).
    const quantiles = (metric: string) => ['0.99', '0.9', '0.5'].map((quantile) =>
      recordingRule(`cluster_quantile:${metric}:histogram_quantile`, promql`
        histogram_quantile(${quantile}, sum without (instance, pod) (rate(${metric}_bucket{job="kube-scheduler"}[5m])))`, { quantile }));
    add('kube-scheduler.rules', [
      recordingRule('instance:scheduler_scheduling_attempt_duration_seconds:p99_rate5m', promql`
        histogram_quantile(0.99, sum by (instance, result, le) (
          rate(scheduler_scheduling_attempt_duration_seconds_bucket{job="kube-scheduler"}[5m])))`),
      ...quantiles('scheduler_scheduling_attempt_duration_seconds'),
      ...quantiles('scheduler_scheduling_algorithm_duration_seconds'),
      ...quantiles('scheduler_pod_scheduling_sli_duration_seconds'),
    ]);
  }

  add('kubernetes-system', [versionMismatch(t), clientErrors(t)]);
  if (scrapes.apiserver) {
    add('kube-apiserver-slos', budgetBurn(t));
    add('kubernetes-system-apiserver', [
      ...clientCertificateExpiration(t),
      aggregatedApiErrors(t),
      aggregatedApiDown(t),
      componentDown(t, 'KubeAPIDown', 'API server', APISERVER, 'apiserver'),
      instanceUnreachable(t, 'KubeAPIInstanceUnreachable', 'API server', APISERVER, { job: 'apiserver', instance: '10.0.0.1:6443' }, '10.0.0.2:6443'),
      terminatedRequests(t),
    ]);
  }
  add('kubernetes-system-kubelet', [
    ...(nodesMonitored ? nodeAlerts(t) : []),
    scrapes.kubelet && nodesMonitored && kubeletTooManyPods(t),
    ...(scrapes.kubelet ? kubeletAlerts(t) : []),
  ]);
  if (scrapes.kubeScheduler) {
    add('kubernetes-system-scheduler', [
      componentDown(t, 'KubeSchedulerDown', 'kube-scheduler', 'job="kube-scheduler"', 'kube-scheduler'),
      instanceUnreachable(t, 'KubeSchedulerInstanceUnreachable', 'kube-scheduler', 'job="kube-scheduler"', { job: 'kube-scheduler', instance: '10.0.0.1:10259' }, '10.0.0.2:10259'),
    ]);
  }
  if (scrapes.kubeControllerManager) {
    add('kubernetes-system-controller-manager', [
      componentDown(t, 'KubeControllerManagerDown', 'kube-controller-manager', 'job="kube-controller-manager"', 'kube-controller-manager'),
      instanceUnreachable(t, 'KubeControllerManagerInstanceUnreachable', 'kube-controller-manager', 'job="kube-controller-manager"', { job: 'kube-controller-manager', instance: '10.0.0.1:10257' }, '10.0.0.2:10257'),
    ]);
  }
  // kube-proxy runs on every node: one node's proxy down is a node problem (TargetDown), all of them down is this.
  if (scrapes.kubeProxy) add('kubernetes-system-kube-proxy', [componentDown(t, 'KubeProxyDown', 'kube-proxy', 'job="kube-proxy"', 'kube-proxy')]);
  return groups;
}

// --- API server error budget ----------------------------------------------------------------------------------------

/**
 * Read or write requests per second that spent the error budget: answered with a 5xx, or slower than the latency
 * objective of their scope (all requests of the SLI histogram, less those in the buckets of their objective).
 * One sum over a union: the histogram's series (with `le`) and the request counter's (with `code`) never share a
 * label set, and the zero-valued request series keep the sum at 0 where nothing failed (or, before Kubernetes
 * 1.27, where the SLI histogram is missing).
 */
function budgetSpent(t: KubernetesSystemThresholds, verb: 'read' | 'write'): string {
  const verbs = verb === 'read' ? READ_VERBS : WRITE_VERBS;
  const sli = `${APISERVER}, ${verbs}, ${LATENCY_SCOPE}`;
  const fast = (scope: string, seconds: number) =>
    `or -rate(apiserver_request_sli_duration_seconds_bucket{${sli}, ${scope}${le(seconds)}}[5m])`;
  const fastEnough = verb === 'read'
    ? [fast('scope=~"resource|", ', t.apiServerReadResourceLatencySeconds),
       fast('scope="namespace", ', t.apiServerReadNamespaceLatencySeconds),
       fast('scope="cluster", ', t.apiServerReadClusterLatencySeconds)].join(' ')
    : fast('', t.apiServerWriteLatencySeconds);
  return promql`
    sum(
      rate(apiserver_request_sli_duration_seconds_count{${sli}}[5m])
      ${fastEnough}
      or rate(apiserver_request_total{${APISERVER}, ${verbs}, code=~"5.."}[5m])
      or 0 * rate(apiserver_request_total{${APISERVER}, ${verbs}}[5m])
    )`;
}

/** Both windows of one burn rate over the budget, labelled with the windows like the community's alert. */
function burnWindow(t: KubernetesSystemThresholds, long: string, short: string, factor: number): string {
  const limit = `(${factor} * (1 - ${t.apiServerSlo}))`;
  return promql`apiserver_request:burnrate${long} > ${limit} and on (verb) apiserver_request:burnrate${short} > ${limit}`;
}

function budgetBurn(t: KubernetesSystemThresholds): AlertDefinition[] {
  const labels = { job: 'apiserver', instance: '10.0.0.1:6443' };
  const requests = (verb: string, code: string, values: string, extra: Record<string, string> = {}): SeriesInput =>
    ({ series: series('apiserver_request_total', { ...labels, verb, code, resource: 'pods', ...extra }), values });
  const sli = (verb: string, scope: string, count: string, fast: string, bound: string): SeriesInput[] => {
    const base = { ...labels, verb, resource: 'pods', scope };
    return [
      { series: series('apiserver_request_sli_duration_seconds_count', base), values: count },
      { series: series('apiserver_request_sli_duration_seconds_bucket', { ...base, le: bound }), values: fast },
      { series: series('apiserver_request_sli_duration_seconds_bucket', { ...base, le: '+Inf' }), values: count },
    ];
  };
  // Healthy traffic: 0.5% of reads and writes fail, every request is fast enough (half the budget).
  const healthy = (n: number): SeriesInput[] => [
    requests('GET', '200', `0+995x${n}`, { scope: 'resource' }), requests('GET', '500', `0+5x${n}`, { scope: 'resource' }),
    ...sli('GET', 'resource', `0+1000x${n}`, `0+1000x${n}`, '1'),
    requests('LIST', '200', `0+100x${n}`, { scope: 'cluster' }), ...sli('LIST', 'cluster', `0+100x${n}`, `0+100x${n}`, '30'),
    requests('POST', '201', `0+199x${n}`, { scope: 'namespace' }), requests('POST', '500', `0+1x${n}`, { scope: 'namespace' }),
    ...sli('POST', 'namespace', `0+200x${n}`, `0+200x${n}`, '1'),
  ];
  // 40% of writes fail: the 1h window pages within minutes, the 6h one after its `for`; the slow-burn ones pend.
  const failingWrites: SeriesInput[] = [
    requests('GET', '200', '0+1000x40', { scope: 'resource' }), ...sli('GET', 'resource', '0+1000x40', '0+1000x40', '1'),
    requests('POST', '201', '0+60x40', { scope: 'namespace' }), requests('POST', '500', '0+40x40', { scope: 'namespace' }),
    ...sli('POST', 'namespace', '0+100x40', '0+100x40', '1'),
  ];
  // 4% of the reads of single objects take longer than a second (the latency part of the budget): a slow burn
  // that warns after an hour (1d window) or three (3d window), too slow to page.
  const slowReads = (n: number): SeriesInput[] => [
    requests('GET', '200', `0+1000x${n}`, { scope: 'resource' }), ...sli('GET', 'resource', `0+1000x${n}`, `0+960x${n}`, '1'),
    requests('POST', '201', `0+100x${n}`, { scope: 'namespace' }), ...sli('POST', 'namespace', `0+100x${n}`, `0+100x${n}`, '1'),
  ];
  const description =
    '{{ $value | humanizePercentage }} of the API server\'s {{ $labels.verb }} requests failed or were too slow over the ' +
    'last {{ $labels.long }} (and still over the last {{ $labels.short }}): at this rate the error budget of its ' +
    'availability objective runs out early.';
  // One alert per pair of windows, as the community's: each short window needs its own time to confirm a burn
  // (a 30m window that fired after 2m paged on the first minutes of a blip). Every alert of the name fires in a
  // test, so each case lists all the windows firing by then: the faster ones and itself, never the slower ones.
  type Window = { long: string; short: string; severity: 'critical' | 'warning' };
  const fast: Window = { long: '1h', short: '5m', severity: 'critical' };
  const medium: Window = { long: '6h', short: '30m', severity: 'critical' };
  const day: Window = { long: '1d', short: '2h', severity: 'warning' };
  const days: Window = { long: '3d', short: '6h', severity: 'warning' };
  const burn = (w: Window, factor: number, forDuration: string, input: SeriesInput[], at: string, verb: string, firing: Window[]) =>
    alertingRule({
      alert: BUDGET_BURN,
      expr: burnWindow(t, w.long, w.short, factor),
      for: forDuration,
      severity: w.severity,
      // Static, as the community's: promtool tells alerts of one name apart by their labels.
      labels: { long: w.long, short: w.short },
      summary: 'The API server is burning too much error budget.',
      description,
      tests: {
        fires: { input, at, expect: firing.map((f) => ({ verb, long: f.long, short: f.short, severity: f.severity })) },
        silent: { input: healthy(Math.max(40, parseInt(at, 10) + 10)), at, expect: [] },
      },
    });
  return [
    burn(fast, t.apiServerBurnRate1h, t.apiServerBudgetBurn1hFor, failingWrites, '10m', 'write', [fast]),
    burn(medium, t.apiServerBurnRate6h, t.apiServerBudgetBurn6hFor, failingWrites, '25m', 'write', [fast, medium]),
    burn(day, t.apiServerBurnRate1d, t.apiServerBudgetBurn1dFor, slowReads(80), '75m', 'read', [day]),
    burn(days, t.apiServerBurnRate3d, t.apiServerBudgetBurn3dFor, slowReads(200), '190m', 'read', [day, days]),
  ];
}

// --- the rest of the API server -------------------------------------------------------------------------------------

function versionMismatch(t: KubernetesSystemThresholds): AlertDefinition {
  const info = (job: string, instance: string, version: string): SeriesInput =>
    ({ series: series('kubernetes_build_info', { job, instance, git_version: version, major: '1' }), values: '1x40' });
  return alertingRule({
    alert: 'KubeVersionMismatch',
    expr: promql`
      count(count by (git_version) (label_replace(
        kubernetes_build_info{job=~"apiserver|kubelet|kube-scheduler|kube-controller-manager"},
        "git_version", "$1", "git_version", "v?([0-9]+[.][0-9]+).*"))) > 1`,
    for: t.versionMismatchFor,
    severity: 'warning',
    summary: 'Different minor versions of Kubernetes components are running.',
    description: 'Kubernetes components of {{ $value }} different minor versions are running (an upgrade in progress, or one left half done).',
    tests: {
      fires: {
        input: [info('apiserver', '10.0.0.1:6443', 'v1.31.2'), info('kubelet', '10.0.0.1:10250', 'v1.31.2'), info('kubelet', '10.0.0.2:10250', 'v1.30.6')],
        at: '20m',
        expect: [{}],
      },
      silent: {
        // Patch releases may differ.
        input: [info('apiserver', '10.0.0.1:6443', 'v1.31.2'), info('kubelet', '10.0.0.1:10250', 'v1.31.2'), info('kubelet', '10.0.0.2:10250', 'v1.31.1')],
        at: '20m',
        expect: [],
      },
    },
  });
}

function clientErrors(t: KubernetesSystemThresholds): AlertDefinition {
  const client = { job: 'kube-controller-manager', namespace: 'kube-system', instance: '10.0.0.1:10257' };
  const requests = (code: string, values: string): SeriesInput =>
    ({ series: series('rest_client_requests_total', { ...client, code, host: '10.96.0.1:443', method: 'GET' }), values });
  return alertingRule({
    alert: 'KubeClientErrors',
    expr: promql`
      sum by (job, namespace, instance) (rate(rest_client_requests_total{code=~"5..|<error>"}[5m]))
      / sum by (job, namespace, instance) (rate(rest_client_requests_total[5m]))
      > ${t.clientErrorsRatio}`,
    for: t.clientErrorsFor,
    severity: 'warning',
    summary: 'A Kubernetes API client is seeing errors.',
    description: '{{ $value | humanizePercentage }} of the API requests of {{ $labels.job }} at {{ $labels.instance }} (namespace {{ $labels.namespace }}) fail.',
    tests: {
      fires: { input: [requests('200', '0+100x40'), requests('500', '0+5x40'), requests('<error>', '0+2x40')], at: '20m', expect: [client] },
      silent: { input: [requests('200', '0+1000x40'), requests('500', '0+1x40')], at: '20m', expect: [] },
    },
  });
}

function clientCertificateExpiration(t: KubernetesSystemThresholds): AlertDefinition[] {
  const bounds = ['3600', '21600', '43200', '86400', '172800', '345600', '604800', '2592000', '31104000', '+Inf'];
  /** Client certificates seen by the API server all expire in (lower, upper] seconds. */
  const expiringWithin = (upper: string): SeriesInput[] => [
    ...bounds.map((b) => ({
      series: series('apiserver_client_certificate_expiration_seconds_bucket', { job: 'apiserver', instance: '10.0.0.1:6443', le: b }),
      values: b === '+Inf' || Number(b) >= Number(upper) ? '0+10x30' : '0x30',
    })),
    { series: series('apiserver_client_certificate_expiration_seconds_count', { job: 'apiserver', instance: '10.0.0.1:6443' }), values: '0+10x30' },
  ];
  const expr = (seconds: number) => promql`
    histogram_quantile(0.01, sum by (job, le) (rate(apiserver_client_certificate_expiration_seconds_bucket{${APISERVER}}[5m])))
    < ${seconds}
    and on (job) sum by (job) (rate(apiserver_client_certificate_expiration_seconds_count{${APISERVER}}[5m])) > 0`;
  const description = 'A client certificate used to authenticate to the API server expires in less than {{ $value | humanizeDuration }}.';
  const healthy = { input: expiringWithin('31104000'), at: '12m', expect: [] };
  return [
    alertingRule({
      alert: 'KubeClientCertificateExpiration',
      expr: expr(t.clientCertificateExpirationCriticalSeconds),
      for: t.clientCertificateExpirationFor,
      severity: 'critical',
      summary: 'A client certificate is about to expire.',
      description,
      tests: {
        // Both variants fire for certificates that expire within 12 hours.
        fires: { input: expiringWithin('43200'), at: '12m', expect: [{ job: 'apiserver', severity: 'critical' }, { job: 'apiserver', severity: 'warning' }] },
        silent: healthy,
      },
    }),
    alertingRule({
      alert: 'KubeClientCertificateExpiration',
      expr: expr(t.clientCertificateExpirationWarningSeconds),
      for: t.clientCertificateExpirationFor,
      severity: 'warning',
      summary: 'A client certificate is about to expire.',
      description,
      tests: { fires: { input: expiringWithin('345600'), at: '12m', expect: [{ job: 'apiserver', severity: 'warning' }] }, silent: healthy },
    }),
  ];
}

function aggregatedApiErrors(t: KubernetesSystemThresholds): AlertDefinition {
  const errors = (values: string): SeriesInput => ({
    series: series('aggregator_unavailable_apiservice_total', { job: 'apiserver', instance: '10.0.0.1:6443', name: 'v1beta1.metrics.k8s.io', reason: 'FailedDiscoveryCheck' }),
    values,
  });
  return alertingRule({
    alert: 'KubeAggregatedAPIErrors',
    expr: promql`
      sum by (instance, name, reason) (increase(aggregator_unavailable_apiservice_total{${APISERVER}}[${t.aggregatedApiErrorsWindow}]))
      > ${t.aggregatedApiErrors}`,
    for: t.aggregatedApiErrorsFor,
    severity: 'warning',
    summary: 'An aggregated API has reported errors.',
    description: 'The aggregated API {{ $labels.name }} was reported unavailable ({{ $labels.reason }}) {{ $value | humanize }} times in the last ' +
      `${t.aggregatedApiErrorsWindow}. Unlike the community rule (any report, for 10m), it counts reports over a window, so that one burst while an APIService restarts is not an alert.`,
    tests: {
      fires: { input: [errors('0+1x40')], at: '25m', expect: [{ instance: '10.0.0.1:6443', name: 'v1beta1.metrics.k8s.io', reason: 'FailedDiscoveryCheck' }] },
      // A burst of 6 reports in two minutes, then none: over in a few minutes, not an alert.
      silent: { input: [errors('0 0 3 6 6x40')], at: '10m', expect: [] },
    },
  });
}

function aggregatedApiDown(t: KubernetesSystemThresholds): AlertDefinition {
  const unavailable = (instance: string, values: string): SeriesInput => ({
    series: series('aggregator_unavailable_apiservice', { job: 'apiserver', instance, name: 'v1beta1.metrics.k8s.io' }),
    values,
  });
  return alertingRule({
    alert: 'KubeAggregatedAPIDown',
    expr: promql`
      (1 - max by (name) (avg_over_time(aggregator_unavailable_apiservice{${APISERVER}}[10m]))) * 100
      < ${t.aggregatedApiAvailabilityPercent}`,
    for: t.aggregatedApiDownFor,
    severity: 'warning',
    summary: 'An aggregated API is down.',
    description: 'The aggregated API {{ $labels.name }} has been available only {{ $value | humanize }}% of the last 10 minutes.',
    tests: {
      fires: { input: [unavailable('10.0.0.1:6443', '1x20'), unavailable('10.0.0.2:6443', '1x20')], at: '15m', expect: [{ name: 'v1beta1.metrics.k8s.io' }] },
      silent: { input: [unavailable('10.0.0.1:6443', '0x20'), unavailable('10.0.0.2:6443', '0x20')], at: '15m', expect: [] },
    },
  });
}

function terminatedRequests(t: KubernetesSystemThresholds): AlertDefinition {
  const labels = { job: 'apiserver', instance: '10.0.0.1:6443', resource: 'pods' };
  const input = (terminated: string): SeriesInput[] => [
    { series: series('apiserver_request_total', { ...labels, verb: 'LIST', code: '200' }), values: '0+100x40' },
    { series: series('apiserver_request_terminations_total', { ...labels, verb: 'LIST', code: '429' }), values: terminated },
  ];
  return alertingRule({
    alert: 'KubeAPITerminatedRequests',
    expr: promql`
      sum(rate(apiserver_request_terminations_total{${APISERVER}}[10m]))
      / (sum(rate(apiserver_request_total{${APISERVER}}[10m])) + sum(rate(apiserver_request_terminations_total{${APISERVER}}[10m])))
      > ${t.apiServerTerminatedRequestsRatio}`,
    for: t.apiServerTerminatedRequestsFor,
    severity: 'warning',
    summary: 'The API server has terminated requests itself.',
    description: 'The API server terminated {{ $value | humanizePercentage }} of its incoming requests (overload protection: APF or timeouts).',
    tests: {
      fires: { input: input('0+40x40'), at: '15m', expect: [{}] },
      silent: { input: input('0+1x40'), at: '15m', expect: [] },
    },
  });
}

// --- targets --------------------------------------------------------------------------------------------------------

function componentDown(t: KubernetesSystemThresholds, alert: string, what: string, selector: string, job: string): AlertDefinition {
  const extra: Record<string, string> = job === 'kubelet' ? { metrics_path: '/metrics' } : {};
  const up = (instance: string, values: string): SeriesInput => ({ series: series('up', { job, ...extra, instance }), values });
  return alertingRule({
    alert,
    expr: `absent(up{${selector}} == 1)`,
    for: t.kubeComponentDownFor,
    severity: 'critical',
    // absent() of a comparison carries no labels: without `job`, routes and silences on it would never match.
    labels: { job },
    summary: `No ${what} target is up.`,
    description: `Prometheus has not scraped any ${what} successfully for ${t.kubeComponentDownFor}, or finds none to scrape. ` +
      'Unlike the community rule, it carries `job`, so that routes and silences on it match.',
    tests: {
      fires: { input: [up('10.0.0.1:1', '1x2 0x23'), up('10.0.0.2:1', '0x25')], at: '20m', expect: [{ job }] },
      silent: { input: [up('10.0.0.1:1', '1x40'), up('10.0.0.2:1', '1x40')], at: '20m', expect: [] },
    },
  });
}

function instanceUnreachable(
  t: KubernetesSystemThresholds,
  alert: string,
  what: string,
  selector: string,
  down: Record<string, string>,
  otherInstance: string,
): AlertDefinition {
  const other = { ...down, instance: otherInstance };
  return alertingRule({
    alert,
    expr: `up{${selector}} == 0 and on () (count(up{${selector}} == 1) > 0)`,
    for: t.kubeComponentInstanceUnreachableFor,
    severity: 'warning',
    summary: `A ${what} target is unreachable.`,
    description: `Prometheus cannot scrape the ${what} at {{ $labels.instance }}, while other ${what} targets are up.`,
    tests: {
      fires: { input: [{ series: series('up', down), values: '0x25' }, { series: series('up', other), values: '1x40' }], at: '20m', expect: [down] },
      silent: { input: [{ series: series('up', down), values: '1x40' }, { series: series('up', other), values: '1x40' }], at: '20m', expect: [] },
    },
  });
}

// --- nodes ----------------------------------------------------------------------------------------------------------

function nodeAlerts(t: KubernetesSystemThresholds): AlertDefinition[] {
  const condition = (node: string, type: string, status: string, values: string): SeriesInput => ({
    series: series('kube_node_status_condition', { job: 'kube-state-metrics', node, condition: type, status }),
    values,
  });
  const schedulable = (node: string, values = '0x40'): SeriesInput =>
    ({ series: series('kube_node_spec_unschedulable', { job: 'kube-state-metrics', node }), values });
  const taint = (node: string, key: string, effect: string): SeriesInput =>
    ({ series: series('kube_node_spec_taint', { job: 'kube-state-metrics', node, key, effect }), values: '1x40' });
  const flapping = Array.from({ length: 41 }, (_, i) => (Math.floor(i / 2) % 2 === 0 ? '1' : '0')).join(' ');
  const unreachable = 'node.kubernetes.io/unreachable';

  return [
    alertingRule({
      alert: 'KubeNodeNotReady',
      expr: promql`
        kube_node_status_condition{${KSM}, condition="Ready", status="true"} == 0
        and on (node) kube_node_spec_unschedulable{${KSM}} == 0`,
      for: t.nodeNotReadyFor,
      severity: 'warning',
      summary: 'A node is not ready.',
      description: `Node {{ $labels.node }} has not been ready for more than ${t.nodeNotReadyFor}.`,
      tests: {
        fires: {
          input: [condition('node-a', 'Ready', 'true', '1x1 0x30'), schedulable('node-a'), condition('node-b', 'Ready', 'true', '1x40'), schedulable('node-b')],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', node: 'node-a', condition: 'Ready', status: 'true' }],
        },
        silent: {
          // node-b is cordoned for maintenance: its being down is expected.
          input: [condition('node-a', 'Ready', 'true', '1x40'), schedulable('node-a'), condition('node-b', 'Ready', 'true', '0x40'), schedulable('node-b', '1x40')],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeNodePressure',
      expr: promql`
        kube_node_status_condition{${KSM}, condition=~"MemoryPressure|DiskPressure|PIDPressure", status="true"} == 1
        and on (node) kube_node_spec_unschedulable{${KSM}} == 0`,
      for: t.nodePressureFor,
      severity: 'info',
      summary: 'A node is under resource pressure.',
      description: `Node {{ $labels.node }} has had the {{ $labels.condition }} condition for more than ${t.nodePressureFor}.`,
      tests: {
        fires: {
          input: [condition('node-a', 'MemoryPressure', 'true', '0x1 1x30'), condition('node-a', 'DiskPressure', 'true', '0x40'), schedulable('node-a')],
          at: '15m',
          expect: [{ job: 'kube-state-metrics', node: 'node-a', condition: 'MemoryPressure', status: 'true' }],
        },
        silent: {
          input: [condition('node-a', 'MemoryPressure', 'true', '0x40'), condition('node-a', 'DiskPressure', 'true', '0x40'), schedulable('node-a')],
          at: '15m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeNodeUnreachable',
      expr: promql`
        kube_node_spec_taint{${KSM}, key="${unreachable}", effect="NoSchedule"} == 1
        unless on (node) kube_node_spec_taint{${KSM}, key=~"${t.nodeUnreachableIgnoredTaintKeys}"}`,
      for: t.nodeUnreachableFor,
      severity: 'warning',
      summary: 'A node is unreachable.',
      description: 'Node {{ $labels.node }} is unreachable: its workloads will be rescheduled elsewhere.',
      tests: {
        fires: {
          input: [taint('node-a', unreachable, 'NoSchedule'), taint('node-b', 'node-role.kubernetes.io/control-plane', 'NoSchedule')],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', node: 'node-a', key: unreachable, effect: 'NoSchedule' }],
        },
        silent: {
          // node-a is being removed by the cluster autoscaler.
          input: [
            taint('node-a', unreachable, 'NoSchedule'), taint('node-a', 'ToBeDeletedByClusterAutoscaler', 'NoSchedule'),
            taint('node-b', 'node-role.kubernetes.io/control-plane', 'NoSchedule'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeNodeReadinessFlapping',
      expr: promql`
        sum by (node) (changes(kube_node_status_condition{${KSM}, condition="Ready", status="true"}[${t.nodeReadinessFlappingWindow}]))
        > ${t.nodeReadinessFlappingChanges}
        and on (node) kube_node_spec_unschedulable{${KSM}} == 0`,
      for: t.nodeReadinessFlappingFor,
      severity: 'warning',
      summary: 'A node\'s readiness is flapping.',
      description: `The readiness of node {{ $labels.node }} changed {{ $value }} times in the last ${t.nodeReadinessFlappingWindow}.`,
      tests: {
        fires: { input: [condition('node-a', 'Ready', 'true', flapping), schedulable('node-a')], at: '25m', expect: [{ node: 'node-a' }] },
        silent: { input: [condition('node-a', 'Ready', 'true', '1x10 0x3 1x12'), schedulable('node-a')], at: '25m', expect: [] },
      },
    }),
  ];
}

// --- kubelets -------------------------------------------------------------------------------------------------------

const kubeletA = { job: 'kubelet', metrics_path: '/metrics', instance: '10.0.0.1:10250' };
const nodeName: SeriesInput = { series: series('kubelet_node_name', { ...kubeletA, node: 'node-a' }), values: '1x40' };

function kubeletTooManyPods(t: KubernetesSystemThresholds): AlertDefinition {
  const input = (running: string): SeriesInput[] => [
    { series: series('kubelet_running_pods', kubeletA), values: `${running}x40` },
    nodeName,
    { series: series('kube_node_status_capacity', { job: 'kube-state-metrics', node: 'node-a', resource: 'pods', unit: 'integer' }), values: '110x40' },
  ];
  return alertingRule({
    alert: 'KubeletTooManyPods',
    expr: promql`
      max by (node) (kubelet_running_pods{${KUBELET}} ${withNode})
      / on (node) max by (node) (kube_node_status_capacity{${KSM}, resource="pods"})
      > ${t.kubeletTooManyPodsRatio}`,
    for: t.kubeletTooManyPodsFor,
    severity: 'info',
    summary: 'A kubelet is running at its pod capacity.',
    description: 'The kubelet on node {{ $labels.node }} runs {{ $value | humanizePercentage }} of the pods it can hold.',
    tests: {
      fires: { input: input('108'), at: '20m', expect: [{ node: 'node-a' }] },
      silent: { input: input('60'), at: '20m', expect: [] },
    },
  });
}

function kubeletAlerts(t: KubernetesSystemThresholds): AlertDefinition[] {
  const histogramInput = (metric: string, bounds: string[], counts: Record<string, string>): SeriesInput[] =>
    bounds.map((b) => ({ series: series(`${metric}_bucket`, { ...kubeletA, le: b }), values: counts[b] ?? '0+10x40' }));
  const pleg = (slow: boolean) => histogramInput('kubelet_pleg_relist_duration_seconds', ['0.01', '0.1', '1', '5', '10', '+Inf'],
    slow ? { '0.01': '0x40', '0.1': '0x40', '1': '0x40', '5': '0x40', '10': '0x40' } : {});
  const podStart = (slow: boolean) => histogramInput('kubelet_pod_start_sli_duration_seconds', ['1', '5', '30', '60', '120', '+Inf'],
    slow ? { '1': '0x40', '5': '0x40', '30': '0x40', '60': '0x40' } : { '1': '0x40' });
  const withNodeLabels = { instance: kubeletA.instance, node: 'node-a', quantile: '0.99' };
  const kubeletNode = { ...kubeletA, node: 'node-a' };
  const counter = (metric: string, values: string): SeriesInput[] => [{ series: series(metric, kubeletA), values }, nodeName];

  return [
    alertingRule({
      alert: 'KubeNodeEviction',
      expr: promql`
        sum by (node, eviction_signal) (increase(kubelet_evictions{${KUBELET}}[${t.nodeEvictionWindow}]) ${withNode}) > 0`,
      severity: 'info',
      summary: 'A node is evicting pods.',
      description: `The kubelet on node {{ $labels.node }} evicted pods in the last ${t.nodeEvictionWindow} because of {{ $labels.eviction_signal }} pressure.`,
      tests: {
        fires: {
          input: [{ series: series('kubelet_evictions', { ...kubeletA, eviction_signal: 'memory.available' }), values: '0x10 1+1x20' }, nodeName],
          at: '15m',
          expect: [{ node: 'node-a', eviction_signal: 'memory.available' }],
        },
        silent: {
          input: [{ series: series('kubelet_evictions', { ...kubeletA, eviction_signal: 'memory.available' }), values: '3x40' }, nodeName],
          at: '15m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeletPlegDurationHigh',
      expr: promql`
        node_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile{quantile="0.99"} >= ${t.kubeletPlegDurationSeconds}`,
      for: t.kubeletPlegDurationFor,
      severity: 'warning',
      summary: 'A kubelet\'s Pod Lifecycle Event Generator is slow to relist.',
      description: 'The 99th percentile of the PLEG relist duration of the kubelet on node {{ $labels.node }} is {{ $value }} seconds.',
      tests: {
        fires: { input: [...pleg(true), nodeName], at: '12m', expect: [withNodeLabels] },
        silent: { input: [...pleg(false), nodeName], at: '12m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeletPodStartUpLatencyHigh',
      expr: promql`
        node_quantile:kubelet_pod_start_sli_duration_seconds:histogram_quantile{quantile="0.99"} > ${t.kubeletPodStartUpLatencySeconds}`,
      for: t.kubeletPodStartUpLatencyFor,
      severity: 'warning',
      summary: 'Pods start slowly on a node.',
      description: 'The 99th percentile of the time pods take to start on node {{ $labels.node }} (not counting image pulls) is {{ $value | humanizeDuration }}.',
      tests: {
        fires: { input: [...podStart(true), nodeName], at: '20m', expect: [withNodeLabels] },
        silent: { input: [...podStart(false), nodeName], at: '20m', expect: [] },
      },
    }),
    ...certificateExpiration(t, 'KubeletClientCertificateExpiration', 'kubelet_certificate_manager_client_ttl_seconds', 'client'),
    ...certificateExpiration(t, 'KubeletServerCertificateExpiration', 'kubelet_certificate_manager_server_ttl_seconds', 'server'),
    alertingRule({
      alert: 'KubeletClientCertificateRenewalErrors',
      expr: promql`increase(kubelet_certificate_manager_client_expiration_renew_errors{${KUBELET}}[5m]) ${withNode} > 0`,
      for: t.kubeletCertificateRenewalErrorsFor,
      severity: 'warning',
      summary: 'A kubelet fails to renew its client certificate.',
      description: 'The kubelet on node {{ $labels.node }} failed to renew its client certificate {{ $value | humanize }} times in the last 5 minutes.',
      tests: {
        fires: { input: counter('kubelet_certificate_manager_client_expiration_renew_errors', '0+1x40'), at: '20m', expect: [kubeletNode] },
        silent: { input: counter('kubelet_certificate_manager_client_expiration_renew_errors', '0x40'), at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeletServerCertificateRenewalErrors',
      expr: promql`increase(kubelet_server_expiration_renew_errors{${KUBELET}}[5m]) ${withNode} > 0`,
      for: t.kubeletCertificateRenewalErrorsFor,
      severity: 'warning',
      summary: 'A kubelet fails to renew its server certificate.',
      description: 'The kubelet on node {{ $labels.node }} failed to renew its server certificate {{ $value | humanize }} times in the last 5 minutes.',
      tests: {
        fires: { input: counter('kubelet_server_expiration_renew_errors', '0+1x40'), at: '20m', expect: [kubeletNode] },
        silent: { input: counter('kubelet_server_expiration_renew_errors', '0x40'), at: '20m', expect: [] },
      },
    }),
    componentDown(t, 'KubeletDown', 'kubelet', KUBELET, 'kubelet'),
    instanceUnreachable(t, 'KubeletInstanceUnreachable', 'kubelet', KUBELET, kubeletA, '10.0.0.2:10250'),
  ];
}

function certificateExpiration(t: KubernetesSystemThresholds, alert: string, metric: string, kind: string): AlertDefinition[] {
  const expr = (seconds: number) => promql`${metric}{${KUBELET}} ${withNode} < ${seconds}`;
  const input = (ttl: number): SeriesInput[] => [{ series: series(metric, kubeletA), values: `${ttl}-60x40` }, nodeName];
  const summary = `A kubelet's ${kind} certificate is about to expire.`;
  const description = `The ${kind} certificate of the kubelet on node {{ $labels.node }} expires in {{ $value | humanizeDuration }}.`;
  const labels = { ...kubeletA, node: 'node-a' };
  const healthy = { input: input(300 * 86400), at: '5m', expect: [] };
  return [
    alertingRule({
      alert, expr: expr(t.kubeletCertificateExpirationCriticalSeconds), severity: 'critical', summary, description,
      tests: {
        // Both variants fire for a certificate that expires within 12 hours.
        fires: { input: input(12 * 3600), at: '5m', expect: [{ ...labels, severity: 'critical' }, { ...labels, severity: 'warning' }] },
        silent: healthy,
      },
    }),
    alertingRule({
      alert, expr: expr(t.kubeletCertificateExpirationWarningSeconds), severity: 'warning', summary, description,
      tests: { fires: { input: input(3 * 86400), at: '5m', expect: [{ ...labels, severity: 'warning' }] }, silent: healthy },
    }),
  ];
}
