// Builds the StackModel from the final objects of a stack's construct tree.
import { gunzipSync } from 'zlib';
import { ApiObject } from 'cdk8s';
import { parse } from 'yaml';
import { routingFromConfig, teamFromResource } from '../alerting/read';
import { scheduleFromObject } from '../chaos/read';
import { componentOf } from '../components/component';
import { FOLDER_ANNOTATION } from '../dashboards/delivery';
import type { Diagnostic } from '../core/diagnostic';
import type { Dashboard, DashboardJson } from '../dashboards/model';
import { NAMES } from '../k8s/names';
import { customResourcesFromConfig } from '../ksm/read';
import { ruleGroupsFromSpec } from '../rules/read';
import type { RuleSource } from '../rules/rule-set';
import { isAlert, type AlertTests } from '../rules/types';
import type { ObservabilityStack } from '../stack/observability-stack';
import type { AlertingModel, Manifest, ModelObject, PrometheusFacts, StackModel, WrittenCollector } from './stack-model';
import { OTEL_COLLECTOR_NAME } from '../components/otel-collector';
import type { CollectorConfig } from '../otel/config';

type Raw = Record<string, unknown>;

/** Collects what cannot be read from the written objects, as errors naming the object. */
class Unreadable {
  readonly diagnostics: Diagnostic[] = [];

  /** The parsed document, or undefined (and an error naming the object and the key) when it does not parse. */
  read<T>(o: ModelObject, key: string, format: 'JSON' | 'YAML', text: string): T | undefined {
    try {
      return (format === 'JSON' ? JSON.parse(text) : parse(text)) as T;
    } catch (error) {
      this.diagnostics.push({
        severity: 'error',
        code: 'model/unreadable',
        where: `${o.manifest.kind} ${o.manifest.metadata.name} › ${key}`,
        message: `is not valid ${format}: ${(error as Error).message.split('\n')[0]}`,
        fix: 'check the patches and customize code that change this object',
      });
      return undefined;
    }
  }
}

function specOf(manifest: Manifest): Raw {
  return (manifest.spec ?? {}) as Raw;
}

/** Every ApiObject of the stack as it will be written (patches included), with its component. */
export function finalObjects(stack: ObservabilityStack): ModelObject[] {
  stack.finalize();
  return stack.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => ({ component: componentOf(o)?.componentName ?? 'stack', manifest: o.toJson() as Manifest }));
}

/** The unit tests of each alert as built, so that drills can still play an alert's own firing case. */
function alertTestsOf(stack: ObservabilityStack): Map<string, AlertTests> {
  const tests = new Map<string, AlertTests>();
  for (const source of stack.rules.effective()) {
    for (const group of source.groups) for (const rule of group.rules) if (isAlert(rule) && rule.tests) tests.set(`${rule.alert}\0${rule.severity}`, rule.tests);
  }
  return tests;
}

function rulesOf(objects: readonly ModelObject[], tests: ReadonlyMap<string, AlertTests>): RuleSource[] {
  return objects
    .filter((o) => o.manifest.kind === 'PrometheusRule')
    .map((o) => ({ component: o.component, objectName: o.manifest.metadata.name, groups: ruleGroupsFromSpec(o.manifest.spec, (alert, severity) => tests.get(`${alert}\0${severity}`)) }));
}

function prometheusOf(objects: readonly ModelObject[]): PrometheusFacts | undefined {
  const cr = objects.find((o) => o.manifest.kind === 'Prometheus' && o.manifest.apiVersion.startsWith('monitoring.coreos.com/'));
  if (!cr) return undefined;
  const spec = specOf(cr.manifest);
  return {
    // Prometheus' own defaults where the resource sets none.
    scrapeInterval: String(spec.scrapeInterval ?? '30s'),
    evaluationInterval: String(spec.evaluationInterval ?? '30s'),
    alertLabels: { ...((spec.externalLabels ?? {}) as Record<string, string>), prometheus: `${cr.manifest.metadata.namespace ?? 'default'}/${cr.manifest.metadata.name}` },
  };
}

function matchesLabels(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function alertingOf(objects: readonly ModelObject[], unreadable: Unreadable): AlertingModel | undefined {
  const cr = objects.find((o) => o.manifest.kind === 'Alertmanager' && o.manifest.apiVersion.startsWith('monitoring.coreos.com/'));
  if (!cr) return undefined;
  const spec = specOf(cr.manifest);
  const namespace = cr.manifest.metadata.namespace ?? 'default';
  const secretName = String(spec.configSecret ?? NAMES.alertmanagerConfigSecret);
  const secret = objects.find((o) => o.manifest.kind === 'Secret' && o.manifest.metadata.name === secretName && (o.manifest.metadata.namespace ?? 'default') === namespace);
  const text = (secret?.manifest.stringData as Record<string, string> | undefined)?.['alertmanager.yaml']
    ?? decode((secret?.manifest.data as Record<string, string> | undefined)?.['alertmanager.yaml']);
  const config = secret && text !== undefined ? unreadable.read<Raw>(secret, 'alertmanager.yaml', 'YAML', text) : undefined;
  if (config === undefined) return undefined;
  const selector = spec.alertmanagerConfigSelector as { matchLabels?: Record<string, string> } | undefined;
  const teams = selector
    ? objects
        .filter((o) => o.manifest.kind === 'AlertmanagerConfig' && matchesLabels(selector.matchLabels, o.manifest.metadata.labels))
        .map((o) => teamFromResource(o.manifest.metadata.namespace ?? 'default', specOf(o.manifest)))
    : [];
  return {
    namespace,
    global: routingFromConfig(config ?? {}),
    teams,
    teamMatcherStrategy: String((spec.alertmanagerConfigMatcherStrategy as Raw | undefined)?.type ?? 'OnNamespace'),
  };
}

function decode(base64: string | undefined): string | undefined {
  return base64 === undefined ? undefined : Buffer.from(base64, 'base64').toString('utf8');
}

/** The dashboards the delivery objects hold: sidecar ConfigMaps (folder annotation) and GrafanaDashboards (gzip). */
function dashboardsOf(objects: readonly ModelObject[], origins: ReadonlyMap<string, string>, unreadable: Unreadable): Dashboard[] {
  const found: Dashboard[] = [];
  const add = (o: ModelObject, json: DashboardJson | undefined, folder: string) =>
    json && found.push({ json, folder, component: o.component, origin: origins.get(json.uid) ?? `${o.manifest.kind} ${o.manifest.metadata.name}` });
  for (const o of objects) {
    const { kind, metadata } = o.manifest;
    if (kind === 'ConfigMap' && metadata.annotations?.[FOLDER_ANNOTATION] !== undefined) {
      for (const [key, text] of Object.entries((o.manifest.data ?? {}) as Record<string, string>)) {
        if (key.endsWith('.json')) add(o, unreadable.read<DashboardJson>(o, `data.${key}`, 'JSON', text), metadata.annotations[FOLDER_ANNOTATION]);
      }
    } else if (kind === 'GrafanaDashboard') {
      const spec = specOf(o.manifest);
      const text = typeof spec.gzipJson === 'string' ? gunzipSync(Buffer.from(spec.gzipJson, 'base64')).toString('utf8') : typeof spec.json === 'string' ? spec.json : undefined;
      if (text !== undefined) add(o, unreadable.read<DashboardJson>(o, 'spec', 'JSON', text), String(spec.folder ?? 'General'));
    }
  }
  return found;
}

function customResourcesOf(objects: readonly ModelObject[], unreadable: Unreadable) {
  const config = objects.find((o) => o.manifest.kind === 'ConfigMap' && o.component === 'kube-state-metrics' && typeof (o.manifest.data as Raw | undefined)?.['config.yaml'] === 'string');
  return config ? customResourcesFromConfig(unreadable.read(config, 'data.config.yaml', 'YAML', (config.manifest.data as Record<string, string>)['config.yaml'])) : [];
}

/** The OpenTelemetry Collector's configuration, as its ConfigMap holds it. */
function collectorOf(objects: readonly ModelObject[], unreadable: Unreadable): WrittenCollector | undefined {
  const o = objects.find((x) => x.manifest.kind === 'ConfigMap' && x.component === OTEL_COLLECTOR_NAME && typeof (x.manifest.data as Raw | undefined)?.['config.yaml'] === 'string');
  if (!o) return undefined;
  const config = unreadable.read<Partial<CollectorConfig>>(o, 'data.config.yaml', 'YAML', (o.manifest.data as Record<string, string>)['config.yaml']);
  return config && { where: `ConfigMap ${o.manifest.metadata.name} › config.yaml`, config };
}

/** What the objects alone say (no values, no construct tree): e.g. the manifests of a synthesized dist/ folder. */
export type WrittenModel = Pick<StackModel, 'objects' | 'rules' | 'prometheus' | 'alerting' | 'dashboards' | 'chaos' | 'unreadable'>;

/**
 * The model of a list of written manifests, read as `buildModel` reads a stack's final objects. Without the values,
 * schedules carry no chaos contract and alerts no unit tests.
 */
export function writtenModel(objects: readonly ModelObject[]): WrittenModel {
  const unreadable = new Unreadable();
  const chaos = objects
    .filter((o) => o.manifest.kind === 'Schedule' && o.manifest.apiVersion.startsWith('chaos-mesh.org/'))
    .map((o) => scheduleFromObject(o.manifest as Parameters<typeof scheduleFromObject>[0]));
  return {
    objects,
    rules: rulesOf(objects, new Map()),
    prometheus: prometheusOf(objects),
    alerting: alertingOf(objects, unreadable),
    dashboards: dashboardsOf(objects, new Map(), unreadable),
    chaos,
    unreadable: unreadable.diagnostics,
  };
}

/** The model of a built stack: call it once the customize hook has run. */
export function buildModel(stack: ObservabilityStack, source: string): StackModel {
  const objects = finalObjects(stack);
  const unreadable = new Unreadable();
  const values = stack.values;
  const rules = rulesOf(objects, alertTestsOf(stack));
  const declared = new Map(values.chaos.schedules.map((s) => [s.name, s]));
  const chaos = objects
    .filter((o) => o.manifest.kind === 'Schedule' && o.manifest.apiVersion.startsWith('chaos-mesh.org/'))
    .map((o) => scheduleFromObject(o.manifest as Parameters<typeof scheduleFromObject>[0], declared.get(o.manifest.metadata.name)));
  const customResources = customResourcesOf(objects, unreadable);
  const records = rules.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))));
  return {
    name: values.name,
    source,
    values,
    objects,
    rules,
    prometheus: prometheusOf(objects),
    alerting: alertingOf(objects, unreadable),
    dashboards: dashboardsOf(objects, new Map(stack.dashboards().map((d) => [d.json.uid, d.origin])), unreadable),
    chaos,
    customResources,
    collector: collectorOf(objects, unreadable),
    files: stack.components.flatMap((c) => c.files),
    unreadable: unreadable.diagnostics,
    metrics: new Set([...stack.components.flatMap((c) => c.metrics), ...customResources.flatMap((r) => r.metricNames), ...records, ...values.rules.knownMetrics]),
  };
}
