// Alerts and recording rules about Alertmanager's own health.
import { alertingRule, promql, recordingRule, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition, SeriesInput } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface AlertmanagerThresholds {
  /** How long an instance must keep failing to load its configuration before AlertmanagerFailedReload. @default "10m" */
  readonly failedReloadFor: string;
  /** How long an instance must see fewer cluster members than there are instances. @default "15m" */
  readonly membersInconsistentFor: string;
  /** AlertmanagerFailedToSendAlerts fires above this share (0-1) of failed notifications of one instance. @default 0.01 */
  readonly failedToSendRatio: number;
  /** @default "5m" */
  readonly failedToSendFor: string;
  /**
   * AlertmanagerClusterFailedToSendAlerts fires when every instance fails more than this share (0-1) of its
   * notifications to one integration. @default 0.01
   */
  readonly clusterFailedToSendRatio: number;
  /** @default "5m" */
  readonly clusterFailedToSendFor: string;
  /**
   * Regular expression of the integrations that page: when the whole cluster fails to reach them, it is critical
   * (AlertmanagerClusterFailedToSendAlerts). Failures of the other integrations still raise the warning
   * AlertmanagerFailedToSendAlerts on every instance. `.*` makes every integration critical.
   * @default "pagerduty|opsgenie|victorops|pushover|webhook"
   */
  readonly criticalIntegrations: string;
  /** How long the instances of a cluster may run with different configurations. @default "20m" */
  readonly configInconsistentFor: string;
  /** AlertmanagerClusterDown fires when at least this share (0-1) of a cluster's instances is down. @default 0.5 */
  readonly clusterDownRatio: number;
  /** @default "5m" */
  readonly clusterDownFor: string;
  /** An instance restarting more than this many times in 10 minutes counts as crashlooping. @default 4 */
  readonly crashloopRestarts: number;
  /** AlertmanagerClusterCrashlooping fires when at least this share (0-1) of a cluster's instances crashloops. @default 0.5 */
  readonly clusterCrashloopingRatio: number;
  /** @default "5m" */
  readonly clusterCrashloopingFor: string;
  /** How long an instance may keep seeing failed peers in its cluster. @default "15m" */
  readonly failedPeersFor: string;
}

export const DEFAULT_ALERTMANAGER_THRESHOLDS: AlertmanagerThresholds = {
  failedReloadFor: '10m',
  membersInconsistentFor: '15m',
  failedToSendRatio: 0.01,
  failedToSendFor: '5m',
  clusterFailedToSendRatio: 0.01,
  clusterFailedToSendFor: '5m',
  criticalIntegrations: 'pagerduty|opsgenie|victorops|pushover|webhook',
  configInconsistentFor: '20m',
  clusterDownRatio: 0.5,
  clusterDownFor: '5m',
  crashloopRestarts: 4,
  clusterCrashloopingRatio: 0.5,
  clusterCrashloopingFor: '5m',
  failedPeersFor: '15m',
};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const ALERTMANAGER_METRICS: readonly string[] = [
  // Alerts and dispatching.
  'alertmanager_alerts', 'alertmanager_alerts_received_total', 'alertmanager_alerts_invalid_total',
  'alertmanager_marked_alerts', 'alertmanager_dispatcher_aggregation_groups',
  'alertmanager_dispatcher_alert_processing_duration_seconds_sum',
  'alertmanager_dispatcher_alert_processing_duration_seconds_count',
  // Notifications.
  'alertmanager_notifications_total', 'alertmanager_notifications_failed_total',
  'alertmanager_notification_requests_total', 'alertmanager_notification_requests_failed_total',
  'alertmanager_notification_latency_seconds_bucket', 'alertmanager_notification_latency_seconds_sum',
  'alertmanager_notification_latency_seconds_count', 'alertmanager_integrations', 'alertmanager_receivers',
  // Configuration.
  'alertmanager_build_info', 'alertmanager_config_hash', 'alertmanager_config_last_reload_successful',
  'alertmanager_config_last_reload_success_timestamp_seconds',
  // Cluster (gossip).
  'alertmanager_cluster_enabled', 'alertmanager_cluster_members', 'alertmanager_cluster_failed_peers',
  'alertmanager_cluster_health_score', 'alertmanager_cluster_peer_info', 'alertmanager_cluster_peers_joined_total',
  'alertmanager_cluster_peers_left_total', 'alertmanager_cluster_peers_update_total',
  'alertmanager_cluster_reconnections_total', 'alertmanager_cluster_reconnections_failed_total',
  'alertmanager_cluster_refresh_join_failed_total', 'alertmanager_cluster_refresh_join_total',
  'alertmanager_cluster_messages_received_total', 'alertmanager_cluster_messages_sent_total',
  'alertmanager_cluster_messages_queued', 'alertmanager_cluster_messages_pruned_total',
  'alertmanager_cluster_pings_seconds_bucket', 'alertmanager_cluster_pings_seconds_sum',
  'alertmanager_cluster_pings_seconds_count',
  // Silences and notification log.
  'alertmanager_silences', 'alertmanager_silences_queries_total', 'alertmanager_silences_query_errors_total',
  'alertmanager_silences_snapshot_size_bytes', 'alertmanager_nflog_queries_total',
  'alertmanager_nflog_query_errors_total', 'alertmanager_nflog_snapshot_size_bytes',
  // HTTP API.
  'alertmanager_http_request_duration_seconds_bucket', 'alertmanager_http_request_duration_seconds_sum',
  'alertmanager_http_request_duration_seconds_count', 'alertmanager_http_requests_in_flight',
  'alertmanager_http_concurrency_limit_exceeded_total',
  ...GO_PROCESS_METRICS,
];

/** @param ns the stack namespace, where the component's own job runs */
export function alertmanagerRules(t: AlertmanagerThresholds, ns: string): RuleGroupDefinition[] {
  const job = 'alertmanager-main';
  const sel = `job="${job}", namespace="${ns}"`;
  const cluster = { job, namespace: ns, service: job };
  const am0 = { ...cluster, pod: 'alertmanager-main-0', instance: '10.0.0.10:9093' };
  const am1 = { ...cluster, pod: 'alertmanager-main-1', instance: '10.0.0.11:9093' };
  const byPod = { ...cluster, pod: am0.pod };
  const failedRatio = 'namespace_pod_integration:alertmanager_notifications_failed:ratio_rate5m';

  /** Notifications of both instances to one integration, with failures per minute of each. */
  const sent = (integration: string, failed0: number, failed1: number): SeriesInput[] => [am0, am1].flatMap((am, i) => [
    { series: series('alertmanager_notifications_total', { ...am, integration }), values: '0+10x30' },
    { series: series('alertmanager_notifications_failed_total', { ...am, integration, reason: 'serverError' }), values: `0+${i === 0 ? failed0 : failed1}x30` },
  ]);
  const clusterFailedToSend = (severity: 'critical' | 'warning', integrations: string, what: string, consequence: string, integration: string) =>
    alertingRule({
      alert: 'AlertmanagerClusterFailedToSendAlerts',
      expr: promql`
        min by (job, namespace, service, integration) (
          ${failedRatio}{${sel}, ${integrations}}
        ) > ${t.clusterFailedToSendRatio}`,
      for: t.clusterFailedToSendFor,
      severity,
      summary: `All Alertmanager instances in a cluster failed to send notifications to ${what}.`,
      description:
        'Every instance of the {{ $labels.namespace }}/{{ $labels.service }} Alertmanager cluster fails to send ' +
        `notifications to {{ $labels.integration }}: the lowest failure share is {{ $value | humanizePercentage }}.${consequence}`,
      tests: {
        fires: { input: sent(integration, 10, 5), at: '20m', expect: [{ ...cluster, integration }] },
        // One instance still gets through: AlertmanagerFailedToSendAlerts' business, per pod.
        silent: { input: sent(integration, 10, 0), at: '20m', expect: [] },
      },
    });

  return [
    ruleGroup('alertmanager.recording.rules', [
      // Share of failed notifications per instance and integration; both FailedToSend alerts read it.
      recordingRule(failedRatio, promql`
        sum by (job, namespace, service, pod, integration) (rate(alertmanager_notifications_failed_total{${sel}}[5m]))
        /
        sum by (job, namespace, service, pod, integration) (rate(alertmanager_notifications_total{${sel}}[5m]))`),
      recordingRule('namespace_service_integration:alertmanager_notifications:rate5m', promql`
        sum by (job, namespace, service, integration) (rate(alertmanager_notifications_total{${sel}}[5m]))`),
      recordingRule('namespace_service_integration:alertmanager_notifications_failed:rate5m', promql`
        sum by (job, namespace, service, integration) (rate(alertmanager_notifications_failed_total{${sel}}[5m]))`),
      recordingRule('namespace_service_integration:alertmanager_notification_latency_seconds:p99_rate5m', promql`
        histogram_quantile(0.99,
          sum by (job, namespace, service, integration, le) (rate(alertmanager_notification_latency_seconds_bucket{${sel}}[5m])))`),
      recordingRule('namespace_service:alertmanager_alerts_received:rate5m', promql`
        sum by (job, namespace, service) (rate(alertmanager_alerts_received_total{${sel}}[5m]))`),
      recordingRule('namespace_service:alertmanager_alerts_invalid:rate5m', promql`
        sum by (job, namespace, service) (rate(alertmanager_alerts_invalid_total{${sel}}[5m]))`),
    ], { runbookArea: 'alertmanager' }),

    ruleGroup('alertmanager.rules', [
      alertingRule({
        alert: 'AlertmanagerFailedReload',
        expr: promql`max_over_time(alertmanager_config_last_reload_successful{${sel}}[5m]) == 0`,
        for: t.failedReloadFor,
        severity: 'critical',
        summary: 'Reloading an Alertmanager configuration has failed.',
        description:
          'Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} has failed to load its configuration for ' +
          `${t.failedReloadFor}; it keeps running on the previous one.`,
        tests: {
          fires: {
            input: [{ series: series('alertmanager_config_last_reload_successful', am0), values: '1x5 0x40' }],
            at: '30m',
            expect: [am0],
          },
          silent: {
            input: [
              { series: series('alertmanager_config_last_reload_successful', am0), values: '1x45' },
              { series: series('alertmanager_config_last_reload_successful', am1), values: '1x45' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'AlertmanagerMembersInconsistent',
        expr: promql`
          max_over_time(alertmanager_cluster_members{${sel}}[5m])
          < on (namespace, service) group_left
          count by (namespace, service) (max_over_time(alertmanager_cluster_members{${sel}}[5m]))`,
        for: t.membersInconsistentFor,
        severity: 'critical',
        summary: 'A member of an Alertmanager cluster has not found all other cluster members.',
        description:
          'Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} sees only {{ $value }} members of the ' +
          '{{ $labels.service }} cluster, fewer than there are instances.',
        tests: {
          fires: {
            // Two replicas that cannot reach each other: each one only knows itself.
            input: [
              { series: series('alertmanager_cluster_members', am0), values: '1x40' },
              { series: series('alertmanager_cluster_members', am1), values: '1x40' },
            ],
            at: '30m',
            expect: [am0, am1],
          },
          silent: {
            input: [
              { series: series('alertmanager_cluster_members', am0), values: '2x40' },
              { series: series('alertmanager_cluster_members', am1), values: '2x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'AlertmanagerFailedToSendAlerts',
        expr: promql`${failedRatio}{${sel}} > ${t.failedToSendRatio}`,
        for: t.failedToSendFor,
        severity: 'warning',
        summary: 'An Alertmanager instance failed to send notifications.',
        description:
          'Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} failed to send {{ $value | humanizePercentage }} ' +
          'of its notifications to {{ $labels.integration }}.',
        tests: {
          fires: {
            input: [
              { series: series('alertmanager_notifications_total', { ...am0, integration: 'slack' }), values: '0+10x30' },
              { series: series('alertmanager_notifications_failed_total', { ...am0, integration: 'slack', reason: 'clientError' }), values: '0+2x30' },
              { series: series('alertmanager_notifications_total', { ...am0, integration: 'email' }), values: '0+10x30' },
              { series: series('alertmanager_notifications_failed_total', { ...am0, integration: 'email', reason: 'other' }), values: '0x30' },
            ],
            at: '20m',
            expect: [{ ...byPod, integration: 'slack' }],
          },
          silent: {
            input: [
              { series: series('alertmanager_notifications_total', { ...am0, integration: 'slack' }), values: '0+10x30' },
              { series: series('alertmanager_notifications_failed_total', { ...am0, integration: 'slack', reason: 'clientError' }), values: '0x30' },
              { series: series('alertmanager_notifications_total', { ...am1, integration: 'slack' }), values: '0+10x30' },
              { series: series('alertmanager_notifications_failed_total', { ...am1, integration: 'slack', reason: 'clientError' }), values: '0x30' },
            ],
            at: '20m',
            expect: [],
          },
        },
      }),
      // Every instance fails to reach an integration: critical for those that page, warning for the rest (the
      // community's two variants; per-pod warnings alone would not say the whole cluster is cut off from Slack).
      clusterFailedToSend('critical', `integration=~"${t.criticalIntegrations}"`, 'a critical integration', ' Pages are not getting through.', 'pagerduty'),
      clusterFailedToSend('warning', `integration!~"${t.criticalIntegrations}"`, 'a non-critical integration', '', 'slack'),
      alertingRule({
        alert: 'AlertmanagerConfigInconsistent',
        expr: promql`
          count by (job, namespace, service) (
            count_values by (job, namespace, service) ("config_hash", alertmanager_config_hash{${sel}})
          ) != 1`,
        for: t.configInconsistentFor,
        severity: 'critical',
        summary: 'Alertmanager instances within the same cluster have different configurations.',
        description:
          'The instances of the {{ $labels.namespace }}/{{ $labels.service }} Alertmanager cluster run ' +
          '{{ $value }} different configurations.',
        tests: {
          fires: {
            input: [
              { series: series('alertmanager_config_hash', am0), values: '123456x40' },
              { series: series('alertmanager_config_hash', am1), values: '654321x40' },
            ],
            at: '30m',
            expect: [cluster],
          },
          silent: {
            input: [
              { series: series('alertmanager_config_hash', am0), values: '123456x40' },
              { series: series('alertmanager_config_hash', am1), values: '123456x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'AlertmanagerClusterDown',
        expr: promql`
          (
            count by (job, namespace, service) (avg_over_time(up{${sel}}[5m]) < 0.5)
            /
            count by (job, namespace, service) (up{${sel}})
          ) >= ${t.clusterDownRatio}`,
        for: t.clusterDownFor,
        severity: 'critical',
        summary: 'Half or more of the Alertmanager instances within the same cluster are down.',
        description:
          '{{ $value | humanizePercentage }} of the instances of the {{ $labels.namespace }}/{{ $labels.service }} ' +
          'Alertmanager cluster have been up for less than half of the last 5 minutes.',
        tests: {
          fires: {
            input: [
              { series: series('up', am0), values: '1x5 0x30' },
              { series: series('up', am1), values: '1x35' },
            ],
            at: '25m',
            expect: [cluster],
          },
          silent: {
            input: [
              { series: series('up', am0), values: '1x35' },
              { series: series('up', am1), values: '1x35' },
            ],
            at: '25m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'AlertmanagerClusterCrashlooping',
        expr: promql`
          (
            count by (job, namespace, service) (changes(process_start_time_seconds{${sel}}[10m]) > ${t.crashloopRestarts})
            /
            count by (job, namespace, service) (up{${sel}})
          ) >= ${t.clusterCrashloopingRatio}`,
        for: t.clusterCrashloopingFor,
        severity: 'critical',
        summary: 'Half or more of the Alertmanager instances within the same cluster are crashlooping.',
        description:
          '{{ $value | humanizePercentage }} of the instances of the {{ $labels.namespace }}/{{ $labels.service }} ' +
          `Alertmanager cluster have restarted more than ${t.crashloopRestarts} times in the last 10 minutes.`,
        tests: {
          fires: {
            // alertmanager-main-0 starts anew every minute.
            input: [
              { series: series('process_start_time_seconds', am0), values: '1000+60x35' },
              { series: series('process_start_time_seconds', am1), values: '1000x35' },
              { series: series('up', am0), values: '1x35' },
              { series: series('up', am1), values: '1x35' },
            ],
            at: '25m',
            expect: [cluster],
          },
          silent: {
            input: [
              { series: series('process_start_time_seconds', am0), values: '1000x35' },
              { series: series('process_start_time_seconds', am1), values: '1000x35' },
              { series: series('up', am0), values: '1x35' },
              { series: series('up', am1), values: '1x35' },
            ],
            at: '25m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'AlertmanagerClusterFailedPeers',
        expr: promql`min_over_time(alertmanager_cluster_failed_peers{${sel}}[5m]) > 0`,
        for: t.failedPeersFor,
        severity: 'warning',
        summary: 'An Alertmanager instance has failed peers in its cluster.',
        description:
          'Alertmanager {{ $labels.namespace }}/{{ $labels.pod }} has had {{ $value }} failed peers in the ' +
          `{{ $labels.service }} cluster for ${t.failedPeersFor}: the gossip mesh (port 9094, TCP and UDP) is broken ` +
          'or a peer is gone.',
        tests: {
          fires: {
            input: [
              { series: series('alertmanager_cluster_failed_peers', am0), values: '0x5 1x40' },
              { series: series('alertmanager_cluster_failed_peers', am1), values: '0x45' },
            ],
            at: '35m',
            expect: [am0],
          },
          silent: {
            input: [
              { series: series('alertmanager_cluster_failed_peers', am0), values: '0x45' },
              { series: series('alertmanager_cluster_failed_peers', am1), values: '0x45' },
            ],
            at: '35m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'alertmanager' }),
  ];
}
