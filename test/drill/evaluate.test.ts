// The evaluator the chaos contracts use at synth, held to promtool: on every test case of the catalogue it must see
// the alerts promtool sees (those cases are proven with promtool by the catalogue's own tests), and where it does
// not know an expression it must say so rather than guess.
import { defineStack } from '../../src';
import { firingAt, playAlert, type PlayOptions } from '../../src/simulation/evaluate';
import { durationSeconds } from '../../src/core/durations';
import { vectorSelectors } from '../../src/promql/parse';
import { buildStack } from '../../src/synth/pipeline';
import { isAlert, type AlertCase, type AlertDefinition } from '../../src/rules/types';

const stack = buildStack({ definition: defineStack({}), name: 'd', source: 'x' });
stack.finalize();
const alerts = stack.rules.effective().flatMap((s) => s.groups).flatMap((g) => g.rules).filter(isAlert);

const promtoolLike = (interval: string): PlayOptions => {
  const step = durationSeconds(interval);
  return { scrapeSeconds: step, evaluationSeconds: step, stepSeconds: step, samples: 'promtool' };
};
const alert = (expr: string, extra: Partial<AlertDefinition> = {}): AlertDefinition => ({ alert: 'A', expr, severity: 'warning', summary: 's', description: 'd', ...extra });
const sorted = (labels: ReadonlyArray<Record<string, string>>) => labels.map((l) => JSON.stringify(Object.entries(l).sort())).sort();

describe('the evaluator against the catalogue\'s test cases', () => {
  test('sees what promtool sees, at each case\'s time, for every alert that reads raw series', () => {
    const disagreements: string[] = [];
    let evaluated = 0;
    const check = (a: AlertDefinition, kind: string, c: AlertCase): void => {
      const firing = firingAt(a, c.input, promtoolLike(c.interval ?? '1m'), durationSeconds(c.at));
      if ('unknown' in firing) {
        disagreements.push(`${a.alert} ${kind}: unknown (${firing.unknown})`);
        return;
      }
      evaluated++;
      // As Prometheus labels an alert: its rule's labels over the series', its own name; severity is the rule's too.
      const asAlert = (labels: Record<string, string>) => {
        const { alertname: _name, severity: _severity, ...rest } = { ...labels, ...a.labels };
        return rest;
      };
      // Cases of a name's other variant carry its severity.
      const expected = c.expect.filter((e) => e.severity === undefined || e.severity === a.severity).map(asAlert);
      const got = firing.map(asAlert);
      if (sorted(got).join() !== sorted(expected).join()) disagreements.push(`${a.alert} ${kind} at ${c.at}: ${JSON.stringify(got)}, promtool ${JSON.stringify(expected)}`);
    };
    for (const a of alerts) {
      // Recording rules are not played: the simulations make raw series only, and the contracts leave these alone.
      if (!a.tests || vectorSelectors(a.expr).some((s) => s.name.includes(':'))) continue;
      check(a, 'fires', a.tests.fires);
      if ('input' in a.tests.silent) check(a, 'silent', a.tests.silent);
    }
    expect(disagreements).toEqual([]);
    expect(evaluated).toBeGreaterThan(150);
  });
});

describe('playing an alert', () => {
  const exporter: PlayOptions = { scrapeSeconds: 60, evaluationSeconds: 60 };

  test('`for` holds from the first evaluation the condition is true, at any scrape and evaluation interval', () => {
    const series = [{ series: 'up{job="a"}', values: '1x2 0x20 1' }];
    expect(playAlert(alert('up == 0', { for: '5m' }), series, exporter)).toEqual({ firesAt: 480 });
    expect(playAlert(alert('up == 0', { for: '5m' }), series, { scrapeSeconds: 30, evaluationSeconds: 15 })).toEqual({ firesAt: 480 });
    expect(playAlert(alert('up == 0', { for: '30m' }), series, exporter)).toEqual({ firesAt: null });
  });

  test('from the drill\'s exporter a missing value is a series gone; in promtool\'s input a sample is seen for 5 minutes', () => {
    const series = [{ series: 'x{job="a"}', values: '0 0 1 _ _ 0' }];
    expect(firingAt(alert('x == 1'), series, exporter, 180)).toEqual([]);
    expect(firingAt(alert('x == 1'), series, promtoolLike('1m'), 180)).toEqual([{ job: 'a' }]);
    // After the last value the exporter serves it on, as the drill's does.
    expect(firingAt(alert('x == 0'), series, exporter, 3600)).toEqual([{ job: 'a' }]);
  });

  test('rate and increase extrapolate as Prometheus does', () => {
    const series = [{ series: 'c_total{job="a"}', values: '0+60x20' }];
    expect(firingAt(alert('rate(c_total[5m]) == 1'), series, exporter, 900)).toEqual([{ job: 'a' }]);
    expect(firingAt(alert('increase(c_total[5m]) == 300'), series, exporter, 900)).toEqual([{ job: 'a' }]);
    // A counter that restarts (a replaced pod's) counts on from its reset.
    const reset = [{ series: 'c_total{job="a"}', values: '0+60x10 0+60x10' }];
    expect(firingAt(alert('increase(c_total[5m]) == 225'), reset, exporter, 720)).toEqual([{ job: 'a' }]);
  });

  test('what it does not know, it says so', () => {
    const series = [{ series: 'x{job="a"}', values: '1x10' }];
    expect(playAlert(alert('x @ 100 > 0'), series, exporter)).toEqual({ unknown: expect.stringContaining('@') });
    expect(playAlert(alert('double_exponential_smoothing(x[5m], 0.5, 0.5) > 0'), series, exporter)).toEqual({ unknown: 'the function double_exponential_smoothing' });
  });

  test('"never" needs every join to have matched once: sides whose labels never line up are unknown', () => {
    const series = [{ series: 'a{pod="p"}', values: '1x10' }, { series: 'b{node="n"}', values: '1x10' }];
    expect(playAlert(alert('a > 0 and on (node) b > 0'), series, exporter)).toEqual({ unknown: expect.stringContaining('never line up') });
    // A join that matched once and then no longer is an answer: it never fires.
    const lined = [{ series: 'a{node="n"}', values: '1x10' }, { series: 'b{node="n"}', values: '1 0x9' }];
    expect(playAlert(alert('a > 0 and on (node) b > 0', { for: '5m' }), lined, exporter)).toEqual({ firesAt: null });
  });
});
