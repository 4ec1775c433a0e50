// The CustomResourceStateMetrics config kube-state-metrics reads, its RBAC, and the checks on it.
import type { k8s } from 'cdk8s-plus-27';
import type { StackProblem } from '../core/problems';
import { checkPromDuration } from '../core/checks';
import { quoted } from '../core/redact';
import type { CrMetric, CrStatusMonitor, CustomResourceState, ObjectPath } from './types';

export const DEFAULT_PREFIX = 'kube_customresource';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** `PlatformModule` -> `platform_module`. */
export function snakeCase(kind: string): string {
  return kind.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();
}

export function metricName(resource: CustomResourceState, metric: CrMetric): string {
  const prefix = resource.metricNamePrefix ?? DEFAULT_PREFIX;
  return prefix ? `${prefix}_${metric.name}` : metric.name;
}

/** The names a monitor's metrics get, for its alerts and dashboard. */
export function monitorMetricNames(monitor: CrStatusMonitor): { state: string; condition: string; list: (label: string) => string } {
  const base = `${DEFAULT_PREFIX}_${snakeCase(monitor.kind)}`;
  return { state: `${base}_state`, condition: `${base}_condition`, list: (label) => `${base}_${snakeCase(label)}_state` };
}

/** What kube-state-metrics must export for a monitor: the state, the lists' states, the conditions. */
export function monitorResource(monitor: CrStatusMonitor): CustomResourceState {
  const kind = snakeCase(monitor.kind);
  const identity: Record<string, ObjectPath> = {
    name: ['metadata', 'name'],
    ...((monitor.namespaced ?? true) ? { namespace: ['metadata', 'namespace'] } : {}),
  };
  const metrics: CrMetric[] = [
    { name: `${kind}_state`, help: `State of each ${monitor.kind} (1 for the current state)`, type: 'StateSet', path: monitor.statePath ?? ['status', 'state'], labelName: 'state', list: monitor.states },
    ...(monitor.lists ?? []).map((list): CrMetric => ({
      name: `${kind}_${snakeCase(list.label)}_state`,
      help: `State of each element of ${list.path.join('.')} of each ${monitor.kind}`,
      type: 'StateSet',
      path: list.path,
      valueFrom: list.stateField ?? ['state'],
      labelsFromElement: { [list.label]: list.nameField ?? ['name'] },
      labelName: 'state',
      list: monitor.states,
    })),
    ...(monitor.conditions
      ? [{ name: `${kind}_condition`, help: `Status of each condition of each ${monitor.kind} (1 True, 0 False or Unknown)`, type: 'Gauge' as const, path: ['status', 'conditions'], valueFrom: ['status'], labelsFromElement: { condition: ['type'], reason: ['reason'] } }]
      : []),
  ];
  return { group: monitor.group, version: monitor.version, kind: monitor.kind, plural: monitor.plural, labelsFromPath: identity, metrics };
}

function renderMetric(metric: CrMetric): Record<string, unknown> {
  const { name, help, labelsFromPath, labelsFromElement, commonLabels, type, ...settings } = metric;
  const key = type === 'StateSet' ? 'stateSet' : type.toLowerCase();
  const each = { ...settings, ...(labelsFromElement ? { labelsFromPath: labelsFromElement } : {}) };
  return { name, help, ...(labelsFromPath ? { labelsFromPath } : {}), ...(commonLabels ? { commonLabels } : {}), each: { type, [key]: each } };
}

/** The `--custom-resource-state-config-file` content. */
export function customResourceStateConfig(resources: readonly CustomResourceState[]): Record<string, unknown> {
  return {
    kind: 'CustomResourceStateMetrics',
    spec: {
      resources: resources.map((r) => ({
        groupVersionKind: { group: r.group, version: r.version, kind: r.kind },
        ...(r.metricNamePrefix !== undefined ? { metricNamePrefix: r.metricNamePrefix } : {}),
        ...(r.commonLabels ? { commonLabels: r.commonLabels } : {}),
        ...(r.labelsFromPath ? { labelsFromPath: r.labelsFromPath } : {}),
        metrics: r.metrics.map(renderMetric),
      })),
    },
  };
}

/** list/watch on exactly the configured resources (a wildcard kind: the whole group), and CRDs for discovery. */
export function customResourcePolicyRules(resources: readonly CustomResourceState[]): k8s.PolicyRule[] {
  if (!resources.length) return [];
  const byGroup = new Map<string, Set<string>>();
  for (const r of resources) byGroup.set(r.group, new Set([...(byGroup.get(r.group) ?? []), r.kind === '*' ? '*' : r.plural]));
  return [
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list', 'watch'] },
    ...[...byGroup.keys()].sort().map((group) => ({ apiGroups: [group], resources: [...byGroup.get(group)!].sort(), verbs: ['list', 'watch'] })),
  ];
}

/** A resource for kube-state-metrics with the field it comes from; `derived`: generated from a CR status monitor. */
export interface ResourceEntry {
  readonly resource: CustomResourceState;
  /** e.g. `kubeStateMetrics.crStatusMonitors[0]` */
  readonly at: string;
  /** Its metrics are generated (from a monitor's kind, lists and conditions): their problems are the entry's. */
  readonly derived?: boolean;
}

/**
 * Mistakes kube-state-metrics would only log at run time, or that make it refuse the config. `resources` are the
 * entries of the list at `field`, or entries that each name their own field (customResources and crStatusMonitors
 * together: kube-state-metrics gets them in one config, so names and kinds must be unique across both).
 */
export function checkCustomResources(resources: readonly (CustomResourceState | ResourceEntry)[], field: string, allowWildcards: boolean): StackProblem[] {
  const problems: StackProblem[] = [];
  const names = new Map<string, string>();
  const kinds = new Map<string, string>();
  resources.forEach((entry, i) => {
    const r = 'resource' in entry ? entry.resource : entry;
    const at = 'resource' in entry ? entry.at : `${field}[${i}]`;
    const derived = 'resource' in entry && entry.derived === true;
    const gvk = `${r.group}/${r.kind}`;
    if (kinds.has(gvk)) problems.push({ field: at, message: `${gvk} is configured twice (also at ${kinds.get(gvk)}); kube-state-metrics refuses that`, fix: 'merge the two into one entry' });
    kinds.set(gvk, at);
    if ((r.kind === '*' || r.version === '*') && !allowWildcards) {
      problems.push({ field: at, message: `wildcard ${r.kind === '*' ? 'kind' : 'version'} '*' lets kube-state-metrics read every ${r.kind === '*' ? 'kind' : 'version'} of ${r.group}`, fix: 'name the kind and version, or set kubeStateMetrics.allowWildcardResources: true' });
    }
    if (r.kind !== '*' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(r.plural)) problems.push({ field: `${at}.plural`, message: `${quoted(r.plural)} is not a resource plural`, fix: "copy spec.names.plural from the CustomResourceDefinition, e.g. 'platforms'" });
    if (!r.metrics.length && !derived) problems.push({ field: `${at}.metrics`, message: 'is empty', fix: 'add at least one metric' });
    r.metrics.forEach((m, j) => {
      // A monitor has no metrics of its own: a problem of a generated one is the monitor's (its kind or a list's label).
      const where = derived ? at : `${at}.metrics[${j}]`;
      const sub = (name: string) => (derived ? at : `${where}.${name}`);
      const full = metricName(r, m);
      if (!METRIC_NAME.test(full)) problems.push({ field: sub('name'), message: `'${full}' is not a valid metric name`, fix: 'use letters, digits and "_"' });
      if (names.has(full)) problems.push({ field: sub('name'), message: `metric '${full}' is also defined at ${names.get(full)}`, fix: 'give every metric its own name' });
      names.set(full, where);
      // checkMonitors names a monitor's own mistakes (empty states or paths, list labels) at their fields.
      if (derived) return;
      if (m.type !== 'Info' && m.path.length === 0) problems.push({ field: sub('path'), message: 'is empty', fix: "point it at the value, e.g. ['status', 'replicas']" });
      if (m.type === 'StateSet') {
        if (!m.list.length) problems.push({ field: sub('list'), message: 'a StateSet needs the list of its states', fix: "list every value the field can take, e.g. ['Ready', 'Error']" });
        if (!LABEL_NAME.test(m.labelName)) problems.push({ field: sub('labelName'), message: `'${m.labelName}' is not a label name` });
      }
      for (const label of Object.keys({ ...r.labelsFromPath, ...m.labelsFromPath, ...m.labelsFromElement })) {
        if (!LABEL_NAME.test(label)) problems.push({ field: `${where}.labelsFromPath.${label}`, message: `'${label}' is not a label name` });
        if (label.startsWith('customresource_')) problems.push({ field: `${where}.labelsFromPath.${label}`, message: `'${label}' is reserved: kube-state-metrics sets it from the resource's group, version and kind` });
      }
    });
  });
  return problems;
}

export function checkMonitors(monitors: readonly CrStatusMonitor[], field: string): StackProblem[] {
  return monitors.flatMap((m, i) => {
    const at = `${field}[${i}]`;
    const problems: StackProblem[] = [];
    if (!m.states.length) problems.push({ field: `${at}.states`, message: 'is empty', fix: 'list every value the state field can take' });
    if (!m.states.includes(m.healthy)) problems.push({ field: `${at}.healthy`, message: `'${m.healthy}' is not among the states (${m.states.join(', ')})`, fix: 'use one of the states, or add it to them' });
    if (!/^[A-Z][A-Za-z0-9]*$/.test(m.kind)) problems.push({ field: `${at}.kind`, message: `'${m.kind}' is not a Kind`, fix: 'write the kind as in the CRD, e.g. Platform' });
    (m.lists ?? []).forEach((list, k) => {
      if (!LABEL_NAME.test(list.label)) problems.push({ field: `${at}.lists[${k}].label`, message: `${quoted(list.label)} is not a label name`, fix: 'use letters, digits and "_", not starting with a digit' });
      if (!list.path.length) problems.push({ field: `${at}.lists[${k}].path`, message: 'is empty', fix: "point it at the list, e.g. ['status', 'modules']" });
    });
    if (m.statePath && !m.statePath.length) problems.push({ field: `${at}.statePath`, message: 'is empty', fix: "point it at the state field, e.g. ['status', 'phase'], or leave it out for ['status', 'state']" });
    const alertAfter = checkPromDuration(m.alertAfter, `${at}.alertAfter`);
    if (alertAfter) problems.push(alertAfter);
    return problems;
  });
}
