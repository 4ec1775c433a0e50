// Alerts about the OpenTelemetry Collector: when it carries the exporters' series, its failure blinds Prometheus.
import { alertingRule, promql, ruleGroup, series } from '../builders';
import type { RuleGroupDefinition, SeriesInput } from '../types';

/** Thresholds of these alerts; every field documents its @default. */
export interface OtelCollectorThresholds {
  /** @default "5m" */
  readonly downFor: string;
  /** OtelCollectorExportFailing fires when more than this share (0-1) of an exporter's points or spans fail. @default 0.01 */
  readonly exportFailingRatio: number;
  /** @default "15m" */
  readonly exportFailingFor: string;
  /** @default "15m" */
  readonly refusingDataFor: string;
  /** OtelCollectorQueueAlmostFull fires above this share (0-1) of an exporter's sending queue. @default 0.8 */
  readonly queueFullRatio: number;
  /** @default "15m" */
  readonly queueFullFor: string;
}

export const DEFAULT_OTEL_COLLECTOR_THRESHOLDS: OtelCollectorThresholds = {
  downFor: '5m',
  exportFailingRatio: 0.01,
  exportFailingFor: '15m',
  refusingDataFor: '15m',
  queueFullRatio: 0.8,
  queueFullFor: '15m',
};

/**
 * The Collector's own metrics (its telemetry on :8888) as the release the stack deploys names them: counters
 * without a `_total` suffix (read off the built Collector by test/otel/collector.test.ts).
 */
export const OTEL_COLLECTOR_METRICS: readonly string[] = [
  ...['accepted', 'refused', 'failed'].flatMap((s) => [`otelcol_receiver_${s}_metric_points`, `otelcol_receiver_${s}_spans`]),
  ...['sent', 'send_failed', 'enqueue_failed'].flatMap((s) => [`otelcol_exporter_${s}_metric_points`, `otelcol_exporter_${s}_spans`]),
  'otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity', 'otelcol_exporter_in_flight_requests',
  'otelcol_processor_batch_batch_send_size_bucket', 'otelcol_processor_batch_batch_send_size_count', 'otelcol_processor_batch_batch_send_size_sum',
  'otelcol_processor_batch_timeout_trigger_send', 'otelcol_processor_batch_metadata_cardinality',
  'otelcol_process_uptime', 'otelcol_process_cpu_seconds', 'otelcol_process_memory_rss', 'otelcol_process_runtime_heap_alloc_bytes',
  'otelcol_process_runtime_total_alloc_bytes', 'otelcol_process_runtime_total_sys_memory_bytes',
];

/** @param ns the stack namespace, where the Collector runs */
export function otelCollectorRules(t: OtelCollectorThresholds, ns: string): RuleGroupDefinition[] {
  const job = 'otel-collector';
  const sel = `job="${job}", namespace="${ns}"`;
  const target = { job, namespace: ns, service: job, pod: 'otel-collector-6b9d7c5f4-x7k2p', instance: '10.0.0.50:8888' };
  const exporter = (metric: string, name: string, values: string): SeriesInput =>
    ({ series: series(metric, { ...target, exporter: name }), values });
  const perExporter = (kind: string) =>
    `sum by (job, namespace, exporter) (rate(otelcol_exporter_${kind}_metric_points{${sel}}[5m]) or rate(otelcol_exporter_${kind}_spans{${sel}}[5m]))`;
  const failed = perExporter('send_failed');

  return [
    ruleGroup('otel-collector.rules', [
      alertingRule({
        alert: 'OtelCollectorDown',
        expr: `absent(up{${sel}} == 1)`,
        for: t.downFor,
        severity: 'critical',
        labels: { job },
        summary: 'The OpenTelemetry Collector is down.',
        description: `No Collector in ${ns} has been scraped successfully for ${t.downFor}: the series it carries (exporters', applications' OTLP data) do not reach Prometheus.`,
        tests: {
          fires: { input: [{ series: series('up', target), values: '1x2 0x20' }], at: '12m', expect: [{ job }] },
          silent: { input: [{ series: series('up', target), values: '1x20' }], at: '12m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'OtelCollectorExportFailing',
        // An exporter that fails everything has no `sent` series at all: count it as sending nothing.
        expr: promql`
          ${failed} / (${failed} + (${perExporter('sent')} or 0 * ${failed}))
          > ${t.exportFailingRatio}`,
        for: t.exportFailingFor,
        severity: 'warning',
        summary: 'The OpenTelemetry Collector fails to send data.',
        description: 'Exporter {{ $labels.exporter }} of the Collector in {{ $labels.namespace }} fails to send {{ $value | humanizePercentage }} of its data.',
        tests: {
          fires: {
            input: [
              exporter('otelcol_exporter_sent_metric_points', 'prometheus_remote_write', '0+900x30'),
              exporter('otelcol_exporter_send_failed_metric_points', 'prometheus_remote_write', '0+100x30'),
            ],
            at: '25m',
            expect: [{ job, namespace: ns, exporter: 'prometheus_remote_write' }],
          },
          silent: {
            input: [
              exporter('otelcol_exporter_sent_metric_points', 'prometheus_remote_write', '0+1000x30'),
              exporter('otelcol_exporter_send_failed_metric_points', 'prometheus_remote_write', '0x30'),
            ],
            at: '25m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'OtelCollectorRefusingData',
        expr: promql`
          sum by (job, namespace, receiver) (rate(otelcol_receiver_refused_metric_points{${sel}}[5m]) or rate(otelcol_receiver_refused_spans{${sel}}[5m]))
          > 0`,
        for: t.refusingDataFor,
        severity: 'warning',
        summary: 'The OpenTelemetry Collector refuses data.',
        description: 'Receiver {{ $labels.receiver }} of the Collector in {{ $labels.namespace }} refuses data (its memory limiter is at the limit, or a pipeline is blocked): senders drop or retry it.',
        tests: {
          fires: { input: [{ series: series('otelcol_receiver_refused_metric_points', { ...target, receiver: 'otlp', transport: 'grpc' }), values: '0+50x30' }], at: '25m', expect: [{ job, namespace: ns, receiver: 'otlp' }] },
          silent: { input: [{ series: series('otelcol_receiver_refused_metric_points', { ...target, receiver: 'otlp', transport: 'grpc' }), values: '0x30' }], at: '25m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'OtelCollectorQueueAlmostFull',
        expr: promql`
          max by (job, namespace, exporter) (otelcol_exporter_queue_size{${sel}} / otelcol_exporter_queue_capacity{${sel}})
          > ${t.queueFullRatio}`,
        for: t.queueFullFor,
        severity: 'warning',
        summary: 'An exporter queue of the OpenTelemetry Collector is almost full.',
        description: 'The sending queue of exporter {{ $labels.exporter }} in {{ $labels.namespace }} is {{ $value | humanizePercentage }} full: once full, new data is dropped.',
        tests: {
          fires: {
            input: [exporter('otelcol_exporter_queue_size', 'prometheus_remote_write', '900x30'), exporter('otelcol_exporter_queue_capacity', 'prometheus_remote_write', '1000x30')],
            at: '25m',
            expect: [{ job, namespace: ns, exporter: 'prometheus_remote_write' }],
          },
          silent: {
            input: [exporter('otelcol_exporter_queue_size', 'prometheus_remote_write', '10x30'), exporter('otelcol_exporter_queue_capacity', 'prometheus_remote_write', '1000x30')],
            at: '25m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'otel-collector' }),
  ];
}
