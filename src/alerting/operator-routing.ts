// The routing Alertmanager really runs: the global configuration merged with the teams' AlertmanagerConfigs the way
// the Prometheus Operator merges them (pkg/alertmanager/amcfg.go): each team's route goes first, with
// `continue: true` and, per matcher strategy, `namespace="<team>"`; its receivers are named
// `<namespace>/<AlertmanagerConfig>/<receiver>`; its inhibit rules are confined to its namespace the same way.
import type { InhibitRule, Receiver, Route, TeamRouting } from './types';

export interface OperatorRoutingInput {
  readonly receivers: readonly Receiver[];
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly teams: readonly TeamRouting[];
  readonly teamMatcherStrategy: string;
}

/** The name of a team's AlertmanagerConfig. */
export function teamConfigName(team: TeamRouting): string {
  return `${team.namespace}-routing`;
}

/** Whether the operator adds `namespace="<team>"` to the team's routes and inhibit rules. */
export function confinedToNamespace(team: TeamRouting, strategy: string, alertmanagerNamespace: string): boolean {
  return strategy === 'OnNamespace' || (strategy === 'OnNamespaceExceptForAlertmanagerNamespace' && team.namespace !== alertmanagerNamespace);
}

/** Receivers, routes and inhibit rules as Alertmanager runs them. */
export interface OperatorRouting {
  readonly receivers: Receiver[];
  readonly route: Route;
  readonly inhibitRules: InhibitRule[];
}

export function operatorRouting(input: OperatorRoutingInput, alertmanagerNamespace: string): OperatorRouting {
  // The operator sorts AlertmanagerConfigs by namespace/name.
  const teams = [...input.teams].sort((a, b) => `${a.namespace}/${teamConfigName(a)}`.localeCompare(`${b.namespace}/${teamConfigName(b)}`));
  const confined = (team: TeamRouting) => confinedToNamespace(team, input.teamMatcherStrategy, alertmanagerNamespace);
  const rename = (team: TeamRouting, name: string) => `${team.namespace}/${teamConfigName(team)}/${name}`;
  const renameRoute = (team: TeamRouting, route: Route): Route => ({ ...route, receiver: rename(team, route.receiver), routes: route.routes?.map((r) => renameRoute(team, r)) });
  const namespaceMatcher = (team: TeamRouting) => (confined(team) ? [`namespace="${team.namespace}"`] : []);
  return {
    receivers: [...input.receivers, ...teams.flatMap((t) => t.receivers.map((r) => ({ ...r, name: rename(t, r.name) })))],
    route: {
      ...input.route,
      routes: [
        ...teams.map((t) => {
          const route = renameRoute(t, t.route);
          return { ...route, matchers: [...(route.matchers ?? []), ...namespaceMatcher(t)], continue: true };
        }),
        ...(input.route.routes ?? []),
      ],
    },
    inhibitRules: [
      ...input.inhibitRules,
      ...teams.flatMap((t) => (t.inhibitRules ?? []).map((r) => ({
        ...r,
        sourceMatchers: [...r.sourceMatchers, ...namespaceMatcher(t)],
        targetMatchers: [...r.targetMatchers, ...namespaceMatcher(t)],
      }))),
    ],
  };
}
