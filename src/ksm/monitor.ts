// What a CrStatusMonitor adds beyond the kube-state-metrics config: alerts (with their tests) and a dashboard.
import { CLUSTER, dashboard, query, RowBuilder, stat, table, timeseries, type DashboardBuilder } from '../dashboards/house';
import { alertingRule, ruleGroup, series } from '../rules/builders';
import type { AlertDefinition, RuleGroupDefinition } from '../rules/types';
import { monitorMetricNames, snakeCase } from './config';
import type { CrStatusMonitor } from './types';
import { durationSeconds } from '../core/durations';

const pascal = (text: string) => text.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** An alert on one StateSet metric: an object (or list element) in any state but the healthy one, for long enough. */
function stateAlert(m: CrStatusMonitor, alert: string, metric: string, extraLabel?: string): AlertDefinition {
  const namespaced = m.namespaced ?? true;
  const by = ['customresource_group', 'customresource_kind', ...(namespaced ? ['namespace'] : []), 'name', ...(extraLabel ? [extraLabel] : []), 'state'];
  const after = m.alertAfter ?? '15m';
  const minutes = Math.ceil(durationSeconds(after) / 60) + 10;
  const identity = {
    customresource_group: m.group, customresource_kind: m.kind, customresource_version: m.version,
    ...(namespaced ? { namespace: 'team-a' } : {}), name: 'example', ...(extraLabel ? { [extraLabel]: 'first' } : {}),
  };
  const bad = m.states.find((s) => s !== m.healthy) ?? m.healthy;
  const at = (state: string, value: string) => ({ series: series(metric, { ...identity, state }), values: `${value}x${minutes + 5}` });
  const { customresource_version: _version, ...expected } = identity;
  const object = `${namespaced ? '{{ $labels.namespace }}/' : ''}{{ $labels.name }}`;
  return alertingRule({
    alert,
    expr: `max by (${by.join(', ')}) (${metric}{state!="${m.healthy}"} == 1)`,
    for: after,
    severity: m.severity ?? 'warning',
    summary: `${m.kind} ${object}${extraLabel ? ` ${extraLabel} {{ $labels.${extraLabel} }}` : ''} is {{ $labels.state }}.`,
    description: `${m.kind} ${object}${extraLabel ? `, ${extraLabel} {{ $labels.${extraLabel} }},` : ''} has been in state {{ $labels.state }} instead of ${m.healthy} for more than ${after}.`,
    tests: {
      fires: { input: [at(bad, '1'), at(m.healthy, '0')], at: `${minutes}m`, expect: [{ ...expected, state: bad }] },
      silent: { input: [at(bad, '0'), at(m.healthy, '1')], at: `${minutes}m`, expect: [] },
    },
  });
}

function conditionAlert(m: CrStatusMonitor, metric: string): AlertDefinition {
  const namespaced = m.namespaced ?? true;
  const after = m.alertAfter ?? '15m';
  const minutes = Math.ceil(durationSeconds(after) / 60) + 10;
  const identity = { customresource_group: m.group, customresource_kind: m.kind, customresource_version: m.version, ...(namespaced ? { namespace: 'team-a' } : {}), name: 'example', condition: 'Ready' };
  const { customresource_version: _version, ...expected } = identity;
  const by = ['customresource_group', 'customresource_kind', ...(namespaced ? ['namespace'] : []), 'name', 'condition'];
  return alertingRule({
    alert: `${m.kind}ConditionFalse`,
    expr: `max by (${by.join(', ')}) (${metric}) == 0`,
    for: after,
    severity: m.severity ?? 'warning',
    summary: `Condition {{ $labels.condition }} of ${m.kind} ${namespaced ? '{{ $labels.namespace }}/' : ''}{{ $labels.name }} is not True.`,
    description: `Condition {{ $labels.condition }} of ${m.kind} ${namespaced ? '{{ $labels.namespace }}/' : ''}{{ $labels.name }} has been False or Unknown for more than ${after}.`,
    tests: {
      fires: { input: [{ series: series(metric, { ...identity, reason: 'Failed' }), values: `0x${minutes + 5}` }], at: `${minutes}m`, expect: [expected] },
      silent: { input: [{ series: series(metric, { ...identity, reason: 'Succeeded' }), values: `1x${minutes + 5}` }], at: `${minutes}m`, expect: [] },
    },
  });
}

/** The alerts of one monitor: its state, each list's element states, its conditions. */
export function monitorRules(m: CrStatusMonitor): RuleGroupDefinition {
  const names = monitorMetricNames(m);
  return ruleGroup(`${snakeCase(m.kind)}.cr-status`, [
    stateAlert(m, `${m.kind}NotHealthy`, names.state),
    ...(m.lists ?? []).map((list) => stateAlert(m, `${m.kind}${pascal(list.label)}NotHealthy`, names.list(list.label), list.label)),
    ...(m.conditions ? [conditionAlert(m, names.condition)] : []),
  ], { runbookArea: 'custom-resources' });
}

/** State per object over time, and the current state and conditions as tables. */
export function monitorDashboard(m: CrStatusMonitor): DashboardBuilder {
  const names = monitorMetricNames(m);
  const who = (m.namespaced ?? true) ? '{{namespace}}/{{name}}' : '{{name}}';
  const d = dashboard({ uid: `o11y-cr-${snakeCase(m.kind).replace(/_/g, '-')}`, title: `Custom Resources / ${m.kind}`, tags: ['custom-resources'] })
    .withPanel(stat('Not healthy', 'short', query(`count(${names.state}{${CLUSTER}, state!="${m.healthy}"} == 1) or vector(0)`), [[1, 'red']]))
    .withPanel(timeseries('Objects by state', 'short', query(`count by (state) (${names.state}{${CLUSTER}} == 1)`, '{{state}}')))
    .withPanel(timeseries(`Not ${m.healthy}, per object`, 'short', query(`max by (namespace, name, state) (${names.state}{${CLUSTER}, state!="${m.healthy}"} == 1)`, `${who}: {{state}}`)))
    .withPanel(table('Current state', query(`max by (namespace, name, state) (${names.state}{${CLUSTER}} == 1)`)));
  for (const list of m.lists ?? []) {
    d.withRow(new RowBuilder(`${list.label} states`)).withPanel(table(`Current state of each ${list.label}`, query(`max by (namespace, name, ${list.label}, state) (${names.list(list.label)}{${CLUSTER}} == 1)`)));
  }
  if (m.conditions) d.withRow(new RowBuilder('Conditions')).withPanel(table('Conditions (1 True, 0 False or Unknown)', query(`max by (namespace, name, condition, reason) (${names.condition}{${CLUSTER}})`)));
  return d;
}
