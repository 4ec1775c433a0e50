// Dashboards about kubelet, API server and CoreDNS. Each is there when the stack scrapes its component; they read
// the kubernetes-system recording rules where those exist (the API server's error budget, kubelet quantiles).
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { HeatmapColorMode, HeatmapColorOptionsBuilder, PanelBuilder as HeatmapPanel, YAxisConfigBuilder } from '@grafana/grafana-foundation-sdk/heatmap';
import { PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { CLUSTER, DATASOURCE, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import type { KubernetesSystemThresholds } from '../../rules/catalogue/kubernetes-system';
import type { PromDuration } from '../../core/primitives';
import { durationSeconds } from '../../core/durations';

/** The longest window of the API server's availability objective (its burn rates assume 30 days). */
const SLO_WINDOW = '30d';

/** Thresholds of a value where high is good: red below `orange`, orange below `green`, then green. */
function falling(orange: number, green: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' }, { value: orange, color: 'orange' }, { value: green, color: 'green' },
  ]);
}

/** A heatmap of a Prometheus histogram: `expr` must aggregate `increase(<name>_bucket[...])` by `le`. */
function heatmap(title: string, unit: string, expr: string): HeatmapPanel {
  return new HeatmapPanel()
    .title(title)
    .datasource(DATASOURCE)
    .withTarget(query(expr, '{{le}}').format(PromQueryFormat.Heatmap))
    .calculate(false)
    .yAxis(new YAxisConfigBuilder().unit(unit))
    .color(new HeatmapColorOptionsBuilder().mode(HeatmapColorMode.Scheme).scheme('Oranges'))
    .height(8)
    .span(12);
}

/** `n` without floating-point noise (1 - 0.99 is 0.010000000000000009). */
const round = (n: number): number => Number(n.toPrecision(6));

export interface KubernetesSystemDashboardOptions {
  /** Each dashboard is there when the stack scrapes its component. */
  readonly kubelet: boolean;
  readonly apiserver: boolean;
  readonly coreDns: boolean;
  /** The alert thresholds the panels colour by. */
  readonly thresholds: KubernetesSystemThresholds;
  /**
   * The retention of the Prometheus that answers: the API server's availability is shown over 30 days, or over the
   * retention where that is shorter.
   * @default 30 days
   */
  readonly prometheusRetention?: PromDuration;
}

export function kubernetesSystemDashboards(options: KubernetesSystemDashboardOptions): DashboardBuilder[] {
  return [
    ...(options.kubelet ? [kubelet(options.thresholds)] : []),
    ...(options.apiserver ? [apiServer(options.thresholds, options.prometheusRetention ?? SLO_WINDOW)] : []),
    ...(options.coreDns ? [coreDns()] : []),
  ];
}

// --- kubelet ---------------------------------------------------------------------------------------------------------

function kubelet(t: KubernetesSystemThresholds): DashboardBuilder {
  const K = `${CLUSTER}, job="kubelet", metrics_path="/metrics", instance=~"$instance"`;
  /** The kubelet recording rules: aggregated by instance, with the node's name. */
  const R = `${CLUSTER}, instance=~"$instance"`;
  const rate = (metric: string, by: string, extra = ''): string =>
    `sum by (${by}) (rate(${metric}{${K}${extra}}[$__rate_interval]))`;
  const p99 = (metric: string, by: string): string =>
    `histogram_quantile(0.99, sum by (${by}, le) (rate(${metric}{${K}}[$__rate_interval])))`;
  const builder = dashboard({
    uid: 'o11y-k8s-kubelet',
    title: 'Kubernetes / Kubelet',
    tags: ['kubernetes', 'kubelet'],
    description: 'Kubelets from their own metrics: pods, containers and volumes they run, container runtime operations, pod start latency, PLEG, cgroup manager, storage operations and the client certificate.',
    variables: [labelVariable('instance', 'kubelet_node_name', 'Instance', true, 'job="kubelet", metrics_path="/metrics"', true)],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Kubelets up', 'short', query(`sum(up{${K}})`)));
  builder.withPanel(stat('Running pods', 'short', query(`sum(kubelet_running_pods{${K}})`)));
  builder.withPanel(stat('Running containers', 'short', query(`sum(kubelet_running_containers{${K}, container_state="running"})`)));
  builder.withPanel(stat('Volumes mounted', 'short', query(`sum(volume_manager_total_volumes{${K}, state="actual_state_of_world"})`))
    .description('Volumes the volume manager has attached and mounted (its actual state of the world).'));
  builder.withPanel(stat('Volumes wanted', 'short', query(`sum(volume_manager_total_volumes{${K}, state="desired_state_of_world"})`))
    .description('Volumes the pods on these nodes need (the desired state of the world): more than mounted while volumes attach or fail to.'));
  builder.withPanel(stat('Client certificate expires in', 's', query(`min(kubelet_certificate_manager_client_ttl_seconds{${K}})`))
    .thresholds(falling(t.kubeletCertificateExpirationCriticalSeconds, t.kubeletCertificateExpirationWarningSeconds))
    .description('Time left until the soonest-expiring client certificate of the selected kubelets expires (kubelets renew it before).'));

  builder.withRow(new RowBuilder('Container runtime operations'));
  builder.withPanel(timeseries('Operations', 'ops', query(rate('kubelet_runtime_operations_total', 'operation_type'), '{{operation_type}}'))
    .min(0).span(8).description('Operations per second the kubelet asked of the container runtime (CRI), by type.'));
  builder.withPanel(timeseries('Operation errors', 'ops', query(rate('kubelet_runtime_operations_errors_total', 'operation_type'), '{{operation_type}}'))
    .min(0).span(8).description('Failed container runtime operations per second, by type.'));
  builder.withPanel(timeseries('Operation duration p99', 's', query(p99('kubelet_runtime_operations_duration_seconds_bucket', 'operation_type'), '{{operation_type}}'))
    .min(0).span(8));

  builder.withRow(new RowBuilder('Pods'));
  builder.withPanel(timeseries('Pod and container starts', 'ops',
    query(`sum(rate(kubelet_started_pods_total{${K}}[$__rate_interval]))`, 'Pods started'),
    query(`sum(rate(kubelet_started_pods_errors_total{${K}}[$__rate_interval]))`, 'Pod start errors'),
    query(rate('kubelet_started_containers_errors_total', 'code'), 'Container start errors: {{code}}'),
  ).min(0).span(12).description('Pods the kubelets started per second, and pods and containers that failed to start (by error code).'));
  builder.withPanel(timeseries('Pod start latency p99', 's',
    query(`node_quantile:kubelet_pod_start_sli_duration_seconds:histogram_quantile{${R}, quantile="0.99"}`, '{{node}} start (without image pulls)'),
    query(`node_quantile:kubelet_pod_worker_duration_seconds:histogram_quantile{${R}, quantile="0.99"}`, '{{node}} pod worker'),
  ).min(0).span(12).description(`99th percentile of the time from a pod being seen to its containers running, image pulls excluded (KubeletPodStartUpLatencyHigh fires above ${t.kubeletPodStartUpLatencySeconds}s), and of one sync of a pod by the pod worker.`));
  builder.withPanel(timeseries('PLEG relist duration p99', 's',
    query(`node_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile{${R}, quantile="0.99"}`, '{{node}}'),
  ).min(0).span(12).description(`99th percentile of the time the pod lifecycle event generator takes to list all containers from the runtime (KubeletPlegDurationHigh fires at ${t.kubeletPlegDurationSeconds}s): slow relists make the node NotReady.`));
  builder.withPanel(timeseries('PLEG relist interval p99', 's', query(p99('kubelet_pleg_relist_interval_seconds_bucket', 'instance'), '{{instance}}'))
    .min(0).span(12).description('99th percentile of the time between two relists (1s plus the relist itself when healthy).'));

  builder.withRow(new RowBuilder('Cgroup manager and storage'));
  builder.withPanel(timeseries('Cgroup manager operations', 'ops', query(rate('kubelet_cgroup_manager_duration_seconds_count', 'operation_type'), '{{operation_type}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Cgroup manager duration p99', 's', query(p99('kubelet_cgroup_manager_duration_seconds_bucket', 'operation_type'), '{{operation_type}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Storage operations', 'ops', query(rate('storage_operation_duration_seconds_count', 'operation_name, status'), '{{operation_name}} {{status}}'))
    .min(0).span(8).description('Volume operations (mount, unmount, attach, ...) per second, by outcome.'));
  return builder;
}

// --- API server ------------------------------------------------------------------------------------------------------

function apiServer(t: KubernetesSystemThresholds, retention: PromDuration): DashboardBuilder {
  const A = `${CLUSTER}, job="apiserver"`;
  const budget = `(1 - ${t.apiServerSlo})`;
  // The availability window: 30 days, or Prometheus' retention where that is shorter.
  const window = durationSeconds(retention) < durationSeconds(SLO_WINDOW) ? retention : SLO_WINDOW;
  const errorRatio = `(sum by (verb) (sum_over_time(verb:apiserver_request_budget_spent:rate5m{${CLUSTER}}[${window}]))`
    + ` / sum by (verb) (sum_over_time(verb:apiserver_request:rate5m{${CLUSTER}}[${window}])))`;
  const requests = `code_verb:apiserver_request:rate5m{${CLUSTER}}`;
  const errors = `code_verb:apiserver_request:rate5m{${CLUSTER}, code=~"5.."}`;
  const builder = dashboard({
    uid: 'o11y-k8s-apiserver',
    title: 'Kubernetes / API server',
    tags: ['kubernetes', 'apiserver'],
    description: `The API server against its availability objective (${t.apiServerSlo * 100}% of reads and of writes answered without a 5xx and within their latency objective), its requests, latency, work queues and stored objects.`,
  });

  builder.withRow(new RowBuilder('Availability'));
  builder.withPanel(stat(`Availability (${window})`, 'percentunit', query(`1 - ${errorRatio}`, '{{verb}}'))
    .thresholds(falling(round(1 - 2 * (1 - t.apiServerSlo)), t.apiServerSlo)).decimals(3).span(6)
    .description(`Share of read and write requests over the last ${window} that neither failed (5xx) nor were slower than their latency objective. The objective is ${t.apiServerSlo * 100}%.`));
  builder.withPanel(stat(`Error budget left (${window})`, 'percentunit', query(`1 - ${errorRatio} / ${budget}`, '{{verb}}'))
    .thresholds(falling(0, 0.25)).decimals(1).span(6)
    .description(`Share of the error budget (${round((1 - t.apiServerSlo) * 100)}% of requests) not spent over the last ${window}; below 0 the objective is missed.`));
  builder.withPanel(stat('Burn rate (1h)', 'short', query(`apiserver_request:burnrate1h{${CLUSTER}} / ${budget}`, '{{verb}}'),
    [[1, 'orange'], [t.apiServerBurnRate1h, 'red']]).decimals(2)
    .description(`How fast the error budget is spent over the last hour, as a multiple of the rate that spends it exactly in 30 days; KubeAPIErrorBudgetBurn pages above ${t.apiServerBurnRate1h}.`));
  builder.withPanel(stat('Requests', 'reqps', query(`sum(${requests})`)));
  builder.withPanel(stat('5xx errors', 'percentunit', query(`sum(${errors}) / sum(${requests})`),
    [[round(1 - t.apiServerSlo), 'orange'], [round((1 - t.apiServerSlo) * t.apiServerBurnRate6h), 'red']]).decimals(2)
    .description('Share of requests answered with a server error over the last 5 minutes.'));

  builder.withRow(new RowBuilder('Error budget'));
  builder.withPanel(timeseries('Error budget burn rate', 'short',
    query(`apiserver_request:burnrate1h{${CLUSTER}} / ${budget}`, '{{verb}} 1h'),
    query(`apiserver_request:burnrate6h{${CLUSTER}} / ${budget}`, '{{verb}} 6h'),
    query(`apiserver_request:burnrate3d{${CLUSTER}} / ${budget}`, '{{verb}} 3d'),
  ).min(0).description(`Error budget spent over the last 1h, 6h and 3d, as a multiple of the rate that spends it in 30 days. The alerts: ${t.apiServerBurnRate1h} over 1h and ${t.apiServerBurnRate6h} over 6h page, ${t.apiServerBurnRate1d} over 1d and ${t.apiServerBurnRate3d} over 3d warn.`));
  builder.withPanel(timeseries('Availability (5m)', 'percentunit', query(`1 - apiserver_request:burnrate5m{${CLUSTER}}`, '{{verb}}'))
    .max(1).description('Share of read and write requests over the last 5 minutes that neither failed nor were too slow.'));

  builder.withRow(new RowBuilder('Requests'));
  builder.withPanel(timeseries('Requests by code', 'reqps', query(`sum by (code) (${requests})`, '{{code}}')).min(0));
  builder.withPanel(timeseries('Requests by verb', 'reqps', query(`sum by (verb) (${requests})`, '{{verb}}')).min(0));
  builder.withPanel(timeseries('5xx errors by verb', 'percentunit', query(`sum by (verb) (${errors}) / sum by (verb) (${requests})`, '{{verb}}'))
    .min(0).description('Share of each verb\'s requests answered with a server error.'));
  builder.withPanel(timeseries('Latency p99 by verb', 's', query(`verb_scope:apiserver_request_sli_duration_seconds:p99_rate5m{${CLUSTER}}`, '{{verb}} {{scope}}'))
    .min(0).description('99th percentile of request latency by verb and scope (resource, namespace, cluster), without webhooks and priority-and-fairness queueing, streaming requests excluded.'));

  builder.withRow(new RowBuilder('Work queues, storage, terminated requests'));
  builder.withPanel(timeseries('Work queue adds', 'ops', query(`sum by (name) (rate(workqueue_adds_total{${A}}[$__rate_interval]))`, '{{name}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Work queue depth', 'short', query(`sum by (name) (workqueue_depth{${A}})`, '{{name}}')).min(0).span(8));
  builder.withPanel(timeseries('Work queue latency p99', 's',
    query(`histogram_quantile(0.99, sum by (name, le) (rate(workqueue_queue_duration_seconds_bucket{${A}}[$__rate_interval])))`, '{{name}}'))
    .min(0).span(8).description('99th percentile of the time an item waits in each work queue before being processed.'));
  builder.withPanel(timeseries('Objects in etcd (top 10)', 'short', query(`topk(10, max by (resource) (apiserver_storage_objects{${A}}))`, '{{resource}}'))
    .min(0).description('Objects stored per resource type, the 10 most numerous.'));
  builder.withPanel(timeseries('Terminated requests', 'reqps',
    query(`sum by (verb, code) (rate(apiserver_request_terminations_total{${A}}[$__rate_interval]))`, '{{verb}} {{code}}'))
    .min(0).description('Requests the API server dropped itself (priority-and-fairness rejections, timeouts) instead of serving them.'));
  return builder;
}

// --- CoreDNS ---------------------------------------------------------------------------------------------------------

function coreDns(): DashboardBuilder {
  const D = `${CLUSTER}, job="coredns", instance=~"$instance"`;
  const rate = (metric: string, extra = ''): string => `rate(${metric}{${D}${extra}}[$__rate_interval])`;
  const quantile = (q: number, metric: string, by = ''): string =>
    `histogram_quantile(${q}, sum by (${by ? `${by}, ` : ''}le) (${rate(metric)}))`;
  const builder = dashboard({
    uid: 'o11y-coredns',
    title: 'CoreDNS',
    tags: ['kubernetes', 'coredns', 'dns'],
    description: 'The cluster DNS: requests and responses, latency, cache, forwarding to upstream servers and errors.',
    variables: [labelVariable('instance', 'up', 'Instance', true, 'job="coredns"', true)],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Instances up', 'short', query(`sum(up{${D}})`)));
  builder.withPanel(stat('Requests', 'reqps', query(`sum(${rate('coredns_dns_requests_total')})`)));
  builder.withPanel(stat('SERVFAIL responses', 'percentunit',
    query(`sum(${rate('coredns_dns_responses_total', ', rcode="SERVFAIL"')}) / sum(${rate('coredns_dns_responses_total')})`),
    [[0.01, 'orange'], [0.05, 'red']]).decimals(2).description('Share of responses that were SERVFAIL.'));
  builder.withPanel(stat('Latency p99', 's', query(quantile(0.99, 'coredns_dns_request_duration_seconds_bucket')), [[0.25, 'orange'], [1, 'red']]));
  builder.withPanel(stat('Cache hit ratio', 'percentunit',
    query(`sum(${rate('coredns_cache_hits_total')}) / (sum(${rate('coredns_cache_hits_total')}) + sum(${rate('coredns_cache_misses_total')}))`))
    .decimals(1));
  builder.withPanel(stat('Panics', 'short', query(`sum(increase(coredns_panics_total{${D}}[$__range]))`), [[1, 'red']])
    .decimals(0).description('Panics over the dashboard\'s time range: CoreDNS recovered, but a request was lost.'));

  builder.withRow(new RowBuilder('Requests'));
  builder.withPanel(timeseries('Requests by type', 'reqps', query(`sum by (type) (${rate('coredns_dns_requests_total')})`, '{{type}}')).min(0).span(8));
  builder.withPanel(timeseries('Requests by zone', 'reqps', query(`sum by (zone) (${rate('coredns_dns_requests_total')})`, '{{zone}}')).min(0).span(8));
  builder.withPanel(timeseries('Responses by rcode', 'reqps', query(`sum by (rcode) (${rate('coredns_dns_responses_total')})`, '{{rcode}}')).min(0).span(8));

  builder.withRow(new RowBuilder('Latency'));
  builder.withPanel(timeseries('Request duration', 's',
    query(quantile(0.99, 'coredns_dns_request_duration_seconds_bucket'), 'p99'),
    query(quantile(0.9, 'coredns_dns_request_duration_seconds_bucket'), 'p90'),
    query(quantile(0.5, 'coredns_dns_request_duration_seconds_bucket'), 'p50'),
  ).min(0).description('Time to answer a request, all servers and zones together.'));
  builder.withPanel(heatmap('Request duration distribution', 's',
    `sum by (le) (increase(coredns_dns_request_duration_seconds_bucket{${D}}[$__rate_interval]))`));

  builder.withRow(new RowBuilder('Cache'));
  builder.withPanel(timeseries('Cache hits and misses', 'ops',
    query(`sum by (type) (${rate('coredns_cache_hits_total')})`, 'hits ({{type}})'),
    query(`sum(${rate('coredns_cache_misses_total')})`, 'misses'),
  ).min(0).description('Lookups answered from the cache (success and denial entries) and lookups that missed it.'));
  builder.withPanel(timeseries('Cache entries', 'short', query(`sum by (type) (coredns_cache_entries{${D}})`, '{{type}}')).min(0));

  builder.withRow(new RowBuilder('Forwarding and errors'));
  builder.withPanel(timeseries('Forward requests by upstream', 'reqps', query(`sum by (to) (${rate('coredns_forward_requests_total')})`, '{{to}}'))
    .min(0).span(8).description('Requests forwarded to upstream resolvers (names outside the cluster).'));
  builder.withPanel(timeseries('Forward latency p99 by upstream', 's', query(quantile(0.99, 'coredns_forward_request_duration_seconds_bucket', 'to'), '{{to}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Panics and failures', 'ops',
    query(`sum(${rate('coredns_panics_total')})`, 'panics'),
    query(`sum by (to) (${rate('coredns_forward_healthcheck_failures_total')})`, 'health-check failures: {{to}}'),
    query(`sum(${rate('coredns_reload_failed_total')})`, 'configuration reload failures'),
  ).min(0).span(8).description('Panics, failed health checks of upstream resolvers and failed reloads of the Corefile, per second.'));
  return builder;
}
