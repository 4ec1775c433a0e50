// Alerts and recording rules about Grafana.
import { alertingRule, promql, recordingRule, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface GrafanaThresholds {
  /** GrafanaRequestsFailing fires when more than this share (0-1) of a handler's requests get a 5xx. @default 0.5 */
  readonly requestsFailingRatio: number;
  /** @default "5m" */
  readonly requestsFailingFor: string;
  /**
   * Regular expression of the handlers GrafanaRequestsFailing ignores: the datasource proxy and query endpoints
   * answer 5xx whenever a datasource fails, which is the datasource's alert, not Grafana's.
   * @default "/api/datasources/proxy/.*|/api/ds/query"
   */
  readonly requestsFailingIgnoredHandlers: string;
}

export const DEFAULT_GRAFANA_THRESHOLDS: GrafanaThresholds = {
  requestsFailingRatio: 0.5,
  requestsFailingFor: '5m',
  requestsFailingIgnoredHandlers: '/api/datasources/proxy/.*|/api/ds/query',
};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const GRAFANA_METRICS: readonly string[] = [
  // HTTP server.
  'grafana_http_request_duration_seconds_bucket', 'grafana_http_request_duration_seconds_sum',
  'grafana_http_request_duration_seconds_count', 'grafana_http_request_in_flight',
  'grafana_api_response_status_total', 'grafana_page_response_status_total', 'grafana_proxy_response_status_total',
  // Instance and usage statistics.
  'grafana_build_info', 'grafana_stat_totals_dashboard', 'grafana_stat_totals_datasource',
  'grafana_stat_total_users', 'grafana_stat_active_users', 'grafana_stat_total_orgs', 'grafana_stat_total_playlists',
  // Grafana-managed alerting.
  'grafana_alerting_alerts', 'grafana_alerting_rule_group_rules', 'grafana_alerting_rule_evaluations_total',
  'grafana_alerting_rule_evaluation_failures_total', 'grafana_alerting_rule_evaluation_duration_seconds_bucket',
  'grafana_alerting_rule_evaluation_duration_seconds_sum', 'grafana_alerting_rule_evaluation_duration_seconds_count',
  'grafana_alerting_schedule_alert_rules', 'grafana_alerting_scheduler_behind_seconds',
  'grafana_alerting_schedule_rule_evaluations_missed_total', 'grafana_alerting_active_configurations',
  ...GO_PROCESS_METRICS,
];

/** @param ns the stack namespace, where the component's own job runs */
export function grafanaRules(t: GrafanaThresholds, ns: string): RuleGroupDefinition[] {
  const job = 'grafana';
  const sel = `job="${job}", namespace="${ns}"`;
  const target = { job, namespace: ns, service: job, pod: 'grafana-5c7d9b8f6-q8w2z', instance: '10.0.0.40:3000' };
  const requests = (handler: string, statusCode: string) =>
    series('grafana_http_request_duration_seconds_count', { ...target, handler, method: 'GET', status_code: statusCode });
  const errorRatio = 'namespace_job_handler:grafana_http_requests_5xx:ratio_rate5m';

  return [
    ruleGroup('grafana.recording.rules', [
      // Share of 5xx answers per handler; 0 (not absent) for handlers without any 5xx, so dashboards show them.
      recordingRule(errorRatio, promql`
        (
          sum by (job, namespace, handler) (rate(grafana_http_request_duration_seconds_count{${sel}, status_code=~"5.."}[5m]))
          or
          0 * sum by (job, namespace, handler) (rate(grafana_http_request_duration_seconds_count{${sel}}[5m]))
        )
        /
        sum by (job, namespace, handler) (rate(grafana_http_request_duration_seconds_count{${sel}}[5m]))`),
      recordingRule('namespace_job:grafana_http_requests:rate5m', promql`
        sum by (job, namespace, status_code) (rate(grafana_http_request_duration_seconds_count{${sel}}[5m]))`),
      recordingRule('namespace_job_handler:grafana_http_request_duration_seconds:p99_rate5m', promql`
        histogram_quantile(0.99,
          sum by (job, namespace, handler, le) (rate(grafana_http_request_duration_seconds_bucket{${sel}}[5m])))`),
    ], { runbookArea: 'grafana' }),

    ruleGroup('grafana.rules', [
      alertingRule({
        alert: 'GrafanaRequestsFailing',
        expr: promql`
          ${errorRatio}{${sel}, handler!~"${t.requestsFailingIgnoredHandlers}"} > ${t.requestsFailingRatio}`,
        for: t.requestsFailingFor,
        severity: 'warning',
        summary: 'Grafana answers a high share of requests with errors.',
        description:
          'Grafana in {{ $labels.namespace }} answers {{ $value | humanizePercentage }} of the requests to ' +
          '{{ $labels.handler }} with a 5xx error.',
        tests: {
          fires: {
            input: [
              { series: requests('/api/dashboards/uid/:uid', '200'), values: '0+2x30' },
              { series: requests('/api/dashboards/uid/:uid', '500'), values: '0+8x30' },
              { series: requests('/api/search', '200'), values: '0+10x30' },
            ],
            at: '20m',
            expect: [{ job, namespace: ns, handler: '/api/dashboards/uid/:uid' }],
          },
          silent: {
            // A failing datasource makes its queries fail; that is not Grafana's fault.
            input: [
              { series: requests('/api/dashboards/uid/:uid', '200'), values: '0+10x30' },
              { series: requests('/api/search', '200'), values: '0+10x30' },
              { series: requests('/api/ds/query', '200'), values: '0+1x30' },
              { series: requests('/api/ds/query', '502'), values: '0+9x30' },
              { series: requests('/api/datasources/proxy/uid/:uid/*', '502'), values: '0+5x30' },
            ],
            at: '20m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'grafana' }),
  ];
}
