// Plays an alert over series in promtool's notation as Prometheus would, without Prometheus: each series scraped
// every `scrapeSeconds` (a value per step, held within its step and after the last, as the drill's exporter serves
// them; a missing value is a series gone, as when kube-state-metrics drops a deleted pod), the expression evaluated
// every `evaluationSeconds`, `for` held. The chaos contracts use it at synth to tell whether the simulation of an
// experiment can set an alert off at all.
// It knows the operators and functions alerts are written with; anything else, and any join whose sides the
// simulation's series do not line up for, makes it answer `unknown`: such questions are left to the drill.
import { parser } from '@prometheus-io/lezer-promql';
import { durationSeconds } from '../core/durations';
import { expandSeries, parseSeries } from '../promql/series';
import { children, unquote } from '../promql/parse';
import type { SeriesInput } from '../rules/types';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];
type Labels = Readonly<Record<string, string>>;

interface Point { readonly t: number; readonly v: number }
interface Sample { readonly labels: Labels; readonly value: number }
interface Range { readonly labels: Labels; readonly points: Point[] }

type Value =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'vector'; readonly samples: Sample[] }
  /** `from` and `to` (ms) bound the range, for rate's extrapolation. */
  | { readonly kind: 'matrix'; readonly ranges: Range[]; readonly from: number; readonly to: number };

/** When the alert first fires, in seconds after time zero (null: never); or why this evaluator cannot tell. */
export type Played = { readonly firesAt: number | null } | { readonly unknown: string };

export interface PlayOptions {
  readonly scrapeSeconds: number;
  readonly evaluationSeconds: number;
  /** How long each value of the series lasts. @default 60 */
  readonly stepSeconds?: number;
  /**
   * `exporter` (the default): the drill's exporter serves a value per step, scraped every `scrapeSeconds`; a missing
   * value is a series gone, and the last values are served on after the end. `promtool`: a sample per step, `_` none,
   * each sample seen for 5 minutes, as promtool reads a test case's input.
   */
  readonly samples?: 'exporter' | 'promtool';
}

class Unsupported extends Error {}

const LOOKBACK_MS = 5 * 60000;

interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
  readonly regex?: RegExp;
}

/** The labels of a series as the simulations write them: `{a="b", c="d"}`. */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")/g)) labels[m[1]] = JSON.parse(m[2]) as string;
  return labels;
}

function matches(m: Matcher, labels: Labels): boolean {
  const value = labels[m.label] ?? '';
  switch (m.op) {
    case '=': return value === m.value;
    case '!=': return value !== m.value;
    case '=~': return m.regex!.test(value);
    default: return !m.regex!.test(value);
  }
}

// Label sets are read at every evaluation: what is derived from one is kept with it (the same series keep the same
// label objects from evaluation to evaluation).
const unnamed = new WeakMap<Labels, Labels>();
const keys = new WeakMap<Labels, string>();
const signatures = new WeakMap<Labels, Map<string, string>>();

const withoutName = (labels: Labels): Labels => {
  if (!('__name__' in labels)) return labels;
  let rest = unnamed.get(labels);
  if (!rest) {
    const { __name__: _name, ...others } = labels;
    unnamed.set(labels, (rest = others));
  }
  return rest;
};

function keyOf(labels: Labels): string {
  let key = keys.get(labels);
  if (key === undefined) keys.set(labels, (key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))));
  return key;
}

const derivations = new WeakMap<Labels, Map<string, Labels>>();

/** Labels made from `labels` by a rule named `how`, made once: equal inputs then give the same (cached) object. */
function derived(labels: Labels, how: string, make: () => Labels): Labels {
  let made = derivations.get(labels);
  if (!made) derivations.set(labels, (made = new Map()));
  let out = made.get(how);
  if (!out) made.set(how, (out = make()));
  return out;
}

/** The identity two samples are matched by: the `on` labels, or every label but the `ignoring` ones and the name. */
function signature(labels: Labels, on: boolean, names: readonly string[]): string {
  const by = `${on}:${names.join(',')}`;
  let known = signatures.get(labels);
  if (!known) signatures.set(labels, (known = new Map()));
  let sig = known.get(by);
  if (sig === undefined) {
    sig = on
      ? JSON.stringify(names.map((n) => labels[n] ?? ''))
      : JSON.stringify(Object.entries(labels).filter(([k]) => k !== '__name__' && !names.includes(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    known.set(by, sig);
  }
  return sig;
}

/** The series, scraped: what an instant or range selector sees at a time (ms after time zero). */
class Store {
  private readonly series: Array<{ readonly labels: Labels; readonly values: Array<number | undefined> }>;
  private readonly sampleMs: number;

  constructor(input: readonly SeriesInput[], private readonly stepMs: number, scrapeMs: number, private readonly exporter: boolean) {
    this.series = input.map((s) => {
      const { name, labels } = parseSeries(s.series);
      return { labels: { ...parseLabels(labels), __name__: name }, values: expandSeries(s.values) };
    });
    this.sampleMs = exporter ? scrapeMs : stepMs;
  }

  /** Steps the series cover. */
  get steps(): number {
    return Math.max(0, ...this.series.map((s) => s.values.length));
  }

  /** The sample taken at `at` (a multiple of sampleMs), if any. */
  private sample(values: ReadonlyArray<number | undefined>, at: number): number | undefined {
    const step = Math.floor(at / this.stepMs);
    return this.exporter ? values[Math.min(step, values.length - 1)] : values[step];
  }

  /** The series a selector's matchers pick, by the (cached) matchers' identity. */
  private readonly picked = new Map<readonly Matcher[], Array<{ readonly labels: Labels; readonly values: Array<number | undefined> }>>();

  private selected(matchers: readonly Matcher[]) {
    let series = this.picked.get(matchers);
    if (!series) this.picked.set(matchers, (series = this.series.filter((s) => matchers.every((m) => matches(m, s.labels)))));
    return series;
  }

  /** The latest sample at or before `t`: from the exporter, the last scrape (a series missing from it is stale). */
  instant(matchers: readonly Matcher[], t: number): Sample[] {
    if (t < 0) return [];
    const latest = Math.floor(t / this.sampleMs);
    const oldest = this.exporter ? latest : Math.max(0, Math.floor((t - LOOKBACK_MS) / this.sampleMs) + 1);
    return this.selected(matchers).flatMap((s) => {
      for (let n = latest; n >= oldest; n--) {
        const value = this.sample(s.values, n * this.sampleMs);
        if (value !== undefined) return [{ labels: s.labels, value }];
      }
      return [];
    });
  }

  /** Every sample in (t - rangeMs, t]. */
  range(matchers: readonly Matcher[], t: number, rangeMs: number): Range[] {
    const first = Math.max(0, Math.floor((t - rangeMs) / this.sampleMs) + 1);
    const last = Math.floor(t / this.sampleMs);
    return this.selected(matchers).flatMap((s) => {
      const points: Point[] = [];
      for (let n = first; n <= last; n++) {
        const v = this.sample(s.values, n * this.sampleMs);
        if (v !== undefined) points.push({ t: n * this.sampleMs, v });
      }
      return points.length ? [{ labels: s.labels, points }] : [];
    });
  }
}

const EXPRESSIONS = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'NumberLiteral', 'OffsetExpr',
  'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);
const isExpression = (node: SyntaxNode) => EXPRESSIONS.has(node.name);

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b,
  Mod: (a, b) => a % b, Pow: (a, b) => a ** b, Atan2: (a, b) => Math.atan2(a, b),
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  Eql: (a, b) => a === b, Neq: (a, b) => a !== b, Gtr: (a, b) => a > b, Lss: (a, b) => a < b, Gte: (a, b) => a >= b, Lte: (a, b) => a <= b,
};
const SET_OPERATORS = new Set(['And', 'Or', 'Unless']);

const MATH: Record<string, (v: number) => number> = {
  abs: Math.abs, ceil: Math.ceil, floor: Math.floor, exp: Math.exp, ln: Math.log, log2: Math.log2, log10: Math.log10,
  sqrt: Math.sqrt, sgn: Math.sign,
};

/** Prometheus' quantile of sorted values (as `quantile` and `quantile_over_time` compute it). */
function quantile(q: number, values: number[]): number {
  if (!values.length || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

/** Prometheus' bucketQuantile for classic histograms. */
function bucketQuantile(q: number, input: Array<{ upper: number; count: number }>): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upper - b.upper);
  if (!sorted.length || sorted[sorted.length - 1].upper !== Infinity) return NaN;
  const buckets: Array<{ upper: number; count: number }> = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else buckets.push({ ...b });
  }
  for (let i = 1; i < buckets.length; i++) buckets[i].count = Math.max(buckets[i].count, buckets[i - 1].count);
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b === -1) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upper;
  if (b === 0 && buckets[0].upper <= 0) return buckets[0].upper;
  let start = 0;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].upper - start) * (rank / count);
}

/** rate, increase and delta as Prometheus extrapolates them to the range's bounds. */
function extrapolated(points: Point[], from: number, to: number, counter: boolean, perSecond: boolean): number | undefined {
  if (points.length < 2) return undefined;
  const first = points[0];
  const last = points[points.length - 1];
  let result = last.v - first.v;
  if (counter) for (let i = 1; i < points.length; i++) if (points[i].v < points[i - 1].v) result += points[i - 1].v;
  let toStart = (first.t - from) / 1000;
  let toEnd = (to - last.t) / 1000;
  const sampled = (last.t - first.t) / 1000;
  const average = sampled / (points.length - 1);
  const threshold = average * 1.1;
  if (toStart >= threshold) toStart = average / 2;
  if (counter && result > 0 && first.v >= 0) toStart = Math.min(toStart, sampled * (first.v / result));
  if (toEnd >= threshold) toEnd = average / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (perSecond) factor /= (to - from) / 1000;
  return result * factor;
}

/** Slope and intercept (at `at`, ms) of the least-squares line through the points, as Prometheus computes them. */
function regression(points: Point[], at: number): { slope: number; intercept: number } {
  if (points.every((p) => p.v === points[0].v)) return { slope: 0, intercept: points[0].v };
  let n = 0, sumX = 0, sumY = 0, sumXY = 0, sumX2 = 0;
  for (const p of points) {
    const x = (p.t - at) / 1000;
    n++;
    sumX += x;
    sumY += p.v;
    sumXY += x * p.v;
    sumX2 += x * x;
  }
  const slope = (sumXY - (sumX * sumY) / n) / (sumX2 - (sumX * sumX) / n);
  return { slope, intercept: sumY / n - (slope * sumX) / n };
}

const OVER_TIME: Record<string, (values: number[]) => number> = {
  avg_over_time: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  min_over_time: (v) => v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a)),
  max_over_time: (v) => v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a)),
  sum_over_time: (v) => v.reduce((a, b) => a + b, 0),
  count_over_time: (v) => v.length,
  last_over_time: (v) => v[v.length - 1],
  present_over_time: () => 1,
  stdvar_over_time: (v) => variance(v),
  stddev_over_time: (v) => Math.sqrt(variance(v)),
};

function variance(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

class Evaluator {
  /** Joins (by their text's span) whose sides both had series, and whether they ever matched. */
  private readonly joins = new Map<string, boolean>();

  constructor(private readonly source: string, private readonly store: Store, private readonly evaluationMs: number) {}

  /** A join whose sides had series but never matched: the simulation did not give them the labels it joins on. */
  unalignedJoin(): string | undefined {
    const span = [...this.joins].find(([, matched]) => !matched)?.[0];
    if (span === undefined) return undefined;
    const [from, to] = span.split('-').map(Number);
    return `the simulated series never line up for ${this.source.slice(from, to).replace(/\s+/g, ' ')}`;
  }

  private joined(node: SyntaxNode, bothSides: boolean, matched: boolean): void {
    const span = `${node.from}-${node.to}`;
    if (bothSides) this.joins.set(span, (this.joins.get(span) ?? false) || matched);
  }

  private text(node: SyntaxNode): string {
    return this.source.slice(node.from, node.to);
  }

  private durationMs(node: SyntaxNode): number {
    const text = this.text(node).trim();
    const negative = text.startsWith('-');
    const seconds = durationSeconds(negative ? text.slice(1).trim() : text);
    if (Number.isNaN(seconds)) throw new Unsupported(`the duration ${text}`);
    return (negative ? -1 : 1) * seconds * 1000;
  }

  /** A selector's matchers, parsed once: selectors are read at every evaluation. */
  private readonly parsedMatchers = new Map<number, Matcher[]>();

  private matchers(selector: SyntaxNode): Matcher[] {
    let matchers = this.parsedMatchers.get(selector.from);
    if (!matchers) this.parsedMatchers.set(selector.from, (matchers = this.parseMatchers(selector)));
    return matchers;
  }

  private parseMatchers(selector: SyntaxNode): Matcher[] {
    const out: Matcher[] = [];
    const identifier = selector.getChild('Identifier');
    if (identifier) out.push({ label: '__name__', op: '=', value: this.text(identifier) });
    const list = selector.getChild('LabelMatchers');
    for (const m of list ? children(list) : []) {
      const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
      const op = m.getChild('MatchOp');
      const value = m.getChild('StringLiteral');
      if (!name) continue;
      const label = name.name === 'QuotedLabelName' ? unquote(this.text(name)) : this.text(name);
      if (!op || !value) {
        out.push({ label: '__name__', op: '=', value: label });
        continue;
      }
      const matcher = { label, op: this.text(op), value: unquote(this.text(value)) };
      if (matcher.op === '=~' || matcher.op === '!~') {
        try {
          out.push({ ...matcher, regex: new RegExp(`^(?:${matcher.value})$`, 's') });
        } catch {
          throw new Unsupported(`the regular expression ${matcher.value}`);
        }
      } else out.push(matcher);
    }
    return out;
  }

  private vector(node: SyntaxNode, t: number): Sample[] {
    const value = this.evaluate(node, t);
    if (value.kind !== 'vector') throw new Unsupported(`${this.text(node)} where a vector is expected`);
    return value.samples;
  }

  private matrix(node: SyntaxNode, t: number): Extract<Value, { kind: 'matrix' }> {
    const value = this.evaluate(node, t);
    if (value.kind !== 'matrix') throw new Unsupported(`${this.text(node)} where a range is expected`);
    return value;
  }

  private scalar(node: SyntaxNode, t: number): number {
    const value = this.evaluate(node, t);
    if (value.kind !== 'scalar') throw new Unsupported(`${this.text(node)} where a number is expected`);
    return value.value;
  }

  evaluate(node: SyntaxNode, t: number): Value {
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr': {
        const inner = children(node).find(isExpression);
        if (!inner) throw new Unsupported(this.text(node));
        return this.evaluate(inner, t);
      }
      case 'NumberDurationLiteral':
      case 'NumberLiteral':
        return { kind: 'scalar', value: this.number(this.text(node)) };
      case 'StringLiteral':
        return { kind: 'string', value: unquote(this.text(node)) };
      case 'VectorSelector':
        return { kind: 'vector', samples: this.store.instant(this.matchers(node), t) };
      case 'MatrixSelector': {
        const [selector, range] = children(node);
        if (selector?.name !== 'VectorSelector' || range?.name !== 'DurationExpr') throw new Unsupported(this.text(node));
        const rangeMs = this.durationMs(range);
        return { kind: 'matrix', ranges: this.store.range(this.matchers(selector), t, rangeMs), from: t - rangeMs, to: t };
      }
      case 'OffsetExpr': {
        const [inner] = children(node);
        const offset = node.getChild('OffsetDurationExpr');
        if (!inner || !offset) throw new Unsupported(this.text(node));
        return this.evaluate(inner, t - this.durationMs(offset));
      }
      case 'SubqueryExpr':
        return this.subquery(node, t);
      case 'UnaryExpr': {
        const operand = children(node).find(isExpression)!;
        const negative = this.text(node.getChild('UnaryOp')!) === '-';
        const value = this.evaluate(operand, t);
        if (value.kind === 'scalar') return { kind: 'scalar', value: negative ? -value.value : value.value };
        if (value.kind !== 'vector') throw new Unsupported(this.text(node));
        return negative ? { kind: 'vector', samples: value.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })) } : value;
      }
      case 'AggregateExpr':
        return this.aggregate(node, t);
      case 'FunctionCall':
        return this.call(node, t);
      case 'BinaryExpr':
        return this.binary(node, t);
      default:
        throw new Unsupported(`${node.name === 'StepInvariantExpr' ? 'the @ modifier' : node.name} (${this.text(node)})`);
    }
  }

  private number(text: string): number {
    if (/^[+-]?inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/i.test(text)) return NaN;
    const value = Number(text);
    if (!Number.isNaN(value)) return value;
    const seconds = durationSeconds(text);
    if (Number.isNaN(seconds)) throw new Unsupported(`the number ${text}`);
    return seconds;
  }

  private subquery(node: SyntaxNode, t: number): Value {
    const [inner, ...rest] = children(node);
    const durations = rest.filter((c) => c.name === 'DurationExpr');
    if (!inner || !durations.length) throw new Unsupported(this.text(node));
    const rangeMs = this.durationMs(durations[0]);
    const stepMs = durations[1] ? this.durationMs(durations[1]) : this.evaluationMs;
    const ranges = new Map<string, { labels: Labels; points: Point[] }>();
    // Subquery steps are aligned to multiples of the step, as Prometheus aligns them.
    for (let at = (Math.floor((t - rangeMs) / stepMs) + 1) * stepMs; at <= t; at += stepMs) {
      for (const s of this.vector(inner, at)) {
        const key = keyOf(s.labels);
        const range = ranges.get(key) ?? { labels: s.labels, points: [] };
        range.points.push({ t: at, v: s.value });
        ranges.set(key, range);
      }
    }
    return { kind: 'matrix', ranges: [...ranges.values()], from: t - rangeMs, to: t };
  }

  private groupingLabels(list: SyntaxNode | null | undefined): string[] {
    return list ? children(list).filter((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName').map((c) => (c.name === 'QuotedLabelName' ? unquote(this.text(c)) : this.text(c))) : [];
  }

  private aggregate(node: SyntaxNode, t: number): Value {
    const op = this.text(node.getChild('AggregateOp')!);
    const modifier = node.getChild('AggregateModifier');
    const grouping = this.groupingLabels(modifier?.getChild('GroupingLabels'));
    const without = Boolean(modifier?.getChild('Without'));
    const args = children(node.getChild('FunctionCallBody')!).filter(isExpression);
    const samples = this.vector(args[args.length - 1], t);
    const how = `${without ? 'without' : 'by'}(${grouping.join(',')})`;
    const groupLabels = (labels: Labels): Labels => derived(labels, how, () => without
      ? Object.fromEntries(Object.entries(labels).filter(([k]) => k !== '__name__' && !grouping.includes(k)))
      : Object.fromEntries(grouping.filter((g) => labels[g] !== undefined && labels[g] !== '').map((g) => [g, labels[g]])));
    if (op === 'count_values') return this.countValues(this.string(args[0], t), samples, groupLabels);
    const param = args.length > 1 ? this.scalar(args[0], t) : undefined;
    const groups = new Map<string, { labels: Labels; members: Sample[] }>();
    for (const s of samples) {
      const labels = groupLabels(s.labels);
      const key = keyOf(labels);
      const group = groups.get(key) ?? { labels, members: [] };
      group.members.push(s);
      groups.set(key, group);
    }
    const each = (reduce: (values: number[]) => number): Value => ({
      kind: 'vector',
      samples: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(g.members.map((m) => m.value)) })),
    });
    switch (op) {
      case 'sum': return each((v) => v.reduce((a, b) => a + b, 0));
      case 'avg': return each((v) => v.reduce((a, b) => a + b, 0) / v.length);
      case 'min': return each(OVER_TIME.min_over_time);
      case 'max': return each(OVER_TIME.max_over_time);
      case 'count': return each((v) => v.length);
      case 'group': return each(() => 1);
      case 'stddev': return each((v) => Math.sqrt(variance(v)));
      case 'stdvar': return each(variance);
      case 'quantile': return each((v) => quantile(param!, v));
      case 'topk':
      case 'bottomk': {
        const k = Math.floor(param ?? 0);
        const order = op === 'topk' ? (a: Sample, b: Sample) => b.value - a.value : (a: Sample, b: Sample) => a.value - b.value;
        return { kind: 'vector', samples: [...groups.values()].flatMap((g) => [...g.members].sort(order).slice(0, Math.max(0, k))) };
      }
      default:
        throw new Unsupported(`the aggregation ${op}`);
    }
  }

  private countValues(label: string, samples: Sample[], groupLabels: (labels: Labels) => Labels): Value {
    const counts = new Map<string, { labels: Labels; value: number }>();
    for (const s of samples) {
      const labels = { ...groupLabels(s.labels), [label]: String(s.value) };
      const key = keyOf(labels);
      counts.set(key, { labels, value: (counts.get(key)?.value ?? 0) + 1 });
    }
    return { kind: 'vector', samples: [...counts.values()] };
  }

  private call(node: SyntaxNode, t: number): Value {
    const fn = this.text(node.getChild('FunctionIdentifier')!);
    const args = children(node.getChild('FunctionCallBody')!).filter(isExpression);
    const mapped = (samples: Sample[], f: (v: number) => number): Value => ({
      kind: 'vector',
      samples: samples.map((s) => ({ labels: withoutName(s.labels), value: f(s.value) })),
    });
    // The range is the first argument, but for quantile_over_time's.
    const overRanges = (f: (points: Point[], m: Extract<Value, { kind: 'matrix' }>) => number | undefined): Value => {
      const m = this.matrix(args[fn === 'quantile_over_time' ? 1 : 0], t);
      return {
        kind: 'vector',
        samples: m.ranges.flatMap((r) => {
          const value = f(r.points, m);
          return value === undefined ? [] : [{ labels: withoutName(r.labels), value }];
        }),
      };
    };
    if (fn in MATH) return mapped(this.vector(args[0], t), MATH[fn]);
    if (fn in OVER_TIME) return overRanges((points) => OVER_TIME[fn](points.map((p) => p.v)));
    switch (fn) {
      case 'rate':
      case 'increase':
      case 'delta':
        return overRanges((points, m) => extrapolated(points, m.from, m.to, fn !== 'delta', fn === 'rate'));
      case 'irate':
      case 'idelta':
        return overRanges((points) => {
          if (points.length < 2) return undefined;
          const [a, b] = points.slice(-2);
          if (fn === 'idelta') return b.v - a.v;
          return (b.v < a.v ? b.v : b.v - a.v) / ((b.t - a.t) / 1000);
        });
      case 'changes':
      case 'resets':
        return overRanges((points) => points.slice(1).filter((p, i) => (fn === 'changes' ? p.v !== points[i].v : p.v < points[i].v)).length);
      case 'deriv':
        return overRanges((points) => (points.length < 2 ? undefined : regression(points, points[0].t).slope));
      case 'predict_linear': {
        const seconds = this.scalar(args[1], t);
        return overRanges((points) => {
          if (points.length < 2) return undefined;
          const { slope, intercept } = regression(points, t);
          return intercept + slope * seconds;
        });
      }
      case 'quantile_over_time': {
        const q = this.scalar(args[0], t);
        return overRanges((points) => quantile(q, points.map((p) => p.v)));
      }
      case 'round': {
        const nearest = args[1] ? this.scalar(args[1], t) : 1;
        return mapped(this.vector(args[0], t), (v) => Math.floor(v / nearest + 0.5) * nearest);
      }
      case 'clamp': {
        const [min, max] = [this.scalar(args[1], t), this.scalar(args[2], t)];
        return min > max ? { kind: 'vector', samples: [] } : mapped(this.vector(args[0], t), (v) => Math.max(min, Math.min(max, v)));
      }
      case 'clamp_min':
      case 'clamp_max': {
        const bound = this.scalar(args[1], t);
        return mapped(this.vector(args[0], t), (v) => (fn === 'clamp_min' ? Math.max(bound, v) : Math.min(bound, v)));
      }
      case 'time':
        return { kind: 'scalar', value: t / 1000 };
      case 'vector':
        return { kind: 'vector', samples: [{ labels: {}, value: this.scalar(args[0], t) }] };
      case 'scalar': {
        const samples = this.vector(args[0], t);
        return { kind: 'scalar', value: samples.length === 1 ? samples[0].value : NaN };
      }
      case 'absent':
      case 'absent_over_time': {
        const present = fn === 'absent' ? this.vector(args[0], t).length > 0 : this.matrix(args[0], t).ranges.length > 0;
        if (present) return { kind: 'vector', samples: [] };
        const arg = args[0].name === 'MatrixSelector' ? args[0].getChild('VectorSelector') : args[0];
        const labels = arg?.name === 'VectorSelector'
          ? Object.fromEntries(this.matchers(arg).filter((m) => m.op === '=' && m.label !== '__name__').map((m) => [m.label, m.value]))
          : {};
        return { kind: 'vector', samples: [{ labels, value: 1 }] };
      }
      case 'label_replace':
        return this.labelReplace(args, t);
      case 'label_join': {
        const [dst, separator, ...sources] = args.slice(1).map((a) => this.string(a, t));
        return {
          kind: 'vector',
          samples: this.vector(args[0], t).map((s) => ({ labels: withLabel(s.labels, dst, sources.map((l) => s.labels[l] ?? '').join(separator)), value: s.value })),
        };
      }
      case 'histogram_quantile':
        return this.histogramQuantile(this.scalar(args[0], t), this.vector(args[1], t));
      case 'sort':
      case 'sort_desc':
        return this.evaluate(args[0], t);
      default:
        throw new Unsupported(`the function ${fn}`);
    }
  }

  private string(node: SyntaxNode, t: number): string {
    const value = this.evaluate(node, t);
    if (value.kind !== 'string') throw new Unsupported(`${this.text(node)} where a string is expected`);
    return value.value;
  }

  private labelReplace(args: SyntaxNode[], t: number): Value {
    const [dst, replacement, src, pattern] = args.slice(1).map((a) => this.string(a, t));
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${pattern})$`, 's');
    } catch {
      throw new Unsupported(`the regular expression ${pattern}`);
    }
    // Go's `${1}` and `$name` are JavaScript's `$1` and `$<name>`.
    const js = replacement.replace(/\$\{(\w+)\}|\$([a-zA-Z_]\w*)/g, (_m, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare!;
      return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
    });
    return {
      kind: 'vector',
      samples: this.vector(args[0], t).map((s) => {
        const value = s.labels[src] ?? '';
        return regex.test(value) ? { labels: withLabel(s.labels, dst, value.replace(regex, js)), value: s.value } : s;
      }),
    };
  }

  private histogramQuantile(q: number, samples: Sample[]): Value {
    const groups = new Map<string, { labels: Labels; buckets: Array<{ upper: number; count: number }> }>();
    for (const s of samples) {
      if (s.labels.le === undefined) continue;
      const { le, ...rest } = withoutName(s.labels);
      const key = keyOf(rest);
      const group = groups.get(key) ?? { labels: rest, buckets: [] };
      group.buckets.push({ upper: /^\+?inf$/i.test(le) ? Infinity : Number(le), count: s.value });
      groups.set(key, group);
    }
    return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })) };
  }

  private binary(node: SyntaxNode, t: number): Value {
    const parts = children(node);
    const [lhsNode, rhsNode] = parts.filter(isExpression);
    const operator = parts.find((c) => c.name in ARITHMETIC || c.name in COMPARISON || SET_OPERATORS.has(c.name))?.name;
    if (!lhsNode || !rhsNode || !operator) throw new Unsupported(this.text(node));
    const bool = Boolean(node.getChild('BoolModifier'));
    const matching = node.getChild('MatchingModifierClause');
    const [matchList, includeList] = matching?.getChildren('GroupingLabels') ?? [];
    const names = this.groupingLabels(matchList);
    const include = this.groupingLabels(includeList);
    const on = Boolean(matching?.getChild('On'));
    const card = matching?.getChild('GroupLeft') ? 'many-to-one' : matching?.getChild('GroupRight') ? 'one-to-many' : 'one-to-one';
    const lhs = this.evaluate(lhsNode, t);
    const rhs = this.evaluate(rhsNode, t);

    if (SET_OPERATORS.has(operator)) {
      if (lhs.kind !== 'vector' || rhs.kind !== 'vector') throw new Unsupported(this.text(node));
      const sig = (s: Sample) => signature(s.labels, on, names);
      const right = new Set(rhs.samples.map(sig));
      if (operator === 'Unless') return { kind: 'vector', samples: lhs.samples.filter((s) => !right.has(sig(s))) };
      if (operator === 'Or') {
        const left = new Set(lhs.samples.map(sig));
        return { kind: 'vector', samples: [...lhs.samples, ...rhs.samples.filter((s) => !left.has(sig(s)))] };
      }
      const kept = lhs.samples.filter((s) => right.has(sig(s)));
      this.joined(node, lhs.samples.length > 0 && rhs.samples.length > 0, kept.length > 0);
      return { kind: 'vector', samples: kept };
    }

    const apply = (a: number, b: number): { value: number; keep: boolean } => {
      if (operator in ARITHMETIC) return { value: ARITHMETIC[operator](a, b), keep: true };
      const holds = COMPARISON[operator](a, b);
      return bool ? { value: Number(holds), keep: true } : { value: a, keep: holds };
    };
    const dropsName = operator in ARITHMETIC || bool;
    if (lhs.kind === 'scalar' && rhs.kind === 'scalar') {
      if (operator in COMPARISON && !bool) throw new Unsupported(this.text(node));
      return { kind: 'scalar', value: apply(lhs.value, rhs.value).value };
    }
    if (lhs.kind === 'scalar' || rhs.kind === 'scalar') {
      const vector = lhs.kind === 'vector' ? lhs : rhs.kind === 'vector' ? rhs : undefined;
      const scalar = lhs.kind === 'scalar' ? lhs.value : rhs.kind === 'scalar' ? rhs.value : NaN;
      if (!vector) throw new Unsupported(this.text(node));
      return {
        kind: 'vector',
        samples: vector.samples.flatMap((s) => {
          const { value, keep } = lhs.kind === 'scalar' ? apply(scalar, s.value) : apply(s.value, scalar);
          if (!keep) return [];
          // A comparison keeps the vector's value, on whichever side it is.
          const out = operator in COMPARISON && !bool ? s.value : value;
          return [{ labels: dropsName ? withoutName(s.labels) : s.labels, value: out }];
        }),
      };
    }
    if (lhs.kind !== 'vector' || rhs.kind !== 'vector') throw new Unsupported(this.text(node));

    const sig = (s: Sample) => signature(s.labels, on, names);
    const [many, one] = card === 'one-to-many' ? [rhs.samples, lhs.samples] : [lhs.samples, rhs.samples];
    const ones = new Map<string, Sample>();
    for (const s of one) {
      if (ones.has(sig(s))) throw new Unsupported(`${this.text(node)}: many-to-many matching`);
      ones.set(sig(s), s);
    }
    if (card === 'one-to-one' && new Set(many.map(sig)).size < many.length) throw new Unsupported(`${this.text(node)}: many-to-many matching`);
    const out: Sample[] = [];
    const seen = new Set<string>();
    let matched = false;
    for (const m of many) {
      const o = ones.get(sig(m));
      if (!o) continue;
      matched = true;
      const [a, b] = card === 'one-to-many' ? [o.value, m.value] : [m.value, o.value];
      const { value, keep } = apply(a, b);
      if (!keep) continue;
      const how = `${card} ${on ? 'on' : 'ignoring'}(${names.join(',')}) ${dropsName} ${include.length ? `${include.join(',')} ${keyOf(o.labels)}` : ''}`;
      const labels = derived(m.labels, how, () => {
        let out: Record<string, string> = { ...(dropsName ? withoutName(m.labels) : m.labels) };
        if (card === 'one-to-one') {
          out = on
            ? Object.fromEntries(Object.entries(out).filter(([k]) => names.includes(k)))
            : Object.fromEntries(Object.entries(out).filter(([k]) => !names.includes(k)));
        }
        for (const label of include) {
          if (o.labels[label]) out[label] = o.labels[label];
          else delete out[label];
        }
        return out;
      });
      const key = keyOf(labels);
      if (seen.has(key)) throw new Unsupported(`${this.text(node)}: several matches for one label set`);
      seen.add(key);
      out.push({ labels, value });
    }
    this.joined(node, many.length > 0 && one.length > 0, matched);
    return { kind: 'vector', samples: out };
  }
}

function withLabel(labels: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = { ...labels };
  if (value === '') delete out[name];
  else out[name] = value;
  return out;
}

/** The longest time back (ms) an expression reads: a range, plus the subqueries and offsets around it. */
function reachMs(node: SyntaxNode, source: string): number {
  const duration = (d: SyntaxNode | null | undefined) => {
    const seconds = d ? durationSeconds(source.slice(d.from, d.to).replace(/^-/, '')) : NaN;
    return Number.isNaN(seconds) ? 0 : seconds * 1000;
  };
  const inner = Math.max(0, ...children(node).map((c) => reachMs(c, source)));
  if (node.name === 'MatrixSelector' || node.name === 'SubqueryExpr') return inner + duration(node.getChild('DurationExpr'));
  if (node.name === 'OffsetExpr') return inner + duration(node.getChild('OffsetDurationExpr'));
  return inner;
}

/** Whether an expression reads the clock: then its value changes even where its series do not. */
function readsTime(node: SyntaxNode, source: string): boolean {
  if (node.name === 'FunctionIdentifier' && /^(time|timestamp|day_of_\w+|days_in_month|hour|minute|month|year)$/.test(source.slice(node.from, node.to))) return true;
  return children(node).some((c) => readsTime(c, source));
}

/** The labels an alert fires with at an evaluation. */
export type FiringLabels = Readonly<Record<string, string>>;

/**
 * Plays the alert over the series from time zero until its windows and `for` have run out after the last value (or
 * until `until`, seconds), calling `visit` with what fires at each evaluation (seconds after time zero) until it
 * returns true.
 */
function play(
  alert: { readonly expr: string; readonly for?: string },
  series: readonly SeriesInput[],
  options: PlayOptions,
  visit: (t: number, firing: FiringLabels[]) => boolean,
  until = 0,
): { unknown: string } | { unaligned?: string } {
  const tree = parser.parse(alert.expr);
  let syntaxError = false;
  tree.iterate({ enter: (ref) => { if (ref.type.isError) syntaxError = true; } });
  if (syntaxError) return { unknown: 'its expression does not parse' };
  const stepMs = (options.stepSeconds ?? 60) * 1000;
  const evaluationMs = options.evaluationSeconds * 1000;
  try {
    const store = new Store(series, stepMs, options.scrapeSeconds * 1000, (options.samples ?? 'exporter') === 'exporter');
    const evaluator = new Evaluator(alert.expr, store, evaluationMs);
    const forMs = alert.for ? durationSeconds(alert.for) * 1000 : 0;
    // Once every window sees only the last values, served on, nothing changes any more (unless it reads the clock):
    // what is pending then fires when its `for` is over, and nothing else ever will.
    const settled = store.steps * stepMs + reachMs(tree.topNode, alert.expr) + LOOKBACK_MS;
    const horizon = Math.max(until * 1000, settled + forMs);
    const constant = !readsTime(tree.topNode, alert.expr);
    const pendingSince = new Map<string, number>();
    for (let t = 0; t <= horizon; t += evaluationMs) {
      if (constant && t > settled && t >= until * 1000 && pendingSince.size === 0) break;
      const result = evaluator.evaluate(tree.topNode, t);
      if (result.kind !== 'vector') return { unknown: 'its expression is not a vector' };
      const firing: FiringLabels[] = [];
      const active = new Set<string>();
      for (const s of result.samples) {
        const labels = withoutName(s.labels);
        const key = keyOf(labels);
        active.add(key);
        const since = pendingSince.get(key) ?? t;
        pendingSince.set(key, since);
        if (t - since >= forMs) firing.push(labels);
      }
      for (const key of [...pendingSince.keys()]) if (!active.has(key)) pendingSince.delete(key);
      if (visit(t / 1000, firing)) return {};
    }
    return { unaligned: evaluator.unalignedJoin() };
  } catch (e) {
    if (e instanceof Unsupported) return { unknown: e.message };
    throw e;
  }
}

/**
 * When the alert first fires over the series. "Never" needs every join of the expression to have matched at least
 * once: sides that never line up say more about the simulation's labels than about the alert, so that is unknown.
 */
export function playAlert(alert: { readonly expr: string; readonly for?: string }, series: readonly SeriesInput[], options: PlayOptions): Played {
  let firesAt: number | null = null;
  const outcome = play(alert, series, options, (t, firing) => {
    if (firing.length) firesAt = t;
    return firing.length > 0;
  });
  if ('unknown' in outcome) return outcome;
  if (firesAt === null && outcome.unaligned) return { unknown: outcome.unaligned };
  return { firesAt };
}

/** What fires at one evaluation (seconds after time zero). */
export function firingAt(alert: { readonly expr: string; readonly for?: string }, series: readonly SeriesInput[], options: PlayOptions, at: number): FiringLabels[] | { unknown: string } {
  let found: FiringLabels[] = [];
  const outcome = play(alert, series, options, (t, firing) => {
    if (t >= at) found = firing;
    return t >= at;
  }, at);
  return 'unknown' in outcome ? outcome : found;
}
