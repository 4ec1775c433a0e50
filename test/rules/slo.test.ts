// SLOs as values: the burn-rate windows and factors, the rules and dashboard a stack renders from them, the checks,
// and promtool proving the generated tests and the recording rules over real counters and histograms.
import { defineStack, type SloValues, type StackValues } from '../../src';
import { buildStack } from '../../src/synth/pipeline';
import { burnWindows, errorBudget, SLO_BURN_ALERT, sloTestCases } from '../../src/rules/slo';
import { parsePromtoolOutput, promtoolTestFiles, TESTS_FILE, type AlertCheck, type PromtoolTestCase } from '../../src/rules/unit-tests';
import { isAlert, type AlertDefinition, type RecordDefinition } from '../../src/rules/types';
import type { RuleSource } from '../../src/rules/rule-set';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { render, renderError, tempFolder } from '../helpers';
import { runTool, testWithTool } from '../tools';

const CHECKOUT: SloValues = {
  name: 'checkout-availability',
  service: 'checkout',
  objective: 99.9,
  window: '30d',
  indicator: { ratio: { errors: 'http_requests_total{job="checkout", code=~"5.."}', total: 'http_requests_total{job="checkout"}' } },
  labels: { team: 'payments' },
};
const LATENCY: SloValues = {
  name: 'search-latency',
  service: 'search',
  objective: 99,
  window: '28d',
  indicator: { latency: { histogram: 'http_request_duration_seconds', threshold: '0.3', selector: '{job="search"}' } },
  alerting: { minTraffic: 0.5 },
};

function rulesOf(values: StackValues): { sources: RuleSource[]; evaluationInterval: string } {
  const stack = buildStack({ definition: defineStack(values), name: 'slo', source: 'stacks/slo.ts' });
  stack.finalize();
  return { sources: stack.rules.effective(), evaluationInterval: stack.values.prometheus.evaluationInterval };
}

const sloRules = (sources: RuleSource[]) => sources.filter((s) => s.component === 'slos').flatMap((s) => s.groups.flatMap((g) => g.rules));
const alertsOf = (sources: RuleSource[]) => sloRules(sources).filter(isAlert) as AlertDefinition[];
const recordsOf = (sources: RuleSource[]) => sloRules(sources).filter((r): r is RecordDefinition => !isAlert(r));

describe('burn windows', () => {
  test('for a 30d window they are the SRE workbook\'s: 14.4x and 6x page, 3x and 1x ticket', () => {
    expect(burnWindows({ objective: 99.9, window: '30d' })).toEqual([
      { tier: 'page', long: '1h', short: '5m', factor: 14.4, threshold: 0.0144 },
      { tier: 'page', long: '6h', short: '30m', factor: 6, threshold: 0.006 },
      { tier: 'ticket', long: '1d', short: '2h', factor: 3, threshold: 0.003 },
      { tier: 'ticket', long: '3d', short: '6h', factor: 1, threshold: 0.001 },
    ]);
  });

  test('scale with the SLO window, the factors computed from the windows as rounded', () => {
    const windows = burnWindows({ objective: 99.5, window: '7d' });
    expect(windows.map((w) => [w.long, w.short])).toEqual([['14m', '5m'], ['1h24m', '7m'], ['5h36m', '28m'], ['16h48m', '1h24m']]);
    // 2% of 7 days (201.6m) spent in 14 minutes; 5% in 84 minutes ...
    expect(windows.map((w) => w.factor)).toEqual([14.4, 6, 3, 1]);
    expect(windows[0].threshold).toBeCloseTo(14.4 * 0.005, 10);
    // 28 days: 2% of the budget in 56 minutes is still 14.4x, not a 30-day constant.
    expect(burnWindows({ objective: 99.9, window: '28d' })[0]).toMatchObject({ long: '56m', short: '5m', factor: 14.4 });
    // A 1d window clamps the page window to 5m: 2% of a day in 5 minutes is a 5.76x burn.
    expect(burnWindows({ objective: 99.9, window: '1d' })[0]).toMatchObject({ long: '5m', factor: 5.76 });
  });

  test('the budget is 1 - objective, without float noise', () => {
    expect(errorBudget({ objective: 99.9 })).toBe(0.001);
    expect(errorBudget({ objective: 99.95 })).toBe(0.0005);
  });
});

describe('an SLO in the values', () => {
  const stack = render({ slos: [CHECKOUT, LATENCY] });
  const { sources } = rulesOf({ slos: [CHECKOUT, LATENCY] });

  test('renders one PrometheusRule slo-rules with a group per SLO', () => {
    const objects = stack.objects.filter((o) => o.component === 'slos' && o.manifest.kind === 'PrometheusRule');
    expect(objects.map((o) => o.manifest.metadata.name)).toEqual(['slo-rules']);
    const groups = (objects[0].manifest.spec as { groups: Array<{ name: string }> }).groups.map((g) => g.name);
    expect(groups).toEqual(['slo-checkout-availability', 'slo-search-latency']);
  });

  test('records the error ratio over each window the alerts read, and the total rate over each short window', () => {
    const records = recordsOf(sources).filter((r) => r.labels?.slo === 'checkout-availability');
    expect(records.map((r) => r.record)).toEqual([
      'slo:sli_error:ratio_rate5m', 'slo:sli_error:ratio_rate30m', 'slo:sli_error:ratio_rate1h', 'slo:sli_error:ratio_rate2h',
      'slo:sli_error:ratio_rate6h', 'slo:sli_error:ratio_rate1d', 'slo:sli_error:ratio_rate3d',
      'slo:sli_total:rate5m', 'slo:sli_total:rate30m', 'slo:sli_total:rate2h', 'slo:sli_total:rate6h',
      'slo:sli_error:ratio_rate30d',
    ]);
    expect(records[0].expr).toBe('(sum(rate(http_requests_total{job="checkout", code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{job="checkout"}[5m]))');
    expect(records[0].labels).toEqual({ team: 'payments', slo: 'checkout-availability', service: 'checkout' });
    const latency = recordsOf(sources).find((r) => r.labels?.slo === 'search-latency')!;
    expect(latency.expr).toBe('(sum(rate(http_request_duration_seconds_count{job="search"}[5m])) - sum(rate(http_request_duration_seconds_bucket{job="search", le="0.3"}[5m]))) / sum(rate(http_request_duration_seconds_count{job="search"}[5m]))');
  });

  test('alerts in two tiers: critical pages on 14.4x/6x, warning tickets on 3x/1x, guarded by the short window\'s traffic', () => {
    const alerts = alertsOf(sources).filter((a) => a.labels?.slo === 'checkout-availability');
    expect(alerts.map((a) => [a.alert, a.severity, a.for, a.labels?.slo_tier])).toEqual([
      [SLO_BURN_ALERT, 'critical', '2m', 'page'],
      [SLO_BURN_ALERT, 'warning', '15m', 'ticket'],
    ]);
    expect(alerts[0].expr).toBe(
      '(slo:sli_error:ratio_rate1h{slo="checkout-availability"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo="checkout-availability"} > (14.4 * 0.001) and slo:sli_total:rate5m{slo="checkout-availability"} > 0)'
      + ' or (slo:sli_error:ratio_rate6h{slo="checkout-availability"} > (6 * 0.001) and slo:sli_error:ratio_rate30m{slo="checkout-availability"} > (6 * 0.001) and slo:sli_total:rate30m{slo="checkout-availability"} > 0)',
    );
    expect(alerts[1].expr).toContain('slo:sli_error:ratio_rate3d{slo="checkout-availability"} > (1 * 0.001)');
    expect(alerts[0].labels).toEqual({ team: 'payments', slo: 'checkout-availability', service: 'checkout', slo_tier: 'page' });
    const search = alertsOf(sources).find((a) => a.labels?.slo === 'search-latency')!;
    expect(search.expr).toContain('slo:sli_total:rate5m{slo="search-latency"} > 0.5');
  });

  test('passes the PromQL analyzer: the services\' metrics count as known (the synth would fail otherwise)', () => {
    // Errors would have thrown at render; no warning may be about the SLO rules or dashboard either.
    expect(stack.warnings.filter((d) => /slo/i.test(`${d.where} ${d.message}`))).toEqual([]);
    expect(stack.model.metrics.has('http_requests_total')).toBe(true);
    expect(stack.model.metrics.has('http_request_duration_seconds_bucket')).toBe(true);
  });

  test('brings an SLO dashboard with availability, objective, budget and burn rates per SLO', () => {
    const dashboard = stack.model.dashboards.find((d) => d.json.uid === 'o11y-slos')!;
    expect(dashboard.json.title).toBe('SLOs / Error budgets');
    const panels = JSON.stringify(dashboard.json);
    expect(panels).toContain('checkout-availability (checkout): 99.9% over 30d');
    expect(panels).toContain('search-latency (search): 99% over 28d');
    expect(panels).toContain('1 - slo:sli_error:ratio_rate30d{cluster=\\"$cluster\\", slo=\\"checkout-availability\\"} / 0.001');
    expect(panels).toContain('Availability over 28d');
  });

  test('a stack without SLOs has no slos component', () => {
    expect(render({}).objects.filter((o) => o.component === 'slos')).toEqual([]);
  });
});

describe('bad SLOs are rejected, naming the field', () => {
  const bad = (slo: Partial<SloValues>, more: SloValues[] = []) => renderError({ slos: [{ ...CHECKOUT, ...slo } as SloValues, ...more] });

  test('objective outside (0, 100)', () => {
    expect(bad({ objective: 100 })).toContain('slos[0].objective: must be a percentage above 0 and below 100, got 100');
    expect(bad({ objective: 0 })).toContain('slos[0].objective');
  });

  test('an objective whose page burn would need more than 100% errors', () => {
    expect(bad({ objective: 90 })).toMatch(/slos\[0\]\.objective: 90% leaves a budget so large that the page alert's 14.4x burn over 1h needs more than 100% errors[\s\S]*raise the objective to at least 93.06/);
  });

  test('a window that is no duration, or shorter than a day', () => {
    expect(bad({ window: '30 days' })).toContain('slos[0].window: \'30 days\' is not a Prometheus duration');
    expect(bad({ window: '12h' })).toContain('slos[0].window: \'12h\' is shorter than a day');
  });

  test('two SLOs of one name', () => {
    expect(bad({}, [{ ...CHECKOUT, service: 'other' }])).toContain("slos[1].name: 'checkout-availability' is also the name of slos[0]");
  });

  test('bad PromQL in an indicator', () => {
    expect(bad({ indicator: { ratio: { errors: 'http_requests_total{code=~"5.."', total: 'http_requests_total' } } })).toContain('slos[0].indicator.ratio.errors:');
    expect(bad({ indicator: { ratio: { errors: 'sum(rate(x_total[5m]))', total: 'x_total' } } })).toContain('slos[0].indicator.ratio.errors: \'sum(rate(x_total[5m]))\' is neither a counter selector nor an expression with [$window]');
    expect(bad({ indicator: { ratio: { errors: 'rate(x_errors_total[$window]) +', total: 'x_total' } } })).toContain('slos[0].indicator.ratio.errors: \'rate(x_errors_total[$window]) +\' is not valid PromQL');
    expect(bad({ indicator: { latency: { histogram: 'x_seconds_bucket', threshold: 'fast' } } })).toMatch(/indicator\.latency\.histogram[\s\S]*indicator\.latency\.threshold: 'fast' is not a bucket boundary/);
    expect(bad({ indicator: { latency: { histogram: 'x_seconds', threshold: '0.3', selector: '{le="1"}' } } })).toContain('slos[0].indicator.latency.selector: matches le or __name__');
  });

  test('an expression with $window is taken as written, its rate per window', () => {
    const slo: SloValues = { ...CHECKOUT, indicator: { ratio: { errors: 'rate(a_errors_total[$window]) + rate(b_errors_total[$window])', total: 'rate(requests_total[$window])' } } };
    const records = recordsOf(rulesOf({ slos: [slo] }).sources);
    expect(records[1].expr).toBe('(sum(rate(a_errors_total[30m]) + rate(b_errors_total[30m])) or vector(0)) / sum(rate(requests_total[30m]))');
  });

  test('labels the rules set themselves, bad durations and a negative minTraffic', () => {
    expect(bad({ labels: { slo_tier: 'x' } })).toContain('slos[0].labels.slo_tier: is a label the SLO rules set themselves');
    expect(bad({ alerting: { pageFor: '2 minutes' } })).toContain('slos[0].alerting.pageFor');
    expect(bad({ alerting: { minTraffic: -1 } })).toContain('slos[0].alerting.minTraffic: must be a number of events per second of at least 0, got -1');
  });
});

describe('the generated promtool tests', () => {
  const { sources, evaluationInterval } = rulesOf({ slos: [CHECKOUT, LATENCY], rules: { extraLabels: { env: 'prod' } } });
  const cases = sloTestCases([CHECKOUT, LATENCY], sources);
  const burn = (slo: string, tier: string) => alertsOf(sources).find((a) => a.labels?.slo === slo && a.labels?.slo_tier === tier)!;
  /** The burn alerts of an SLO that must be firing: the labels come from the rendered rule. */
  const firing = (slo: string, at: string, tiers: string[]): AlertCheck => ({
    at, alert: SLO_BURN_ALERT, rule: burn(slo, 'page'), expect: tiers.map((t): Record<string, string> => (t === 'page' ? {} : { slo_tier: 'ticket', severity: 'warning' })),
  });

  test('are a fast burn, a slow burn, a burn within budget per SLO, and an idle service with minTraffic', () => {
    expect(cases.map((c) => c.name)).toEqual([
      'SLO checkout-availability: a fast burn (every event failing) pages',
      'SLO checkout-availability: a slow burn (4.5x the budget) opens a ticket and does not page',
      'SLO checkout-availability: a burn within budget (half of it) stays silent',
      'SLO search-latency: a fast burn (every event failing) pages',
      'SLO search-latency: a slow burn (4.5x the budget) opens a ticket and does not page',
      'SLO search-latency: a burn within budget (half of it) stays silent',
      'SLO search-latency: a service below minTraffic (0.5/s) does not page, whatever fails',
    ]);
  });

  testWithTool('promtool', 'pass in promtool, against the rules as rendered (extra labels included)', () => {
    const result = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, evaluationInterval));
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });

  testWithTool('promtool', 'fail when an alert is broken: page thresholds of 100% errors never page', () => {
    const broken = sources.map((s) => (s.component !== 'slos' ? s : {
      ...s,
      groups: s.groups.map((g) => ({ ...g, rules: g.rules.map((r) => (isAlert(r) && r.labels?.slo_tier === 'page' ? { ...r, expr: r.expr.replace(/14\.4 \*/g, '1000 *').replace(/\(6 \*/g, '(1000 *') } : r)) })),
    }));
    const brokenCases = sloTestCases([CHECKOUT], broken);
    const run = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(broken, brokenCases, evaluationInterval));
    const results = parsePromtoolOutput(run.output, brokenCases);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      [brokenCases[0].name, false],
      [brokenCases[1].name, true],
      [brokenCases[2].name, true],
    ]);
  });

  testWithTool('promtool', 'the recording rules over real counters: 2% errors page, 0.45% open a ticket, 0.05% stay silent', () => {
    // Raw series this time: the user's own expressions, through the recorded ratios, to the alerts.
    const total = (perMinute: number) => ({ series: 'http_requests_total{job="checkout", code="200"}', values: `0+${perMinute}x40` });
    const errors = (perMinute: number) => ({ series: 'http_requests_total{job="checkout", code="503"}', values: `0+${perMinute}x40` });
    const raw: PromtoolTestCase[] = [
      { name: 'raw fast', input: [total(980), errors(20)], checks: [firing('checkout-availability', '10m', ['page'])] },
      { name: 'raw slow', input: [total(9955), errors(45)], checks: [firing('checkout-availability', '20m', ['ticket'])] },
      { name: 'raw fine', input: [total(9995), errors(5)], checks: [firing('checkout-availability', '20m', [])] },
      // No 5xx series at all: the ratio is 0, not missing, and nothing fires.
      { name: 'raw no errors yet', input: [total(1000)], checks: [firing('checkout-availability', '20m', [])] },
    ];
    const run = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, raw, evaluationInterval));
    expect(run.output).not.toContain('FAILED');
    expect(run.status).toBe(0);
  });

  testWithTool('promtool', 'the latency indicator over a real histogram: slow requests page, an idle service does not', () => {
    const histogram = (perMinute: number, fastPerMinute: number) => [
      { series: 'http_request_duration_seconds_count{job="search"}', values: `0+${perMinute}x40` },
      { series: 'http_request_duration_seconds_bucket{job="search", le="0.3"}', values: `0+${fastPerMinute}x40` },
      { series: 'http_request_duration_seconds_bucket{job="search", le="+Inf"}', values: `0+${perMinute}x40` },
    ];
    const raw: PromtoolTestCase[] = [
      // 600/min = 10/s, half of them slower than 0.3s: a 50x burn of a 1% budget.
      { name: 'latency fast', input: histogram(600, 300), checks: [firing('search-latency', '10m', ['page'])] },
      // 6/min = 0.1/s, below minTraffic 0.5/s: all slow, and still no page.
      { name: 'latency idle', input: histogram(6, 0), checks: [firing('search-latency', '10m', [])] },
      { name: 'latency fine', input: histogram(600, 599), checks: [firing('search-latency', '20m', [])] },
    ];
    const run = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, raw, evaluationInterval));
    expect(run.output).not.toContain('FAILED');
    expect(run.status).toBe(0);
  });

  testWithTool('promtool', 'promtool check rules accepts the SLO rules', () => {
    const { renderGroups } = require('../../src/rules/render');
    const { toYaml } = require('../../src/core/yaml');
    const groups = sources.filter((s) => s.component === 'slos').flatMap((s) => s.groups);
    const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(renderGroups(groups, 'https://runbooks.invalid')) });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe('o11y test', () => {
  const CLI = path.resolve(__dirname, '..', '..', 'build', 'src', 'cli', 'main.js');

  testWithTool('promtool', 'runs every SLO\'s generated tests with promtool', () => {
    if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
    const file = path.join(tempFolder('o11y-slo-test-'), 'shop.ts');
    fs.writeFileSync(file, `import { defineStack } from 'cdk8s-o11y';
export default defineStack({ slos: [${JSON.stringify(CHECKOUT)}] });
`);
    const run = spawnSync(process.execPath, [CLI, 'test', file], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('  PASS  SLO checkout-availability: a fast burn (every event failing) pages');
    expect(run.stdout).toContain('  PASS  SLO checkout-availability: a slow burn (4.5x the budget) opens a ticket and does not page');
    expect(run.stdout).toContain('  PASS  SLO checkout-availability: a burn within budget (half of it) stays silent');
    expect(run.stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(run.status).toBe(0);
  }, 120000);
});
