// What the operator's merge of the teams' AlertmanagerConfigs does to where alerts go, said only where it is true of
// the routing Alertmanager runs (src/alerting/operator-routing.ts), alert by alert.
import { confinedToNamespace, teamConfigName, type OperatorRouting } from '../alerting/operator-routing';
import type { Route, TeamRouting } from '../alerting/types';
import type { Diagnostic } from '../core/diagnostic';
import { allTri, mayCarry, parsed, type AlertProfile } from './alert-match';

export interface TeamRoutingInput {
  readonly route: Route;
  readonly teams: readonly TeamRouting[];
  readonly teamMatcherStrategy: string;
}

/** Labels every alert may be routed on without naming particular alerts. */
const GENERAL_LABELS = new Set(['severity', 'namespace']);

const names = (profiles: readonly AlertProfile[]) => [...new Set(profiles.map((p) => p.alert))].sort();
const sample = (list: readonly string[]) => `${list.slice(0, 3).join(', ')}${list.length > 3 ? ', ...' : ''}`;

function forEachChain(route: Route, path: string, chain: readonly Route[], visit: (chain: readonly Route[], path: string) => void): void {
  const here = [...chain, route];
  visit(here, path);
  (route.routes ?? []).forEach((child, i) => forEachChain(child, `${path}.routes[${i}]`, here, visit));
}

/**
 * A confined team's routes see only alerts of its namespace. A warning where a team route names alerts (by alertname,
 * job, ...) that carry no namespace label, so can never reach it; otherwise an informational note for the summary.
 */
export function teamNamespaceScope(input: TeamRoutingInput, profiles: readonly AlertProfile[], alertmanagerNamespace: string): { diagnostics: Diagnostic[]; notes: string[] } {
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  const clusterLevel = profiles.filter((p) => !mayCarry(p, 'namespace'));
  for (const team of input.teams) {
    if (!confinedToNamespace(team, input.teamMatcherStrategy, alertmanagerNamespace) || !clusterLevel.length) continue;
    const all = names(clusterLevel);
    notes.push(`Team \`${team.namespace}\` (${input.teamMatcherStrategy}): the operator adds \`namespace="${team.namespace}"\` to its routes, so they receive only alerts of that namespace; the ${all.length} cluster-level alerts without a namespace label (${sample(all)}) reach only the global routes.`);
    forEachChain(team.route, `alertmanager.teams › ${team.namespace} › route`, [], (chain, path) => {
      const matchers = parsed(chain.flatMap((r) => r.matchers ?? []));
      if (!matchers.some((m) => !GENERAL_LABELS.has(m.name))) return;
      const named = names(clusterLevel.filter((p) => allTri(p, matchers.filter((m) => m.name !== 'namespace')) !== 'no'));
      if (!named.length) return;
      diagnostics.push({
        severity: 'warning',
        code: 'routing/team-namespace-scope',
        where: path,
        message: `matches ${named.length} cluster-level alert${named.length === 1 ? '' : 's'} without a namespace label (${sample(named)}), which can never reach it: with ${input.teamMatcherStrategy}, the operator adds namespace="${team.namespace}" to this team's routes`,
        fix: 'route cluster-level alerts in the global configuration (alertmanager.route), or set teamMatcherStrategy: None',
      });
    });
  }
  return { diagnostics, notes };
}

/**
 * Per team, the alerts whose root receiver its route hides: they may match the team's merged route (continue: true)
 * and match no global child route, so without the team they would reach the root's receiver, and with it they reach
 * only the team's receivers (Alertmanager uses a route's own receiver only when no child route matched).
 */
export function alertsHiddenFromDefault(input: TeamRoutingInput, effective: OperatorRouting, profiles: readonly AlertProfile[]): { team: TeamRouting; profiles: AlertProfile[] }[] {
  const globalChildren = (input.route.routes ?? []).map((r) => parsed(r.matchers));
  return input.teams.flatMap((team) => {
    const prefix = `${team.namespace}/${teamConfigName(team)}/`;
    const merged = (effective.route.routes ?? []).find((r) => r.receiver.startsWith(prefix) && r.continue);
    if (!merged) return [];
    const hidden = profiles.filter((p) => allTri(p, parsed(merged.matchers)) !== 'no' && globalChildren.every((m) => allTri(p, m) === 'no'));
    return hidden.length ? [{ team, profiles: hidden }] : [];
  });
}

export function teamHidesDefault(input: TeamRoutingInput, effective: OperatorRouting, profiles: readonly AlertProfile[], nullReceivers: ReadonlySet<string>): Diagnostic[] {
  if (nullReceivers.has(input.route.receiver)) return [];
  return alertsHiddenFromDefault(input, effective, profiles).map(({ team, profiles: hidden }) => {
    const list = names(hidden);
    return {
      severity: 'warning',
      code: 'routing/team-hides-default',
      where: `alertmanager.teams › ${team.namespace}`,
      message: `${list.length} alert${list.length === 1 ? '' : 's'} (${sample(list)}) that match this team's route and no global child route reach only the team's receivers, never the default receiver '${input.route.receiver}': Alertmanager uses the root's receiver only when no child route matched, and the team's route is one`,
      fix: `if '${input.route.receiver}' should see them too, end alertmanager.route.routes with a catch-all { receiver: '${input.route.receiver}' }`,
    };
  });
}
