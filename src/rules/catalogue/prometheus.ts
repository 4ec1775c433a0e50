// Alerts and recording rules about Prometheus' own health (kube-prometheus' prometheus rules).
import { alertingRule, promql, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface PrometheusThresholds {
  /** How long an instance may keep failing to reload its configuration (PrometheusBadConfig). @default "10m" */
  readonly badConfigFor: string;
  /** How long a service discovery mechanism may keep failing to refresh (PrometheusSDRefreshFailure). @default "20m" */
  readonly sdRefreshFailureFor: string;
  /** How long list/watch requests to the Kubernetes API may keep failing. @default "15m" */
  readonly kubernetesListWatchFailuresFor: string;
  /**
   * PrometheusNotificationQueueRunningFull fires when the alert notification queue is predicted to reach its
   * capacity within this many seconds. @default 1800
   */
  readonly notificationQueueFullWithinSeconds: number;
  /** @default "15m" */
  readonly notificationQueueFullFor: string;
  /**
   * PrometheusErrorSendingAlertsToSomeAlertmanagers fires above this percentage (0-100) of alerts that failed to
   * reach one Alertmanager. @default 1
   */
  readonly alertmanagerErrorPercent: number;
  /** @default "15m" */
  readonly alertmanagerErrorFor: string;
  /**
   * PrometheusErrorSendingAlertsToAnyAlertmanager fires when even the best Alertmanager fails more than this
   * percentage (0-100) of the alerts sent to it. @default 3
   */
  readonly allAlertmanagersErrorPercent: number;
  /** @default "15m" */
  readonly allAlertmanagersErrorFor: string;
  /** How long an instance may know no Alertmanager at all (PrometheusNotConnectedToAlertmanagers). @default "10m" */
  readonly notConnectedToAlertmanagersFor: string;
  /** Window in which any failed TSDB reload or compaction counts. @default "3h" */
  readonly tsdbFailuresWindow: string;
  /** How long TSDB reloads or compactions must keep failing before PrometheusTSDB*Failing. @default "4h" */
  readonly tsdbFailuresFor: string;
  /** How long an instance with targets or rules may append no samples (PrometheusNotIngestingSamples). @default "10m" */
  readonly notIngestingSamplesFor: string;
  /** How long samples with duplicate or out-of-order timestamps may keep being dropped. @default "10m" */
  readonly badTimestampsFor: string;
  /** PrometheusRemoteStorageFailures fires above this percentage (0-100) of samples failing to be sent. @default 1 */
  readonly remoteStorageFailurePercent: number;
  /** @default "15m" */
  readonly remoteStorageFailuresFor: string;
  /** PrometheusRemoteWriteBehind fires when a remote write queue lags more than this many seconds. @default 120 */
  readonly remoteWriteBehindSeconds: number;
  /** @default "15m" */
  readonly remoteWriteBehindFor: string;
  /** How long a remote write queue may want more shards than it may run. @default "15m" */
  readonly remoteWriteDesiredShardsFor: string;
  /** How long rule evaluations may keep failing (PrometheusRuleFailures). @default "15m" */
  readonly ruleFailuresFor: string;
  /** How long rule group evaluations may keep being skipped (PrometheusMissingRuleEvaluations). @default "15m" */
  readonly missingRuleEvaluationsFor: string;
  /** How long scrapes may keep hitting a target, label, body size or sample limit. @default "15m" */
  readonly scrapeLimitHitFor: string;
  /** Window in which any failed target synchronisation counts (PrometheusTargetSyncFailure). @default "30m" */
  readonly targetSyncFailureWindow: string;
  /** @default "5m" */
  readonly targetSyncFailureFor: string;
  /** PrometheusHighQueryLoad fires above this share (0-1) of the concurrent query slots in use. @default 0.8 */
  readonly highQueryLoadRatio: number;
  /** @default "15m" */
  readonly highQueryLoadFor: string;
}

export const DEFAULT_PROMETHEUS_THRESHOLDS: PrometheusThresholds = {
  badConfigFor: '10m',
  sdRefreshFailureFor: '20m',
  kubernetesListWatchFailuresFor: '15m',
  notificationQueueFullWithinSeconds: 1800,
  notificationQueueFullFor: '15m',
  alertmanagerErrorPercent: 1,
  alertmanagerErrorFor: '15m',
  allAlertmanagersErrorPercent: 3,
  allAlertmanagersErrorFor: '15m',
  notConnectedToAlertmanagersFor: '10m',
  tsdbFailuresWindow: '3h',
  tsdbFailuresFor: '4h',
  notIngestingSamplesFor: '10m',
  badTimestampsFor: '10m',
  remoteStorageFailurePercent: 1,
  remoteStorageFailuresFor: '15m',
  remoteWriteBehindSeconds: 120,
  remoteWriteBehindFor: '15m',
  remoteWriteDesiredShardsFor: '15m',
  ruleFailuresFor: '15m',
  missingRuleEvaluationsFor: '15m',
  scrapeLimitHitFor: '15m',
  targetSyncFailureWindow: '30m',
  targetSyncFailureFor: '5m',
  highQueryLoadRatio: 0.8,
  highQueryLoadFor: '15m',
};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const PROMETHEUS_METRICS: readonly string[] = [
  // Build, readiness and configuration.
  'prometheus_build_info', 'prometheus_ready', 'prometheus_config_last_reload_successful',
  'prometheus_config_last_reload_success_timestamp_seconds',
  // Service discovery.
  'prometheus_sd_refresh_failures_total', 'prometheus_sd_refresh_duration_seconds',
  'prometheus_sd_refresh_duration_seconds_sum', 'prometheus_sd_refresh_duration_seconds_count',
  'prometheus_sd_discovered_targets', 'prometheus_sd_failed_configs', 'prometheus_sd_received_updates_total',
  'prometheus_sd_updates_total', 'prometheus_sd_updates_delayed_total', 'prometheus_sd_kubernetes_failures_total',
  'prometheus_sd_kubernetes_events_total',
  // Alert notifications.
  'prometheus_notifications_queue_length', 'prometheus_notifications_queue_capacity',
  'prometheus_notifications_sent_total', 'prometheus_notifications_errors_total',
  'prometheus_notifications_dropped_total', 'prometheus_notifications_alertmanagers_discovered',
  'prometheus_notifications_latency_seconds', 'prometheus_notifications_latency_seconds_sum',
  'prometheus_notifications_latency_seconds_count',
  // TSDB: head, blocks, compactions, WAL, retention.
  'prometheus_tsdb_head_series', 'prometheus_tsdb_head_chunks', 'prometheus_tsdb_head_samples_appended_total',
  'prometheus_tsdb_head_series_created_total', 'prometheus_tsdb_head_series_removed_total',
  'prometheus_tsdb_head_chunks_created_total', 'prometheus_tsdb_head_chunks_removed_total',
  'prometheus_tsdb_head_active_appenders', 'prometheus_tsdb_head_min_time', 'prometheus_tsdb_head_max_time',
  'prometheus_tsdb_head_gc_duration_seconds', 'prometheus_tsdb_head_gc_duration_seconds_sum',
  'prometheus_tsdb_head_gc_duration_seconds_count', 'prometheus_tsdb_head_truncations_total',
  'prometheus_tsdb_head_truncations_failed_total', 'prometheus_tsdb_out_of_order_samples_total',
  'prometheus_tsdb_out_of_bound_samples_total', 'prometheus_tsdb_too_old_samples_total',
  'prometheus_tsdb_reloads_total', 'prometheus_tsdb_reloads_failures_total',
  'prometheus_tsdb_compactions_total', 'prometheus_tsdb_compactions_failed_total',
  'prometheus_tsdb_compactions_triggered_total', 'prometheus_tsdb_compaction_duration_seconds_bucket',
  'prometheus_tsdb_compaction_duration_seconds_sum', 'prometheus_tsdb_compaction_duration_seconds_count',
  'prometheus_tsdb_blocks_loaded', 'prometheus_tsdb_storage_blocks_bytes', 'prometheus_tsdb_lowest_timestamp',
  'prometheus_tsdb_lowest_timestamp_seconds', 'prometheus_tsdb_symbol_table_size_bytes',
  'prometheus_tsdb_retention_limit_bytes', 'prometheus_tsdb_retention_limit_seconds',
  'prometheus_tsdb_size_retentions_total', 'prometheus_tsdb_time_retentions_total',
  'prometheus_tsdb_wal_corruptions_total', 'prometheus_tsdb_wal_writes_failed_total',
  'prometheus_tsdb_wal_truncations_total', 'prometheus_tsdb_wal_truncations_failed_total',
  'prometheus_tsdb_wal_segment_current', 'prometheus_tsdb_wal_storage_size_bytes',
  'prometheus_tsdb_wal_fsync_duration_seconds', 'prometheus_tsdb_wal_fsync_duration_seconds_sum',
  'prometheus_tsdb_wal_fsync_duration_seconds_count', 'prometheus_tsdb_checkpoint_creations_total',
  'prometheus_tsdb_checkpoint_creations_failed_total', 'prometheus_tsdb_checkpoint_deletions_failed_total',
  // Remote write.
  'prometheus_remote_storage_samples_total', 'prometheus_remote_storage_samples_failed_total',
  'prometheus_remote_storage_samples_retried_total', 'prometheus_remote_storage_samples_dropped_total',
  'prometheus_remote_storage_samples_pending', 'prometheus_remote_storage_samples_in_total',
  'prometheus_remote_storage_histograms_total', 'prometheus_remote_storage_histograms_failed_total',
  'prometheus_remote_storage_exemplars_total', 'prometheus_remote_storage_exemplars_failed_total',
  'prometheus_remote_storage_metadata_total', 'prometheus_remote_storage_metadata_failed_total',
  'prometheus_remote_storage_bytes_total', 'prometheus_remote_storage_enqueue_retries_total',
  'prometheus_remote_storage_highest_timestamp_in_seconds',
  'prometheus_remote_storage_queue_highest_sent_timestamp_seconds', 'prometheus_remote_storage_shards',
  'prometheus_remote_storage_shards_desired', 'prometheus_remote_storage_shards_max',
  'prometheus_remote_storage_shards_min', 'prometheus_remote_storage_shard_capacity',
  'prometheus_remote_storage_max_samples_per_send', 'prometheus_remote_storage_sent_batch_duration_seconds_bucket',
  'prometheus_remote_storage_sent_batch_duration_seconds_sum',
  'prometheus_remote_storage_sent_batch_duration_seconds_count', 'prometheus_wal_watcher_current_segment',
  // Rule evaluation.
  'prometheus_rule_evaluations_total', 'prometheus_rule_evaluation_failures_total',
  'prometheus_rule_evaluation_duration_seconds', 'prometheus_rule_evaluation_duration_seconds_sum',
  'prometheus_rule_evaluation_duration_seconds_count', 'prometheus_rule_group_iterations_total',
  'prometheus_rule_group_iterations_missed_total', 'prometheus_rule_group_rules',
  'prometheus_rule_group_interval_seconds', 'prometheus_rule_group_last_duration_seconds',
  'prometheus_rule_group_last_evaluation_timestamp_seconds', 'prometheus_rule_group_last_evaluation_samples',
  'prometheus_rule_group_duration_seconds', 'prometheus_rule_group_duration_seconds_sum',
  'prometheus_rule_group_duration_seconds_count',
  // Scraping and targets.
  'prometheus_target_metadata_cache_entries', 'prometheus_target_metadata_cache_bytes',
  'prometheus_target_scrape_pools_total', 'prometheus_target_scrape_pools_failed_total',
  'prometheus_target_scrape_pool_targets', 'prometheus_target_scrape_pool_target_limit',
  'prometheus_target_scrape_pool_sync_total', 'prometheus_target_scrape_pool_reloads_total',
  'prometheus_target_scrape_pool_reloads_failed_total', 'prometheus_target_scrape_pool_exceeded_target_limit_total',
  'prometheus_target_scrape_pool_exceeded_label_limits_total',
  'prometheus_target_scrapes_exceeded_body_size_limit_total', 'prometheus_target_scrapes_exceeded_sample_limit_total',
  'prometheus_target_scrapes_sample_duplicate_timestamp_total', 'prometheus_target_scrapes_sample_out_of_order_total',
  'prometheus_target_scrapes_sample_out_of_bounds_total', 'prometheus_target_scrapes_cache_flush_forced_total',
  'prometheus_target_sync_failed_total', 'prometheus_target_sync_length_seconds',
  'prometheus_target_sync_length_seconds_sum', 'prometheus_target_sync_length_seconds_count',
  'prometheus_target_interval_length_seconds', 'prometheus_target_interval_length_seconds_sum',
  'prometheus_target_interval_length_seconds_count', 'net_conntrack_dialer_conn_attempted_total',
  'net_conntrack_dialer_conn_failed_total',
  // Query engine.
  'prometheus_engine_queries', 'prometheus_engine_queries_concurrent_max', 'prometheus_engine_query_duration_seconds',
  'prometheus_engine_query_duration_seconds_sum', 'prometheus_engine_query_duration_seconds_count',
  'prometheus_engine_query_samples_total', 'prometheus_engine_query_log_enabled',
  'prometheus_engine_query_log_failures_total',
  // HTTP API.
  'prometheus_http_requests_total', 'prometheus_http_request_duration_seconds_bucket',
  'prometheus_http_request_duration_seconds_sum', 'prometheus_http_request_duration_seconds_count',
  'prometheus_http_response_size_bytes_bucket', 'prometheus_http_response_size_bytes_sum',
  'prometheus_http_response_size_bytes_count',
  // The config-reloader sidecar (scraped by the same ServiceMonitor, job prometheus-k8s).
  'reloader_last_reload_successful', 'reloader_last_reload_success_timestamp_seconds', 'reloader_reloads_total',
  'reloader_reloads_failed_total', 'reloader_config_apply_operations_total',
  'reloader_config_apply_operations_failed_total', 'reloader_watches', 'reloader_watch_events_total',
  'reloader_watch_errors_total',
  ...GO_PROCESS_METRICS,
];

/** @param ns the stack namespace, where the component's own job runs */
export function prometheusRules(t: PrometheusThresholds, ns: string): RuleGroupDefinition[] {
  const job = 'prometheus-k8s';
  const sel = `job="${job}", namespace="${ns}"`;
  /** The labels that tell one Prometheus instance apart. */
  const perInstance = 'job, namespace, service, pod, instance';
  const p0 = { job, namespace: ns, service: job, pod: 'prometheus-k8s-0', instance: '10.0.0.20:9090' };
  const p1 = { job, namespace: ns, service: job, pod: 'prometheus-k8s-1', instance: '10.0.0.21:9090' };
  const am0 = 'http://10.0.0.10:9093/api/v2/alerts';
  const am1 = 'http://10.0.0.11:9093/api/v2/alerts';
  const queue = { remote_name: 'thanos', url: 'https://receive.example.com/api/v1/receive' };
  const ruleGroupLabel = { rule_group: '/etc/prometheus/rules/prometheus-k8s-rulefiles-0/shop.yaml;shop.rules' };
  const instance = '{{ $labels.namespace }}/{{ $labels.pod }}';

  /** A counter alert's cases: it fires while `metric` keeps growing, and stays silent while it stands still. */
  const counterCases = (metric: string, labels: Record<string, string>) => ({
    fires: { input: [{ series: series(metric, labels), values: '0+2x40' }], at: '30m', expect: [labels] },
    silent: {
      input: [
        { series: series(metric, labels), values: '0x40' },
        { series: series(metric, { ...labels, ...p1 }), values: '0x40' },
      ],
      at: '30m',
      expect: [],
    },
  });

  return [
    ruleGroup('prometheus', [
      alertingRule({
        alert: 'PrometheusBadConfig',
        expr: promql`max_over_time(prometheus_config_last_reload_successful{${sel}}[5m]) == 0`,
        for: t.badConfigFor,
        severity: 'critical',
        summary: 'Failed Prometheus configuration reload.',
        description: `Prometheus ${instance} has failed to reload its configuration for ${t.badConfigFor}; it keeps running on the previous one.`,
        tests: {
          fires: {
            input: [{ series: series('prometheus_config_last_reload_successful', p0), values: '1x5 0x40' }],
            at: '30m',
            expect: [p0],
          },
          silent: {
            input: [
              { series: series('prometheus_config_last_reload_successful', p0), values: '1x45' },
              { series: series('prometheus_config_last_reload_successful', p1), values: '1x45' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusSDRefreshFailure',
        expr: promql`increase(prometheus_sd_refresh_failures_total{${sel}}[10m]) > 0`,
        for: t.sdRefreshFailureFor,
        severity: 'warning',
        summary: 'Failed Prometheus service discovery refresh.',
        description: `Prometheus ${instance} has failed to refresh targets through the {{ $labels.mechanism }} service discovery for ${t.sdRefreshFailureFor}.`,
        tests: {
          fires: {
            input: [{ series: series('prometheus_sd_refresh_failures_total', { ...p0, mechanism: 'dns', config: 'blackbox' }), values: '0+1x60' }],
            at: '45m',
            expect: [{ ...p0, mechanism: 'dns', config: 'blackbox' }],
          },
          silent: {
            input: [
              { series: series('prometheus_sd_refresh_failures_total', { ...p0, mechanism: 'dns', config: 'blackbox' }), values: '3x60' },
              { series: series('prometheus_sd_refresh_failures_total', { ...p1, mechanism: 'dns', config: 'blackbox' }), values: '0x60' },
            ],
            at: '45m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusKubernetesListWatchFailures',
        expr: promql`increase(prometheus_sd_kubernetes_failures_total{${sel}}[5m]) > 0`,
        for: t.kubernetesListWatchFailuresFor,
        severity: 'warning',
        summary: 'Requests in Kubernetes SD are failing.',
        description: `Kubernetes service discovery of Prometheus ${instance} has had {{ printf "%.0f" $value }} failed list or watch requests in the last 5 minutes: check its RBAC and the API server.`,
        tests: counterCases('prometheus_sd_kubernetes_failures_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusNotificationQueueRunningFull',
        expr: promql`
          predict_linear(prometheus_notifications_queue_length{${sel}}[5m], ${t.notificationQueueFullWithinSeconds})
          > on (${perInstance})
          min_over_time(prometheus_notifications_queue_capacity{${sel}}[5m])`,
        for: t.notificationQueueFullFor,
        severity: 'warning',
        summary: 'Prometheus alert notification queue predicted to run full soon.',
        description: `The alert notification queue of Prometheus ${instance} is predicted to reach its capacity within ${t.notificationQueueFullWithinSeconds} seconds; alerts would then be dropped.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_notifications_queue_length', p0), values: '0+200x60' },
              { series: series('prometheus_notifications_queue_capacity', p0), values: '10000x60' },
            ],
            at: '40m',
            expect: [p0],
          },
          silent: {
            input: [
              { series: series('prometheus_notifications_queue_length', p0), values: '0 3 1 0 2 0 0 1 4 0 0x50' },
              { series: series('prometheus_notifications_queue_capacity', p0), values: '10000x60' },
            ],
            at: '40m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusErrorSendingAlertsToSomeAlertmanagers',
        expr: promql`
          100 * rate(prometheus_notifications_errors_total{${sel}}[5m])
          / rate(prometheus_notifications_sent_total{${sel}}[5m])
          > ${t.alertmanagerErrorPercent}`,
        for: t.alertmanagerErrorFor,
        severity: 'warning',
        summary: 'More than some percent of alerts sent from Prometheus to a specific Alertmanager have failed.',
        description: `Prometheus ${instance} failed to send {{ printf "%.1f" $value }}% of its alerts to Alertmanager {{ $labels.alertmanager }}.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am0 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am0 }), values: '0+5x40' },
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am1 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am1 }), values: '0x40' },
            ],
            at: '30m',
            expect: [{ ...p0, alertmanager: am0 }],
          },
          silent: {
            input: [
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am0 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am0 }), values: '0x40' },
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am1 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am1 }), values: '0x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusErrorSendingAlertsToAnyAlertmanager',
        expr: promql`
          min without (alertmanager) (
            100 * rate(prometheus_notifications_errors_total{${sel}}[5m])
            / rate(prometheus_notifications_sent_total{${sel}}[5m])
          ) > ${t.allAlertmanagersErrorPercent}`,
        for: t.allAlertmanagersErrorFor,
        severity: 'critical',
        summary: 'Prometheus encounters more than some percent of errors sending alerts to any Alertmanager.',
        description: `Prometheus ${instance} failed to send at least {{ printf "%.1f" $value }}% of its alerts to every Alertmanager it knows: alerts may not be notified at all.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am0 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am0 }), values: '0+10x40' },
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am1 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am1 }), values: '0+100x40' },
            ],
            at: '30m',
            expect: [p0],
          },
          silent: {
            // One Alertmanager down is PrometheusErrorSendingAlertsToSomeAlertmanagers' business: the other gets the alerts.
            input: [
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am0 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am0 }), values: '0+100x40' },
              { series: series('prometheus_notifications_sent_total', { ...p0, alertmanager: am1 }), values: '0+100x40' },
              { series: series('prometheus_notifications_errors_total', { ...p0, alertmanager: am1 }), values: '0x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusNotConnectedToAlertmanagers',
        expr: promql`max_over_time(prometheus_notifications_alertmanagers_discovered{${sel}}[5m]) < 1`,
        for: t.notConnectedToAlertmanagersFor,
        severity: 'warning',
        summary: 'Prometheus is not connected to any Alertmanagers.',
        description: `Prometheus ${instance} has discovered no Alertmanager for ${t.notConnectedToAlertmanagersFor}: its alerts go nowhere.`,
        tests: {
          fires: {
            input: [{ series: series('prometheus_notifications_alertmanagers_discovered', p0), values: '2x5 0x40' }],
            at: '30m',
            expect: [p0],
          },
          silent: {
            input: [
              { series: series('prometheus_notifications_alertmanagers_discovered', p0), values: '2x45' },
              { series: series('prometheus_notifications_alertmanagers_discovered', p1), values: '2x45' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusTSDBReloadsFailing',
        expr: promql`increase(prometheus_tsdb_reloads_failures_total{${sel}}[${t.tsdbFailuresWindow}]) > 0`,
        for: t.tsdbFailuresFor,
        severity: 'warning',
        summary: 'Prometheus has issues reloading blocks from disk.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} reloads of its TSDB blocks from disk in the last ${t.tsdbFailuresWindow}.`,
        tests: {
          fires: {
            interval: '10m',
            input: [{ series: series('prometheus_tsdb_reloads_failures_total', p0), values: '0+1x40' }],
            at: '5h',
            expect: [p0],
          },
          silent: {
            interval: '10m',
            input: [
              { series: series('prometheus_tsdb_reloads_failures_total', p0), values: '0x40' },
              { series: series('prometheus_tsdb_reloads_failures_total', p1), values: '0x40' },
            ],
            at: '5h',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusTSDBCompactionsFailing',
        expr: promql`increase(prometheus_tsdb_compactions_failed_total{${sel}}[${t.tsdbFailuresWindow}]) > 0`,
        for: t.tsdbFailuresFor,
        severity: 'warning',
        summary: 'Prometheus has issues compacting blocks.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} compactions of its TSDB blocks in the last ${t.tsdbFailuresWindow}.`,
        tests: {
          fires: {
            interval: '10m',
            input: [{ series: series('prometheus_tsdb_compactions_failed_total', p0), values: '0+1x40' }],
            at: '5h',
            expect: [p0],
          },
          silent: {
            interval: '10m',
            input: [
              { series: series('prometheus_tsdb_compactions_failed_total', p0), values: '0x40' },
              { series: series('prometheus_tsdb_compactions_failed_total', p1), values: '0x40' },
            ],
            at: '5h',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusNotIngestingSamples',
        // Only an instance that has something to ingest (targets whose metadata it caches, or rules) counts.
        expr: promql`
          sum by (${perInstance}) (rate(prometheus_tsdb_head_samples_appended_total{${sel}}[5m])) == 0
          and on (${perInstance})
          (
            sum by (${perInstance}) (prometheus_target_metadata_cache_entries{${sel}}) > 0
            or
            sum by (${perInstance}) (prometheus_rule_group_rules{${sel}}) > 0
          )`,
        for: t.notIngestingSamplesFor,
        severity: 'warning',
        summary: 'Prometheus is not ingesting samples.',
        description: `Prometheus ${instance} has appended no samples to its TSDB for ${t.notIngestingSamplesFor} although it has targets or rules.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_tsdb_head_samples_appended_total', { ...p0, type: 'float' }), values: '5000x40' },
              { series: series('prometheus_target_metadata_cache_entries', { ...p0, scrape_job: 'kubelet' }), values: '800x40' },
              { series: series('prometheus_rule_group_rules', { ...p0, ...ruleGroupLabel }), values: '12x40' },
            ],
            at: '30m',
            expect: [p0],
          },
          silent: {
            input: [
              { series: series('prometheus_tsdb_head_samples_appended_total', { ...p0, type: 'float' }), values: '0+30000x40' },
              { series: series('prometheus_tsdb_head_samples_appended_total', { ...p0, type: 'histogram' }), values: '0x40' },
              { series: series('prometheus_target_metadata_cache_entries', { ...p0, scrape_job: 'kubelet' }), values: '800x40' },
              { series: series('prometheus_rule_group_rules', { ...p0, ...ruleGroupLabel }), values: '12x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusDuplicateTimestamps',
        expr: promql`rate(prometheus_target_scrapes_sample_duplicate_timestamp_total{${sel}}[5m]) > 0`,
        for: t.badTimestampsFor,
        severity: 'warning',
        summary: 'Prometheus is dropping samples with duplicate timestamps.',
        description: `Prometheus ${instance} is dropping {{ printf "%.4g" $value }} samples/s that have the same timestamp as another sample of their series but a different value.`,
        tests: counterCases('prometheus_target_scrapes_sample_duplicate_timestamp_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusOutOfOrderTimestamps',
        expr: promql`rate(prometheus_target_scrapes_sample_out_of_order_total{${sel}}[5m]) > 0`,
        for: t.badTimestampsFor,
        severity: 'warning',
        summary: 'Prometheus drops samples with out-of-order timestamps.',
        description: `Prometheus ${instance} is dropping {{ printf "%.4g" $value }} samples/s that are older than the latest sample of their series.`,
        tests: counterCases('prometheus_target_scrapes_sample_out_of_order_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusRemoteStorageFailures',
        expr: promql`
          100 * rate(prometheus_remote_storage_samples_failed_total{${sel}}[5m])
          / (
            rate(prometheus_remote_storage_samples_failed_total{${sel}}[5m])
            + rate(prometheus_remote_storage_samples_total{${sel}}[5m])
          ) > ${t.remoteStorageFailurePercent}`,
        for: t.remoteStorageFailuresFor,
        severity: 'critical',
        summary: 'Prometheus fails to send samples to remote storage.',
        description: `Prometheus ${instance} failed to send {{ printf "%.1f" $value }}% of its samples to {{ $labels.remote_name }} ({{ $labels.url }}).`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_remote_storage_samples_total', { ...p0, ...queue }), values: '0+1000x40' },
              { series: series('prometheus_remote_storage_samples_failed_total', { ...p0, ...queue }), values: '0+100x40' },
            ],
            at: '30m',
            expect: [{ ...p0, ...queue }],
          },
          silent: {
            input: [
              { series: series('prometheus_remote_storage_samples_total', { ...p0, ...queue }), values: '0+1000x40' },
              { series: series('prometheus_remote_storage_samples_failed_total', { ...p0, ...queue }), values: '0x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusRemoteWriteBehind',
        // The newest sample in the TSDB (one series per instance) against the newest one each queue has sent.
        expr: promql`
          (
            max_over_time(prometheus_remote_storage_highest_timestamp_in_seconds{${sel}}[5m])
            - on (${perInstance}) group_right
            max_over_time(prometheus_remote_storage_queue_highest_sent_timestamp_seconds{${sel}}[5m])
          ) > ${t.remoteWriteBehindSeconds}`,
        for: t.remoteWriteBehindFor,
        severity: 'critical',
        summary: 'Prometheus remote write is behind.',
        description: `Remote write of Prometheus ${instance} to {{ $labels.remote_name }} ({{ $labels.url }}) is {{ printf "%.1f" $value }} seconds behind.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_remote_storage_highest_timestamp_in_seconds', p0), values: '1000+60x40' },
              { series: series('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', { ...p0, ...queue }), values: '700+60x40' },
            ],
            at: '30m',
            expect: [{ ...p0, ...queue }],
          },
          silent: {
            input: [
              { series: series('prometheus_remote_storage_highest_timestamp_in_seconds', p0), values: '1000+60x40' },
              { series: series('prometheus_remote_storage_queue_highest_sent_timestamp_seconds', { ...p0, ...queue }), values: '990+60x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusRemoteWriteDesiredShards',
        expr: promql`
          max_over_time(prometheus_remote_storage_shards_desired{${sel}}[5m])
          > max_over_time(prometheus_remote_storage_shards_max{${sel}}[5m])`,
        for: t.remoteWriteDesiredShardsFor,
        severity: 'warning',
        summary: 'Prometheus remote write desired shards calculation wants to run more than configured max shards.',
        description: `Remote write of Prometheus ${instance} to {{ $labels.remote_name }} ({{ $labels.url }}) wants {{ $value }} shards, more than its maximum: raise queueConfig.maxShards or it falls behind.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_remote_storage_shards_desired', { ...p0, ...queue }), values: '62x40' },
              { series: series('prometheus_remote_storage_shards_max', { ...p0, ...queue }), values: '50x40' },
            ],
            at: '30m',
            expect: [{ ...p0, ...queue }],
          },
          silent: {
            input: [
              { series: series('prometheus_remote_storage_shards_desired', { ...p0, ...queue }), values: '3x40' },
              { series: series('prometheus_remote_storage_shards_max', { ...p0, ...queue }), values: '50x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusRuleFailures',
        expr: promql`increase(prometheus_rule_evaluation_failures_total{${sel}}[5m]) > 0`,
        for: t.ruleFailuresFor,
        severity: 'critical',
        summary: 'Prometheus is failing rule evaluations.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} rule evaluations of group {{ $labels.rule_group }} in the last 5 minutes.`,
        tests: counterCases('prometheus_rule_evaluation_failures_total', { ...p0, ...ruleGroupLabel }),
      }),
      alertingRule({
        alert: 'PrometheusMissingRuleEvaluations',
        expr: promql`increase(prometheus_rule_group_iterations_missed_total{${sel}}[5m]) > 0`,
        for: t.missingRuleEvaluationsFor,
        severity: 'warning',
        summary: 'Prometheus is missing rule evaluations due to slow rule group evaluation.',
        description: `Prometheus ${instance} has skipped {{ printf "%.0f" $value }} evaluations of rule group {{ $labels.rule_group }} in the last 5 minutes: the group takes longer than its interval.`,
        tests: counterCases('prometheus_rule_group_iterations_missed_total', { ...p0, ...ruleGroupLabel }),
      }),
      alertingRule({
        alert: 'PrometheusTargetLimitHit',
        expr: promql`increase(prometheus_target_scrape_pool_exceeded_target_limit_total{${sel}}[5m]) > 0`,
        for: t.scrapeLimitHitFor,
        severity: 'warning',
        summary: 'Prometheus has dropped targets because some scrape configs have exceeded the targets limit.',
        description: `Prometheus ${instance} has dropped {{ printf "%.0f" $value }} targets in the last 5 minutes because their scrape pools exceed their target limit.`,
        tests: counterCases('prometheus_target_scrape_pool_exceeded_target_limit_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusLabelLimitHit',
        expr: promql`increase(prometheus_target_scrape_pool_exceeded_label_limits_total{${sel}}[5m]) > 0`,
        for: t.scrapeLimitHitFor,
        severity: 'warning',
        summary: 'Prometheus has dropped targets because some scrape configs have exceeded the labels limit.',
        description: `Prometheus ${instance} has dropped {{ printf "%.0f" $value }} targets in the last 5 minutes because they exceed a label limit (count, name or value length) of their scrape config.`,
        tests: counterCases('prometheus_target_scrape_pool_exceeded_label_limits_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusScrapeBodySizeLimitHit',
        expr: promql`increase(prometheus_target_scrapes_exceeded_body_size_limit_total{${sel}}[5m]) > 0`,
        for: t.scrapeLimitHitFor,
        severity: 'warning',
        summary: 'Prometheus has dropped some targets that exceeded body size limit.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} scrapes in the last 5 minutes because the response exceeded the body size limit of their scrape config.`,
        tests: counterCases('prometheus_target_scrapes_exceeded_body_size_limit_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusScrapeSampleLimitHit',
        expr: promql`increase(prometheus_target_scrapes_exceeded_sample_limit_total{${sel}}[5m]) > 0`,
        for: t.scrapeLimitHitFor,
        severity: 'warning',
        summary: 'Prometheus has failed scrapes that have exceeded the configured sample limit.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} scrapes in the last 5 minutes because they returned more samples than the sample limit of their scrape config.`,
        tests: counterCases('prometheus_target_scrapes_exceeded_sample_limit_total', p0),
      }),
      alertingRule({
        alert: 'PrometheusTargetSyncFailure',
        expr: promql`increase(prometheus_target_sync_failed_total{${sel}}[${t.targetSyncFailureWindow}]) > 0`,
        for: t.targetSyncFailureFor,
        severity: 'critical',
        summary: 'Prometheus has failed to sync targets.',
        description: `Prometheus ${instance} has failed {{ printf "%.0f" $value }} times in the last ${t.targetSyncFailureWindow} to create the targets of {{ $labels.scrape_job }}, usually because of an invalid configuration.`,
        tests: counterCases('prometheus_target_sync_failed_total', { ...p0, scrape_job: 'serviceMonitor/shop/api/0' }),
      }),
      alertingRule({
        alert: 'PrometheusHighQueryLoad',
        expr: promql`
          avg_over_time(prometheus_engine_queries{${sel}}[5m])
          / on (${perInstance})
          max_over_time(prometheus_engine_queries_concurrent_max{${sel}}[5m])
          > ${t.highQueryLoadRatio}`,
        for: t.highQueryLoadFor,
        severity: 'warning',
        summary: 'Prometheus is reaching its maximum capacity serving concurrent requests.',
        description: `Prometheus ${instance} has used {{ $value | humanizePercentage }} of its concurrent query slots over the last 5 minutes; further queries have to wait.`,
        tests: {
          fires: {
            input: [
              { series: series('prometheus_engine_queries', p0), values: '18x40' },
              { series: series('prometheus_engine_queries_concurrent_max', p0), values: '20x40' },
            ],
            at: '30m',
            expect: [p0],
          },
          silent: {
            input: [
              { series: series('prometheus_engine_queries', p0), values: '2 0 1 3 0 1x35' },
              { series: series('prometheus_engine_queries_concurrent_max', p0), values: '20x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'prometheus' }),
  ];
}
