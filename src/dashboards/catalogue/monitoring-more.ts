// The monitoring stack's own software, one dashboard each beyond the overviews of monitoring.ts: Prometheus' TSDB,
// scrape targets and remote write, Grafana, kube-state-metrics and the Prometheus Operator. Each is brought by the
// component whose metrics it reads.
import { CLUSTER, RowBuilder, dashboard, labelVariable, query, stat, table, timeseries, type DashboardBuilder } from '../house';
import { ALERTMANAGER, PROMETHEUS, healthStat, selector, upStat } from './monitoring';

const OPERATOR = 'prometheus-operator';
const GRAFANA = 'grafana';
const KSM = 'kube-state-metrics';

/** What Grafana serves on /metrics about its data source proxy, beyond what its rules read. */
export const GRAFANA_DASHBOARD_METRICS: readonly string[] = [
  'grafana_datasource_request_total', 'grafana_datasource_request_duration_seconds_bucket',
  'grafana_datasource_request_duration_seconds_sum', 'grafana_datasource_request_duration_seconds_count',
];

const prometheusPods = (ns: string) =>
  labelVariable('pod', 'prometheus_build_info', 'Prometheus', true, `job="${PROMETHEUS}", namespace="${ns}"`, true);

/** The process row every component's dashboard ends with: memory, CPU and goroutines of its pods. */
function processRow(builder: DashboardBuilder, S: string): void {
  builder
    .withRow(new RowBuilder('Process'))
    .withPanel(timeseries('Memory', 'bytes', query(`sum by (pod) (process_resident_memory_bytes{${S}})`, '{{pod}}')).min(0).span(8))
    .withPanel(timeseries('CPU', 'short', query(`sum by (pod) (rate(process_cpu_seconds_total{${S}}[$__rate_interval]))`, '{{pod}}'))
      .min(0).span(8).description('CPU cores used.'))
    .withPanel(timeseries('Goroutines', 'short', query(`sum by (pod) (go_goroutines{${S}})`, '{{pod}}')).min(0).span(8));
}

// --- Prometheus: TSDB and storage ------------------------------------------------------------------------------------

/** The stack's Prometheus TSDB: head, chunks, WAL, compactions, retention and the disk it uses against its limit. */
export function prometheusTsdb(namespace: string): DashboardBuilder {
  const p = selector(namespace, PROMETHEUS, 'pod=~"$pod"');
  const rate = (metric: string) => `rate(${metric}{${p}}[$__rate_interval])`;
  const inc = (metric: string) => `sum by (pod) (increase(${metric}{${p}}[$__rate_interval]))`;
  const disk = `(prometheus_tsdb_storage_blocks_bytes{${p}} + prometheus_tsdb_wal_storage_size_bytes{${p}})`;
  const builder = dashboard({
    uid: 'o11y-prometheus-tsdb',
    title: 'Prometheus / TSDB and storage',
    tags: ['monitoring', 'prometheus'],
    description: 'The stack\'s Prometheus storage: head series and chunks, samples appended, compactions, WAL, retention, and disk use against retentionSize.',
    variables: [prometheusPods(namespace)],
  });

  builder
    .withPanel(stat('Head series', 'short', query(`max(prometheus_tsdb_head_series{${p}})`)).span(6))
    .withPanel(stat('Disk used of retentionSize', 'percentunit', query(`max(${disk} / (prometheus_tsdb_retention_limit_bytes{${p}} > 0))`), [[0.8, 'orange'], [0.95, 'red']])
      .decimals(1).span(6).description('Blocks and WAL over the retentionSize limit, for the fullest replica: at 100% Prometheus deletes its oldest blocks, so the data kept is shorter than retention.'))
    .withPanel(stat('Oldest sample', 's', query(`min(time() - prometheus_tsdb_lowest_timestamp_seconds{${p}})`)).span(6)
      .description('Age of the oldest sample the replica with the shortest history keeps: what the dashboards can show at most.'))
    .withPanel(stat('Retention', 's', query(`max(prometheus_tsdb_retention_limit_seconds{${p}})`)).span(6)
      .description('The time retention Prometheus runs with (its retention setting).'));

  builder
    .withRow(new RowBuilder('Head block'))
    .withPanel(timeseries('Head series', 'short', query(`sum by (pod) (prometheus_tsdb_head_series{${p}})`, '{{pod}}')).min(0).span(8))
    .withPanel(timeseries('Head chunks', 'short', query(`sum by (pod) (prometheus_tsdb_head_chunks{${p}})`, '{{pod}}')).min(0).span(8))
    .withPanel(timeseries('Series churn', 'ops',
      query(`sum by (pod) (${rate('prometheus_tsdb_head_series_created_total')})`, '{{pod}} created'),
      query(`sum by (pod) (${rate('prometheus_tsdb_head_series_removed_total')})`, '{{pod}} removed'))
      .min(0).span(8).description('Series created and removed per second: high churn (pods restarting, labels with changing values) grows memory.'))
    .withPanel(timeseries('Samples appended', 'cps', query(`sum by (pod) (${rate('prometheus_tsdb_head_samples_appended_total')})`, '{{pod}}')).min(0).span(8))
    .withPanel(timeseries('Samples rejected', 'cps',
      query(`sum by (pod) (${rate('prometheus_tsdb_out_of_order_samples_total')})`, '{{pod}} out of order'),
      query(`sum by (pod) (${rate('prometheus_tsdb_out_of_bound_samples_total')})`, '{{pod}} out of bounds'),
      query(`sum by (pod) (${rate('prometheus_tsdb_too_old_samples_total')})`, '{{pod}} too old'))
      .min(0).span(8).description('Samples the TSDB refused because of their timestamps: usually two targets writing the same series.'))
    .withPanel(timeseries('Head truncations and GC', 'short',
      query(inc('prometheus_tsdb_head_truncations_total'), '{{pod}} truncations'),
      query(inc('prometheus_tsdb_head_truncations_failed_total'), '{{pod}} failed truncations'))
      .min(0).span(8).description('Truncations of the head block once its data is compacted into a block, in each interval.'));

  builder
    .withRow(new RowBuilder('Blocks and compactions'))
    .withPanel(timeseries('Compactions', 'short',
      query(inc('prometheus_tsdb_compactions_total'), '{{pod}} compactions'),
      query(inc('prometheus_tsdb_compactions_failed_total'), '{{pod}} failed'))
      .min(0).span(8).description('Compactions in each interval. Failed ones leave blocks uncompacted and the disk grows.'))
    .withPanel(timeseries('Compaction duration p99', 's',
      query(`histogram_quantile(0.99, sum by (pod, le) (${rate('prometheus_tsdb_compaction_duration_seconds_bucket')}))`, '{{pod}}'))
      .min(0).span(8))
    .withPanel(timeseries('Blocks loaded', 'short', query(`sum by (pod) (prometheus_tsdb_blocks_loaded{${p}})`, '{{pod}}')).min(0).span(8));

  builder
    .withRow(new RowBuilder('WAL'))
    .withPanel(timeseries('WAL fsync duration p99', 's', query(`max by (pod) (prometheus_tsdb_wal_fsync_duration_seconds{${p}, quantile="0.99"})`, '{{pod}}'))
      .min(0).span(8).description('A slow disk shows here first: every sample goes through the write-ahead log.'))
    .withPanel(timeseries('WAL problems', 'short',
      query(inc('prometheus_tsdb_wal_corruptions_total'), '{{pod}} corruptions'),
      query(inc('prometheus_tsdb_wal_writes_failed_total'), '{{pod}} failed writes'),
      query(inc('prometheus_tsdb_wal_truncations_failed_total'), '{{pod}} failed truncations'),
      query(inc('prometheus_tsdb_checkpoint_creations_failed_total'), '{{pod}} failed checkpoints'))
      .min(0).span(8).description('Corruptions and failed WAL operations in each interval; any of them means lost or unreadable samples.'))
    .withPanel(timeseries('WAL size', 'bytes', query(`sum by (pod) (prometheus_tsdb_wal_storage_size_bytes{${p}})`, '{{pod}}')).min(0).span(8));

  builder
    .withRow(new RowBuilder('Retention and disk'))
    .withPanel(timeseries('Disk used', 'bytes',
      query(`sum by (pod) (prometheus_tsdb_storage_blocks_bytes{${p}})`, '{{pod}} blocks'),
      query(`sum by (pod) (prometheus_tsdb_wal_storage_size_bytes{${p}})`, '{{pod}} WAL'),
      query(`max by (pod) (prometheus_tsdb_retention_limit_bytes{${p}} > 0)`, '{{pod}} retentionSize'))
      .min(0).description('Bytes on disk in blocks and WAL, against the retentionSize limit past which the oldest blocks go.'))
    .withPanel(timeseries('Blocks deleted by retention', 'short',
      query(inc('prometheus_tsdb_time_retentions_total'), '{{pod}} for age (retention)'),
      query(inc('prometheus_tsdb_size_retentions_total'), '{{pod}} for size (retentionSize)'))
      .min(0).description('Blocks removed because they were older than retention or because the data exceeded retentionSize. Size retentions mean the volume is too small for the retention.'));
  return builder;
}

// --- Prometheus: scrape targets --------------------------------------------------------------------------------------

/** Every scrape job of the stack's Prometheus: targets up, scrape duration, samples, target discovery and sync. */
export function prometheusScrapeTargets(namespace: string): DashboardBuilder {
  const p = selector(namespace, PROMETHEUS, 'pod=~"$pod"');
  const t = `${CLUSTER}, job=~"$job"`;
  const builder = dashboard({
    uid: 'o11y-prometheus-scrape-targets',
    title: 'Prometheus / Scrape targets',
    tags: ['monitoring', 'prometheus'],
    description: 'The targets the stack\'s Prometheus scrapes, by job: up or down, scrape duration, samples scraped and series added; and how Prometheus discovers and syncs them.',
    variables: [labelVariable('job', 'up', 'Job', true, '', true).allValue('.+'), prometheusPods(namespace)],
  });

  builder
    .withPanel(upStat('Targets up', query(`sum(up{${t}})`)).span(6))
    .withPanel(stat('Targets down', 'short', query(`count(up{${t}} == 0) or vector(0)`), [[1, 'red']]).span(6))
    .withPanel(stat('Samples per scrape', 'short', query(`sum(scrape_samples_post_metric_relabeling{${t}})`)).span(6)
      .description('Samples the selected jobs\' targets return in one scrape each, after metric relabeling: what the TSDB ingests every interval.'))
    .withPanel(stat('Slowest scrape', 's', query(`max(scrape_duration_seconds{${t}})`), [[5, 'orange'], [10, 'red']]).span(6));

  builder
    .withRow(new RowBuilder('Targets'))
    .withPanel(timeseries('Targets up by job', 'short',
      query(`sum by (job) (up{${t}})`, '{{job}} up'),
      query(`count by (job) (up{${t}} == 0)`, '{{job}} down'))
      .min(0).description('Targets of each job whose last scrape succeeded, and those whose last scrape failed.'))
    .withPanel(table('Targets down', query(`up{${t}} == 0`))
      .span(12)
      .description('Every target whose last scrape failed, with its labels: open Prometheus\' /targets page for the error.')
      .withTransformation({ id: 'organize', options: { excludeByName: { Time: true, Value: true, __name__: true } } }))
    .withPanel(timeseries('Scrape duration by job', 's', query(`max by (job) (scrape_duration_seconds{${t}})`, '{{job}}'))
      .min(0).description('The slowest scrape of each job; close to the scrape timeout, scrapes start failing.'))
    .withPanel(timeseries('Samples scraped by job', 'short',
      query(`sum by (job) (scrape_samples_scraped{${t}})`, '{{job}} scraped'),
      query(`sum by (job) (scrape_samples_post_metric_relabeling{${t}})`, '{{job}} kept'))
      .min(0).description('Samples per scrape of each job, before and after metric relabeling (what is dropped at scrape time).'))
    .withPanel(timeseries('Series added by job', 'short', query(`sum by (job) (scrape_series_added{${t}})`, '{{job}}'))
      .min(0).span(24).description('New series each job\'s last scrapes created: a job that always adds series has a label with changing values.'));

  builder
    .withRow(new RowBuilder('Discovery and sync'))
    .withPanel(timeseries('Targets per scrape pool', 'short', query(`sum by (scrape_job) (prometheus_target_scrape_pool_targets{${p}})`, '{{scrape_job}}'))
      .min(0).span(8).description('Targets each scrape pool (one per ServiceMonitor endpoint, PodMonitor endpoint or probe) has after relabeling.'))
    .withPanel(timeseries('Target sync duration p99', 's',
      query(`max by (scrape_job) (prometheus_target_sync_length_seconds{${p}, quantile="0.99"})`, '{{scrape_job}}'))
      .min(0).span(8).description('Time to apply a new set of discovered targets to a scrape pool.'))
    .withPanel(timeseries('Sync and discovery failures', 'ops',
      query(`sum by (scrape_job) (rate(prometheus_target_sync_failed_total{${p}}[$__rate_interval]))`, '{{scrape_job}} sync failed'),
      query(`sum by (mechanism) (rate(prometheus_sd_refresh_failures_total{${p}}[$__rate_interval]))`, '{{mechanism}} refresh failed'),
      query(`sum by (pod) (rate(prometheus_sd_kubernetes_failures_total{${p}}[$__rate_interval]))`, '{{pod}} Kubernetes discovery failures'))
      .min(0).span(8).description('Scrape pools whose targets could not be synced, and failed service-discovery refreshes and watches.'))
    .withPanel(timeseries('Discovered targets', 'short', query(`sum by (config) (prometheus_sd_discovered_targets{${p}})`, '{{config}}'))
      .min(0).description('Targets service discovery found per scrape configuration, before relabeling keeps the ones to scrape.'))
    .withPanel(timeseries('Scrape interval p99 vs configured', 's',
      query(`max by (interval) (prometheus_target_interval_length_seconds{${p}, quantile="0.99"})`, '{{interval}} configured'))
      .min(0).description('99th percentile of the actual time between two scrapes of a target, per configured interval: above it, Prometheus is late.'));
  return builder;
}

// --- Prometheus: remote write ----------------------------------------------------------------------------------------

/** The stack's Prometheus remote-write queues: lag, samples sent and lost, shards and batches. */
export function prometheusRemoteWrite(namespace: string): DashboardBuilder {
  const p = selector(namespace, PROMETHEUS, 'pod=~"$pod"');
  const q = `${p}, remote_name=~"$remote_name"`;
  const rate = (metric: string) => `sum by (pod, remote_name) (rate(${metric}{${q}}[$__rate_interval]))`;
  const lag = `prometheus_remote_storage_highest_timestamp_in_seconds{${p}}
  - on (namespace, pod) group_right
  prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${q}}`;
  const builder = dashboard({
    uid: 'o11y-prometheus-remote-write',
    title: 'Prometheus / Remote Write',
    tags: ['monitoring', 'prometheus', 'remote-write'],
    description: 'The stack\'s Prometheus sending samples to its remote-write endpoints: how far behind each queue is, samples sent, retried and lost, shards and batches.',
    variables: [
      prometheusPods(namespace),
      labelVariable('remote_name', 'prometheus_remote_storage_shards', 'Queue', true, `job="${PROMETHEUS}", namespace="${namespace}"`, true).allValue('.*'),
    ],
  });
  builder.withPanel(stat('Lag', 's', query(`max(${lag})`), [[60, 'orange'], [300, 'red']]).span(6)
    .description('How far the most lagging queue is behind the newest sample in the TSDB. PrometheusRemoteWriteBehind fires when it stays high.'));
  builder.withPanel(stat('Samples sent', 'cps', query(`sum(rate(prometheus_remote_storage_samples_total{${q}}[$__rate_interval]))`)).span(6));
  builder.withPanel(stat('Samples lost', 'cps',
    query(`sum(rate(prometheus_remote_storage_samples_failed_total{${q}}[$__rate_interval])) + sum(rate(prometheus_remote_storage_samples_dropped_total{${q}}[$__rate_interval])) or vector(0)`), [[0.001, 'red']])
    .span(6).description('Samples per second that failed for good (not retried) or were dropped (relabeling, or the WAL moved on).'));
  builder.withPanel(stat('Samples pending', 'short', query(`sum(prometheus_remote_storage_samples_pending{${q}})`)).span(6)
    .description('Samples read from the WAL and waiting in the shards\' buffers.'));

  builder
    .withRow(new RowBuilder('Timestamps'))
    .withPanel(timeseries('Lag', 's', query(`max by (pod, remote_name) (${lag})`, '{{pod}} {{remote_name}}'))
      .min(0).description('Newest sample in the TSDB minus newest sample the endpoint accepted, per queue.'))
    .withPanel(timeseries('Samples in vs out', 'cps',
      query(`sum by (pod) (rate(prometheus_remote_storage_samples_in_total{${p}}[$__rate_interval]))`, '{{pod}} in (appended)'),
      query(rate('prometheus_remote_storage_samples_total'), '{{pod}} {{remote_name}} out (sent)'))
      .min(0).description('Samples appended to the WAL against samples each queue sent: out falling behind in means lag grows.'));

  builder
    .withRow(new RowBuilder('Samples'))
    .withPanel(timeseries('Failed, retried and dropped', 'cps',
      query(rate('prometheus_remote_storage_samples_failed_total'), '{{pod}} {{remote_name}} failed'),
      query(rate('prometheus_remote_storage_samples_retried_total'), '{{pod}} {{remote_name}} retried'),
      query(rate('prometheus_remote_storage_samples_dropped_total'), '{{pod}} {{remote_name}} dropped'))
      .min(0).description('Retries are recoverable errors (5xx, 429); failures are not (4xx) and lose the samples.'))
    .withPanel(timeseries('Bytes sent', 'Bps', query(rate('prometheus_remote_storage_bytes_total'), '{{pod}} {{remote_name}}'))
      .min(0).description('Compressed bytes sent per second to each endpoint.'));

  builder
    .withRow(new RowBuilder('Shards and batches'))
    .withPanel(timeseries('Shards', 'short',
      query(`max by (pod, remote_name) (prometheus_remote_storage_shards{${q}})`, '{{pod}} {{remote_name}} running'),
      query(`max by (pod, remote_name) (prometheus_remote_storage_shards_desired{${q}})`, '{{pod}} {{remote_name}} desired'),
      query(`max by (pod, remote_name) (prometheus_remote_storage_shards_max{${q}})`, '{{pod}} {{remote_name}} max'))
      .min(0).span(8).description('Parallel senders per queue. Desired above max for long means the endpoint cannot keep up: raise maxShards or find why it is slow.'))
    .withPanel(timeseries('Batch send duration p99', 's',
      query(`histogram_quantile(0.99, sum by (pod, remote_name, le) (rate(prometheus_remote_storage_sent_batch_duration_seconds_bucket{${q}}[$__rate_interval])))`, '{{pod}} {{remote_name}}'))
      .min(0).span(8).description('Time for one batch to be accepted by the endpoint, retries included.'))
    .withPanel(timeseries('Enqueue retries', 'ops', query(rate('prometheus_remote_storage_enqueue_retries_total'), '{{pod}} {{remote_name}}'))
      .min(0).span(8).description('Times a sample could not be queued because the shard was full: the WAL reader waits.'));
  return builder;
}

// --- Grafana ---------------------------------------------------------------------------------------------------------

/** The stack's Grafana from its own metrics: HTTP requests, data source queries, usage, alerting and process. */
export function grafanaOverview(namespace: string): DashboardBuilder {
  const gr = selector(namespace, GRAFANA);
  const builder = dashboard({
    uid: 'o11y-grafana-overview',
    title: 'Grafana / Overview',
    tags: ['monitoring', 'grafana'],
    description: 'The stack\'s Grafana: requests and latency by handler, queries to its data sources, dashboards and users, Grafana-managed alerting, and its process.',
  });

  builder
    .withPanel(upStat('Grafana up', query(`sum(up{${gr}})`)).description('Grafana targets whose last scrape succeeded.'))
    .withPanel(stat('Requests', 'reqps', query(`sum(namespace_job:grafana_http_requests:rate5m{${gr}})`)))
    .withPanel(stat('5xx responses', 'percentunit',
      query(`sum(namespace_job:grafana_http_requests:rate5m{${gr}, status_code=~"5.."}) / sum(namespace_job:grafana_http_requests:rate5m{${gr}}) or vector(0)`), [[0.01, 'orange'], [0.05, 'red']])
      .decimals(2))
    .withPanel(stat('Dashboards', 'short', query(`max(grafana_stat_totals_dashboard{${gr}})`)))
    .withPanel(stat('Data sources', 'short', query(`max(grafana_stat_totals_datasource{${gr}})`)))
    .withPanel(stat('Active users', 'short', query(`max(grafana_stat_active_users{${gr}})`))
      .description('Users active in the last 30 days, as Grafana counts them.'));

  builder
    .withRow(new RowBuilder('HTTP'))
    .withPanel(timeseries('Requests by status code', 'reqps',
      query(`sum by (status_code) (namespace_job:grafana_http_requests:rate5m{${gr}})`, '{{status_code}}')).min(0).span(8))
    .withPanel(timeseries('Handler latency p99 (top 10)', 's',
      query(`topk(10, max by (handler) (namespace_job_handler:grafana_http_request_duration_seconds:p99_rate5m{${gr}}))`, '{{handler}}'))
      .min(0).span(8).description('p99 request duration of the ten slowest handlers.'))
    .withPanel(timeseries('5xx share by handler (top 10)', 'percentunit',
      query(`topk(10, max by (handler) (namespace_job_handler:grafana_http_requests_5xx:ratio_rate5m{${gr}}))`, '{{handler}}'))
      .min(0).span(8).description('Share of requests answered with a 5xx, for the ten worst handlers; GrafanaRequestsFailing fires on it.'))
    .withPanel(timeseries('API, page and proxy responses', 'reqps',
      query(`sum by (code) (rate(grafana_api_response_status_total{${gr}}[$__rate_interval]))`, 'api {{code}}'),
      query(`sum by (code) (rate(grafana_page_response_status_total{${gr}}[$__rate_interval]))`, 'page {{code}}'),
      query(`sum by (code) (rate(grafana_proxy_response_status_total{${gr}}[$__rate_interval]))`, 'data source proxy {{code}}'))
      .min(0).span(8))
    .withPanel(timeseries('Requests in flight', 'short', query(`sum(grafana_http_request_in_flight{${gr}})`, 'in flight')).min(0).span(8));

  builder
    .withRow(new RowBuilder('Data sources'))
    .withPanel(timeseries('Data source requests', 'reqps',
      query(`sum by (datasource, code) (rate(grafana_datasource_request_total{${gr}}[$__rate_interval]))`, '{{datasource}} {{code}}'))
      .min(0).description('Queries Grafana sent to each data source per second, by response code: what the dashboards cost Prometheus.'))
    .withPanel(timeseries('Data source latency p99', 's',
      query(`histogram_quantile(0.99, sum by (datasource, le) (rate(grafana_datasource_request_duration_seconds_bucket{${gr}}[$__rate_interval])))`, '{{datasource}}'))
      .min(0).description('Time each data source took to answer, as Grafana measured it.'));

  builder
    .withRow(new RowBuilder('Alerting'))
    .withPanel(timeseries('Rule evaluations', 'ops',
      query(`sum(rate(grafana_alerting_rule_evaluations_total{${gr}}[$__rate_interval]))`, 'evaluations'),
      query(`sum(rate(grafana_alerting_rule_evaluation_failures_total{${gr}}[$__rate_interval]))`, 'failures'))
      .min(0).description('Grafana-managed alert rules evaluated per second, and failed evaluations (the stack\'s own alerts are Prometheus rules, not these).'))
    .withPanel(timeseries('Alerts by state', 'short', query(`sum by (state) (grafana_alerting_alerts{${gr}})`, '{{state}}')).min(0));

  processRow(builder, gr);
  return builder;
}

// --- kube-state-metrics ----------------------------------------------------------------------------------------------

/** kube-state-metrics from its own telemetry: list and watch calls to the API server, shards, scrape size and cost. */
export function kubeStateMetricsOverview(namespace: string): DashboardBuilder {
  // Its telemetry endpoint keeps the namespace and pod of the exporter; the main endpoint drops them (they are the objects').
  const self = selector(namespace, KSM);
  const job = `${CLUSTER}, job="${KSM}"`;
  const byResult = (metric: string, result: string) => `sum by (resource) (rate(${metric}{${self}, result="${result}"}[$__rate_interval]))`;
  const builder = dashboard({
    uid: 'o11y-kube-state-metrics',
    title: 'Kube-state-metrics / Overview',
    tags: ['kubernetes', 'kube-state-metrics'],
    description: 'kube-state-metrics itself: its list and watch calls to the API server and their errors, shards, how large and slow its scrapes are, and its process.',
  });

  builder
    .withPanel(upStat('Targets up', query(`sum(up{${job}})`), 2).span(6)
      .description('Its two endpoints (the objects\' metrics and its own) whose last scrape succeeded; green from 2.'))
    .withPanel(stat('List and watch errors', 'ops',
      query(`sum(rate(kube_state_metrics_list_total{${self}, result="error"}[$__rate_interval])) + sum(rate(kube_state_metrics_watch_total{${self}, result="error"}[$__rate_interval])) or vector(0)`), [[0.001, 'red']])
      .span(6).description('Failed list and watch calls per second: missing RBAC for a collector, or API server trouble. Its metrics for those resources go stale.'))
    .withPanel(stat('Series exposed', 'short', query(`sum(scrape_samples_scraped{${job}, endpoint!="https-self"})`)).span(6)
      .description('Series of the objects\' metrics in one scrape: grows with the objects in the cluster and the labels allowed.'))
    .withPanel(stat('Scrape duration', 's', query(`max(scrape_duration_seconds{${job}, endpoint!="https-self"})`), [[5, 'orange'], [10, 'red']]).span(6));

  builder
    .withRow(new RowBuilder('API server calls'))
    .withPanel(timeseries('List calls by resource', 'ops',
      query(byResult('kube_state_metrics_list_total', 'success'), '{{resource}} success'),
      query(byResult('kube_state_metrics_list_total', 'error'), '{{resource}} error'))
      .min(0).description('List calls per resource and result: listing happens at start and whenever a watch must start over.'))
    .withPanel(timeseries('Watch calls by resource', 'ops',
      query(byResult('kube_state_metrics_watch_total', 'success'), '{{resource}} success'),
      query(byResult('kube_state_metrics_watch_total', 'error'), '{{resource}} error'))
      .min(0).description('Watch calls per resource and result.'));

  builder
    .withRow(new RowBuilder('Scrapes and shards'))
    .withPanel(timeseries('Series per scrape', 'short', query(`sum by (endpoint) (label_replace(scrape_samples_scraped{${job}}, "endpoint", "objects", "endpoint", ""))`, '{{endpoint}}'))
      .min(0).span(8).description('Series in each scrape of the objects\' metrics and of its own telemetry.'))
    .withPanel(timeseries('Metrics handler latency p99', 's',
      query(`histogram_quantile(0.99, sum by (handler, le) (rate(http_request_duration_seconds_bucket{${job}}[$__rate_interval])))`, '{{handler}}'))
      .min(0).span(8).description('Time kube-state-metrics takes to write its metrics for one scrape.'))
    .withPanel(timeseries('Shards', 'short',
      query(`max(kube_state_metrics_total_shards{${self}})`, 'total shards'),
      query(`count(kube_state_metrics_shard_ordinal{${self}})`, 'shards reporting'))
      .min(0).span(8).description('Shards configured and shards running: fewer running than configured leaves objects without metrics.'));

  processRow(builder, self);
  return builder;
}

// --- Prometheus Operator ---------------------------------------------------------------------------------------------

/** The Prometheus Operator: reconciliation, informers, managed resources, and the config-reloader sidecars it injects. */
export function prometheusOperatorOverview(namespace: string): DashboardBuilder {
  const op = selector(namespace, OPERATOR);
  // The config-reloader sidecars are scraped through the Prometheus and Alertmanager Services (port reloader-web).
  const rel = [CLUSTER, `job=~"${PROMETHEUS}|${ALERTMANAGER}"`, `namespace="${namespace}"`].join(', ');
  const builder = dashboard({
    uid: 'o11y-prometheus-operator',
    title: 'Prometheus Operator / Overview',
    tags: ['monitoring', 'prometheus-operator'],
    description: 'The Prometheus Operator: reconciliations and their errors, informers\' list and watch calls, the resources it manages and rejects, its work queues, and the config-reloader sidecars it injects.',
  });

  builder
    .withPanel(upStat('Operator up', query(`sum(up{${op}})`)).description('Operator targets whose last scrape succeeded.'))
    .withPanel(healthStat('Operator controllers', query(`min(prometheus_operator_ready{${op}})`), 'Ready', 'Not ready')
      .description('Whether every controller of the operator (prometheus, alertmanager, ...) is ready.'))
    .withPanel(stat('Rejected resources', 'short', query(`sum(prometheus_operator_managed_resources{${op}, state="rejected"}) or vector(0)`), [[1, 'orange']])
      .description('ServiceMonitors, PodMonitors, Probes, PrometheusRules, ... the operator rejected as invalid: they are not in the configuration.'))
    .withPanel(stat('Reconcile errors', 'ops', query(`sum(rate(prometheus_operator_reconcile_errors_total{${op}}[$__rate_interval])) or vector(0)`), [[0.001, 'red']])
      .description('Failed reconciliations per second, over every controller.'))
    .withPanel(healthStat('Config reloaders', query(`min(reloader_last_reload_successful{${rel}})`), 'OK', 'Reload failed')
      .description('Whether every config-reloader sidecar (Prometheus and Alertmanager pods) applied its last reload.'))
    .withPanel(stat('Kubernetes API errors', 'reqps',
      query(`sum(rate(prometheus_operator_kubernetes_client_http_requests_total{${op}, status_code=~"5..|429"}[$__rate_interval])) or vector(0)`), [[0.001, 'orange']])
      .description('Requests of the operator the API server answered with a 5xx or throttled (429).'));

  builder
    .withRow(new RowBuilder('Reconciliation'))
    .withPanel(timeseries('Reconcile operations by controller', 'ops',
      query(`sum by (controller) (namespace_controller:prometheus_operator_reconcile_operations:rate5m{${op}})`, '{{controller}}'))
      .min(0).span(8))
    .withPanel(timeseries('Reconcile and status update errors by controller', 'ops',
      query(`sum by (controller) (rate(prometheus_operator_reconcile_errors_total{${op}}[$__rate_interval]))`, '{{controller}} reconcile errors'),
      query(`sum by (controller) (rate(prometheus_operator_status_update_errors_total{${op}}[$__rate_interval]))`, '{{controller}} status update errors'))
      .min(0).span(8))
    .withPanel(timeseries('Reconcile duration p99 by controller', 's',
      query(`max by (controller) (namespace_controller:prometheus_operator_reconcile_duration_seconds:p99_rate5m{${op}})`, '{{controller}}'))
      .min(0).span(8))
    .withPanel(timeseries('Managed resources', 'short',
      query(`sum by (controller, resource, state) (prometheus_operator_managed_resources{${op}})`, '{{controller}} {{resource}} {{state}}'))
      .min(0).description('Resources (ServiceMonitors, PodMonitors, rules, ...) each controller selects, and those it rejected.'))
    .withPanel(timeseries('Triggered reconciliations by trigger', 'ops',
      query(`sum by (controller, triggered_by) (rate(prometheus_operator_triggered_total{${op}}[$__rate_interval]))`, '{{controller}} {{triggered_by}}'))
      .min(0).description('Why the operator reconciled: which kind of object changed.'));

  builder
    .withRow(new RowBuilder('Informers and work queues'))
    .withPanel(timeseries('List and watch failures by controller', 'ops',
      query(`sum by (controller) (rate(prometheus_operator_list_operations_failed_total{${op}}[$__rate_interval]))`, '{{controller}} list failures'),
      query(`sum by (controller) (rate(prometheus_operator_watch_operations_failed_total{${op}}[$__rate_interval]))`, '{{controller}} watch failures'))
      .min(0).span(8).description('Failed list and watch calls of the operator\'s informers to the API server: missing RBAC or API server trouble.'))
    .withPanel(timeseries('Work queue depth', 'short', query(`sum by (name) (prometheus_operator_workqueue_depth{${op}})`, '{{name}}'))
      .min(0).span(8).description('Objects waiting for reconciliation, per work queue.'))
    .withPanel(timeseries('Kubernetes API requests by code', 'reqps',
      query(`sum by (status_code) (rate(prometheus_operator_kubernetes_client_http_requests_total{${op}}[$__rate_interval]))`, '{{status_code}}'))
      .min(0).span(8));

  builder
    .withRow(new RowBuilder('Config reloaders'))
    .withPanel(timeseries('Config reloads and failures', 'short',
      query(`sum by (pod) (increase(reloader_reloads_total{${rel}}[$__rate_interval]))`, '{{pod}} reloads'),
      query(`sum by (pod) (increase(reloader_reloads_failed_total{${rel}}[$__rate_interval]))`, '{{pod}} failed reloads'))
      .min(0).span(24)
      .description('Reloads the config-reloader sidecar triggered in each interval (new rules, configuration or secrets), and the failed ones.'));

  processRow(builder, op);
  return builder;
}

