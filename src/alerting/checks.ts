// Checks of the routing values at synth time, before anything is built: every route's durations, matchers,
// receiver and time intervals (global and team routes), inhibit rules' matchers, and the time intervals themselves.
import type { StackProblem } from '../core/problems';
import { checkLocation, checkPromDuration, checkTimeIntervalDays, checkTimeRange } from '../core/checks';
import { quoted } from '../core/redact';
import { parseMatcher } from './matchers';
import type { InhibitRule, Route, TeamRouting, TimeInterval } from './types';

const MATCHER_FIX = 'write it like severity="critical", namespace=~"team-.*" or alertname!="Watchdog"';

/** A problem when the text is not an Alertmanager matcher, or its regular expression does not compile. */
export function checkMatcher(text: unknown, field: string): StackProblem | undefined {
  if (typeof text !== 'string') return { field, message: `must be a matcher string, got ${typeof text}`, fix: MATCHER_FIX };
  const m = parseMatcher(text);
  if (!m) return { field, message: `${quoted(text)} is not a matcher`, fix: MATCHER_FIX };
  if (m.matchType === '=~' || m.matchType === '!~') {
    try {
      // RE2's leading flag groups ((?i), (?s)) are not JavaScript; the rest of the syntax the two share.
      new RegExp(`^(?:${m.value.replace(/^\(\?[imsU]+\)/, '')})$`);
    } catch (error) {
      return { field, message: `the regular expression of ${quoted(text)} does not compile: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`, fix: 'fix the regular expression (RE2 syntax, anchored at both ends)' };
    }
  }
  return undefined;
}

function checkMatchers(matchers: readonly unknown[] | undefined, field: string, problems: StackProblem[]): void {
  (matchers ?? []).forEach((text, i) => {
    const problem = checkMatcher(text, `${field}[${i}]`);
    if (problem) problems.push(problem);
  });
}

interface RouteScope {
  /** Receivers the route may name; undefined: not checked here. */
  readonly receivers?: ReadonlySet<string>;
  readonly receiverFix: string;
  readonly unknownReceiver: (name: string) => string;
  /** Time intervals the route may name; undefined: not checked here. */
  readonly timeIntervals?: ReadonlySet<string>;
}

/** Every route of the tree, depth first: its durations, matchers, receiver and time intervals. */
function checkRoute(route: Route, field: string, scope: RouteScope, problems: StackProblem[]): void {
  for (const key of ['groupWait', 'groupInterval', 'repeatInterval'] as const) {
    const problem = checkPromDuration(route[key], `${field}.${key}`);
    if (problem) problems.push(problem);
  }
  checkMatchers(route.matchers, `${field}.matchers`, problems);
  if (scope.receivers && !scope.receivers.has(route.receiver)) problems.push({ field, message: scope.unknownReceiver(route.receiver), fix: scope.receiverFix });
  if (scope.timeIntervals) {
    for (const name of [...(route.muteTimeIntervals ?? []), ...(route.activeTimeIntervals ?? [])]) {
      if (!scope.timeIntervals.has(name)) problems.push({ field, message: `time interval '${name}' is not defined`, fix: 'define it in alertmanager.timeIntervals' });
    }
  }
  (route.routes ?? []).forEach((child, i) => checkRoute(child, `${field}.routes[${i}]`, scope, problems));
}

function checkInhibitRules(rules: readonly InhibitRule[], field: string, problems: StackProblem[]): void {
  rules.forEach((rule, i) => {
    checkMatchers(rule.sourceMatchers, `${field}[${i}].sourceMatchers`, problems);
    checkMatchers(rule.targetMatchers, `${field}[${i}].targetMatchers`, problems);
  });
}

function checkTimeIntervals(intervals: readonly TimeInterval[], field: string, problems: StackProblem[]): void {
  const names = new Map<string, number>();
  intervals.forEach((interval, i) => {
    const at = `${field}[${i}]`;
    const first = names.get(interval.name);
    if (first !== undefined) problems.push({ field: `${at}.name`, message: `time interval '${interval.name}' is already defined at ${field}[${first}]`, fix: 'give every time interval its own name' });
    else names.set(interval.name, i);
    (interval.times ?? []).forEach((range, j) => problems.push(...checkTimeRange(range, `${at}.times[${j}]`)));
    problems.push(...checkTimeIntervalDays(interval, at));
    const location = checkLocation(interval.location, `${at}.location`);
    if (location) problems.push(location);
  });
}

export interface RoutingValuesToCheck {
  readonly receivers: readonly { readonly name: string }[];
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: readonly TimeInterval[];
  readonly teams: readonly TeamRouting[];
}

/**
 * Everything about routing a stack can get wrong in its values, each problem at its own field. With `references`
 * false (Alertmanager disabled), names of receivers and time intervals are not checked, only the formats.
 */
export function checkRouting(values: RoutingValuesToCheck, field = 'alertmanager', references = true): StackProblem[] {
  const problems: StackProblem[] = [];
  const receivers = new Set(values.receivers.map((r) => r.name));
  checkTimeIntervals(values.timeIntervals, `${field}.timeIntervals`, problems);
  checkRoute(values.route, `${field}.route`, {
    receivers: references ? receivers : undefined,
    unknownReceiver: (name) => `receiver '${name}' is not defined`,
    receiverFix: `define it in ${field}.receivers (defined: ${[...receivers].join(', ')})`,
    timeIntervals: references ? new Set(values.timeIntervals.map((t) => t.name)) : undefined,
  }, problems);
  checkInhibitRules(values.inhibitRules, `${field}.inhibitRules`, problems);
  values.teams.forEach((team, i) => {
    const at = `${field}.teams[${i}]`;
    const names = new Set(team.receivers.map((r) => r.name));
    checkRoute(team.route, `${at}.route`, {
      receivers: references ? names : undefined,
      unknownReceiver: (name) => `receiver '${name}' is not defined in this team's receivers`,
      receiverFix: `define it in ${at}.receivers (defined: ${[...names].join(', ')})`,
    }, problems);
    checkInhibitRules(team.inhibitRules ?? [], `${at}.inhibitRules`, problems);
  });
  return problems;
}
