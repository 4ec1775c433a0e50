import type { StackValues } from '../../src';
import type { AlertDefinition, RuleGroupDefinition } from '../../src/rules/types';
import { render, renderError } from '../helpers';

const alert = (overrides: Partial<AlertDefinition>): AlertDefinition => ({
  alert: 'CheckoutDown',
  expr: 'up{job="checkout"} == 0',
  for: '5m',
  severity: 'critical',
  summary: 'Checkout is down.',
  description: '{{ $labels.instance }} is down.',
  ...overrides,
});
/** The rule analyzer's findings only (the default stack also says that it has no receivers). */
const ruleWarnings = (values: StackValues = {}) => render(values).warnings.filter((w) => !w.code.startsWith('routing/'));
const withRules = (rules: RuleGroupDefinition['rules'], extra: StackValues = {}): StackValues => ({
  ...extra,
  rules: { groups: [{ name: 'checkout', rules }], ...extra.rules },
});

describe('rule analyzer', () => {
  test('the default stack has nothing to report', () => {
    expect(ruleWarnings()).toEqual([]);
  });

  test('a syntax error names the rule and the column, and stops the synth', () => {
    const message = renderError(withRules([alert({ expr: 'sum(rate(http_requests_total[5m])' })]));
    expect(message).toContain('rules/custom-rules › checkout › CheckoutDown: syntax error at column 34, near');
  });

  test('an unknown metric is a warning with a suggestion, and an error in strict mode', () => {
    const values = withRules([alert({ expr: 'scrape_duration_secnds == 0', description: 'x' })]);
    const [warning] = ruleWarnings(values);
    expect(warning).toMatchObject({ severity: 'warning', code: 'promql/unknown-metric', where: 'rules/custom-rules › checkout › CheckoutDown' });
    expect(warning.message).toContain("metric 'scrape_duration_secnds'");
    expect(warning.fix).toContain("did you mean 'scrape_duration_seconds'?");
    const { renderStack } = require('../../src/synth/pipeline');
    const { defineStack } = require('../../src');
    expect(() => renderStack({ definition: defineStack(values), name: 's', source: 's.ts' }, { strict: true })).toThrow("metric 'scrape_duration_secnds'");
  });

  test('metrics declared by the user, and recording rules, count as known', () => {
    const values = withRules(
      [{ record: 'job:checkout_requests:rate5m', expr: 'sum by (job) (rate(checkout_requests_total[5m]))' }, alert({ expr: 'job:checkout_requests:rate5m == 0', description: '{{ $labels.job }}' })],
      { rules: { knownMetrics: ['checkout_requests_total'] } },
    );
    expect(ruleWarnings(values)).toEqual([]);
  });

  test('an annotation using a label the expression aggregates away is an error', () => {
    const message = renderError(withRules([alert({ expr: 'sum by (namespace) (up{job="checkout"}) == 0', description: 'Pod {{ $labels.pod }} in {{ $labels.namespace }} is down.' })]));
    expect(message).toContain("annotation 'description' uses $labels.pod, but the expression's result carries only namespace");
  });

  test('labels dropped with without() or ignoring() are caught too, labels kept are fine', () => {
    expect(renderError(withRules([alert({ expr: 'sum without (instance) (up) == 0' })]))).toContain('uses $labels.instance');
    expect(ruleWarnings(withRules([alert({ expr: 'max without (pod) (up) == 0' })]))).toEqual([]);
  });

  test('two alerts with the same name, expression and labels are an error; a severity or expression tells them apart', () => {
    expect(renderError(withRules([alert({}), alert({ expr: 'up{job="checkout"}   == 0' })]))).toContain(
      "alert 'CheckoutDown' with the same expression and labels is also defined at rules/custom-rules › checkout › CheckoutDown",
    );
    expect(ruleWarnings(withRules([alert({}), alert({ severity: 'warning' })]))).toEqual([]);
    expect(ruleWarnings(withRules([alert({}), alert({ expr: 'up{job="cart"} == 0' })]))).toEqual([]);
  });

  test('hundreds of problems are summarized after the first 25', () => {
    const many = Array.from({ length: 30 }, (_, i) => alert({ alert: `Bad${i}`, expr: 'sum(up' }));
    const message = renderError(withRules(many));
    expect(message).toContain('stack test: 30 problems');
    expect(message).toContain('  ... and 5 more');
  });

  test('a `for` shorter than the evaluation interval is a warning', () => {
    const [warning] = ruleWarnings(withRules([alert({ for: '10s' })]));
    expect(warning).toMatchObject({ code: 'rule/for-shorter-than-interval' });
    expect(warning.message).toContain("'for: 10s' is shorter than the group's evaluation interval (30s)");
  });

  test('rate() over less than 4 scrape intervals is a warning', () => {
    const [warning] = render(withRules([alert({ expr: 'rate(up[1m]) > 0', description: 'x' })], { rules: { knownMetrics: [] } })).warnings.filter((w) => w.code === 'promql/short-range');
    expect(warning.message).toContain('rate() over 60s (column 6) spans less than 4x the scrape interval (30s)');
  });

  test('rate() of a gauge is a warning', () => {
    const warnings = render(withRules([alert({ expr: 'rate(node_memory_MemAvailable_bytes[5m]) > 0', description: 'x' })])).warnings;
    expect(warnings.map((w) => w.code)).toContain('promql/rate-on-gauge');
  });

  test('a recording rule not named level:metric:operations is a warning', () => {
    const warnings = ruleWarnings(withRules([{ record: 'checkout_up', expr: 'sum(up)' }]));
    expect(warnings.map((w) => w.message)).toContain("recording rule 'checkout_up' does not follow level:metric:operations");
  });

  test('the synth summary lists the warnings for the reviewer', () => {
    const { stackFiles } = require('../../src/synth/layout');
    const files = stackFiles(render(withRules([{ record: 'checkout_up', expr: 'sum(up)' }]))) as Array<{ path: string; content: string }>;
    expect(files.find((f) => f.path.endsWith('SUMMARY.md'))!.content).toContain("- `rule/record-name` rules/custom-rules › checkout › checkout_up: recording rule 'checkout_up' does not follow level:metric:operations");
  });
});

describe('rule groups', () => {
  test('a partial response strategy is rendered, with a warning that only Thanos Ruler uses it', () => {
    const stack = render({ rules: { groups: [{ name: 'g', partialResponseStrategy: 'warn', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] } });
    expect(stack.warnings.map((w) => w.code).filter((c) => !c.startsWith('routing/'))).toEqual(['rule/partial-response']);
    const rule = stack.objects.find((o) => o.manifest.metadata.name === 'custom-rules')!.manifest as unknown as { spec: { groups: Array<Record<string, unknown>> } };
    expect(rule.spec.groups[0].partial_response_strategy).toBe('warn');
  });
});
