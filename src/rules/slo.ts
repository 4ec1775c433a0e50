// SLOs to rules: the error ratio over every window of the multi-window, multi-burn-rate alerts (Google SRE
// workbook, chapter 5), the alerts themselves in a page and a ticket tier, and promtool tests that prove them.
import { durationSeconds } from '../core/durations';
import { alertingRule, promql, recordingRule, ruleGroup, series } from './builders';
import type { RuleSource } from './rule-set';
import { isAlert, type AlertDefinition, type RuleGroupDefinition } from './types';
import type { AlertCheck, PromtoolTestCase } from './unit-tests';
import { SLO_DEFAULTS, type SloValues } from './slo-types';

/** The one alert name of every SLO's burn: told apart by its `slo`, `service` and `slo_tier` labels. */
export const SLO_BURN_ALERT = 'SLOErrorBudgetBurn';
/** The component (and dist/ folder) the SLO rules and dashboard belong to. */
export const SLO_COMPONENT = 'slos';
export type SloTier = 'page' | 'ticket';
/** Placeholder of a ratio expression for the range of each window. */
export const WINDOW_PLACEHOLDER = '$window';

const MINUTE = 60;
const DAY = 86400;
/** The workbook's windows are for 30 days; other SLO windows scale them. */
const REFERENCE_WINDOW = 30 * DAY;
/** No window shorter than this: a rate needs a few scrapes. */
const SHORTEST_WINDOW = 5 * MINUTE;

/** One alerting condition: this share of the budget spent within the long window, confirmed by the short one. */
interface BurnPolicy {
  readonly tier: SloTier;
  readonly budgetSpent: number;
  readonly longSeconds: number;
  readonly shortSeconds: number;
}

const BURN_POLICIES: readonly BurnPolicy[] = [
  { tier: 'page', budgetSpent: 0.02, longSeconds: 3600, shortSeconds: 5 * MINUTE },
  { tier: 'page', budgetSpent: 0.05, longSeconds: 6 * 3600, shortSeconds: 30 * MINUTE },
  { tier: 'ticket', budgetSpent: 0.1, longSeconds: DAY, shortSeconds: 2 * 3600 },
  { tier: 'ticket', budgetSpent: 0.1, longSeconds: 3 * DAY, shortSeconds: 6 * 3600 },
];

/** One pair of windows of an SLO, scaled to its window, with the burn rate it alerts on. */
export interface BurnWindow {
  readonly tier: SloTier;
  readonly long: string;
  readonly short: string;
  /** How many times faster than sustainable the budget burns: budget spent × SLO window / long window. */
  readonly factor: number;
  /** The error ratio both windows must exceed: factor × (1 − objective). */
  readonly threshold: number;
}

/** Seconds as a Prometheus duration, largest unit first (`1h24m`). */
export function formatDuration(seconds: number): string {
  const units: Array<[string, number]> = [['d', DAY], ['h', 3600], ['m', MINUTE], ['s', 1]];
  let rest = seconds;
  let text = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text || '0s';
}

/** Drops the float noise of `1 - 99.9 / 100` and `0.02 * 720`, so thresholds read as written. */
const tidy = (value: number): number => Number(value.toPrecision(10));

/** The share of events the SLO allows to fail, e.g. 0.001 for 99.9. */
export function errorBudget(slo: Pick<SloValues, 'objective'>): number {
  return tidy(1 - slo.objective / 100);
}

function scaled(seconds: number, windowSeconds: number): number {
  return Math.max(SHORTEST_WINDOW, Math.round((seconds * windowSeconds) / REFERENCE_WINDOW / MINUTE) * MINUTE);
}

/** The SLO's four window pairs, scaled to its window; the factors follow from the windows as they are rounded. */
export function burnWindows(slo: Pick<SloValues, 'objective' | 'window'>): BurnWindow[] {
  const windowSeconds = durationSeconds(slo.window ?? SLO_DEFAULTS.window);
  return BURN_POLICIES.map((p) => {
    const long = scaled(p.longSeconds, windowSeconds);
    const factor = tidy((p.budgetSpent * windowSeconds) / long);
    return { tier: p.tier, long: formatDuration(long), short: formatDuration(scaled(p.shortSeconds, windowSeconds)), factor, threshold: tidy(factor * errorBudget(slo)) };
  });
}

export const errorRatioRecord = (window: string): string => `slo:sli_error:ratio_rate${window}`;
export const totalRateRecord = (window: string): string => `slo:sli_total:rate${window}`;

/** Whether a ratio expression is a bare selector (the stack takes its rate) rather than one with `$window`. */
export function isSelector(expr: string): boolean {
  return !expr.includes(WINDOW_PLACEHOLDER);
}

/** The summed per-second rate of a ratio side over one window. */
function summedRate(expr: string, window: string): string {
  const trimmed = expr.trim();
  return isSelector(trimmed) ? `sum(rate(${trimmed}[${window}]))` : `sum(${trimmed.split(WINDOW_PLACEHOLDER).join(window)})`;
}

/** `{a="1"}` with one more matcher. */
function withMatcher(selector: string | undefined, matcher: string): string {
  const inner = (selector ?? '').trim().replace(/^\{/, '').replace(/\}$/, '').trim().replace(/,\s*$/, '');
  return `{${inner ? `${inner}, ` : ''}${matcher}}`;
}

/** Rate of all events of the SLO over a window. */
export function totalRateExpr(slo: SloValues, window: string): string {
  if ('ratio' in slo.indicator) return summedRate(slo.indicator.ratio.total, window);
  const { histogram, selector } = slo.indicator.latency;
  return `sum(rate(${histogram}_count${(selector ?? '').trim()}[${window}]))`;
}

/** Share of failed events over a window. Without failures their series may not exist yet: that counts as none. */
export function errorRatioExpr(slo: SloValues, window: string): string {
  const total = totalRateExpr(slo, window);
  if ('ratio' in slo.indicator) return `(${summedRate(slo.indicator.ratio.errors, window)} or vector(0)) / ${total}`;
  const { histogram, threshold, selector } = slo.indicator.latency;
  const good = `sum(rate(${histogram}_bucket${withMatcher(selector, `le="${threshold}"`)}[${window}]))`;
  return `(${total} - ${good}) / ${total}`;
}

/** The metric names an SLO reads: the user's, which no component of the stack produces. */
export function sloMetricNames(slo: SloValues, metricsOf: (expr: string) => string[]): string[] {
  if ('latency' in slo.indicator) return [`${slo.indicator.latency.histogram}_bucket`, `${slo.indicator.latency.histogram}_count`];
  return [...new Set([slo.indicator.ratio.errors, slo.indicator.ratio.total].flatMap((e) => metricsOf(summedRate(e, '5m'))))].sort();
}

function seriesLabels(slo: SloValues): Record<string, string> {
  return { ...slo.labels, slo: slo.name, service: slo.service };
}

/** The name of an SLO's rule group. */
export const sloGroupName = (slo: Pick<SloValues, 'name'>): string => `slo-${slo.name}`;

/** Every window the SLO's alerts read, shortest first. */
export function recordedWindows(slo: SloValues): string[] {
  const windows = burnWindows(slo).flatMap((w) => [w.long, w.short]);
  return [...new Set(windows)].sort((a, b) => durationSeconds(a) - durationSeconds(b));
}

function burnAlert(slo: SloValues, tier: SloTier): AlertDefinition {
  const pairs = burnWindows(slo).filter((w) => w.tier === tier);
  const alerting = { ...SLO_DEFAULTS.alerting, ...slo.alerting };
  const window = slo.window ?? SLO_DEFAULTS.window;
  const on = `{slo="${slo.name}"}`;
  const conditions = pairs.map((w) => promql`
    (
      ${errorRatioRecord(w.long)}${on} > (${w.factor} * ${errorBudget(slo)})
      and ${errorRatioRecord(w.short)}${on} > (${w.factor} * ${errorBudget(slo)})
      and ${totalRateRecord(w.short)}${on} > ${alerting.minTraffic}
    )`);
  const fastest = pairs[0];
  const exhausted = formatDuration(Math.round(durationSeconds(window) / fastest.factor / MINUTE) * MINUTE);
  return alertingRule({
    alert: SLO_BURN_ALERT,
    expr: conditions.join(' or '),
    for: tier === 'page' ? alerting.pageFor : alerting.ticketFor,
    severity: tier === 'page' ? 'critical' : 'warning',
    labels: { ...seriesLabels(slo), slo_tier: tier },
    summary: `SLO ${slo.name} of ${slo.service} burns its error budget ${pairs.map((w) => `${w.factor}x`).join(' or ')} too fast.`,
    description: `The error ratio of ${slo.service} is {{ $value | humanizePercentage }} (objective ${slo.objective}% over ${window}, budget ${tidy(errorBudget(slo) * 100)}%): `
      + `${pairs.map((w) => `over ${w.long} and ${w.short} above ${w.factor}x the budget`).join(', or ')}. `
      + `At ${fastest.factor}x the whole ${window} budget is gone in ${exhausted}.`,
  });
}

/** The recording rules and the two burn alerts of one SLO, in a group of its own. */
export function sloRuleGroup(slo: SloValues): RuleGroupDefinition {
  const labels = seriesLabels(slo);
  const windows = recordedWindows(slo);
  const shortWindows = [...new Set(burnWindows(slo).map((w) => w.short))];
  const window = slo.window ?? SLO_DEFAULTS.window;
  return ruleGroup(sloGroupName(slo), [
    ...windows.map((w) => recordingRule(errorRatioRecord(w), errorRatioExpr(slo, w), labels)),
    ...shortWindows.map((w) => recordingRule(totalRateRecord(w), totalRateExpr(slo, w), labels)),
    // The whole window, for the dashboard: the average of the shortest ratio, as cheap as a long window gets.
    recordingRule(errorRatioRecord(formatDuration(durationSeconds(window))), `avg_over_time(${errorRatioRecord(windows[0])}{slo="${slo.name}"}[${window}])`, labels),
    burnAlert(slo, 'page'),
    burnAlert(slo, 'ticket'),
  ], { runbookArea: 'slo' });
}

// ---------------------------------------------------------------------------------------------------------------
// Generated promtool tests. Their input series stand in for the recorded error ratios and request rates (the user's
// own metrics are not in the test, so the recording rules over them yield nothing): they prove the windows, the
// thresholds and the traffic guard, each at a steady error ratio.

const MINUTES = (seconds: number) => `${Math.ceil(seconds / MINUTE)}m`;

/** Steady input: this error ratio over every window, this many events per second. */
function steadyInput(slo: SloValues, ratio: number, traffic: number, samples: number): PromtoolTestCase['input'] {
  const labels = seriesLabels(slo);
  const shortWindows = [...new Set(burnWindows(slo).map((w) => w.short))];
  return [
    ...recordedWindows(slo).map((w) => ({ series: series(errorRatioRecord(w), labels), values: `${tidy(ratio)}x${samples}` })),
    ...shortWindows.map((w) => ({ series: series(totalRateRecord(w), labels), values: `${tidy(traffic)}x${samples}` })),
  ];
}

/** The SLO's burn alert of a tier, as the stack renders it (overrides and extra labels applied). */
function findBurnAlert(sources: readonly RuleSource[], slo: SloValues, tier: SloTier): AlertDefinition | undefined {
  return sources
    .filter((s) => s.component === SLO_COMPONENT)
    .flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert)))
    .find((a) => a.alert === SLO_BURN_ALERT && a.labels?.slo === slo.name && a.labels?.slo_tier === tier);
}

/**
 * Per SLO: a fast burn pages, a slow burn opens a ticket and does not page, a burn within budget stays silent, and
 * (with `minTraffic`) an idle service does not page. Each check names every `SLOErrorBudgetBurn` alert that must be
 * firing, so it also proves which must not. An SLO whose alerts are disabled gets no tests.
 */
export function sloTestCases(slos: readonly SloValues[], sources: readonly RuleSource[]): PromtoolTestCase[] {
  return slos.flatMap((slo) => {
    const page = findBurnAlert(sources, slo, 'page');
    const ticket = findBurnAlert(sources, slo, 'ticket');
    if (!page || !ticket) return [];
    const alerting = { ...SLO_DEFAULTS.alerting, ...slo.alerting };
    const windows = burnWindows(slo);
    const budget = errorBudget(slo);
    const pageFor = durationSeconds(page.for ?? '0s');
    const ticketFor = durationSeconds(ticket.for ?? '0s');
    // Well past each `for`, and never within two minutes of the other tier's: no check sits on an edge.
    let fastAt = pageFor + 5 * MINUTE;
    if (Math.abs(fastAt - ticketFor) < 2 * MINUTE) fastAt = ticketFor + 5 * MINUTE;
    const slowAt = Math.max(pageFor, ticketFor) + 5 * MINUTE;
    const samples = Math.ceil(Math.max(fastAt, slowAt) / MINUTE) + 5;
    const traffic = Math.max(1, alerting.minTraffic * 10);
    const pageFactors = windows.filter((w) => w.tier === 'page').map((w) => w.factor);
    const ticketFactors = windows.filter((w) => w.tier === 'ticket').map((w) => w.factor);
    // Between the ticket tier's highest threshold and the page tier's lowest.
    const slowRatio = (budget * (Math.max(...ticketFactors) + Math.min(...pageFactors))) / 2;
    const pageFiring: Record<string, string> = {};
    const ticketFiring = { slo_tier: 'ticket', severity: ticket.severity };
    const check = (at: number, rule: AlertDefinition, expect: Record<string, string>[]): AlertCheck => ({ at: MINUTES(at), alert: SLO_BURN_ALERT, expect, rule });
    const name = `SLO ${slo.name}`;
    const cases: PromtoolTestCase[] = [
      {
        name: `${name}: a fast burn (every event failing) pages`,
        input: steadyInput(slo, 1, traffic, samples),
        checks: [check(fastAt, page, ticketFor <= fastAt ? [pageFiring, ticketFiring] : [pageFiring])],
      },
      {
        name: `${name}: a slow burn (${tidy(slowRatio / budget)}x the budget) opens a ticket and does not page`,
        input: steadyInput(slo, slowRatio, traffic, samples),
        checks: [check(slowAt, ticket, [{}])],
      },
      {
        name: `${name}: a burn within budget (half of it) stays silent`,
        input: steadyInput(slo, budget / 2, traffic, samples),
        checks: [check(slowAt, page, [])],
      },
    ];
    if (alerting.minTraffic > 0) {
      cases.push({
        name: `${name}: a service below minTraffic (${alerting.minTraffic}/s) does not page, whatever fails`,
        input: steadyInput(slo, 1, alerting.minTraffic / 2, samples),
        checks: [check(slowAt, page, [])],
      });
    }
    return cases;
  });
}

/** Every window pair's factor must leave a threshold below 100% errors, or its alert could never fire. */
export function unreachableBurns(slo: SloValues): BurnWindow[] {
  return burnWindows(slo).filter((w) => w.threshold >= 1);
}
