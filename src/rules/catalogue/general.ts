// General alerts about the monitoring pipeline itself (kube-prometheus' "general.rules").
import { alertingRule, promql, ruleGroup } from '../builders';
import type { RuleGroupDefinition } from '../types';

export interface GeneralThresholds {
  /** TargetDown fires when more than this percentage of a job's targets are down. @default 10 */
  readonly targetDownPercent: number;
  /** @default "10m" */
  readonly targetDownFor: string;
}

export const DEFAULT_GENERAL_THRESHOLDS: GeneralThresholds = { targetDownPercent: 10, targetDownFor: '10m' };

/** Series Prometheus itself produces for every target and alert. */
export const GENERAL_METRICS: readonly string[] = [
  'up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling',
  'scrape_series_added', 'ALERTS', 'ALERTS_FOR_STATE',
];

/** What every Go program instrumented with the Prometheus client exposes (all the stack's components are). */
export const GO_PROCESS_METRICS: readonly string[] = [
  'process_start_time_seconds', 'process_cpu_seconds_total', 'process_resident_memory_bytes',
  'process_virtual_memory_bytes', 'process_open_fds', 'process_max_fds',
  'go_info', 'go_goroutines', 'go_threads', 'go_memstats_alloc_bytes', 'go_memstats_heap_inuse_bytes',
  'go_gc_duration_seconds', 'go_gc_duration_seconds_sum', 'go_gc_duration_seconds_count',
];

export function generalRules(t: GeneralThresholds): RuleGroupDefinition[] {
  return [
    ruleGroup('general.rules', [
      alertingRule({
        alert: 'TargetDown',
        expr: promql`
          100 * (count by (job, namespace, service) (up == 0) / count by (job, namespace, service) (up))
          > ${t.targetDownPercent}`,
        for: t.targetDownFor,
        severity: 'warning',
        summary: 'One or more targets are unreachable.',
        description: '{{ printf "%.4g" $value }}% of the {{ $labels.job }}/{{ $labels.service }} targets in {{ $labels.namespace }} namespace are down.',
        tests: {
          fires: {
            input: [
              { series: 'up{job="api", namespace="shop", service="api", instance="a"}', values: '0x30' },
              { series: 'up{job="api", namespace="shop", service="api", instance="b"}', values: '1x30' },
            ],
            at: '15m',
            expect: [{ job: 'api', namespace: 'shop', service: 'api' }],
          },
          silent: {
            input: [
              { series: 'up{job="api", namespace="shop", service="api", instance="a"}', values: '1x30' },
              { series: 'up{job="api", namespace="shop", service="api", instance="b"}', values: '1x30' },
            ],
            at: '15m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'Watchdog',
        expr: 'vector(1)',
        severity: 'none',
        summary: 'An alert that should always be firing to certify that Alertmanager is working properly.',
        description:
          'This alert is always firing, so that the whole alerting pipeline is known to work. Route it to a ' +
          'heartbeat receiver (a dead man\'s switch) that pages when it stops arriving.',
        tests: {
          fires: { input: [], at: '1m', expect: [{}] },
          silent: { never: 'Watchdog fires all the time by design; its absence is what a heartbeat receiver detects.' },
        },
      }),
      alertingRule({
        alert: 'InfoInhibitor',
        expr: promql`
          ALERTS{severity = "info"} == 1
          unless on (namespace)
          ALERTS{alertname != "InfoInhibitor", severity =~ "warning|critical", alertstate = "firing"} == 1`,
        severity: 'none',
        summary: 'Info-level alert inhibition.',
        description:
          'Fires while an info alert is firing in a namespace without any warning or critical alert. Route it to ' +
          'the null receiver: Alertmanager uses it to inhibit info alerts until something more serious happens.',
        tests: {
          fires: {
            input: [{ series: 'ALERTS{alertname="KubeQuotaAlmostFull", alertstate="firing", namespace="shop", severity="info"}', values: '1x10' }],
            at: '5m',
            expect: [{ alertstate: 'firing', namespace: 'shop' }],
          },
          silent: {
            input: [
              { series: 'ALERTS{alertname="KubeQuotaAlmostFull", alertstate="firing", namespace="shop", severity="info"}', values: '1x10' },
              { series: 'ALERTS{alertname="KubePodCrashLooping", alertstate="firing", namespace="shop", severity="warning"}', values: '1x10' },
            ],
            at: '5m',
            expect: [],
          },
        },
      }),
    ], { runbookArea: 'general' }),
  ];
}
