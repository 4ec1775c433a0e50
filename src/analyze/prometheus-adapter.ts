// prometheus-adapter's queries, read from its written configuration (after patches): every metric they read must be
// one the stack produces, or the HPAs that rely on them see no metric at all. They are errors, not warnings: the
// adapter serves nothing for a series that is not there, and nothing else would tell.
import { parse } from 'yaml';
import type { Diagnostic } from '../core/diagnostic';
import { closestNames } from '../core/suggest';
import { parsePromQL } from '../promql/parse';
import type { StackModel } from '../model/stack-model';
import { ANY_SERIES, adapterQueryProblems, renderAdapterQuery, seriesNames } from '../components/prometheus-adapter-config';
import { PROMETHEUS_ADAPTER_NAME } from '../components/prometheus-adapter';

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** One query of the configuration and the field of the values it comes from. */
interface WrittenQuery {
  readonly field: string;
  readonly template: string;
  /** What `<<.Series>>` stands for. */
  readonly series: string;
}

function queriesOf(config: Raw): WrittenQuery[] {
  const queries: WrittenQuery[] = [];
  (Array.isArray(config.rules) ? config.rules : []).forEach((r, i) => {
    const rule = record(r);
    const seriesQuery = text(rule.seriesQuery) ?? '';
    const series = seriesNames(seriesQuery)[0] ?? ANY_SERIES;
    queries.push({ field: `prometheusAdapter.customMetrics[${i}].seriesQuery`, template: seriesQuery, series });
    queries.push({ field: `prometheusAdapter.customMetrics[${i}].metricsQuery`, template: text(rule.metricsQuery) ?? '', series });
  });
  const resources = record(config.resourceRules);
  for (const resource of ['cpu', 'memory']) {
    for (const key of ['containerQuery', 'nodeQuery']) {
      const template = text(record(resources[resource])[key]);
      if (template !== undefined) queries.push({ field: `prometheusAdapter.resourceMetrics (resourceRules.${resource}.${key})`, template, series: ANY_SERIES });
    }
  }
  return queries;
}

/** Every query of every prometheus-adapter configuration among the objects, against the stack's metric catalogue. */
export function analyzePrometheusAdapter(model: StackModel): Diagnostic[] {
  const known = [...model.metrics];
  const diagnostics: Diagnostic[] = [];
  const configMaps = model.objects.filter((o) => o.component === PROMETHEUS_ADAPTER_NAME && o.manifest.kind === 'ConfigMap' && o.manifest.apiVersion === 'v1');
  for (const { manifest } of configMaps) {
    const raw = text(record(manifest.data)['config.yaml']);
    if (raw === undefined) continue;
    let config: Raw;
    try {
      config = record(parse(raw));
    } catch (error) {
      diagnostics.push({ severity: 'error', code: 'adapter/config', where: `ConfigMap ${manifest.metadata.namespace}/${manifest.metadata.name}`, message: `config.yaml is not YAML: ${(error as Error).message}`, fix: 'fix the patch that changed it' });
      continue;
    }
    for (const query of queriesOf(config)) {
      const problems = adapterQueryProblems(query.template, query.series, query.field);
      diagnostics.push(...problems.map((p): Diagnostic => ({ severity: 'error', code: 'adapter/query', where: p.field, message: p.message, fix: p.fix })));
      if (problems.length) continue;
      const parsed = parsePromQL(renderAdapterQuery(query.template, query.series).query);
      for (const name of new Set(parsed.metrics.map((m) => m.name))) {
        if (name === ANY_SERIES || model.metrics.has(name)) continue;
        const near = closestNames(name, known, 1);
        diagnostics.push({
          severity: 'error',
          code: 'adapter/unknown-metric',
          where: query.field,
          message: `reads metric '${name}', which no component of the stack produces and no recording rule records: the adapter would serve nothing for it`,
          fix: `${near.length ? `did you mean '${near[0]}'? ` : ''}if your own targets expose it, add it to rules.knownMetrics`,
        });
      }
    }
  }
  return diagnostics;
}
