import Ajv, { type ErrorObject } from 'ajv';
import type { ResolvedValues } from './defaults';
import type { StackProblem } from '../core/problems';
import { closestNames } from '../core/suggest';
import { checkReceivers } from '../alerting/receivers';
import { checkSchedules } from '../chaos/safety';
import { checkDrillScenarios } from '../scenarios/check';
import { checkCustomResources, checkMonitors, monitorResource } from '../ksm/config';
import schema from './stack-values.schema.json';
import type { ResourceValues } from '../core/primitives';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PROM_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const PROM_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const ALERT_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let compiled: ReturnType<Ajv['compile']> | undefined;

export interface ShapeCheck {
  readonly problems: StackProblem[];
  /** True when the only problems are unknown options: the known fields can still be checked further. */
  readonly wellTyped: boolean;
}

/** Checks the shape of raw stack values against the schema generated from values.ts. */
export function checkShape(values: unknown): ShapeCheck {
  // Unoptimized code compiles in half the time, and this schema is validated once per synth.
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true, code: { optimize: false } }).compile(schema);
  if (compiled(values)) return { problems: [], wellTyped: true };
  const errors = compiled.errors ?? [];
  return { problems: dedupe(errors.map(describeSchemaError)), wellTyped: errors.every((e) => e.keyword === 'additionalProperties') };
}

function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(stack values)';
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, part) => (/^[0-9]+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
}

function describeSchemaError(error: ErrorObject): StackProblem {
  const field = fieldOf(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema?.properties ?? {}) as object);
      const [near] = closestNames(unknown, known);
      const at = field === '(stack values)' ? unknown : `${field}.${unknown}`;
      return {
        field: at,
        message: `unknown option '${unknown}'`,
        fix: `${near ? `did you mean '${near}'? ` : ''}known options here: ${known.join(', ')}`,
      };
    }
    case 'required':
      return { field, message: `missing required field '${String(error.params.missingProperty)}'` };
    case 'enum':
      return {
        field,
        message: `${JSON.stringify(error.data)} is not allowed`,
        fix: `use one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return { field, message: `must be ${String(error.params.type)}, got ${describeValue(error.data)}` };
    default:
      return { field, message: `${error.message ?? 'is invalid'} (got ${describeValue(error.data)})` };
  }
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function dedupe(problems: StackProblem[]): StackProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks what the schema cannot: names, durations, quantities, counts, uniqueness. */
export function checkSemantics(v: ResolvedValues): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, field: string, message: string, fix?: string) => {
    if (!ok) problems.push({ field, message, fix });
  };
  const dnsLabel = (value: string, field: string, what: string) =>
    check(
      DNS_LABEL.test(value) && value.length <= 63,
      field,
      `'${value}' is not a valid ${what}`,
      'use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (RFC 1123)',
    );
  const duration = (value: string | undefined, field: string) =>
    value === undefined ||
    check(value !== '' && PROM_DURATION.test(value), field, `'${value}' is not a Prometheus duration`, 'write it like 30s, 5m, 1h30m or 15d');
  const count = (value: number, field: string, min: number) =>
    check(Number.isInteger(value) && value >= min, field, `must be a whole number of at least ${min}, got ${value}`);
  const labels = (map: Record<string, string> | undefined, field: string) => {
    for (const [key, value] of Object.entries(map ?? {})) {
      check(LABEL_NAME.test(key) && key.length <= 316, `${field}.${key}`, `'${key}' is not a valid Kubernetes label key`);
      check(LABEL_VALUE.test(value) && value.length <= 63, `${field}.${key}`, `'${value}' is not a valid Kubernetes label value`, 'use at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
    }
  };
  const quantity = (value: string | undefined, field: string) =>
    value === undefined || check(QUANTITY.test(value), field, `'${value}' is not a Kubernetes quantity`, 'write it like 100m, 0.5, 256Mi or 2Gi');
  const resources = (r: ResourceValues, field: string) => {
    for (const kind of ['requests', 'limits'] as const) {
      quantity(r[kind]?.cpu, `${field}.${kind}.cpu`);
      quantity(r[kind]?.memory, `${field}.${kind}.memory`);
    }
  };

  dnsLabel(v.name, 'name', 'stack name');
  dnsLabel(v.common.namespace, 'common.namespace', 'namespace name');
  labels(v.common.labels, 'common.labels');
  labels(v.common.ruleLabels, 'common.ruleLabels');
  check(Object.keys(v.common.ruleLabels).length > 0, 'common.ruleLabels', 'must not be empty: Prometheus selects rules by these labels', 'set at least one label, e.g. { role: "alert-rules" }');
  check(v.common.clusterName !== '' && LABEL_VALUE.test(v.common.clusterName), 'common.clusterName', `'${v.common.clusterName}' is not a valid label value`);

  count(v.prometheus.replicas, 'prometheus.replicas', 1);
  duration(v.prometheus.retention, 'prometheus.retention');
  duration(v.prometheus.scrapeInterval, 'prometheus.scrapeInterval');
  duration(v.prometheus.evaluationInterval, 'prometheus.evaluationInterval');
  resources(v.prometheus.resources, 'prometheus.resources');
  quantity(v.prometheus.storage?.size, 'prometheus.storage.size');
  (v.prometheus.remoteWrite ?? []).forEach((rw, i) => {
    check(/^https?:\/\/[^\s]+$/.test(rw.url), `prometheus.remoteWrite[${i}].url`, `'${rw.url}' is not an http(s) URL`);
    check(!(rw.basicAuth && rw.bearerToken), `prometheus.remoteWrite[${i}]`, 'basicAuth and bearerToken are mutually exclusive', 'keep one of them');
  });
  for (const [key] of Object.entries(v.prometheus.externalLabels)) {
    check(PROM_NAME.test(key) && !key.includes(':'), `prometheus.externalLabels.${key}`, `'${key}' is not a valid Prometheus label name`);
    check(key !== 'cluster', 'prometheus.externalLabels.cluster', 'the cluster label comes from common.clusterName', 'set common.clusterName instead');
  }

  count(v.alertmanager.replicas, 'alertmanager.replicas', 1);
  duration(v.alertmanager.retention, 'alertmanager.retention');
  resources(v.alertmanager.resources, 'alertmanager.resources');
  quantity(v.alertmanager.storage?.size, 'alertmanager.storage.size');

  count(v.nodeExporter.port, 'nodeExporter.port', 1);
  check(v.nodeExporter.port <= 65535, 'nodeExporter.port', `must be a port number up to 65535, got ${v.nodeExporter.port}`);
  resources(v.nodeExporter.resources, 'nodeExporter.resources');
  resources(v.kubeStateMetrics.resources, 'kubeStateMetrics.resources');
  resources(v.prometheusOperator.resources, 'prometheusOperator.resources');
  v.prometheusOperator.watchNamespaces.forEach((ns, i) => dnsLabel(ns, `prometheusOperator.watchNamespaces[${i}]`, 'namespace name'));

  count(v.grafana.replicas, 'grafana.replicas', 1);
  resources(v.grafana.resources, 'grafana.resources');
  labels(v.grafana.dashboardLabel, 'grafana.dashboardLabel');
  check(Object.keys(v.grafana.dashboardLabel).length === 1, 'grafana.dashboardLabel', 'must hold exactly one label: the sidecar watches one label key and value');

  dnsLabel(v.controlPlane.coreDns.namespace, 'controlPlane.coreDns.namespace', 'namespace name');
  labels(v.controlPlane.coreDns.selector, 'controlPlane.coreDns.selector');

  const appNames = new Map<string, number>();
  v.applications.forEach((app, i) => {
    const at = `applications[${i}]`;
    dnsLabel(app.name, `${at}.name`, 'application name');
    dnsLabel(app.namespace, `${at}.namespace`, 'namespace name');
    labels(app.selector, `${at}.selector`);
    check(Object.keys(app.selector).length > 0, `${at}.selector`, 'must not be empty: an empty selector scrapes every Service in the namespace', 'name the labels of the application\'s Service');
    duration(app.interval, `${at}.interval`);
    const first = appNames.get(app.name);
    check(first === undefined, `${at}.name`, `'${app.name}' is already used by applications[${first}]`, 'give every application a unique name');
    appNames.set(app.name, i);
    const ruleNames = new Set<string>();
    (app.alerts ?? []).forEach((alert, j) => {
      check(ALERT_NAME.test(alert.alert), `${at}.alerts[${j}].alert`, `'${alert.alert}' is not a valid alert name`, 'use letters, digits and "_", not starting with a digit');
      check(alert.expr.trim() !== '', `${at}.alerts[${j}].expr`, 'must not be empty');
      duration(alert.for, `${at}.alerts[${j}].for`);
      check(!ruleNames.has(alert.alert), `${at}.alerts[${j}].alert`, `'${alert.alert}' is defined twice in this application`);
      ruleNames.add(alert.alert);
    });
    (app.records ?? []).forEach((record, j) => {
      check(PROM_NAME.test(record.record), `${at}.records[${j}].record`, `'${record.record}' is not a valid metric name`, 'use letters, digits, "_" and ":" (level:metric:operations)');
      check(record.expr.trim() !== '', `${at}.records[${j}].expr`, 'must not be empty');
    });
  });

  problems.push(...checkCustomResources([...v.kubeStateMetrics.customResources, ...v.kubeStateMetrics.crStatusMonitors.map(monitorResource)], 'kubeStateMetrics.customResources', v.kubeStateMetrics.allowWildcardResources));
  problems.push(...checkMonitors(v.kubeStateMetrics.crStatusMonitors, 'kubeStateMetrics.crStatusMonitors'));

  problems.push(...checkSchedules(v.chaos.schedules, v.common.namespace));
  problems.push(...checkDrillScenarios(v.drill.scenarios, v.chaos.schedules, v.alertmanager.receivers.map((r) => r.name)));

  // Credentials only by Secret reference: a value that looks like one in any other field is an error.
  problems.push(...checkReceivers(v.alertmanager.receivers, 'alertmanager.receivers'));
  v.alertmanager.teams.forEach((team, i) => {
    dnsLabel(team.namespace, `alertmanager.teams[${i}].namespace`, 'namespace name');
    problems.push(...checkReceivers(team.receivers, `alertmanager.teams[${i}].receivers`));
  });

  v.patches.forEach((patch, i) => {
    patch.ops.forEach((op, j) => check(op.path.startsWith('/'), `patches[${i}].ops[${j}].path`, `'${op.path}' is not a JSON pointer`, 'start it with "/", e.g. /spec/replicas'));
  });
  v.extraObjects.forEach((object, i) => {
    check(DNS_SUBDOMAIN.test(object.metadata.name), `extraObjects[${i}].metadata.name`, `'${object.metadata.name}' is not a valid object name`);
  });
  return problems;
}
