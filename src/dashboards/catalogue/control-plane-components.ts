// Dashboards of the control-plane components the stack scrapes only when told to (kube-scheduler,
// kube-controller-manager, kube-proxy): each is there when its monitor is. They read the kube-scheduler recording
// rules where those exist.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';

/** What kube-proxy serves on its metrics port (10249) besides the client and process metrics of every component. */
export const KUBE_PROXY_METRICS: readonly string[] = [
  'kubeproxy_sync_proxy_rules_duration_seconds_bucket', 'kubeproxy_sync_proxy_rules_duration_seconds_sum',
  'kubeproxy_sync_proxy_rules_duration_seconds_count', 'kubeproxy_network_programming_duration_seconds_bucket',
  'kubeproxy_network_programming_duration_seconds_sum', 'kubeproxy_network_programming_duration_seconds_count',
  'kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
  'kubeproxy_sync_proxy_rules_endpoint_changes_total', 'kubeproxy_sync_proxy_rules_service_changes_total',
];

export interface ControlPlaneComponentDashboardOptions {
  /** Each dashboard is there when the stack scrapes its component. */
  readonly kubeScheduler: boolean;
  readonly kubeControllerManager: boolean;
  readonly kubeProxy: boolean;
}

export function controlPlaneComponentDashboards(options: ControlPlaneComponentDashboardOptions): DashboardBuilder[] {
  return [
    ...(options.kubeScheduler ? [scheduler()] : []),
    ...(options.kubeControllerManager ? [controllerManager()] : []),
    ...(options.kubeProxy ? [proxy()] : []),
  ];
}

/** The selector of one job's targets, those the `instance` variable selects. */
const targets = (job: string) => `${CLUSTER}, job="${job}", instance=~"$instance"`;
const instances = (job: string) => labelVariable('instance', 'up', 'Instance', true, `job="${job}"`, true);
const p99 = (metric: string, selector: string, by: string) =>
  `histogram_quantile(0.99, sum by (${by ? `${by}, ` : ''}le) (rate(${metric}{${selector}}[$__rate_interval])))`;

/** The rows every Kubernetes component has: its requests to the API server, and its process. */
function clientAndProcessRows(builder: DashboardBuilder, S: string): void {
  builder.withRow(new RowBuilder('Requests to the API server'));
  builder.withPanel(timeseries('Requests by code', 'reqps',
    query(`sum by (instance, code) (rate(rest_client_requests_total{${S}}[$__rate_interval]))`, '{{instance}} {{code}}'))
    .min(0).span(8).description('Requests the component sent to the API server per second, by response code; 429 means it is throttled.'));
  builder.withPanel(timeseries('Request latency p99 by verb', 's',
    query(p99('rest_client_request_duration_seconds_bucket', S, 'verb'), '{{verb}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Client-side throttling p99', 's',
    query(p99('rest_client_rate_limiter_duration_seconds_bucket', S, 'verb'), '{{verb}}'))
    .min(0).span(8).description('Time requests waited for the component\'s own rate limiter (its --kube-api-qps) before being sent.'));

  builder.withRow(new RowBuilder('Process'));
  builder.withPanel(timeseries('Memory', 'bytes', query(`process_resident_memory_bytes{${S}}`, '{{instance}}')).min(0).span(8));
  builder.withPanel(timeseries('CPU', 'short', query(`rate(process_cpu_seconds_total{${S}}[$__rate_interval])`, '{{instance}}'))
    .min(0).span(8).description('CPU cores used.'));
  builder.withPanel(timeseries('Goroutines', 'short', query(`go_goroutines{${S}}`, '{{instance}}')).min(0).span(8));
}

// --- kube-scheduler --------------------------------------------------------------------------------------------------

function scheduler(): DashboardBuilder {
  const job = 'kube-scheduler';
  const S = targets(job);
  /** The cluster-wide quantiles of the kube-scheduler.rules group. */
  const quantile = (metric: string, q: string) => `cluster_quantile:${metric}:histogram_quantile{${CLUSTER}, job="${job}", quantile="${q}"}`;
  const builder = dashboard({
    uid: 'o11y-k8s-scheduler',
    title: 'Kubernetes / Scheduler',
    tags: ['kubernetes', 'kube-scheduler'],
    description: 'kube-scheduler: pods waiting to be scheduled, scheduling attempts and their latency, preemption, and its requests to the API server.',
    variables: [instances(job)],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Schedulers up', 'short', query(`sum(up{${S}})`)).span(6)
    .description('Scheduler targets whose last scrape succeeded; one of them is the leader.'));
  builder.withPanel(stat('Pending pods', 'short', query(`sum(scheduler_pending_pods{${S}})`), [[1, 'orange']]).span(6)
    .description('Pods in the scheduling queues (active, backoff, unschedulable, gated).'));
  builder.withPanel(stat('Unschedulable attempts', 'ops', query(`sum(rate(scheduler_schedule_attempts_total{${S}, result="unschedulable"}[$__rate_interval])) or vector(0)`), [[0.001, 'orange']])
    .span(6).description('Attempts per second that found no node for the pod.'));
  builder.withPanel(stat('Pod scheduling p99', 's', query(`max(${quantile('scheduler_pod_scheduling_sli_duration_seconds', '0.99')})`), [[1, 'orange'], [10, 'red']])
    .span(6).description('99th percentile of the time from a pod entering the queue to its binding, every attempt included.'));

  builder.withRow(new RowBuilder('Scheduling'));
  builder.withPanel(timeseries('Scheduling attempts by result', 'ops',
    query(`sum by (result) (rate(scheduler_schedule_attempts_total{${S}}[$__rate_interval]))`, '{{result}}'))
    .min(0).span(8).description('Scheduling attempts per second: scheduled, unschedulable (no node fits) or error.'));
  builder.withPanel(timeseries('Pending pods by queue', 'short', query(`sum by (queue) (scheduler_pending_pods{${S}})`, '{{queue}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Preemption attempts', 'ops', query(`sum(rate(scheduler_preemption_attempts_total{${S}}[$__rate_interval]))`, 'preemption attempts'))
    .min(0).span(8).description('Attempts to make room for a pod by evicting pods of lower priority.'));
  builder.withPanel(timeseries('Pod scheduling latency', 's',
    query(quantile('scheduler_pod_scheduling_sli_duration_seconds', '0.99'), 'p99'),
    query(quantile('scheduler_pod_scheduling_sli_duration_seconds', '0.9'), 'p90'),
    query(quantile('scheduler_pod_scheduling_sli_duration_seconds', '0.5'), 'p50'))
    .min(0).description('Time from a pod entering the scheduling queue to its binding, over every attempt it took.'));
  builder.withPanel(timeseries('Scheduling attempt latency p99', 's',
    query(`instance:scheduler_scheduling_attempt_duration_seconds:p99_rate5m{${S}}`, '{{instance}} {{result}}'),
    query(quantile('scheduler_scheduling_algorithm_duration_seconds', '0.99'), 'scheduling algorithm (cluster)'))
    .min(0).description('99th percentile of one scheduling attempt per instance and result, and of the algorithm alone (filter and score).'));

  clientAndProcessRows(builder, S);
  return builder;
}

// --- kube-controller-manager -----------------------------------------------------------------------------------------

function controllerManager(): DashboardBuilder {
  const job = 'kube-controller-manager';
  const S = targets(job);
  const builder = dashboard({
    uid: 'o11y-k8s-controller-manager',
    title: 'Kubernetes / Controller Manager',
    tags: ['kubernetes', 'kube-controller-manager'],
    description: 'kube-controller-manager: its controllers\' work queues, node health as the node lifecycle controller sees it, and its requests to the API server.',
    variables: [instances(job)],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Controller managers up', 'short', query(`sum(up{${S}})`)).span(6)
    .description('Controller manager targets whose last scrape succeeded; only the leader runs the controllers.'));
  builder.withPanel(stat('Work queue depth', 'short', query(`sum(workqueue_depth{${S}})`)).span(6)
    .description('Items waiting in every controller\'s work queue.'));
  builder.withPanel(stat('Unhealthy nodes', 'short', query(`sum(node_collector_unhealthy_nodes_in_zone{${S}}) or vector(0)`), [[1, 'orange']]).span(6)
    .description('Nodes the node lifecycle controller sees as not ready, over every zone.'));
  builder.withPanel(stat('Evictions', 'short', query(`sum(increase(node_collector_evictions_total{${S}}[$__range])) or vector(0)`), [[1, 'orange']])
    .decimals(0).span(6).description('Pods evicted from unhealthy nodes by the node lifecycle controller over the dashboard\'s time range.'));

  builder.withRow(new RowBuilder('Work queues'));
  builder.withPanel(timeseries('Adds (top 10)', 'ops', query(`topk(10, sum by (name) (rate(workqueue_adds_total{${S}}[$__rate_interval])))`, '{{name}}'))
    .min(0).span(8).description('Items added per second to the busiest controllers\' work queues.'));
  builder.withPanel(timeseries('Depth (top 10)', 'short', query(`topk(10, sum by (name) (workqueue_depth{${S}}))`, '{{name}}'))
    .min(0).span(8).description('A queue that keeps growing has a controller that cannot keep up.'));
  builder.withPanel(timeseries('Retries (top 10)', 'ops', query(`topk(10, sum by (name) (rate(workqueue_retries_total{${S}}[$__rate_interval])))`, '{{name}}'))
    .min(0).span(8).description('Items put back for another try after a controller failed to handle them.'));
  builder.withPanel(timeseries('Queue latency p99 (top 10)', 's', query(`topk(10, ${p99('workqueue_queue_duration_seconds_bucket', S, 'name')})`, '{{name}}'))
    .min(0).description('99th percentile of the time an item waits in the queue before a controller takes it.'));
  builder.withPanel(timeseries('Work duration p99 (top 10)', 's', query(`topk(10, ${p99('workqueue_work_duration_seconds_bucket', S, 'name')})`, '{{name}}'))
    .min(0).description('99th percentile of the time a controller takes to handle one item.'));

  builder.withRow(new RowBuilder('Nodes'));
  builder.withPanel(timeseries('Unhealthy nodes by zone', 'short', query(`sum by (zone) (node_collector_unhealthy_nodes_in_zone{${S}})`, '{{zone}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Zone health', 'percent', query(`max by (zone) (node_collector_zone_health{${S}})`, '{{zone}}'))
    .min(0).max(100).span(8).description('Share of each zone\'s nodes that are ready; below the unhealthy-zone threshold evictions slow down or stop.'));
  builder.withPanel(timeseries('Evictions by zone', 'short', query(`sum by (zone) (increase(node_collector_evictions_total{${S}}[$__rate_interval]))`, '{{zone}}'))
    .min(0).span(8));

  clientAndProcessRows(builder, S);
  return builder;
}

// --- kube-proxy ------------------------------------------------------------------------------------------------------

function proxy(): DashboardBuilder {
  const job = 'kube-proxy';
  const S = targets(job);
  const builder = dashboard({
    uid: 'o11y-k8s-proxy',
    title: 'Kubernetes / Proxy',
    tags: ['kubernetes', 'kube-proxy'],
    description: 'kube-proxy on every node: how often and how fast it syncs the Service rules (iptables, IPVS or nftables), how long a Service change takes to reach the nodes, and its requests to the API server.',
    variables: [instances(job)],
  });

  builder.withRow(new RowBuilder('Overview'));
  builder.withPanel(stat('Proxies up', 'short', query(`sum(up{${S}})`)).span(6)
    .description('kube-proxy targets (one per node) whose last scrape succeeded.'));
  builder.withPanel(stat('Rule syncs', 'ops', query(`sum(rate(kubeproxy_sync_proxy_rules_duration_seconds_count{${S}}[$__rate_interval]))`)).span(6));
  builder.withPanel(stat('Rule sync p99', 's', query(p99('kubeproxy_sync_proxy_rules_duration_seconds_bucket', S, '')), [[1, 'orange'], [5, 'red']]).span(6));
  builder.withPanel(stat('Oldest pending change', 's',
    query(`max(clamp_min(kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{${S}} - kubeproxy_sync_proxy_rules_last_timestamp_seconds{${S}}, 0))`), [[10, 'orange'], [60, 'red']])
    .span(6).description('How long the most lagging proxy has had a Service or endpoint change queued that its last sync did not apply yet.'));

  builder.withRow(new RowBuilder('Rule syncs'));
  builder.withPanel(timeseries('Rule syncs', 'ops', query(`sum by (instance) (rate(kubeproxy_sync_proxy_rules_duration_seconds_count{${S}}[$__rate_interval]))`, '{{instance}}'))
    .min(0).span(8).description('Times each proxy rewrote the node\'s Service rules, per second.'));
  builder.withPanel(timeseries('Rule sync duration p99', 's', query(p99('kubeproxy_sync_proxy_rules_duration_seconds_bucket', S, 'instance'), '{{instance}}'))
    .min(0).span(8));
  builder.withPanel(timeseries('Network programming latency p99', 's', query(p99('kubeproxy_network_programming_duration_seconds_bucket', S, 'instance'), '{{instance}}'))
    .min(0).span(8).description('99th percentile of the time from a change of a Service\'s endpoints to the node\'s rules applying it: how long new pods wait for traffic.'));
  builder.withPanel(timeseries('Changes seen', 'ops',
    query(`sum(rate(kubeproxy_sync_proxy_rules_service_changes_total{${S}}[$__rate_interval]))`, 'Service changes'),
    query(`sum(rate(kubeproxy_sync_proxy_rules_endpoint_changes_total{${S}}[$__rate_interval]))`, 'endpoint changes'))
    .min(0).span(24).description('Service and endpoint changes per second the proxies received, over every node.'));

  clientAndProcessRows(builder, S);
  return builder;
}
