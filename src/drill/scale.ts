// Time scaling for drills: every duration of the rules (ranges, subqueries, offsets, `for`, intervals) divided by
// one factor, using the PromQL syntax tree, so that an alert with `for: 15m` fires in seconds on a real Prometheus.
import { parser } from '@prometheus-io/lezer-promql';
import type { Rule, RuleGroup } from '../k8s/monitoring';
import { durationSeconds } from '../core/durations';

/** The duration divided by `factor`, written back as a Prometheus duration (at least 1s; milliseconds kept). */
export function scaleDuration(text: string, factor: number): string {
  const seconds = durationSeconds(text);
  if (Number.isNaN(seconds)) throw new Error(`'${text}' is not a duration`);
  if (seconds === 0) return text;
  const ms = Math.max(1000, Math.round((seconds * 1000) / factor));
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['h', 3600000], ['m', 60000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}

/** The expression with every range, subquery range and step, and offset scaled; everything else untouched. */
export function scaleExpression(expr: string, factor: number): string {
  const edits: Array<{ from: number; to: number; text: string }> = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'NumberDurationLiteralInDurationContext') {
        const text = expr.slice(node.from, node.to);
        const negative = text.startsWith('-');
        const scaled = scaleDuration(negative ? text.slice(1) : text, factor);
        edits.push({ from: node.from, to: node.to, text: `${negative ? '-' : ''}${scaled}` });
      }
    },
  });
  return edits.sort((a, b) => b.from - a.from).reduce((out, e) => out.slice(0, e.from) + e.text + out.slice(e.to), expr);
}

/**
 * Rule groups as PrometheusRule objects carry them, with every duration scaled: expressions, `for`,
 * `keep_firing_for` and group intervals. `partial_response_strategy` is for Thanos Ruler only: the operator leaves it
 * out of Prometheus' rule files, and so does the drill.
 */
export function scaleRuleGroups(groups: readonly RuleGroup[], factor: number): RuleGroup[] {
  const scaled = (d: unknown) => (typeof d === 'string' ? scaleDuration(d, factor) : undefined);
  return groups.map((group) => {
    const { partial_response_strategy: _thanosOnly, ...g } = group as RuleGroup & { partial_response_strategy?: string };
    return {
      ...g,
      ...(g.interval ? { interval: scaled(g.interval) } : {}),
      rules: g.rules.map((rule) => {
        const r = rule as Rule & { keep_firing_for?: string };
        return {
          ...r,
          expr: scaleExpression(r.expr, factor),
          ...(r.for ? { for: scaled(r.for) } : {}),
          ...(r.keep_firing_for ? { keep_firing_for: scaled(r.keep_firing_for) } : {}),
        };
      }),
    };
  });
}
