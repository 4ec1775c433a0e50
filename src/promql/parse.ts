// PromQL facts from the Prometheus project's own grammar (@prometheus-io/lezer-promql): syntax errors, the
// metrics an expression selects, its range selectors, and the labels its result carries (label flow).
import { durationSeconds } from '../core/durations';
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export interface SyntaxProblem {
  /** 1-based column in the expression. */
  readonly column: number;
  readonly near: string;
}

export interface SelectedMetric {
  readonly name: string;
  readonly column: number;
}

/** A range selector or subquery range, and the function applied to it (if any). */
export interface RangeUse {
  readonly fn: string | undefined;
  readonly seconds: number;
  readonly metric: string | undefined;
  readonly column: number;
}

/**
 * The labels of an expression's result. `closed`: exactly these. `open`: whatever the selected series carry,
 * minus `removed`, plus `added` (the analyzer cannot know every label of a metric, only what an expression drops).
 */
export type LabelSet =
  | { readonly kind: 'closed'; readonly labels: ReadonlySet<string> }
  | { readonly kind: 'open'; readonly removed: ReadonlySet<string>; readonly added: ReadonlySet<string> }
  | { readonly kind: 'scalar' };

export interface ParsedExpression {
  readonly source: string;
  readonly syntaxErrors: SyntaxProblem[];
  readonly metrics: SelectedMetric[];
  readonly ranges: RangeUse[];
  /** Every label name the expression mentions (in matchers and groupings). */
  readonly labelNames: string[];
  /** Undefined when the expression has syntax errors. */
  readonly resultLabels: LabelSet | undefined;
}

/** The direct children of a syntax-tree node. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const result: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) result.push(child);
  return result;
}

/** A PromQL string literal's value: backquoted raw, or double or single quoted with escapes. */
export function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  try {
    return JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : text) as string;
  } catch {
    return text.slice(1, -1);
  }
}

interface Matcher {
  readonly label: string;
  readonly op: string;
  readonly value: string;
}

function matchersOf(selector: SyntaxNode, source: string): Matcher[] {
  const list = selector.getChild('LabelMatchers');
  if (!list) return [];
  return children(list).flatMap((m) => {
    const name = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const op = m.getChild('MatchOp');
    const value = m.getChild('StringLiteral');
    if (!name) return [];
    const label = name.name === 'QuotedLabelName' ? unquote(source.slice(name.from, name.to)) : source.slice(name.from, name.to);
    // `{"metric"}` (a quoted metric name alone) selects by name.
    if (!op || !value) return name.name === 'QuotedLabelName' ? [{ label: '__name__', op: '=', value: label }] : [];
    return [{ label, op: source.slice(op.from, op.to), value: unquote(source.slice(value.from, value.to)) }];
  });
}

function metricNameOf(selector: SyntaxNode, source: string): string | undefined {
  const identifier = selector.getChild('Identifier');
  if (identifier) return source.slice(identifier.from, identifier.to);
  return matchersOf(selector, source).find((m) => m.label === '__name__' && m.op === '=')?.value;
}

const closed = (labels: Iterable<string>): LabelSet => ({ kind: 'closed', labels: new Set(labels) });
const OPEN: LabelSet = { kind: 'open', removed: new Set(), added: new Set() };
const SCALAR: LabelSet = { kind: 'scalar' };

function without(set: LabelSet, labels: Iterable<string>): LabelSet {
  const drop = [...labels];
  if (set.kind === 'closed') return closed([...set.labels].filter((l) => !drop.includes(l)));
  if (set.kind === 'open') return { kind: 'open', removed: new Set([...set.removed, ...drop]), added: new Set([...set.added].filter((l) => !drop.includes(l))) };
  return set;
}

function withLabels(set: LabelSet, labels: Iterable<string>): LabelSet {
  const add = [...labels];
  if (set.kind === 'closed') return closed([...set.labels, ...add]);
  if (set.kind === 'open') return { kind: 'open', removed: new Set([...set.removed].filter((l) => !add.includes(l))), added: new Set([...set.added, ...add]) };
  return set;
}

function keepOnly(set: LabelSet, labels: Iterable<string>): LabelSet {
  const keep = [...labels];
  if (set.kind === 'closed') return closed([...set.labels].filter((l) => keep.includes(l)));
  if (set.kind === 'open') return closed(keep.filter((l) => !set.removed.has(l)));
  return set;
}

function union(a: LabelSet, b: LabelSet): LabelSet {
  if (a.kind === 'scalar') return b;
  if (b.kind === 'scalar') return a;
  if (a.kind === 'closed' && b.kind === 'closed') return closed([...a.labels, ...b.labels]);
  return OPEN;
}

const groupingLabels = (node: SyntaxNode | null, source: string) =>
  node
    ? children(node)
        .filter((c) => c.name === 'LabelName' || c.name === 'QuotedLabelName')
        .map((c) => (c.name === 'QuotedLabelName' ? unquote(source.slice(c.from, c.to)) : source.slice(c.from, c.to)))
    : [];

/** Functions whose result keeps the labels of their vector argument. */
const KEEP_LABELS = new Set([
  'abs', 'ceil', 'floor', 'round', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn', 'clamp', 'clamp_max', 'clamp_min',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'predict_linear', 'resets', 'changes', 'timestamp',
  'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'holt_winters', 'double_exponential_smoothing',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time',
  'stddev_over_time', 'stdvar_over_time', 'last_over_time', 'present_over_time', 'mad_over_time',
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'deg', 'rad',
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year',
  'histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_fraction', 'histogram_stddev', 'histogram_stdvar',
]);
const SCALAR_FUNCTIONS = new Set(['scalar', 'time', 'pi']);
const RANGE_FUNCTIONS_NEEDING_TWO_SAMPLES = new Set(['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes']);

/** Everything the analyzers want to know about one expression, in one walk. */
export function parsePromQL(source: string): ParsedExpression {
  const tree = parser.parse(source);
  const syntaxErrors: SyntaxProblem[] = [];
  const metrics: SelectedMetric[] = [];
  const ranges: RangeUse[] = [];
  const labelNames = new Set<string>();
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) syntaxErrors.push({ column: ref.from + 1, near: source.slice(Math.max(0, ref.from - 10), ref.from + 10) });
      if (ref.name === 'LabelName') labelNames.add(source.slice(ref.from, ref.to));
      if (ref.name === 'VectorSelector') {
        const name = metricNameOf(ref.node, source);
        if (name) metrics.push({ name, column: ref.from + 1 });
      }
    },
  });
  if (source.trim() === '' && syntaxErrors.length === 0) syntaxErrors.push({ column: 1, near: '' });

  const flow = (node: SyntaxNode, enclosingFunction?: string): LabelSet => {
    switch (node.name) {
      case 'PromQL':
      case 'ParenExpr':
      case 'OffsetExpr':
      case 'StepInvariantExpr': {
        const inner = children(node).find((c) => !['Offset', 'OffsetDurationExpr', 'At', 'AtModifierPreprocessors', 'NumberDurationLiteral'].includes(c.name) || node.name === 'PromQL');
        return inner ? flow(inner, enclosingFunction) : OPEN;
      }
      case 'NumberDurationLiteral':
      case 'NumberLiteral':
      case 'StringLiteral':
        return SCALAR;
      case 'VectorSelector':
        return OPEN;
      case 'MatrixSelector':
      case 'SubqueryExpr': {
        const [inner, ...durations] = children(node);
        const range = durations.find((d) => d.name === 'DurationExpr');
        if (range) {
          const selector = inner.name === 'VectorSelector' ? inner : undefined;
          ranges.push({
            fn: enclosingFunction,
            seconds: durationSeconds(source.slice(range.from, range.to)),
            metric: selector ? metricNameOf(selector, source) : undefined,
            column: node.from + 1,
          });
        }
        return flow(inner);
      }
      case 'UnaryExpr':
        return flow(children(node).find((c) => c.name !== 'UnaryOp')!);
      case 'AggregateExpr': {
        const op = source.slice(node.getChild('AggregateOp')!.from, node.getChild('AggregateOp')!.to);
        const modifier = node.getChild('AggregateModifier');
        const args = children(node.getChild('FunctionCallBody')!).filter((c) => c.name !== '⚠');
        const vector = args[args.length - 1];
        const input = vector ? flow(vector) : OPEN;
        if (['topk', 'bottomk', 'limitk', 'limit_ratio'].includes(op)) return input;
        const grouping = groupingLabels(modifier?.getChild('GroupingLabels') ?? null, source);
        const extra = op === 'count_values' && args[0] ? [unquote(source.slice(args[0].from, args[0].to))] : [];
        if (modifier?.getChild('Without')) return withLabels(without(input, grouping), extra);
        return closed([...grouping, ...extra]);
      }
      case 'FunctionCall': {
        const identifier = node.getChild('FunctionIdentifier')!;
        const fn = source.slice(identifier.from, identifier.to);
        const args = children(node.getChild('FunctionCallBody')!).filter((c) => c.name !== '⚠');
        const argSets = args.map((a) => flow(a, fn));
        const vectorArg = argSets.find((s) => s.kind !== 'scalar');
        if (SCALAR_FUNCTIONS.has(fn)) return SCALAR;
        if (fn === 'vector') return closed([]);
        if (fn === 'absent' || fn === 'absent_over_time') {
          // Only a bare selector lends its equality matchers as labels: absent(x{job="a"} == 1) has none.
          const arg = args[0]?.name === 'MatrixSelector' ? args[0].getChild('VectorSelector') : args[0];
          const selector = arg?.name === 'VectorSelector' ? arg : undefined;
          return closed(selector ? matchersOf(selector, source).filter((m) => m.op === '=' && m.label !== '__name__').map((m) => m.label) : []);
        }
        if (fn === 'histogram_quantile') return vectorArg ? without(vectorArg, ['le']) : OPEN;
        if (fn === 'label_replace' || fn === 'label_join') {
          const dst = args[1] ? unquote(source.slice(args[1].from, args[1].to)) : undefined;
          return withLabels(vectorArg ?? OPEN, dst ? [dst] : []);
        }
        if (KEEP_LABELS.has(fn)) return vectorArg ?? (args.length === 0 ? closed([]) : OPEN);
        return vectorArg ?? OPEN;
      }
      case 'BinaryExpr': {
        const operands = children(node).filter((c) => isExpression(c.name));
        const [lhs, rhs] = operands.map((o) => flow(o));
        if (!lhs || !rhs) return OPEN;
        if (lhs.kind === 'scalar') return rhs;
        if (rhs.kind === 'scalar') return lhs;
        const operator = children(node).find((c) => !isExpression(c.name) && c.name !== 'MatchingModifierClause' && c.name !== 'BoolModifier');
        const opName = operator?.name ?? '';
        const matching = node.getChild('MatchingModifierClause');
        const [matchLabels, includeLabels] = (matching?.getChildren('GroupingLabels') ?? []).map((g) => groupingLabels(g, source));
        if (opName === 'Or') return union(lhs, rhs);
        if (opName === 'And' || opName === 'Unless') return lhs;
        if (matching?.getChild('GroupLeft')) return withLabels(lhs, includeLabels ?? []);
        if (matching?.getChild('GroupRight')) return withLabels(rhs, includeLabels ?? []);
        if (matching?.getChild('On')) return keepOnly(lhs, matchLabels ?? []);
        if (matching?.getChild('Ignoring')) return without(lhs, matchLabels ?? []);
        return lhs;
      }
      default: {
        const inner = children(node).find((c) => isExpression(c.name));
        return inner ? flow(inner, enclosingFunction) : OPEN;
      }
    }
  };

  const resultLabels = syntaxErrors.length ? undefined : flow(tree.topNode);
  return { source, syntaxErrors, metrics, ranges, labelNames: [...labelNames].sort(), resultLabels };
}

const EXPRESSION_NODES = new Set([
  'AggregateExpr', 'BinaryExpr', 'FunctionCall', 'MatrixSelector', 'NumberDurationLiteral', 'NumberLiteral', 'OffsetExpr',
  'ParenExpr', 'StringLiteral', 'SubqueryExpr', 'UnaryExpr', 'VectorSelector', 'StepInvariantExpr',
]);

function isExpression(name: string): boolean {
  return EXPRESSION_NODES.has(name);
}

export { RANGE_FUNCTIONS_NEEDING_TWO_SAMPLES };

export interface SelectorMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** Every vector selector an expression reads (inside range selectors and subqueries too), with its label matchers. */
export function vectorSelectors(source: string): Array<{ name: string; matchers: SelectorMatcher[] }> {
  const selectors: Array<{ name: string; matchers: SelectorMatcher[] }> = [];
  parser.parse(source).iterate({
    enter: (ref) => {
      if (ref.name !== 'VectorSelector') return;
      const name = metricNameOf(ref.node, source) ?? '';
      // The name is reported apart; a `{__name__="x"}` matcher would only repeat it.
      const matchers = matchersOf(ref.node, source).filter((m) => !(m.label === '__name__' && m.op === '=' && m.value === name));
      selectors.push({ name, matchers: matchers as SelectorMatcher[] });
    },
  });
  return selectors;
}

export type ComparisonOp = '>' | '<' | '>=' | '<=' | '==' | '!=';

const COMPARISONS: Record<string, ComparisonOp> = { Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=', Eql: '==', Neq: '!=' };
const FLIPPED: Record<ComparisonOp, ComparisonOp> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '==': '==', '!=': '!=' };
const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b, Mod: (a, b) => a % b, Pow: (a, b) => a ** b,
};

/** The value of a constant expression like `500 * 1024 * 1024` or `(1 - 0.9)`; undefined when it reads any series. */
function constantValue(node: SyntaxNode, source: string): number | undefined {
  const text = source.slice(node.from, node.to);
  switch (node.name) {
    case 'NumberDurationLiteral':
    case 'NumberLiteral': {
      if (/^[+-]?(inf|nan)$/i.test(text)) return Number(text.replace(/inf/i, 'Infinity').replace(/nan/i, 'NaN'));
      const value = Number.isNaN(Number(text)) ? durationSeconds(text) : Number(text);
      return Number.isNaN(value) ? undefined : value;
    }
    case 'ParenExpr':
      return children(node).length === 1 ? constantValue(children(node)[0], source) : undefined;
    case 'UnaryExpr': {
      const op = node.getChild('UnaryOp');
      const value = constantValue(children(node).find((c) => c.name !== 'UnaryOp')!, source);
      return value !== undefined && op && source.slice(op.from, op.to) === '-' ? -value : value;
    }
    case 'BinaryExpr': {
      const [lhs, operator, rhs] = children(node);
      const apply = operator && operator.name in ARITHMETIC ? ARITHMETIC[operator.name] : undefined;
      const [a, b] = [lhs && constantValue(lhs, source), rhs && constantValue(rhs, source)];
      return apply && a !== undefined && b !== undefined && children(node).length === 3 ? apply(a, b) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The threshold of an alert written `expr OP constant` (or `constant OP expr`, flipped), looking through top-level
 * `and`/`unless` to their left operand, which decides what fires. Undefined for any other shape, and for `bool`.
 */
export function comparisonThreshold(source: string): { op: ComparisonOp; value: number } | undefined {
  let node: SyntaxNode | null = parser.parse(source).topNode.firstChild;
  while (node?.name === 'ParenExpr' || (node?.name === 'BinaryExpr' && (node.getChild('And') || node.getChild('Unless')))) node = node.firstChild;
  if (node?.name !== 'BinaryExpr' || node.getChild('BoolModifier')) return undefined;
  const parts = children(node).filter((c) => c.name !== 'MatchingModifierClause');
  const op = COMPARISONS[parts[1]?.name ?? ''];
  if (!op || parts.length !== 3) return undefined;
  const right = constantValue(parts[2], source);
  if (right !== undefined) return { op, value: right };
  const left = constantValue(parts[0], source);
  return left !== undefined ? { op: FLIPPED[op], value: left } : undefined;
}
