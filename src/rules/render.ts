import type { PrometheusRuleSpec, Rule } from '../k8s/monitoring';
import { isAlert, type AlertDefinition, type RuleGroupDefinition } from './types';

export const DEFAULT_RUNBOOK_BASE_URL = 'https://runbooks.prometheus-operator.dev/runbooks';

/** The runbook of an alert: `<base>/<area>/<alertname in lower case>`, the layout of the community runbooks. */
export function runbookUrl(base: string, group: RuleGroupDefinition, alert: AlertDefinition): string {
  return `${base.replace(/\/+$/, '')}/${group.runbookArea ?? 'general'}/${alert.alert.toLowerCase()}`;
}

/** The rule as Prometheus reads it: severity as a label; summary, description and runbook_url as annotations. */
export function renderRule(group: RuleGroupDefinition, rule: RuleGroupDefinition['rules'][number], runbookBaseUrl: string): Rule {
  if (!isAlert(rule)) return { record: rule.record, expr: rule.expr, ...(rule.labels ? { labels: rule.labels } : {}) };
  return {
    alert: rule.alert,
    expr: rule.expr,
    ...(rule.for && rule.for !== '0s' ? { for: rule.for } : {}),
    labels: { ...rule.labels, severity: rule.severity },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: runbookUrl(runbookBaseUrl, group, rule),
      ...rule.annotations,
    },
  };
}

export function renderGroups(groups: readonly RuleGroupDefinition[], runbookBaseUrl: string): PrometheusRuleSpec {
  return {
    groups: groups.map((group) => ({
      name: group.name,
      ...(group.interval ? { interval: group.interval } : {}),
      ...(group.partialResponseStrategy ? { partial_response_strategy: group.partialResponseStrategy } : {}),
      rules: group.rules.map((rule) => renderRule(group, rule, runbookBaseUrl)),
    })),
  };
}
