import type { AlertDefinition, RecordDefinition, RuleDefinition, RuleGroupDefinition } from './types';

/** An alerting rule; a small builder so rule modules read like the rule files they replace. */
export function alertingRule(definition: AlertDefinition): AlertDefinition {
  return definition;
}

export function recordingRule(record: string, expr: string, labels?: Record<string, string>): RecordDefinition {
  return labels ? { record, expr, labels } : { record, expr };
}

export function ruleGroup(
  name: string,
  rules: RuleDefinition[],
  options: Omit<RuleGroupDefinition, 'name' | 'rules'> = {},
): RuleGroupDefinition {
  return { name, ...options, rules };
}

/** Collapses the whitespace of a multi-line expression, so rule modules can lay PromQL out readably. */
export function promql(strings: TemplateStringsArray, ...values: Array<string | number>): string {
  const text = strings.reduce((acc, part, i) => acc + part + (i < values.length ? String(values[i]) : ''), '');
  return text.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

/** `metric{a="1", b="2"}`: a series in promtool's input notation, for alert tests. */
export function series(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}
