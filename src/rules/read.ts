// Rules as Prometheus will load them, read back from a PrometheusRule's spec: what analyzers and drills check is
// what is written, after every patch and customize step.
import type { Severity } from '../core/primitives';
import type { AlertDefinition, AlertTests, RuleDefinition, RuleGroupDefinition } from './types';

interface WrittenRule {
  readonly alert?: unknown;
  readonly record?: unknown;
  readonly expr?: unknown;
  readonly for?: unknown;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface WrittenGroup {
  readonly name?: unknown;
  readonly interval?: unknown;
  readonly partial_response_strategy?: unknown;
  readonly rules?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

/**
 * The rule groups of a PrometheusRule spec. `testsOf` gives back the unit tests of an alert as it was built (by name
 * and severity), so that a drill can still play an alert's own firing case.
 */
export function ruleGroupsFromSpec(spec: unknown, testsOf: (alert: string, severity: string) => AlertTests | undefined = () => undefined): RuleGroupDefinition[] {
  const groups = (spec as { groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(groups)) return [];
  return groups.map((raw: WrittenGroup) => ({
    name: text(raw.name),
    ...(raw.interval !== undefined ? { interval: text(raw.interval) } : {}),
    ...(raw.partial_response_strategy !== undefined ? { partialResponseStrategy: raw.partial_response_strategy as 'warn' | 'abort' } : {}),
    rules: (Array.isArray(raw.rules) ? raw.rules : []).map((rule: WrittenRule) => ruleFrom(rule, testsOf)),
  }));
}

function ruleFrom(rule: WrittenRule, testsOf: (alert: string, severity: string) => AlertTests | undefined): RuleDefinition {
  if (rule.alert === undefined) return { record: text(rule.record), expr: text(rule.expr), ...(rule.labels ? { labels: rule.labels } : {}) };
  const { severity = 'none', ...labels } = rule.labels ?? {};
  const { summary = '', description = '', ...annotations } = rule.annotations ?? {};
  const alert = text(rule.alert);
  const tests = testsOf(alert, severity);
  const definition: AlertDefinition = {
    alert,
    expr: text(rule.expr),
    ...(rule.for !== undefined ? { for: text(rule.for) } : {}),
    severity: severity as Severity,
    summary,
    description,
    labels,
    annotations,
    ...(tests ? { tests } : {}),
  };
  return definition;
}
