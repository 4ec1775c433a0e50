// The routing analyzer: where every alert of the stack can go, and the mistakes that make it go elsewhere.
import { matches, matcherText, parseMatcher } from '../alerting/matchers';
import { operatorRouting } from '../alerting/operator-routing';
import type { InhibitRule, Receiver, Route, RoutingExpectation, TeamRouting, TimeInterval } from '../alerting/types';
import type { RuleSource } from '../rules/rule-set';
import { isAlert } from '../rules/types';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL } from '../promql/parse';
import { allTri, mayCarry, parsed, type AlertProfile } from './alert-match';
import { routingReport } from './routing-report';
import { teamHidesDefault, teamNamespaceScope } from './team-routing';

export type { AlertProfile } from './alert-match';

/** The labels Prometheus' Kubernetes service discovery puts on every target of this stack. */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod', 'service', 'endpoint', 'container', 'node'];

export interface RoutingInput {
  readonly receivers: readonly Receiver[];
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly timeIntervals: readonly TimeInterval[];
  readonly intentionallyUnrouted: readonly string[];
  readonly expectations: readonly RoutingExpectation[];
  readonly teams: readonly TeamRouting[];
  readonly teamMatcherStrategy: string;
}

/** Every alert of the stack as the analyzer sees it. */
export function alertProfiles(sources: readonly RuleSource[], externalLabels: Record<string, string>): AlertProfile[] {
  return sources.flatMap((s) =>
    s.groups.flatMap((g) =>
      g.rules.filter(isAlert).map((a) => {
        const expression = parsePromQL(a.expr);
        return {
          alert: a.alert,
          known: new Map(Object.entries({ ...externalLabels, ...a.labels, severity: a.severity, alertname: a.alert })),
          dynamic: expression.resultLabels ?? { kind: 'open', removed: new Set<string>(), added: new Set<string>() },
          plausible: new Set([...TARGET_LABELS, ...expression.labelNames]),
        };
      }),
    ),
  );
}

/** The receivers an alert may reach (root already matched), and the route paths on the way. */
function possibleReceivers(route: Route, profile: AlertProfile, into: Set<string>, visited: Set<Route>): void {
  visited.add(route);
  // As Alertmanager: the route's own receiver only when no child matched, with continue or without.
  let childMatched = false;
  for (const child of route.routes ?? []) {
    const t = allTri(profile, parsed(child.matchers));
    if (t === 'no') continue;
    possibleReceivers(child, profile, into, visited);
    if (t === 'yes') childMatched = true;
    if (t === 'yes' && !child.continue) break;
  }
  if (!childMatched) into.add(route.receiver);
}

/** Exactly where an alert with these labels goes, in order (what `amtool config routes test` prints). */
export function routeLabels(route: Route, labels: Record<string, string>): string[] {
  const result: string[] = [];
  const walk = (node: Route): void => {
    let matched = false;
    for (const child of node.routes ?? []) {
      if (!parsed(child.matchers).every((m) => matches(m, labels[m.name] ?? ''))) continue;
      matched = true;
      walk(child);
      if (!child.continue) break;
    }
    if (!matched) result.push(node.receiver);
  };
  walk(route);
  return result;
}

function forEachRoute(route: Route, path: string, visit: (route: Route, path: string) => void): void {
  visit(route, path);
  (route.routes ?? []).forEach((child, i) => forEachRoute(child, `${path}.routes[${i}]`, visit));
}

export interface RoutingAnalysis {
  readonly diagnostics: Diagnostic[];
  /** Markdown for SUMMARY.md: the routing tree and, per receiver, a table of the alerts it receives. */
  readonly report: string;
}

export function analyzeRouting(input: RoutingInput, profiles: readonly AlertProfile[], alertmanagerNamespace: string): RoutingAnalysis {
  // Where alerts go is decided by what Alertmanager runs: the global routes with the teams' routes merged in.
  const effective = operatorRouting(input, alertmanagerNamespace);
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], code: string, where: string, message: string, fix?: string) =>
    diagnostics.push({ severity, code, where, message, fix });
  const receiverNames = new Set(input.receivers.map((r) => r.name));
  const nullReceivers = new Set(effective.receivers.filter((r) => r.type === 'null').map((r) => r.name));
  const intervals = new Set(input.timeIntervals.map((t) => t.name));
  const labelExists = (label: string) => label === 'alertname' || profiles.some((p) => mayCarry(p, label));

  // Structure: matchers parse, receivers and time intervals exist.
  const used = new Set<string>();
  forEachRoute(input.route, 'alertmanager.route', (route, path) => {
    used.add(route.receiver);
    if (!receiverNames.has(route.receiver)) report('error', 'routing/unknown-receiver', path, `receiver '${route.receiver}' is not defined`, `define it in alertmanager.receivers (defined: ${[...receiverNames].join(', ')})`);
    for (const text of route.matchers ?? []) {
      const m = parseMatcher(text);
      if (!m) report('error', 'routing/bad-matcher', path, `'${text}' is not a matcher`, 'write it like severity="critical" or namespace=~"team-.*"');
      else if (!labelExists(m.name)) report('warning', 'routing/unknown-label', path, `matcher '${text}' is on label '${m.name}', which no alert of the stack carries`, 'check the label name against the alerts in dist/');
    }
    for (const name of [...(route.muteTimeIntervals ?? []), ...(route.activeTimeIntervals ?? [])]) {
      if (!intervals.has(name)) report('error', 'routing/unknown-time-interval', path, `time interval '${name}' is not defined`, 'define it in alertmanager.timeIntervals');
    }
  });
  for (const receiver of input.receivers) {
    if (!used.has(receiver.name)) report('warning', 'routing/unused-receiver', `alertmanager.receivers › ${receiver.name}`, `receiver '${receiver.name}' is used by no route`, 'route alerts to it or remove it');
  }

  // Shadowed routes: an earlier sibling without continue whose matchers are a subset catches everything first.
  forEachRoute(input.route, 'alertmanager.route', (route, path) => {
    const children = route.routes ?? [];
    children.forEach((later, j) => {
      const laterSet = new Set(parsed(later.matchers).map(matcherText));
      const shadow = children.slice(0, j).findIndex((earlier) => !earlier.continue && parsed(earlier.matchers).every((m) => laterSet.has(matcherText(m))));
      if (shadow >= 0) report('warning', 'routing/shadowed-route', `${path}.routes[${j}]`, `can never match: ${path}.routes[${shadow}] comes first, has no continue, and matches every alert this route would`, 'move it before that route, or add continue: true to that one');
    });
  });

  // Where every alert may go.
  const routesReached = new Map<Route, AlertProfile[]>();
  for (const profile of profiles) {
    const receivers = new Set<string>();
    const visited = new Set<Route>();
    possibleReceivers(effective.route, profile, receivers, visited);
    for (const route of visited) {
      // Appended in place: copying the list once per alert made this quadratic in the number of alerts.
      const reaching = routesReached.get(route);
      if (reaching) reaching.push(profile);
      else routesReached.set(route, [profile]);
    }
    const onlyNull = [...receivers].every((r) => nullReceivers.has(r));
    if (onlyNull && !input.intentionallyUnrouted.includes(profile.alert) && input.receivers.some((r) => r.type !== 'null')) {
      report('warning', 'routing/only-null', `alert ${profile.alert} (${profile.known.get('severity')})`, 'reaches only the null receiver: nobody is notified', 'route it to a receiver, or list it in alertmanager.intentionallyUnrouted');
    }
  }
  if (!input.receivers.some((r) => r.type !== 'null') && profiles.length) {
    report('warning', 'routing/no-receivers', 'alertmanager.receivers', 'there is no receiver but the null one: no alert notifies anybody', 'add a receiver (webhook, slack, pagerduty, email, ...) and route alerts to it');
  }

  // group_by labels that no alert reaching the route can carry.
  forEachRoute(input.route, 'alertmanager.route', (route, path) => {
    // The merged root is a copy of the user's root; every other global route is the user's own object.
    const reaching = routesReached.get(route === input.route ? effective.route : route) ?? [];
    for (const label of route.groupBy ?? []) {
      if (label === '...' || !reaching.length) continue;
      if (!reaching.some((p) => mayCarry(p, label))) report('warning', 'routing/group-by-missing-label', path, `groups by '${label}', which none of the ${reaching.length} alerts reaching it carries`, 'group by labels the alerts have');
    }
  });

  // Inhibit rules: an `equal` label missing on both sides counts as equal, so the rule inhibits across everything.
  input.inhibitRules.forEach((rule, i) => {
    const where = `alertmanager.inhibitRules[${i}]`;
    for (const text of [...rule.sourceMatchers, ...rule.targetMatchers]) {
      if (!parseMatcher(text)) report('error', 'routing/bad-matcher', where, `'${text}' is not a matcher`, 'write it like severity="critical"');
    }
    const sources = profiles.filter((p) => allTri(p, parsed(rule.sourceMatchers)) !== 'no');
    const targets = profiles.filter((p) => allTri(p, parsed(rule.targetMatchers)) !== 'no');
    for (const label of rule.equal) {
      // A pair that lacks the label on both sides counts as equal on it. That is intended when another equal label
      // ties the pair together (alertname: a critical alert silencing its own warning variant), not otherwise.
      const pairs = sources
        .filter((s) => !mayCarry(s, label))
        .flatMap((s) => targets.filter((t) => t !== s && !mayCarry(t, label)).map((t) => [s, t] as const))
        .filter(([s, t]) => {
          const others = rule.equal.filter((other) => other !== label && s.known.has(other) && t.known.has(other));
          const tied = others.some((other) => s.known.get(other) === t.known.get(other));
          const apart = others.some((other) => s.known.get(other) !== t.known.get(other));
          return !tied && !apart;
        });
      const names = [...new Set(pairs.map(([s, t]) => `${s.alert} -> ${t.alert}`))].sort();
      if (names.length) {
        report('warning', 'routing/inhibit-missing-label', where, `equal label '${label}' is missing on both sides of ${names.length} source -> target pairs (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}): Alertmanager treats a label both lack as equal, so these inhibit each other across the whole cluster`, `add '${label}' to those alerts, or narrow the matchers`);
      }
    }
  });

  // Declared expectations.
  input.expectations.forEach((expectation, i) => {
    const got = routeLabels(effective.route, expectation.labels);
    const want = [...expectation.receivers];
    if (got.join() !== want.join()) {
      // A team's receiver keeps its bare name only in the team's AlertmanagerConfig.
      const renamed = want.flatMap((w) => effective.receivers.filter((r) => r.name.endsWith(`/${w}`)).map((r) => `'${w}' is '${r.name}' in Alertmanager`));
      const fix = renamed.length ? `name team receivers as Alertmanager does: ${renamed.join(', ')}` : 'fix the routes, or the expectation';
      report('error', 'routing/expectation', `alertmanager.expectations[${i}]`, `an alert with ${JSON.stringify(expectation.labels)} goes to [${got.join(', ')}], not [${want.join(', ')}]`, fix);
    }
  });

  // What the operator's merge of the teams' routes does, said where it is true alert by alert (team-routing.ts).
  const scope = teamNamespaceScope(input, profiles, alertmanagerNamespace);
  diagnostics.push(...scope.diagnostics, ...teamHidesDefault(input, effective, profiles, nullReceivers));
  for (const team of input.teams) {
    const names = new Set(team.receivers.map((r) => r.name));
    forEachRoute(team.route, `alertmanager.teams › ${team.namespace} › route`, (route, path) => {
      if (!names.has(route.receiver)) report('error', 'routing/unknown-receiver', path, `receiver '${route.receiver}' is not defined in this team's receivers`);
      for (const text of route.matchers ?? []) if (!parseMatcher(text)) report('error', 'routing/bad-matcher', path, `'${text}' is not a matcher`);
    });
  }

  return { diagnostics, report: routingReport({ route: effective.route, profiles, notes: scope.notes }) };
}

/**
 * The receivers each alert may reach (`<alert> (<severity>)` -> receivers, sorted), through the routing Alertmanager
 * runs: the global routes with the teams' routes merged in. `o11y diff` compares these before and after a change.
 */
export function alertReceivers(input: RoutingInput, profiles: readonly AlertProfile[], alertmanagerNamespace: string): Map<string, string[]> {
  const effective = operatorRouting(input, alertmanagerNamespace);
  const result = new Map<string, Set<string>>();
  for (const profile of profiles) {
    const key = `${profile.alert} (${profile.known.get('severity')})`;
    const receivers = result.get(key) ?? new Set<string>();
    possibleReceivers(effective.route, profile, receivers, new Set());
    result.set(key, receivers);
  }
  return new Map([...result].map(([key, receivers]) => [key, [...receivers].sort()]));
}
