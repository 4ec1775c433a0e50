import { parsePromQL, type LabelSet } from '../../src/promql/parse';
import { durationSeconds } from '../../src/core/durations';

function labels(expr: string): string {
  const set = parsePromQL(expr).resultLabels as LabelSet;
  if (set.kind === 'closed') return `closed(${[...set.labels].sort().join(',')})`;
  if (set.kind === 'open') return `open(-${[...set.removed].sort().join(',')} +${[...set.added].sort().join(',')})`;
  return 'scalar';
}

describe('PromQL facts from the Prometheus grammar', () => {
  test('a syntax error is located by column', () => {
    expect(parsePromQL('sum(rate(x[5m])').syntaxErrors).toEqual([{ column: 16, near: 'ate(x[5m])' }]);
    expect(parsePromQL('up{job="x"').syntaxErrors.length).toBeGreaterThan(0);
    expect(parsePromQL('').syntaxErrors.length).toBe(1);
    expect(parsePromQL('sum by (job) (up)').syntaxErrors).toEqual([]);
  });

  test('selected metric names, including {__name__="..."}', () => {
    expect(parsePromQL('a / on(x) group_left b{c="d"} or {__name__="e", f="g"} or {__name__=~"h.*"}').metrics.map((m) => m.name)).toEqual(['a', 'b', 'e']);
  });

  test('range selectors with the function that reads them', () => {
    expect(parsePromQL('sum(rate(x_total[1m])) + max_over_time(y[10m:1m])').ranges.map((r) => [r.fn, r.seconds, r.metric])).toEqual([
      ['rate', 60, 'x_total'], ['max_over_time', 600, 'y'],
    ]);
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('5x')).toBeNaN();
  });

  describe('label flow: which labels the result carries', () => {
    test.each([
      ['up == 0', 'open(- +)'],
      ['sum by (namespace) (rate(x_total[5m])) > 1', 'closed(namespace)'],
      ['sum(x) by (job, instance)', 'closed(instance,job)'],
      ['sum without (pod) (x)', 'open(-pod +)'],
      ['count(x)', 'closed()'],
      ['count_values("version", x)', 'closed(version)'],
      ['topk(3, x)', 'open(- +)'],
      ['histogram_quantile(0.99, sum by (le, verb) (rate(x_bucket[5m])))', 'closed(verb)'],
      ['absent(up{job="kubelet", metrics_path!="/x"})', 'closed(job)'],
      ['absent(up{job="kubelet"} == 1)', 'closed()'],
      ['absent_over_time(up{job="kubelet"}[5m])', 'closed(job)'],
      ['vector(1)', 'closed()'],
      ['a / on (namespace) b', 'closed(namespace)'],
      ['a / ignoring (pod) b', 'open(-pod +)'],
      ['a * on (namespace) group_left (team) b', 'open(- +team)'],
      ['a * on (namespace) group_right (owner) b', 'open(- +owner)'],
      ['sum by (a) (x) and on (a) y', 'closed(a)'],
      ['label_replace(sum by (a) (x), "b", "$1", "a", "(.*)")', 'closed(a,b)'],
      ['100 * sum by (job) (x) / 3', 'closed(job)'],
      ['time() - 3', 'scalar'],
    ])('%s -> %s', (expr, expected) => {
      expect(labels(expr)).toBe(expected);
    });
  });
});
