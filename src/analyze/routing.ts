// The routing analyzer: where every alert of the stack can go, and the mistakes that make it go elsewhere.
import { matches, matcherText, parseMatcher, type ParsedMatcher } from '../alerting/matchers';
import { operatorRouting } from '../alerting/operator-routing';
import type { InhibitRule, Receiver, Route, RoutingExpectation, TeamRouting, TimeInterval } from '../alerting/types';
import type { RuleSource } from '../rules/rule-set';
import { isAlert } from '../rules/types';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL, type LabelSet } from '../promql/parse';

/** What the analyzer knows of an alert's labels: some values exactly, others only whether they may exist. */
export interface AlertProfile {
  readonly alert: string;
  /** Labels whose values are known: alertname, severity, the rule's static labels, the external labels. */
  readonly known: ReadonlyMap<string, string>;
  /** Labels of the expression's result, whose values are not known. */
  readonly dynamic: LabelSet;
  /** For an open result: the labels it plausibly carries (target labels, and those its expression names). */
  readonly plausible: ReadonlySet<string>;
}

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

type Tri = 'yes' | 'no' | 'maybe';

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

function mayCarry(profile: AlertProfile, label: string): boolean {
  if (profile.known.has(label)) return true;
  const d = profile.dynamic;
  if (d.kind === 'closed') return d.labels.has(label);
  if (d.kind === 'open') return d.added.has(label) || (!d.removed.has(label) && profile.plausible.has(label));
  return false;
}

function matchTri(profile: AlertProfile, m: ParsedMatcher): Tri {
  const value = profile.known.get(m.name);
  if (value !== undefined) return matches(m, value) ? 'yes' : 'no';
  if (!mayCarry(profile, m.name)) return matches(m, '') ? 'yes' : 'no';
  return 'maybe';
}

function allTri(profile: AlertProfile, matchers: readonly ParsedMatcher[]): Tri {
  let result: Tri = 'yes';
  for (const m of matchers) {
    const t = matchTri(profile, m);
    if (t === 'no') return 'no';
    if (t === 'maybe') result = 'maybe';
  }
  return result;
}

const parsed = (matchers: readonly string[] | undefined) => (matchers ?? []).map((m) => parseMatcher(m)).filter((m): m is ParsedMatcher => m !== undefined);

/** The receivers an alert may reach (root already matched), and the route paths on the way. */
function possibleReceivers(route: Route, profile: AlertProfile, into: Set<string>, visited: Set<Route>): void {
  visited.add(route);
  let consumed = false;
  for (const child of route.routes ?? []) {
    const t = allTri(profile, parsed(child.matchers));
    if (t === 'no') continue;
    possibleReceivers(child, profile, into, visited);
    if (t === 'yes' && !child.continue) {
      consumed = true;
      break;
    }
  }
  if (!consumed) into.add(route.receiver);
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
  /** Markdown for SUMMARY.md: the routing tree and, per receiver, the alerts that may reach it. */
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
  const reach = new Map<string, Set<string>>();
  const routesReached = new Map<Route, AlertProfile[]>();
  for (const profile of profiles) {
    const receivers = new Set<string>();
    const visited = new Set<Route>();
    possibleReceivers(effective.route, profile, receivers, visited);
    for (const r of receivers) reach.set(r, new Set([...(reach.get(r) ?? []), profile.alert]));
    for (const route of visited) routesReached.set(route, [...(routesReached.get(route) ?? []), profile]);
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

  // Team routes under OnNamespace only see alerts that carry their namespace label.
  if (input.teamMatcherStrategy !== 'None') {
    const clusterLevel = [...new Set(profiles.filter((p) => !mayCarry(p, 'namespace')).map((p) => p.alert))].sort();
    for (const team of input.teams) {
      if (clusterLevel.length) {
        report('warning', 'routing/team-namespace-scope', `alertmanager.teams › ${team.namespace}`, `with ${input.teamMatcherStrategy}, the operator adds namespace="${team.namespace}" to this team's routes, so the ${clusterLevel.length} cluster-level alerts without a namespace label (${clusterLevel.slice(0, 3).join(', ')}, ...) can never reach them`, 'route cluster-level alerts in the global configuration, or set teamMatcherStrategy: None');
      }
    }
  }
  // Alertmanager uses the root's receiver only when no child route matched, and a team route (continue) is one.
  const catchAll = (input.route.routes ?? []).some((r) => !r.matchers?.length);
  if (input.teams.length && !catchAll && !nullReceivers.has(input.route.receiver)) {
    report('warning', 'routing/team-hides-default', 'alertmanager.route', `alerts that match a team's route and no global child route reach only the team's receivers, never the default receiver '${input.route.receiver}': Alertmanager uses the root's receiver only when no child route matched`, `if '${input.route.receiver}' should see them too, end alertmanager.route.routes with a catch-all { receiver: '${input.route.receiver}' }`);
  }
  for (const team of input.teams) {
    const names = new Set(team.receivers.map((r) => r.name));
    forEachRoute(team.route, `alertmanager.teams › ${team.namespace} › route`, (route, path) => {
      if (!names.has(route.receiver)) report('error', 'routing/unknown-receiver', path, `receiver '${route.receiver}' is not defined in this team's receivers`);
      for (const text of route.matchers ?? []) if (!parseMatcher(text)) report('error', 'routing/bad-matcher', path, `'${text}' is not a matcher`);
    });
  }

  return { diagnostics, report: routingReport(effective.route, reach) };
}

function routingReport(root: Route, reach: Map<string, Set<string>>): string {
  const lines: string[] = ['## Routing', '', '```'];
  const walk = (route: Route, depth: number) => {
    const matchers = route.matchers?.length ? ` {${route.matchers.join(', ')}}` : '';
    lines.push(`${'  '.repeat(depth)}${depth ? '- ' : ''}${route.receiver}${matchers}${route.continue ? ' (continue)' : ''}`);
    (route.routes ?? []).forEach((child) => walk(child, depth + 1));
  };
  walk(root, 0);
  lines.push('```', '', '| receiver | alerts that may reach it |', '|---|---|');
  for (const [receiver, alerts] of [...reach.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`| ${receiver} | ${[...alerts].sort().join(', ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
