// The rule analyzer: every expression of every rule of the stack, checked before anything is written.
import type { RuleSource } from '../rules/rule-set';
import { isAlert, type RuleDefinition } from '../rules/types';
import { closestNames } from '../core/suggest';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL, type LabelSet, type ParsedExpression } from '../promql/parse';
import { durationSeconds } from '../core/durations';

export interface RuleAnalysisOptions {
  /** Metric names the stack's targets expose, its recording rules produce, or the user declared. */
  readonly knownMetrics: ReadonlySet<string>;
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Unknown metric names are errors instead of warnings. */
  readonly strict: boolean;
}

/**
 * Counters, including the few whose names do not end in _total (kernel vmstat mirrors, some kubelet counters, and
 * the OpenTelemetry Collector's pipeline counters, which its telemetry exports without the suffix).
 */
const COUNTER_NAME = /(_total|_count|_sum|_bucket)$|^node_vmstat_|^kubelet_evictions$|_renew_errors$|^otelcol_(receiver|exporter)_\w+_(metric_points|spans|log_records)$/;
const RATE_FUNCTIONS: Record<string, number> = { rate: 4, increase: 4, delta: 4, deriv: 4, irate: 2, idelta: 2 };
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'resets']);

/** Labels an annotation template reads: `$labels.x`, `.Labels.x`, `index $labels "x"`. */
export function templateLabels(template: string): string[] {
  const found = new Set<string>();
  for (const m of template.matchAll(/(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)/g)) found.add(m[1]);
  for (const m of template.matchAll(/index\s+(?:\$labels|\.Labels)\s+"([^"]+)"/g)) found.add(m[1]);
  return [...found];
}

function describeLabels(set: LabelSet): string {
  if (set.kind === 'closed') return set.labels.size ? `only ${[...set.labels].sort().join(', ')}` : 'no labels at all';
  return `no ${[...(set.kind === 'open' ? set.removed : [])].sort().join(', ')}`;
}

/** Whether a label can be on the result: definitely not when a closed set lacks it or an open set dropped it. */
function mayCarry(set: LabelSet, label: string): boolean {
  if (set.kind === 'closed') return set.labels.has(label);
  if (set.kind === 'open') return !set.removed.has(label) || set.added.has(label);
  return false;
}

function nameOf(rule: RuleDefinition): string {
  return isAlert(rule) ? rule.alert : rule.record;
}

export function analyzeRules(sources: readonly RuleSource[], options: RuleAnalysisOptions): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const scrapeSeconds = durationSeconds(options.scrapeInterval);
  const known = [...options.knownMetrics];
  const suggestions = new Map<string, string[]>();
  const suggest = (name: string) => suggestions.get(name) ?? suggestions.set(name, closestNames(name, known, 1)).get(name)!;
  const seenAlerts = new Map<string, string>();

  for (const source of sources) {
    for (const group of source.groups) {
      const groupInterval = group.interval ?? options.evaluationInterval;
      if (group.partialResponseStrategy) {
        diagnostics.push({
          severity: 'warning',
          code: 'rule/partial-response',
          where: `${source.component}/${source.objectName} › ${group.name}`,
          message: 'partialResponseStrategy is only used by Thanos Ruler; this stack\'s Prometheus ignores it',
          fix: 'remove it unless a Thanos Ruler evaluates this group',
        });
      }
      for (const rule of group.rules) {
        const where = `${source.component}/${source.objectName} › ${group.name} › ${nameOf(rule)}`;
        const report = (severity: Diagnostic['severity'], code: string, message: string, fix?: string) =>
          diagnostics.push({ severity, code, where, message, fix });
        const parsed = parsePromQL(rule.expr);
        checkExpression(parsed, options, scrapeSeconds, suggest, report);

        if (!isAlert(rule)) {
          if (!rule.record.includes(':')) report('warning', 'rule/record-name', `recording rule '${rule.record}' does not follow level:metric:operations`, 'name it like job:http_requests:rate5m');
          continue;
        }
        if (parsed.resultLabels) checkTemplates(rule.annotations ?? {}, { summary: rule.summary, description: rule.description }, parsed.resultLabels, report);
        const forSeconds = rule.for ? durationSeconds(rule.for) : 0;
        if (forSeconds > 0 && forSeconds < durationSeconds(groupInterval)) {
          report('warning', 'rule/for-shorter-than-interval', `'for: ${rule.for}' is shorter than the group's evaluation interval (${groupInterval}): it acts as ${groupInterval}`, `use 0s or at least ${groupInterval}`);
        }
        // Same name, labels and expression: the second only doubles every notification.
        const identity = JSON.stringify([rule.alert, rule.expr.replace(/\s+/g, ' '), Object.entries({ ...rule.labels, severity: rule.severity }).sort()]);
        const first = seenAlerts.get(identity);
        if (first) report('error', 'rule/duplicate-alert', `alert '${rule.alert}' with the same expression and labels is also defined at ${first}`, 'remove one, or tell them apart by a label (e.g. severity)');
        else seenAlerts.set(identity, where);
      }
    }
  }
  return diagnostics;
}

type Report = (severity: Diagnostic['severity'], code: string, message: string, fix?: string) => void;

function checkExpression(
  parsed: ParsedExpression,
  options: RuleAnalysisOptions,
  scrapeSeconds: number,
  suggest: (name: string) => string[],
  report: Report,
): void {
  for (const error of parsed.syntaxErrors) {
    report('error', 'promql/syntax', `syntax error at column ${error.column}, near '${error.near}': ${parsed.source}`, 'check brackets, quotes and operators at that column');
  }
  if (parsed.syntaxErrors.length) return;
  for (const metric of new Map(parsed.metrics.map((m) => [m.name, m])).values()) {
    if (options.knownMetrics.has(metric.name)) continue;
    const near = suggest(metric.name);
    report(
      options.strict ? 'error' : 'warning',
      'promql/unknown-metric',
      `metric '${metric.name}' (column ${metric.column}) is produced by no component of the stack and no recording rule`,
      `${near.length ? `did you mean '${near[0]}'? ` : ''}if your own targets expose it, add it to rules.knownMetrics`,
    );
  }
  for (const range of parsed.ranges) {
    const factor = range.fn ? RATE_FUNCTIONS[range.fn] : undefined;
    if (factor && range.seconds < factor * scrapeSeconds) {
      report('warning', 'promql/short-range', `${range.fn}() over ${range.seconds}s (column ${range.column}) spans less than ${factor}x the scrape interval (${scrapeSeconds}s): it returns nothing after a missed scrape`, `use a range of at least ${factor * scrapeSeconds}s`);
    }
    if (range.fn && COUNTER_FUNCTIONS.has(range.fn) && range.metric && !COUNTER_NAME.test(range.metric)) {
      report('warning', 'promql/rate-on-gauge', `${range.fn}() of '${range.metric}', which is not named like a counter (_total, _count, _sum, _bucket)`, 'use deriv() or delta() for gauges');
    }
  }
}

function checkTemplates(extra: Record<string, string>, fields: Record<string, string>, result: LabelSet, report: Report): void {
  for (const [annotation, template] of Object.entries({ ...fields, ...extra })) {
    for (const label of templateLabels(template)) {
      if (mayCarry(result, label)) continue;
      report(
        'error',
        'template/missing-label',
        `annotation '${annotation}' uses $labels.${label}, but the expression's result carries ${describeLabels(result)}`,
        `keep '${label}' in the expression (e.g. in its by (...) clause) or take it out of the annotation`,
      );
    }
  }
}

