// Checks of the SLOs a stack declares, before any rule is built: each problem names `slos[i]...`.
import { checkPromDuration } from '../core/checks';
import { durationSeconds } from '../core/durations';
import type { StackProblem } from '../core/problems';
import { quoted } from '../core/redact';
import { parsePromQL, vectorSelectors } from '../promql/parse';
import { errorRatioExpr, isSelector, unreachableBurns, WINDOW_PLACEHOLDER } from './slo';
import { SLO_DEFAULTS, type SloValues } from './slo-types';

const SLO_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROM_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/;
/** Labels the SLO rules set themselves. */
const RESERVED_LABELS = new Set(['slo', 'service', 'slo_tier', 'severity', 'alertname', 'le']);

/** A syntax problem of a PromQL expression, or undefined. */
function syntaxProblem(expr: string, field: string, written = expr): StackProblem | undefined {
  const parsed = parsePromQL(expr);
  const first = parsed.syntaxErrors[0];
  if (!first) return undefined;
  return { field, message: `${quoted(written)} is not valid PromQL (at column ${first.column}, near ${quoted(first.near)})`, fix: 'check the expression in the Prometheus UI' };
}

function checkRatioSide(expr: unknown, field: string): StackProblem | undefined {
  if (typeof expr !== 'string' || !expr.trim()) return { field, message: 'is empty', fix: 'write a counter selector, e.g. http_requests_total{job="checkout"}' };
  if (isSelector(expr)) {
    const selectors = vectorSelectors(expr);
    const bare = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{.*\})?\s*$/s.test(expr);
    if (!bare || selectors.length !== 1) {
      return {
        field,
        message: `${quoted(expr)} is neither a counter selector nor an expression with [${WINDOW_PLACEHOLDER}]`,
        fix: `write a selector (the stack takes its rate over each window), or put ${WINDOW_PLACEHOLDER} where the range goes: rate(x_total[${WINDOW_PLACEHOLDER}])`,
      };
    }
    return syntaxProblem(expr, field);
  }
  return syntaxProblem(expr.split(WINDOW_PLACEHOLDER).join('5m'), field, expr);
}

function checkIndicator(slo: SloValues, at: string): StackProblem[] {
  const indicator = slo.indicator as Partial<Record<'ratio' | 'latency', unknown>> | undefined;
  const kinds = Object.keys(indicator ?? {}).filter((k) => k === 'ratio' || k === 'latency');
  if (kinds.length !== 1) {
    return [{ field: `${at}.indicator`, message: `must be exactly one of ratio or latency, got ${kinds.length ? kinds.join(' and ') : 'neither'}`, fix: "e.g. indicator: { ratio: { errors: 'http_requests_total{code=~\"5..\"}', total: 'http_requests_total' } }" }];
  }
  const problems: StackProblem[] = [];
  const push = (p: StackProblem | undefined) => p && problems.push(p);
  if ('ratio' in slo.indicator) {
    push(checkRatioSide(slo.indicator.ratio.errors, `${at}.indicator.ratio.errors`));
    push(checkRatioSide(slo.indicator.ratio.total, `${at}.indicator.ratio.total`));
  } else {
    const { histogram, threshold, selector } = slo.indicator.latency;
    const field = `${at}.indicator.latency`;
    if (!METRIC_NAME.test(histogram) || /_(bucket|count|sum)$/.test(histogram)) {
      problems.push({ field: `${field}.histogram`, message: `${quoted(histogram)} is not the base name of a histogram`, fix: 'write the name without _bucket, _count or _sum, e.g. http_request_duration_seconds' });
    }
    if (!NUMBER.test(threshold)) problems.push({ field: `${field}.threshold`, message: `${quoted(threshold)} is not a bucket boundary`, fix: 'write the le value of a bucket of the histogram, e.g. "0.3"' });
    if (selector !== undefined) {
      const matchers = vectorSelectors(`x${selector}`)[0]?.matchers ?? [];
      const problem = /^\s*\{.*\}\s*$/s.test(selector) ? syntaxProblem(`x${selector}`, `${field}.selector`) : { field: `${field}.selector`, message: `${quoted(selector)} is not a set of label matchers`, fix: 'write it like {job="checkout"}' };
      if (problem) problems.push(problem);
      else if (matchers.some((m) => m.label === 'le' || m.label === '__name__')) problems.push({ field: `${field}.selector`, message: 'matches le or __name__, which the SLO sets itself', fix: 'leave le to threshold and the name to histogram' });
    }
  }
  // The expressions as they are built must parse too (a selector with a trailing comma, say).
  if (!problems.length) push(syntaxProblem(errorRatioExpr(slo, '5m'), `${at}.indicator`));
  return problems;
}

export function checkSlos(slos: readonly SloValues[], field = 'slos'): StackProblem[] {
  const problems: StackProblem[] = [];
  const seen = new Map<string, number>();
  slos.forEach((slo, i) => {
    const at = `${field}[${i}]`;
    const push = (p: StackProblem | undefined) => p && problems.push(p);
    if (!SLO_NAME.test(slo.name) || slo.name.length > 63) {
      problems.push({ field: `${at}.name`, message: `${quoted(slo.name)} is not a valid SLO name`, fix: 'use at most 63 lowercase letters, digits and "-", e.g. checkout-availability' });
    }
    const first = seen.get(slo.name);
    if (first !== undefined) problems.push({ field: `${at}.name`, message: `'${slo.name}' is also the name of ${field}[${first}]`, fix: 'give every SLO its own name: it is the slo label of its rules and alerts' });
    else seen.set(slo.name, i);
    if (!slo.service?.trim()) problems.push({ field: `${at}.service`, message: 'is empty', fix: 'name the service the SLO is about' });
    const objectiveOk = Number.isFinite(slo.objective) && slo.objective > 0 && slo.objective < 100;
    if (!objectiveOk) problems.push({ field: `${at}.objective`, message: `must be a percentage above 0 and below 100, got ${slo.objective}`, fix: 'write it in percent, e.g. 99.9' });
    const window = checkPromDuration(slo.window, `${at}.window`);
    push(window);
    const windowOk = !window && durationSeconds(slo.window ?? SLO_DEFAULTS.window) >= 86400;
    if (!window && !windowOk) problems.push({ field: `${at}.window`, message: `${quoted(slo.window ?? '')} is shorter than a day`, fix: 'SLO windows are days or weeks, e.g. 28d or 30d' });
    if (objectiveOk && windowOk) {
      for (const burn of unreachableBurns(slo)) {
        problems.push({
          field: `${at}.objective`,
          message: `${slo.objective}% leaves a budget so large that the ${burn.tier} alert's ${burn.factor}x burn over ${burn.long} needs more than 100% errors: it could never fire`,
          fix: `raise the objective to at least ${Math.ceil((1 - 1 / burn.factor) * 10000) / 100}, or use a longer window`,
        });
      }
    }
    for (const [key, value] of Object.entries(slo.labels ?? {})) {
      if (!PROM_LABEL.test(key)) problems.push({ field: `${at}.labels.${key}`, message: `${quoted(key)} is not a Prometheus label name`, fix: 'use letters, digits and "_", not starting with a digit' });
      else if (RESERVED_LABELS.has(key)) problems.push({ field: `${at}.labels.${key}`, message: 'is a label the SLO rules set themselves', fix: 'choose another label name' });
      if (typeof value !== 'string') problems.push({ field: `${at}.labels.${key}`, message: 'must be a string' });
    }
    const alerting = slo.alerting ?? {};
    push(checkPromDuration(alerting.pageFor, `${at}.alerting.pageFor`));
    push(checkPromDuration(alerting.ticketFor, `${at}.alerting.ticketFor`));
    if (alerting.minTraffic !== undefined && !(Number.isFinite(alerting.minTraffic) && alerting.minTraffic >= 0)) {
      problems.push({ field: `${at}.alerting.minTraffic`, message: `must be a number of events per second of at least 0, got ${alerting.minTraffic}`, fix: 'e.g. 0.1 (one event every 10 seconds)' });
    }
    problems.push(...checkIndicator(slo, at));
  });
  return problems;
}
