// Routing as Alertmanager will run it, read back from what is written: the configuration Secret's alertmanager.yaml
// and the teams' AlertmanagerConfig resources. Analyzers and drills route alerts through this, so a patch or a
// customize step that changes a route is checked like a route in the values.
import { parseMatcher } from './matchers';
import type { InhibitRule, Receiver, Route, TeamRouting, TimeInterval } from './types';

type Raw = Record<string, unknown>;

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : undefined);
const str = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : String(value));

/** Which integration a receiver uses, from the `<type>_configs` key it carries; none is the null receiver. */
const CONFIG_KEYS: Array<[string, Receiver['type']]> = [
  ['webhook', 'webhook'], ['slack', 'slack'], ['pagerduty', 'pagerduty'], ['email', 'email'], ['opsgenie', 'opsgenie'],
  ['telegram', 'telegram'], ['discord', 'discord'], ['msteams', 'msteams'],
];

/** Name and integration of a written receiver: all the routing analysis needs (credentials stay where they are). */
function receiverFrom(raw: Raw, suffix: 'configs' | 'Configs'): Receiver {
  const found = CONFIG_KEYS.find(([key]) => list(raw[suffix === 'configs' ? `${key}_configs` : `${key}Configs`]).length > 0);
  return { name: String(raw.name ?? ''), type: found ? found[1] : 'null' } as Receiver;
}

function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** A route of alertmanager.yaml (snake_case). */
export function routeFromConfig(raw: Raw): Route {
  return compact({
    receiver: String(raw.receiver ?? ''),
    matchers: strings(raw.matchers),
    continue: raw.continue === true ? true : undefined,
    groupBy: strings(raw.group_by),
    groupWait: str(raw.group_wait),
    groupInterval: str(raw.group_interval),
    repeatInterval: str(raw.repeat_interval),
    muteTimeIntervals: strings(raw.mute_time_intervals),
    activeTimeIntervals: strings(raw.active_time_intervals),
    routes: raw.routes === undefined ? undefined : list(raw.routes).map((r) => routeFromConfig(r as Raw)),
  }) as Route;
}

export interface WrittenRouting {
  readonly receivers: Receiver[];
  readonly route: Route;
  readonly inhibitRules: InhibitRule[];
  readonly timeIntervals: TimeInterval[];
}

/** The global routing of an alertmanager.yaml document. */
export function routingFromConfig(config: Raw): WrittenRouting {
  return {
    receivers: list(config.receivers).map((r) => receiverFrom(r as Raw, 'configs')),
    route: routeFromConfig((config.route ?? {}) as Raw),
    inhibitRules: list(config.inhibit_rules).map((r) => {
      const rule = r as Raw;
      return { sourceMatchers: strings(rule.source_matchers) ?? [], targetMatchers: strings(rule.target_matchers) ?? [], equal: strings(rule.equal) ?? [] };
    }),
    timeIntervals: list(config.time_intervals).map((t) => ({ name: String((t as Raw).name ?? '') })),
  };
}

/** `{name, value, matchType}` matchers of an AlertmanagerConfig, as matcher text. */
function resourceMatchers(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((m) => {
    const { name, value: v, matchType = '=' } = m as { name?: unknown; value?: unknown; matchType?: unknown };
    const text = `${String(name)}${String(matchType)}${JSON.stringify(String(v ?? ''))}`;
    return parseMatcher(text) ? text : `${String(name)}${String(matchType)}${String(v)}`;
  });
}

function routeFromResource(raw: Raw): Route {
  return compact({
    receiver: String(raw.receiver ?? ''),
    matchers: resourceMatchers(raw.matchers),
    continue: raw.continue === true ? true : undefined,
    groupBy: strings(raw.groupBy),
    groupWait: str(raw.groupWait),
    groupInterval: str(raw.groupInterval),
    repeatInterval: str(raw.repeatInterval),
    muteTimeIntervals: strings(raw.muteTimeIntervals),
    activeTimeIntervals: strings(raw.activeTimeIntervals),
    routes: raw.routes === undefined ? undefined : list(raw.routes).map((r) => routeFromResource(r as Raw)),
  }) as Route;
}

/** A team's routing from its AlertmanagerConfig (monitoring.coreos.com/v1alpha1) in `namespace`. */
export function teamFromResource(namespace: string, spec: Raw): TeamRouting {
  return {
    namespace,
    receivers: list(spec.receivers).map((r) => receiverFrom(r as Raw, 'Configs')),
    route: routeFromResource((spec.route ?? {}) as Raw),
    inhibitRules: list(spec.inhibitRules).map((r) => {
      const rule = r as Raw;
      return { sourceMatchers: resourceMatchers(rule.sourceMatch) ?? [], targetMatchers: resourceMatchers(rule.targetMatch) ?? [], equal: strings(rule.equal) ?? [] };
    }),
  };
}
