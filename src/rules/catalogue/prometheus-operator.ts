// Alerts and recording rules about the Prometheus Operator and its config reloaders.
import { alertingRule, promql, recordingRule, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition } from '../types';
import { GO_PROCESS_METRICS } from './general';

/** Thresholds of these alerts; every field documents its @default. */
export interface PrometheusOperatorThresholds {
  /** PrometheusOperatorListErrors fires above this share (0-1) of failed list operations of a controller. @default 0.4 */
  readonly listErrorsRatio: number;
  /** @default "15m" */
  readonly listErrorsFor: string;
  /** PrometheusOperatorWatchErrors fires above this share (0-1) of failed watch operations of a controller. @default 0.4 */
  readonly watchErrorsRatio: number;
  /** @default "15m" */
  readonly watchErrorsFor: string;
  /** How long objects of a controller may stay in a failed sync state. @default "10m" */
  readonly syncFailedFor: string;
  /** PrometheusOperatorReconcileErrors fires above this share (0-1) of failed reconciliations. @default 0.1 */
  readonly reconcileErrorsRatio: number;
  /** @default "10m" */
  readonly reconcileErrorsFor: string;
  /** PrometheusOperatorStatusUpdateErrors fires above this share (0-1) of failed status updates. @default 0.1 */
  readonly statusUpdateErrorsRatio: number;
  /** @default "10m" */
  readonly statusUpdateErrorsFor: string;
  /** PrometheusOperatorNodeLookupErrors fires above this many failed node address lookups per second. @default 0.1 */
  readonly nodeLookupErrorsPerSecond: number;
  /** @default "10m" */
  readonly nodeLookupErrorsFor: string;
  /** How long a controller may be not ready to reconcile. @default "5m" */
  readonly notReadyFor: string;
  /** How long a controller may keep rejecting resources (invalid ServiceMonitors, rules, ...). @default "5m" */
  readonly rejectedResourcesFor: string;
  /** How long a config-reloader sidecar may fail to reload its configuration. @default "10m" */
  readonly configReloaderFailedFor: string;
}

export const DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS: PrometheusOperatorThresholds = {
  listErrorsRatio: 0.4,
  listErrorsFor: '15m',
  watchErrorsRatio: 0.4,
  watchErrorsFor: '15m',
  syncFailedFor: '10m',
  reconcileErrorsRatio: 0.1,
  reconcileErrorsFor: '10m',
  statusUpdateErrorsRatio: 0.1,
  statusUpdateErrorsFor: '10m',
  nodeLookupErrorsPerSecond: 0.1,
  nodeLookupErrorsFor: '10m',
  notReadyFor: '5m',
  rejectedResourcesFor: '5m',
  configReloaderFailedFor: '10m',
};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const PROMETHEUS_OPERATOR_METRICS: readonly string[] = [
  // Operator state and informers.
  'prometheus_operator_build_info', 'prometheus_operator_feature_gate', 'prometheus_operator_ready',
  'prometheus_operator_list_operations_total', 'prometheus_operator_list_operations_failed_total',
  'prometheus_operator_watch_operations_total', 'prometheus_operator_watch_operations_failed_total',
  'prometheus_operator_triggered_total', 'prometheus_operator_syncs', 'prometheus_operator_managed_resources',
  'prometheus_operator_spec_replicas', 'prometheus_operator_spec_shards',
  // Reconciliation.
  'prometheus_operator_reconcile_operations_total', 'prometheus_operator_reconcile_errors_total',
  'prometheus_operator_reconcile_sts_delete_create_total', 'prometheus_operator_reconcile_duration_seconds_bucket',
  'prometheus_operator_reconcile_duration_seconds_sum', 'prometheus_operator_reconcile_duration_seconds_count',
  'prometheus_operator_status_update_operations_total', 'prometheus_operator_status_update_errors_total',
  // Kubelet endpoints controller.
  'prometheus_operator_node_address_lookup_errors_total', 'prometheus_operator_node_syncs_total',
  'prometheus_operator_node_syncs_failed_total', 'prometheus_operator_kubelet_managed_resource',
  // Kubernetes client and work queues.
  'prometheus_operator_kubernetes_client_http_requests_total',
  'prometheus_operator_kubernetes_client_http_request_duration_seconds_sum',
  'prometheus_operator_kubernetes_client_http_request_duration_seconds_count',
  'prometheus_operator_kubernetes_client_rate_limiter_duration_seconds_sum',
  'prometheus_operator_kubernetes_client_rate_limiter_duration_seconds_count',
  'prometheus_operator_workqueue_depth', 'prometheus_operator_workqueue_adds_total',
  'prometheus_operator_workqueue_retries_total', 'prometheus_operator_workqueue_latency_seconds_bucket',
  'prometheus_operator_workqueue_latency_seconds_sum', 'prometheus_operator_workqueue_latency_seconds_count',
  'prometheus_operator_workqueue_work_duration_seconds_bucket',
  'prometheus_operator_workqueue_work_duration_seconds_sum',
  'prometheus_operator_workqueue_work_duration_seconds_count',
  'prometheus_operator_workqueue_unfinished_work_seconds',
  'prometheus_operator_workqueue_longest_running_processor_seconds',
  // The config-reloader sidecars the operator injects into Prometheus and Alertmanager pods.
  'reloader_last_reload_successful', 'reloader_last_reload_success_timestamp_seconds', 'reloader_reloads_total',
  'reloader_reloads_failed_total', 'reloader_config_apply_operations_total',
  'reloader_config_apply_operations_failed_total',
  ...GO_PROCESS_METRICS,
];

/** @param ns the stack namespace, where the component's own job runs */
export function prometheusOperatorRules(t: PrometheusOperatorThresholds, ns: string): RuleGroupDefinition[] {
  const job = 'prometheus-operator';
  const sel = `job="${job}", namespace="${ns}"`;
  const target = { job, namespace: ns, service: job, pod: 'prometheus-operator-7d9f8b6c5-x2k4q', instance: '10.0.0.20:8080' };
  const controller = (name: string) => ({ job, namespace: ns, controller: name });
  const op = (name: string, extra: Record<string, string> = {}) => ({ ...target, controller: name, ...extra });
  const reconcileRatio = 'namespace_controller:prometheus_operator_reconcile_errors:ratio_rate5m';
  const statusRatio = 'namespace_controller:prometheus_operator_status_update_errors:ratio_rate5m';

  return [
    ruleGroup('prometheus-operator.recording.rules', [
      recordingRule(reconcileRatio, promql`
        sum by (job, namespace, controller) (rate(prometheus_operator_reconcile_errors_total{${sel}}[5m]))
        /
        sum by (job, namespace, controller) (rate(prometheus_operator_reconcile_operations_total{${sel}}[5m]))`),
      recordingRule(statusRatio, promql`
        sum by (job, namespace, controller) (rate(prometheus_operator_status_update_errors_total{${sel}}[5m]))
        /
        sum by (job, namespace, controller) (rate(prometheus_operator_status_update_operations_total{${sel}}[5m]))`),
      recordingRule('namespace_controller:prometheus_operator_reconcile_operations:rate5m', promql`
        sum by (job, namespace, controller) (rate(prometheus_operator_reconcile_operations_total{${sel}}[5m]))`),
      recordingRule('namespace_controller:prometheus_operator_reconcile_duration_seconds:p99_rate5m', promql`
        histogram_quantile(0.99,
          sum by (job, namespace, controller, le) (rate(prometheus_operator_reconcile_duration_seconds_bucket{${sel}}[5m])))`),
    ], { runbookArea: 'prometheus-operator' }),

    ruleGroup('prometheus-operator', [
      alertingRule({
        alert: 'PrometheusOperatorListErrors',
        expr: promql`
          (
            sum by (job, namespace, controller) (rate(prometheus_operator_list_operations_failed_total{${sel}}[10m]))
            /
            sum by (job, namespace, controller) (rate(prometheus_operator_list_operations_total{${sel}}[10m]))
          ) > ${t.listErrorsRatio}`,
        for: t.listErrorsFor,
        severity: 'warning',
        summary: 'Errors while performing list operations in a Prometheus Operator controller.',
        description:
          '{{ $value | humanizePercentage }} of the list operations of the {{ $labels.controller }} controller of ' +
          'the Prometheus Operator in {{ $labels.namespace }} failed over the last 10 minutes (API server ' +
          'unreachable or missing RBAC permissions).',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_list_operations_total', op('prometheus')), values: '0+10x40' },
              { series: series('prometheus_operator_list_operations_failed_total', op('prometheus')), values: '0+6x40' },
              { series: series('prometheus_operator_list_operations_total', op('alertmanager')), values: '0+10x40' },
              { series: series('prometheus_operator_list_operations_failed_total', op('alertmanager')), values: '0x40' },
            ],
            at: '35m',
            expect: [controller('prometheus')],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_list_operations_total', op('prometheus')), values: '0+10x40' },
              { series: series('prometheus_operator_list_operations_failed_total', op('prometheus')), values: '0x40' },
              { series: series('prometheus_operator_list_operations_total', op('alertmanager')), values: '0+10x40' },
              { series: series('prometheus_operator_list_operations_failed_total', op('alertmanager')), values: '0x40' },
            ],
            at: '35m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorWatchErrors',
        expr: promql`
          (
            sum by (job, namespace, controller) (rate(prometheus_operator_watch_operations_failed_total{${sel}}[10m]))
            /
            sum by (job, namespace, controller) (rate(prometheus_operator_watch_operations_total{${sel}}[10m]))
          ) > ${t.watchErrorsRatio}`,
        for: t.watchErrorsFor,
        severity: 'warning',
        summary: 'Errors while performing watch operations in a Prometheus Operator controller.',
        description:
          '{{ $value | humanizePercentage }} of the watch operations of the {{ $labels.controller }} controller of ' +
          'the Prometheus Operator in {{ $labels.namespace }} failed over the last 10 minutes.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_watch_operations_total', op('alertmanager')), values: '0+4x40' },
              { series: series('prometheus_operator_watch_operations_failed_total', op('alertmanager')), values: '0+3x40' },
            ],
            at: '35m',
            expect: [controller('alertmanager')],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_watch_operations_total', op('alertmanager')), values: '0+4x40' },
              { series: series('prometheus_operator_watch_operations_failed_total', op('alertmanager')), values: '0x10 1x30' },
            ],
            at: '35m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorSyncFailed',
        expr: promql`min_over_time(prometheus_operator_syncs{${sel}, status="failed"}[5m]) > 0`,
        for: t.syncFailedFor,
        severity: 'warning',
        summary: 'The last reconciliation of some objects of a Prometheus Operator controller failed.',
        description:
          'The {{ $labels.controller }} controller of the Prometheus Operator in {{ $labels.namespace }} failed to ' +
          'reconcile {{ $value }} objects; their status conditions and the operator logs say why.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_syncs', op('prometheus', { status: 'failed' })), values: '0x5 1x30' },
              { series: series('prometheus_operator_syncs', op('prometheus', { status: 'ok' })), values: '2x5 1x30' },
            ],
            at: '30m',
            expect: [op('prometheus', { status: 'failed' })],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_syncs', op('prometheus', { status: 'failed' })), values: '0x35' },
              { series: series('prometheus_operator_syncs', op('prometheus', { status: 'ok' })), values: '2x35' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorReconcileErrors',
        expr: promql`${reconcileRatio}{${sel}} > ${t.reconcileErrorsRatio}`,
        for: t.reconcileErrorsFor,
        severity: 'warning',
        summary: 'Errors while reconciling objects in a Prometheus Operator controller.',
        description:
          '{{ $value | humanizePercentage }} of the reconcile operations of the {{ $labels.controller }} ' +
          'controller of the Prometheus Operator in {{ $labels.namespace }} failed over the last 5 minutes.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_reconcile_operations_total', op('prometheus')), values: '0+10x40' },
              { series: series('prometheus_operator_reconcile_errors_total', op('prometheus')), values: '0+5x40' },
            ],
            at: '30m',
            expect: [controller('prometheus')],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_reconcile_operations_total', op('prometheus')), values: '0+10x40' },
              { series: series('prometheus_operator_reconcile_errors_total', op('prometheus')), values: '0x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorStatusUpdateErrors',
        expr: promql`${statusRatio}{${sel}} > ${t.statusUpdateErrorsRatio}`,
        for: t.statusUpdateErrorsFor,
        severity: 'warning',
        summary: 'Errors while updating the status of objects in a Prometheus Operator controller.',
        description:
          '{{ $value | humanizePercentage }} of the status updates of the {{ $labels.controller }} controller of ' +
          'the Prometheus Operator in {{ $labels.namespace }} failed over the last 5 minutes.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_status_update_operations_total', op('alertmanager')), values: '0+10x40' },
              { series: series('prometheus_operator_status_update_errors_total', op('alertmanager')), values: '0+10x40' },
            ],
            at: '30m',
            expect: [controller('alertmanager')],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_status_update_operations_total', op('alertmanager')), values: '0+10x40' },
              { series: series('prometheus_operator_status_update_errors_total', op('alertmanager')), values: '0x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorNodeLookupErrors',
        expr: promql`
          sum by (job, namespace, controller) (rate(prometheus_operator_node_address_lookup_errors_total{${sel}}[5m]))
          > ${t.nodeLookupErrorsPerSecond}`,
        for: t.nodeLookupErrorsFor,
        severity: 'warning',
        summary: 'Errors while reconciling the kubelet endpoints of the nodes.',
        description:
          'The {{ $labels.controller }} controller of the Prometheus Operator in {{ $labels.namespace }} fails ' +
          '{{ $value | humanize }} node address lookups per second while it maintains the kubelet Endpoints.',
        tests: {
          fires: {
            input: [{ series: series('prometheus_operator_node_address_lookup_errors_total', op('prometheus')), values: '0+30x40' }],
            at: '30m',
            expect: [controller('prometheus')],
          },
          silent: {
            input: [{ series: series('prometheus_operator_node_address_lookup_errors_total', op('prometheus')), values: '0x40' }],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorNotReady',
        expr: promql`min by (job, namespace, controller) (max_over_time(prometheus_operator_ready{${sel}}[5m]) == 0)`,
        for: t.notReadyFor,
        severity: 'warning',
        summary: 'A Prometheus Operator controller is not ready.',
        description:
          'The {{ $labels.controller }} controller of the Prometheus Operator in {{ $labels.namespace }} is not ' +
          'ready to reconcile its resources.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_ready', op('prometheus')), values: '0x30' },
              { series: series('prometheus_operator_ready', op('alertmanager')), values: '1x30' },
            ],
            at: '20m',
            expect: [controller('prometheus')],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_ready', op('prometheus')), values: '1x30' },
              { series: series('prometheus_operator_ready', op('alertmanager')), values: '1x30' },
            ],
            at: '20m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'PrometheusOperatorRejectedResources',
        expr: promql`min_over_time(prometheus_operator_managed_resources{${sel}, state="rejected"}[5m]) > 0`,
        for: t.rejectedResourcesFor,
        severity: 'warning',
        summary: 'Resources rejected by a Prometheus Operator controller.',
        description:
          'The {{ $labels.controller }} controller of the Prometheus Operator in {{ $labels.namespace }} rejected ' +
          '{{ printf "%0.0f" $value }} {{ $labels.resource }} resources; the operator logs and the status of the ' +
          'selecting resource say why.',
        tests: {
          fires: {
            input: [
              { series: series('prometheus_operator_managed_resources', op('prometheus', { resource: 'servicemonitor', state: 'rejected' })), values: '0x5 2x30' },
              { series: series('prometheus_operator_managed_resources', op('prometheus', { resource: 'servicemonitor', state: 'selected' })), values: '12x35' },
            ],
            at: '30m',
            expect: [op('prometheus', { resource: 'servicemonitor', state: 'rejected' })],
          },
          silent: {
            input: [
              { series: series('prometheus_operator_managed_resources', op('prometheus', { resource: 'servicemonitor', state: 'rejected' })), values: '0x35' },
              { series: series('prometheus_operator_managed_resources', op('prometheus', { resource: 'servicemonitor', state: 'selected' })), values: '12x35' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'prometheus-operator' }),

    ruleGroup('config-reloaders', [
      alertingRule({
        alert: 'ConfigReloaderSidecarErrors',
        expr: promql`max_over_time(reloader_last_reload_successful{namespace="${ns}"}[5m]) == 0`,
        for: t.configReloaderFailedFor,
        severity: 'warning',
        summary: 'A config-reloader sidecar has not had a successful reload.',
        description:
          'The config-reloader sidecar of {{ $labels.namespace }}/{{ $labels.pod }} has failed to reload the ' +
          `configuration for ${t.configReloaderFailedFor}; the pod keeps running on its previous configuration.`,
        tests: {
          fires: {
            input: [
              { series: series('reloader_last_reload_successful', { job: 'prometheus-k8s', namespace: ns, pod: 'prometheus-k8s-0', instance: '10.0.0.30:8080' }), values: '1x5 0x40' },
              { series: series('reloader_last_reload_successful', { job: 'alertmanager-main', namespace: ns, pod: 'alertmanager-main-0', instance: '10.0.0.10:8080' }), values: '1x45' },
            ],
            at: '30m',
            expect: [{ job: 'prometheus-k8s', namespace: ns, pod: 'prometheus-k8s-0', instance: '10.0.0.30:8080' }],
          },
          silent: {
            input: [
              { series: series('reloader_last_reload_successful', { job: 'prometheus-k8s', namespace: ns, pod: 'prometheus-k8s-0', instance: '10.0.0.30:8080' }), values: '1x45' },
              { series: series('reloader_last_reload_successful', { job: 'alertmanager-main', namespace: ns, pod: 'alertmanager-main-0', instance: '10.0.0.10:8080' }), values: '1x45' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'prometheus-operator' }),
  ];
}
