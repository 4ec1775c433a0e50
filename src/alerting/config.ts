// The Alertmanager configuration (alertmanager.yaml) and team AlertmanagerConfig resources, from routing values.
import { renderReceiver, renderReceiverResource } from './receivers';
import { parseMatcher } from './matchers';
import type { InhibitRule, Receiver, Route, TeamRouting, TimeInterval } from './types';

export interface RoutingValues {
  readonly receivers: readonly Receiver[];
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: readonly TimeInterval[];
}

function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}

export function renderRoute(route: Route): Record<string, unknown> {
  return defined({
    receiver: route.receiver,
    matchers: route.matchers,
    continue: route.continue || undefined,
    group_by: route.groupBy,
    group_wait: route.groupWait,
    group_interval: route.groupInterval,
    repeat_interval: route.repeatInterval,
    mute_time_intervals: route.muteTimeIntervals,
    active_time_intervals: route.activeTimeIntervals,
    routes: route.routes?.map(renderRoute),
  });
}

function renderTimeInterval(interval: TimeInterval): Record<string, unknown> {
  return {
    name: interval.name,
    time_intervals: [
      defined({
        times: interval.times?.map((t) => ({ start_time: t.startTime, end_time: t.endTime })),
        weekdays: interval.weekdays,
        days_of_month: interval.daysOfMonth,
        months: interval.months,
        location: interval.location,
      }),
    ],
  };
}

/** alertmanager.yaml of the global configuration Secret. Credentials are `*_file` paths, never values. */
export function alertmanagerConfig(values: RoutingValues): Record<string, unknown> {
  return defined({
    global: { resolve_timeout: '5m' },
    route: renderRoute(values.route),
    inhibit_rules: values.inhibitRules.map((r) => ({ source_matchers: r.sourceMatchers, target_matchers: r.targetMatchers, equal: r.equal })),
    receivers: values.receivers.map(renderReceiver),
    time_intervals: values.timeIntervals.map(renderTimeInterval),
  });
}

function resourceMatchers(matchers: readonly string[] | undefined): Array<Record<string, string>> | undefined {
  return matchers?.map((text) => {
    const m = parseMatcher(text)!;
    return { name: m.name, value: m.value, matchType: m.matchType };
  });
}

function renderResourceRoute(route: Route): Record<string, unknown> {
  return defined({
    receiver: route.receiver,
    matchers: resourceMatchers(route.matchers),
    continue: route.continue || undefined,
    groupBy: route.groupBy,
    groupWait: route.groupWait,
    groupInterval: route.groupInterval,
    repeatInterval: route.repeatInterval,
    muteTimeIntervals: route.muteTimeIntervals,
    activeTimeIntervals: route.activeTimeIntervals,
    routes: route.routes?.map(renderResourceRoute),
  });
}

/** The spec of a team's AlertmanagerConfig (monitoring.coreos.com/v1alpha1): credentials as Secret references. */
export function teamConfigSpec(team: TeamRouting): Record<string, unknown> {
  return defined({
    route: renderResourceRoute(team.route),
    receivers: team.receivers.map(renderReceiverResource),
    inhibitRules: team.inhibitRules?.map((r) => ({ sourceMatch: resourceMatchers(r.sourceMatchers), targetMatch: resourceMatchers(r.targetMatchers), equal: r.equal })),
  });
}
