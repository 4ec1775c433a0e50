// Dashboards about Prometheus, Alertmanager and the alerts overview; each is brought by the component whose software
// it shows (the alerts overview by Prometheus, which evaluates them). The operator's, Grafana's and the other
// monitoring dashboards are in monitoring-more.ts.
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { CLUSTER, RowBuilder, dashboard, labelVariable, query, stat, table, timeseries, type DashboardBuilder } from '../house';

export const PROMETHEUS = 'prometheus-k8s';
export const ALERTMANAGER = 'alertmanager-main';

/** Thresholds with a red base that turn green from `green` on (things that must be up, ready or successful). */
function redUntil(green: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'red' }, { value: green, color: 'green' }]);
}

/** A stat of a 0/1 health gauge: red "bad" at 0, green "good" at 1. */
export function healthStat(title: string, q: DataqueryBuilder, good = 'OK', bad = 'Failed') {
  return stat(title, 'none', q)
    .thresholds(redUntil(1))
    .mappings([{ type: MappingType.ValueToText, options: { 0: { text: bad, color: 'red' }, 1: { text: good, color: 'green' } } }]);
}

/** A stat counting up targets: red at 0, green from `expected` on. */
export function upStat(title: string, q: DataqueryBuilder, expected = 1) {
  return stat(title, 'short', q).thresholds(redUntil(expected));
}

/** The matchers of one of the stack's own jobs in its namespace, plus any extra ones. */
export function selector(namespace: string, job: string, ...extra: string[]): string {
  return [CLUSTER, `job="${job}"`, `namespace="${namespace}"`, ...extra].join(', ');
}

export interface PrometheusOverviewOptions {
  /** Namespace of the stack's Prometheus. */
  readonly namespace: string;
  /** Prometheus writes to remote endpoints: the dashboard gets a remote-write row. */
  readonly remoteWrite: boolean;
}

/** The stack's Prometheus: scrape targets, ingestion, TSDB, rule evaluation, notifications and queries. */
export function prometheusOverview(options: PrometheusOverviewOptions): DashboardBuilder {
  const ns = options.namespace;
  const p = selector(ns, PROMETHEUS, 'pod=~"$pod"');
  const rate = (metric: string, extra = '') => `rate(${metric}{${p}${extra}}[$__rate_interval])`;
  const builder = dashboard({
    uid: 'o11y-prometheus-overview',
    title: 'Prometheus / Overview',
    tags: ['monitoring', 'prometheus'],
    description: 'The stack\'s Prometheus: scrape targets, ingestion, TSDB, rule evaluation, alert notifications and queries.',
    variables: [labelVariable('pod', 'prometheus_build_info', 'Prometheus', true, `job="${PROMETHEUS}", namespace="${ns}"`, true)],
  });

  builder
    .withPanel(upStat('Targets up', query(`sum(up{${CLUSTER}})`)).span(6)
      .description('Scrape targets whose last scrape succeeded, over every job.'))
    .withPanel(stat('Targets down', 'short', query(`count(up{${CLUSTER}} == 0) or vector(0)`), [[1, 'red']]).span(6)
      .description('Scrape targets whose last scrape failed (up == 0).'))
    .withPanel(stat('Head series', 'short', query(`max(prometheus_tsdb_head_series{${p}})`)).span(6)
      .description('Series in the head block of the largest selected Prometheus replica.'))
    .withPanel(stat('Samples appended', 'cps', query(`max(sum by (pod) (${rate('prometheus_tsdb_head_samples_appended_total')}))`)).span(6)
      .description('Samples per second appended to the TSDB by the busiest selected replica.'));

  builder
    .withRow(new RowBuilder('Scraping'))
    .withPanel(timeseries('Targets down by job', 'short', query(`count by (job) (up{${CLUSTER}} == 0)`, '{{job}}'))
      .description('Failed scrapes: targets whose last scrape failed, per job. Empty when every target is up.'))
    .withPanel(timeseries('Scrape duration by job', 's', query(`max by (job) (scrape_duration_seconds{${CLUSTER}})`, '{{job}}'))
      .description('Duration of the slowest scrape of each job. Close to the scrape timeout means scrapes are about to fail.'))
    .withPanel(timeseries('Rejected scrapes and samples', 'cps',
      query(`sum by (pod) (${rate('prometheus_target_scrapes_exceeded_sample_limit_total')})`, '{{pod}} sample limit exceeded'),
      query(`sum by (pod) (${rate('prometheus_target_scrapes_exceeded_body_size_limit_total')})`, '{{pod}} body size limit exceeded'),
      query(`sum by (pod) (${rate('prometheus_target_scrape_pool_exceeded_target_limit_total')})`, '{{pod}} target limit exceeded'),
      query(`sum by (pod) (${rate('prometheus_target_scrapes_sample_duplicate_timestamp_total')})`, '{{pod}} duplicate timestamps'),
      query(`sum by (pod) (${rate('prometheus_target_scrapes_sample_out_of_order_total')})`, '{{pod}} out of order'),
      query(`sum by (pod) (${rate('prometheus_target_scrapes_sample_out_of_bounds_total')})`, '{{pod}} out of bounds'))
      .span(24)
      .description('Scrapes rejected because a target exceeded its sample, body size or target limit, and samples dropped for bad timestamps.'));

  builder
    .withRow(new RowBuilder('Storage'))
    .withPanel(timeseries('Head series', 'short', query(`sum by (pod) (prometheus_tsdb_head_series{${p}})`, '{{pod}}')).span(8))
    .withPanel(timeseries('Samples appended', 'cps', query(`sum by (pod) (${rate('prometheus_tsdb_head_samples_appended_total')})`, '{{pod}}')).span(8))
    .withPanel(timeseries('Compactions and reloads', 'short',
      query(`sum by (pod) (increase(prometheus_tsdb_compactions_total{${p}}[$__rate_interval]))`, '{{pod}} compactions'),
      query(`sum by (pod) (increase(prometheus_tsdb_compactions_failed_total{${p}}[$__rate_interval]))`, '{{pod}} failed compactions'),
      query(`sum by (pod) (increase(prometheus_tsdb_reloads_total{${p}}[$__rate_interval]))`, '{{pod}} block reloads'),
      query(`sum by (pod) (increase(prometheus_tsdb_reloads_failures_total{${p}}[$__rate_interval]))`, '{{pod}} failed block reloads'))
      .span(8)
      .description('TSDB compactions and block reloads in each interval. Failures keep old blocks around and grow the disk.'));

  builder
    .withRow(new RowBuilder('Rules'))
    .withPanel(timeseries('Rule evaluation duration', 's',
      query(`max by (pod) (prometheus_rule_evaluation_duration_seconds{${p}, quantile="0.99"})`, '{{pod}} p99 per rule'),
      query(`topk(5, max by (rule_group) (prometheus_rule_group_last_duration_seconds{${p}}))`, '{{rule_group}}'))
      .description('p99 duration of one rule evaluation, and the five slowest rule groups (last evaluation). A group slower than its interval misses iterations.'))
    .withPanel(timeseries('Rule evaluation failures and missed iterations', 'ops',
      query(`sum by (rule_group) (${rate('prometheus_rule_evaluation_failures_total')})`, '{{rule_group}} failures'),
      query(`sum by (rule_group) (${rate('prometheus_rule_group_iterations_missed_total')})`, '{{rule_group}} missed iterations'))
      .description('Failed rule evaluations and skipped group iterations per rule group. Empty when all is well.'));

  builder
    .withRow(new RowBuilder('Alert notifications and queries'))
    .withPanel(timeseries('Alert notifications sent and dropped', 'ops',
      query(`sum by (alertmanager) (${rate('prometheus_notifications_sent_total')})`, 'sent to {{alertmanager}}'),
      query(`sum by (alertmanager) (${rate('prometheus_notifications_errors_total')})`, 'errors sending to {{alertmanager}}'),
      query(`sum by (pod) (${rate('prometheus_notifications_dropped_total')})`, '{{pod}} dropped'))
      .description('Alerts Prometheus sends to each Alertmanager, the ones that failed, and the ones dropped (e.g. queue full).'))
    .withPanel(timeseries('Query duration p99', 's',
      query(`max by (slice) (prometheus_engine_query_duration_seconds{${p}, quantile="0.99"})`, '{{slice}}'))
      .description('p99 time queries spend in each phase (queue, preparation, inner evaluation, result sort), over the selected replicas.'));

  if (options.remoteWrite) {
    builder
      .withRow(new RowBuilder('Remote write'))
      .withPanel(timeseries('Remote write samples', 'cps',
        query(`sum by (remote_name) (${rate('prometheus_remote_storage_samples_total')})`, '{{remote_name}} sent'),
        query(`sum by (remote_name) (${rate('prometheus_remote_storage_samples_failed_total')})`, '{{remote_name}} failed'),
        query(`sum by (remote_name) (${rate('prometheus_remote_storage_samples_retried_total')})`, '{{remote_name}} retried'),
        query(`sum by (remote_name) (${rate('prometheus_remote_storage_samples_dropped_total')})`, '{{remote_name}} dropped'))
        .description('Samples sent to each remote-write endpoint, and those that failed, were retried or were dropped.'))
      .withPanel(timeseries('Remote write lag', 's',
        query(`max by (pod, remote_name) (
  prometheus_remote_storage_highest_timestamp_in_seconds{${p}}
  - on (namespace, pod) group_right
  prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${p}}
)`, '{{pod}} {{remote_name}}'))
        .description('How far each remote-write queue is behind the newest sample in the TSDB.'));
  }
  return builder;
}

export interface AlertmanagerOverviewOptions {
  /** Namespace of the stack's Alertmanager. */
  readonly namespace: string;
  /** Replicas it runs: fewer cluster members than this are red. */
  readonly replicas: number;
}

/** The stack's Alertmanager cluster: alerts received, notifications per integration, gossip and configuration. */
export function alertmanagerOverview(options: AlertmanagerOverviewOptions): DashboardBuilder {
  const ns = options.namespace;
  const am = selector(ns, ALERTMANAGER);
  const builder = dashboard({
    uid: 'o11y-alertmanager-overview',
    title: 'Alertmanager / Overview',
    tags: ['monitoring', 'alertmanager'],
    description: 'The stack\'s Alertmanager cluster: alerts received, notifications per integration, gossip cluster and configuration.',
  });

  builder
    .withPanel(stat('Active alerts', 'short', query(`max(alertmanager_alerts{${am}, state="active"})`))
      .description('Alerts neither silenced nor inhibited, as the replica that knows most sees them (every replica receives every alert).'))
    .withPanel(stat('Suppressed alerts', 'short', query(`max(alertmanager_alerts{${am}, state="suppressed"})`))
      .description('Alerts silenced or inhibited.'))
    .withPanel(stat('Alerts received', 'cps', query(`sum(namespace_service:alertmanager_alerts_received:rate5m{${am}})`))
      .description('Alerts per second received by the cluster, summed over replicas.'))
    .withPanel(stat('Notifications failed', 'ops', query(`sum(namespace_service_integration:alertmanager_notifications_failed:rate5m{${am}}) or vector(0)`), [[0.001, 'red']])
      .description('Failed notifications per second, over every integration.'))
    .withPanel(upStat('Cluster members', query(`min(alertmanager_cluster_members{${am}})`), options.replicas)
      .description(`Fewest cluster members any replica sees; red below the ${options.replicas} configured replicas.`))
    .withPanel(healthStat('Configuration', query(`min(alertmanager_config_last_reload_successful{${am}})`), 'Loaded', 'Reload failed')
      .description('Whether every replica loaded its last configuration.'));

  builder
    .withRow(new RowBuilder('Alerts'))
    .withPanel(timeseries('Alerts received and invalid', 'cps',
      query(`sum by (service) (namespace_service:alertmanager_alerts_received:rate5m{${am}})`, '{{service}} received'),
      query(`sum by (service) (namespace_service:alertmanager_alerts_invalid:rate5m{${am}})`, '{{service}} invalid'))
      .description('Summed over replicas: Prometheus sends every alert to every replica. Invalid alerts are rejected.'))
    .withPanel(timeseries('Alerts by state', 'short', query(`sum by (pod, state) (alertmanager_alerts{${am}})`, '{{pod}} {{state}}'))
      .description('Alerts each replica holds: active, or suppressed by a silence or an inhibition.'));

  builder
    .withRow(new RowBuilder('Notifications'))
    .withPanel(timeseries('Notifications by integration', 'ops',
      query(`sum by (integration) (namespace_service_integration:alertmanager_notifications:rate5m{${am}})`, '{{integration}}'))
      .description('Notification attempts per second, per integration (slack, email, pagerduty, webhook, ...).'))
    .withPanel(timeseries('Failed notifications by integration', 'ops',
      query(`sum by (integration, reason) (rate(alertmanager_notifications_failed_total{${am}}[$__rate_interval]))`, '{{integration}} {{reason}}'))
      .description('Failed notifications per second, per integration and reason (clientError, serverError, other).'))
    .withPanel(timeseries('Notification failure share', 'percentunit',
      query(`namespace_pod_integration:alertmanager_notifications_failed:ratio_rate5m{${am}}`, '{{pod}} {{integration}}'))
      .description('Share of each replica\'s notifications to each integration that failed; the FailedToSendAlerts alerts fire on it.'))
    .withPanel(timeseries('Notification latency p99', 's',
      query(`max by (integration) (namespace_service_integration:alertmanager_notification_latency_seconds:p99_rate5m{${am}})`, '{{integration}}'))
      .description('p99 time to deliver a notification, per integration.'));

  builder
    .withRow(new RowBuilder('Cluster and configuration'))
    .withPanel(timeseries('Cluster members and failed peers', 'short',
      query(`max by (pod) (alertmanager_cluster_members{${am}})`, '{{pod}} members'),
      query(`max by (pod) (alertmanager_cluster_failed_peers{${am}})`, '{{pod}} failed peers'))
      .description('Cluster members each replica sees through gossip, and the peers it cannot reach. Replicas that do not see each other send duplicate notifications.'))
    .withPanel(timeseries('Configuration', 'short',
      query(`min by (pod) (alertmanager_config_last_reload_successful{${am}})`, '{{pod}} last reload successful'),
      query(`count(count by (config_hash) (alertmanager_config_hash{${am}}))`, 'distinct configurations'))
      .description('1 when a replica loaded its last configuration; more than one distinct configuration means the replicas disagree.'));
  return builder;
}

export interface AlertsOverviewOptions {
  /** Namespace of the stack's Alertmanager. */
  readonly namespace: string;
  /** The stack runs an Alertmanager: the dashboard shows its notifications. */
  readonly alertmanager: boolean;
  /** Alerts that fire all the time by design (Watchdog, InfoInhibitor): left out. */
  readonly alwaysFiring: readonly string[];
}

/** The alerts Prometheus evaluates (its ALERTS series) and the notifications Alertmanager sends. */
export function alertsOverview(options: AlertsOverviewOptions): DashboardBuilder {
  const ns = options.namespace;
  const alwaysFiring = options.alwaysFiring.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&'));
  const matchers = [CLUSTER, 'namespace=~"$namespace"', ...(alwaysFiring.length ? [`alertname!~"${alwaysFiring.join('|')}"`] : [])].join(', ');
  const firing = (extra = '') => `ALERTS{${matchers}, alertstate="firing"${extra}}`;
  const pending = `ALERTS{${matchers}, alertstate="pending"}`;
  const builder = dashboard({
    uid: 'o11y-alerts-overview',
    title: 'Alerts / Overview',
    tags: ['monitoring', 'alerts'],
    description: `Alerts the stack's Prometheus evaluates, from its ALERTS series${alwaysFiring.length ? ` (without ${options.alwaysFiring.join(', ')}, which fire all the time by design)` : ''}, and the notifications Alertmanager sends.`,
    variables: [labelVariable('namespace', 'ALERTS', 'Namespace', true, '', true).allValue('.*')],
  });

  builder
    .withPanel(stat('Critical alerts firing', 'short', query(`count(${firing(', severity="critical"')}) or vector(0)`), [[1, 'red']]).span(6))
    .withPanel(stat('Warning alerts firing', 'short', query(`count(${firing(', severity="warning"')}) or vector(0)`), [[1, 'orange']]).span(6))
    .withPanel(stat('Info alerts firing', 'short', query(`count(${firing(', severity="info"')}) or vector(0)`), [[1, 'blue']]).span(6))
    .withPanel(stat('Alerts pending', 'short', query(`count(${pending}) or vector(0)`), [[1, 'yellow']]).span(6)
      .description('Alerts whose condition holds but not yet for their `for` duration.'));

  builder
    .withRow(new RowBuilder('Firing alerts'))
    .withPanel(timeseries('Firing alerts by severity', 'short', query(`count by (severity) (${firing()})`, '{{severity}}')))
    .withPanel(timeseries('Firing alerts by namespace', 'short',
      query(`count by (namespace) (label_replace(${firing()}, "namespace", "(cluster-wide)", "namespace", ""))`, '{{namespace}}'))
      .description('Alerts without a namespace label (nodes, control plane, ...) count as (cluster-wide).'))
    .withPanel(table('Firing alerts', query(`count by (alertname, severity, namespace) (${firing()})`))
      .description('One row per alert name, severity and namespace; Series is how many alert instances (e.g. pods) fire.')
      .withTransformation({
        id: 'organize',
        options: {
          excludeByName: { Time: true },
          indexByName: { alertname: 0, severity: 1, namespace: 2, Value: 3 },
          renameByName: { alertname: 'Alert', severity: 'Severity', namespace: 'Namespace', Value: 'Series' },
        },
      }));

  builder
    .withRow(new RowBuilder('Pending alerts and notifications'))
    .withPanel(timeseries('Pending alerts by name', 'short', query(`count by (alertname) (${pending})`, '{{alertname}}'))
      .description('Alerts waiting out their `for` duration; one that keeps coming back without firing may be flapping.'));
  if (options.alertmanager) {
    const am = selector(ns, ALERTMANAGER);
    builder.withPanel(timeseries('Notifications by integration', 'ops',
      query(`sum by (integration) (namespace_service_integration:alertmanager_notifications:rate5m{${am}})`, '{{integration}} sent'),
      query(`sum by (integration) (namespace_service_integration:alertmanager_notifications_failed:rate5m{${am}})`, '{{integration}} failed'))
      .description(
        'Notifications Alertmanager attempted and failed, per integration (alertmanager_notifications_total). Not per receiver: ' +
        'Alertmanager 0.28 adds a receiver_name label only with --enable-feature=receiver-name-in-metrics, which this stack does not set.'));
  }
  return builder;
}
