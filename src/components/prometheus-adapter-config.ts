// prometheus-adapter's configuration (its config.yaml): the resource rules that serve metrics.k8s.io from what the
// stack scrapes, the custom metrics rules of the values, and the checks of their PromQL templates.
import { parsePromQL } from '../promql/parse';
import { durationSeconds } from '../core/durations';
import type { StackProblem } from '../core/problems';

/** The Kubernetes resource a series label names, as the adapter's `resources.overrides` takes it. */
export interface AdapterResourceRef {
  /** e.g. `apps` for deployments; empty for the core group. */
  readonly group?: string;
  /** e.g. `pod`, `namespace`, `deployment`. */
  readonly resource: string;
}

/**
 * One custom metrics rule, as prometheus-adapter's `rules` entries: which series, which Kubernetes objects their
 * labels name, what the metric is called in custom.metrics.k8s.io, and the query that computes it.
 */
export interface CustomMetricRule {
  /**
   * The series this rule discovers, e.g. `http_requests_total{namespace!="", pod!=""}`.
   */
  readonly seriesQuery: string;
  /** The labels that name Kubernetes objects: `overrides` label by label, or a `template` such as `kube_<<.Resource>>`. */
  readonly resources: {
    /** e.g. `{ "namespace": { "resource": "namespace" }, "pod": { "resource": "pod" } }` */
    readonly overrides?: Record<string, AdapterResourceRef>;
    /** e.g. `kube_<<.Group>>_<<.Resource>>`. */
    readonly template?: string;
  };
  /**
   * The metric's name in the API: `matches` (a regex over the series name) rewritten to `as` (`$1`...).
   * @default the series name as it is
   */
  readonly name?: { readonly matches?: string; readonly as?: string };
  /**
   * The query, with the adapter's templates: `<<.Series>>` (the series name), `<<.LabelMatchers>>` (the objects
   * asked for) and `<<.GroupBy>>` (their labels), e.g. `sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)`.
   */
  readonly metricsQuery: string;
}

/** The adapter's placeholders and what the checks put in their place: a query as the adapter would send it for pods. */
const REPRESENTATIVE: Record<string, string> = {
  '.LabelMatchers': 'namespace="default",pod=~"example-0|example-1"',
  '.GroupBy': 'namespace,pod',
};
/** Stands for `<<.Series>>` when the series query names no metric (e.g. `{__name__=~"..."}`): it is not checked. */
export const ANY_SERIES = 'adapter_any_series';

/** A query with every placeholder replaced, or the placeholders the adapter does not know. */
export function renderAdapterQuery(template: string, series: string): { query: string; unknown: string[] } {
  const unknown: string[] = [];
  const query = template.replace(/<<\s*([^>]*?)\s*>>/g, (all, field: string) => {
    if (field === '.Series') return series;
    if (field in REPRESENTATIVE) return REPRESENTATIVE[field];
    unknown.push(all);
    return all;
  });
  return { query, unknown };
}

/** The metric names a series query selects by name (the first stands for `<<.Series>>`). */
export function seriesNames(seriesQuery: string): string[] {
  return [...new Set(parsePromQL(seriesQuery).metrics.map((m) => m.name))];
}

/** Problems of one query template: placeholders the adapter does not know, PromQL that does not parse. */
export function adapterQueryProblems(template: string, series: string, field: string): StackProblem[] {
  const { query, unknown } = renderAdapterQuery(template, series);
  if (unknown.length) {
    return [{ field, message: `uses ${unknown.join(', ')}, which prometheus-adapter does not fill in`, fix: 'use <<.Series>>, <<.LabelMatchers>> and <<.GroupBy>>' }];
  }
  return parsePromQL(query).syntaxErrors.map((e) => ({
    field,
    message: `is not valid PromQL at column ${e.column}, near '${e.near}' (with its templates filled in: ${query})`,
    fix: 'check brackets, quotes and operators; write the templates where a label matcher or a label list goes, e.g. {<<.LabelMatchers>>} and by (<<.GroupBy>>)',
  }));
}

/** Problems of the custom metrics rules, each named by its field. */
export function customMetricsProblems(rules: readonly CustomMetricRule[], field = 'prometheusAdapter.customMetrics'): StackProblem[] {
  return rules.flatMap((rule, i) => {
    const at = `${field}[${i}]`;
    const problems: StackProblem[] = [];
    const parsedSeries = parsePromQL(rule.seriesQuery);
    if (!rule.seriesQuery.trim() || parsedSeries.syntaxErrors.length) {
      problems.push({ field: `${at}.seriesQuery`, message: `'${rule.seriesQuery}' is not a series selector`, fix: 'write a selector, e.g. http_requests_total{namespace!="", pod!=""}' });
    } else {
      problems.push(...adapterQueryProblems(rule.metricsQuery, seriesNames(rule.seriesQuery)[0] ?? ANY_SERIES, `${at}.metricsQuery`));
    }
    const overrides = Object.entries(rule.resources.overrides ?? {});
    if (!overrides.length && !rule.resources.template) {
      problems.push({ field: `${at}.resources`, message: 'names no Kubernetes object: an HPA could not ask for this metric', fix: 'map the labels to resources, e.g. overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } }' });
    }
    for (const [label, ref] of overrides) {
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) problems.push({ field: `${at}.resources.overrides.${label}`, message: `'${label}' is not a Prometheus label name`, fix: 'use the series label that holds the object\'s name, e.g. pod' });
      if (!/^[a-z][a-z0-9]*$/.test(ref.resource)) problems.push({ field: `${at}.resources.overrides.${label}.resource`, message: `'${ref.resource}' is not a resource name`, fix: 'use a lower-case resource, e.g. pod, namespace, deployment' });
    }
    if (rule.name?.matches !== undefined) {
      try {
        new RegExp(rule.name.matches);
      } catch (error) {
        problems.push({ field: `${at}.name.matches`, message: `is not a regular expression: ${(error as Error).message}`, fix: 'e.g. "^(.*)_total$"' });
      }
    }
    return problems;
  });
}

/** What the stack scrapes for the node figures: node-exporter's (instance = node name), else cAdvisor's root cgroup. */
export type NodeSource = 'node-exporter' | 'cadvisor';

const CADVISOR = 'job="kubelet", metrics_path="/metrics/cadvisor"';

/**
 * The resource rules of metrics.k8s.io (`kubectl top`, HPAs on cpu and memory), as kube-prometheus writes them, on
 * the series the stack scrapes: cAdvisor's per container; node-exporter's per node (its `instance` is the node's
 * name here), or cAdvisor's root cgroup (`id="/"`, its `node` label) without node-exporter. The irate range is 4
 * scrape intervals, kube-prometheus' rule of thumb.
 */
export function resourceRules(scrapeInterval: string, nodes: NodeSource): Record<string, unknown> {
  const range = `${4 * durationSeconds(scrapeInterval)}s`;
  const nodeLabel = nodes === 'node-exporter' ? 'instance' : 'node';
  const resources = { overrides: { [nodeLabel]: { resource: 'node' }, namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } };
  const NE = 'job="node-exporter"';
  const nodeCpu = nodes === 'node-exporter'
    ? `sum by (<<.GroupBy>>) (1 - irate(node_cpu_seconds_total{${NE}, mode="idle", <<.LabelMatchers>>}[${range}]))`
    : `sum by (<<.GroupBy>>) (irate(container_cpu_usage_seconds_total{${CADVISOR}, id="/", <<.LabelMatchers>>}[${range}]))`;
  const nodeMemory = nodes === 'node-exporter'
    ? `sum by (<<.GroupBy>>) (node_memory_MemTotal_bytes{${NE}, <<.LabelMatchers>>} - node_memory_MemAvailable_bytes{${NE}, <<.LabelMatchers>>})`
    : `sum by (<<.GroupBy>>) (container_memory_working_set_bytes{${CADVISOR}, id="/", <<.LabelMatchers>>})`;
  return {
    cpu: {
      containerQuery: `sum by (<<.GroupBy>>) (irate(container_cpu_usage_seconds_total{${CADVISOR}, container!="", pod!="", <<.LabelMatchers>>}[${range}]))`,
      nodeQuery: nodeCpu,
      resources,
      containerLabel: 'container',
    },
    memory: {
      containerQuery: `sum by (<<.GroupBy>>) (container_memory_working_set_bytes{${CADVISOR}, container!="", pod!="", <<.LabelMatchers>>})`,
      nodeQuery: nodeMemory,
      resources,
      containerLabel: 'container',
    },
    window: range,
  };
}

/** A custom rule as the adapter reads it (its field names). */
export function adapterRule(rule: CustomMetricRule): Record<string, unknown> {
  const overrides = Object.entries(rule.resources.overrides ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    seriesQuery: rule.seriesQuery,
    resources: {
      ...(overrides.length ? { overrides: Object.fromEntries(overrides.map(([label, ref]) => [label, { ...(ref.group ? { group: ref.group } : {}), resource: ref.resource }])) } : {}),
      ...(rule.resources.template ? { template: rule.resources.template } : {}),
    },
    ...(rule.name ? { name: { ...(rule.name.matches !== undefined ? { matches: rule.name.matches } : {}), ...(rule.name.as !== undefined ? { as: rule.name.as } : {}) } } : {}),
    metricsQuery: rule.metricsQuery,
  };
}
