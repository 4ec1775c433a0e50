// The drill's copy of the Alertmanager configuration: the routes and inhibitions the operator builds (the global
// configuration and the teams' AlertmanagerConfigs), with every receiver
// replaced by a webhook to a local capture endpoint (which records which receiver got which alert), grouping times
// scaled like the rules, and mute/active time intervals dropped (a drill must not depend on the time of day).
import { alertmanagerConfig } from '../alerting/config';
import type { OperatorRouting } from '../alerting/operator-routing';
import type { Receiver, Route } from '../alerting/types';
import { scaleDuration } from './scale';

function scaleRoute(route: Route, factor: number): Route {
  const scale = (d: string | undefined) => (d ? scaleDuration(d, factor) : undefined);
  return {
    receiver: route.receiver,
    ...(route.matchers ? { matchers: route.matchers } : {}),
    ...(route.continue ? { continue: true } : {}),
    ...(route.groupBy ? { groupBy: route.groupBy } : {}),
    // Alertmanager's defaults (30s, 5m, 4h) apply where a route sets none; the drill scales those too.
    groupWait: scale(route.groupWait ?? '30s'),
    groupInterval: scale(route.groupInterval ?? '5m'),
    repeatInterval: scale(route.repeatInterval ?? '4h'),
    ...(route.routes ? { routes: route.routes.map((r) => scaleRoute(r, factor)) } : {}),
  };
}

/** `captureUrl/<receiver name>` receives what Alertmanager would have sent to that receiver. */
export function drillAlertmanagerConfig(routing: OperatorRouting, factor: number, captureUrl: string): Record<string, unknown> {
  const receivers: Receiver[] = routing.receivers.map((r) => ({
    name: r.name,
    type: 'webhook',
    url: `${captureUrl.replace(/\/$/, '')}/${encodeURIComponent(r.name)}`,
    sendResolved: false,
  }));
  return alertmanagerConfig({ receivers, route: scaleRoute(routing.route, factor), inhibitRules: routing.inhibitRules, timeIntervals: [] });
}
