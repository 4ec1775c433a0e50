// In-cluster proof of the chaos contracts: kube-state-metrics exports when each experiment is injected, an alert
// fires when an experiment ran but an expected alert did not, and a dashboard shows both side by side.
import { CLUSTER, dashboard, query, timeseries, type DashboardBuilder } from '../dashboards/house';
import type { CustomResourceState } from '../ksm/types';
import { alertingRule, ruleGroup, series } from '../rules/builders';
import type { RuleGroupDefinition } from '../rules/types';
import type { ChaosSchedule } from './types';
import { durationSeconds } from '../core/durations';

/** One entry per chaos kind the stack schedules: the AllInjected condition, labeled with the Schedule that made it. */
export function chaosResources(schedules: readonly ChaosSchedule[]): CustomResourceState[] {
  const kinds = [...new Set(schedules.map((s) => s.experiment.kind))].sort();
  return kinds.map((kind) => ({
    group: 'chaos-mesh.org',
    version: 'v1alpha1',
    kind,
    // The CRDs name their plurals by the lower-cased kind (podchaos, dnschaos, ...).
    plural: kind.toLowerCase(),
    labelsFromPath: { namespace: ['metadata', 'namespace'], name: ['metadata', 'name'], schedule: ['metadata', 'ownerReferences', '0', 'name'] },
    metrics: [{
      // One metric per kind: kube-state-metrics cannot register one metric name for two resources.
      name: `chaos_${kind.toLowerCase()}_injected`,
      help: 'Chaos experiment injected into all its targets (condition AllInjected: 1 True, 0 otherwise)',
      type: 'Gauge' as const,
      path: ['status', 'conditions', '[type=AllInjected]'],
      valueFrom: ['status'],
      nilIsZero: true,
    }],
  }));
}

/** The metric names chaosResources() produces, one per kind: 1 while the experiment is injected (AllInjected). */
export function injectedMetrics(schedules: readonly ChaosSchedule[]): string[] {
  return chaosResources(schedules).map((r) => `kube_customresource_${r.metrics[0].name}`);
}

function injectedSelector(schedules: readonly ChaosSchedule[]): string {
  return `{__name__=~"${injectedMetrics(schedules).join('|')}"}`;
}

/** One alert per expectation: the experiment was injected, and the expected alert has not fired since. */
export function verificationRules(schedules: readonly ChaosSchedule[]): RuleGroupDefinition[] {
  const injected = injectedSelector(schedules);
  const rules = schedules.flatMap((s) => (s.expects ?? []).map((e) => {
    const ns = s.namespace ?? s.selector.namespaces[0];
    const window = `${Math.ceil((durationSeconds(e.within) + durationSeconds(s.duration ?? '0s')) / 60) + 5}m`;
    const minutes = Math.ceil(durationSeconds(e.within) / 60) + 10;
    const target = { namespace: ns, name: `${s.name}-x1`, schedule: s.name, customresource_group: 'chaos-mesh.org', customresource_kind: s.experiment.kind, customresource_version: 'v1alpha1' };
    const metric = injectedMetrics([s])[0];
    return alertingRule({
      alert: 'ChaosExpectedAlertMissing',
      expr: `max by (namespace, schedule) (max_over_time(${injected.slice(0, -1)}, namespace="${ns}", schedule="${s.name}"}[${window}])) == 1 unless on () count(max_over_time(ALERTS{alertname="${e.alert}"${e.slo ? `, slo="${e.slo}"` : ''}${e.tier ? `, slo_tier="${e.tier}"` : ''}, alertstate="firing"}[${window}])) > 0`,
      for: e.within,
      severity: 'warning',
      labels: { expected_alert: e.alert },
      summary: `Chaos schedule {{ $labels.namespace }}/{{ $labels.schedule }} ran, but ${e.alert} did not fire.`,
      description: `Schedule {{ $labels.namespace }}/{{ $labels.schedule }} injected its fault, and ${e.alert} has not fired within ${e.within}: the alert does not catch this failure.`,
      tests: {
        fires: { input: [{ series: series(metric, target), values: `1x${minutes + 5}` }], at: `${minutes}m`, expect: [{ namespace: ns, schedule: s.name }] },
        silent: {
          input: [
            { series: series(metric, target), values: `1x${minutes + 5}` },
            { series: series('ALERTS', { alertname: e.alert, alertstate: 'firing', namespace: ns, severity: 'warning', ...(e.slo ? { slo: e.slo } : {}), ...(e.tier ? { slo_tier: e.tier } : {}) }), values: `1x${minutes + 5}` },
          ],
          at: `${minutes}m`,
          expect: [],
        },
      },
    });
  }));
  return rules.length ? [ruleGroup('chaos-verification', rules, { runbookArea: 'chaos' })] : [];
}

/** Experiment windows next to the alerts they should cause. */
export function chaosDashboard(schedules: readonly ChaosSchedule[]): DashboardBuilder {
  const expected = [...new Set(schedules.flatMap((s) => (s.expects ?? []).map((e) => e.alert)))];
  const injected = injectedSelector(schedules).replace('}', `, ${CLUSTER}}`);
  return dashboard({ uid: 'o11y-chaos', title: 'Chaos / Experiments and alerts', tags: ['chaos'] })
    .withPanel(timeseries('Experiments injected, by schedule', 'short', query(`max by (namespace, schedule) (${injected})`, '{{namespace}}/{{schedule}}')).span(24))
    .withPanel(timeseries('Expected alerts firing', 'short', query(`count by (alertname) (ALERTS{${CLUSTER}, alertstate="firing", alertname=~"${expected.join('|') || 'none'}"})`, '{{alertname}}')).span(24))
    .withPanel(timeseries('Contracts broken (expected alert missing)', 'short', query(`count by (schedule, expected_alert) (ALERTS{${CLUSTER}, alertname="ChaosExpectedAlertMissing", alertstate="firing"})`, '{{schedule}}: {{expected_alert}}')).span(24));
}
