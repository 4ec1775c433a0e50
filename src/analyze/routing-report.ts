// The Routing section of SUMMARY.md: the routing tree Alertmanager runs and, per receiver, a table of the alerts it
// receives with the route that takes each there, its grouping and timing.
import type { Route } from '../alerting/types';
import { allTri, parsed, type AlertProfile } from './alert-match';
import { cell } from './markdown';

/** Alertmanager's defaults for a route that sets none and inherits none. */
const DEFAULT_TIMING = { groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' };

/** One way an alert reaches a receiver: the routes from the root down to the one that delivers it. */
interface Delivery {
  readonly profile: AlertProfile;
  readonly chain: readonly Route[];
  /** The last route is used because none of its child routes matched. */
  readonly fallback: boolean;
  /** Whether it depends on labels only the firing series knows (namespace, pod, ...). */
  readonly conditional: boolean;
}

/** Every way an alert may be delivered, walking the tree as Alertmanager does (root already matched). */
function deliveries(route: Route, profile: AlertProfile, chain: readonly Route[], conditional: boolean, into: Delivery[]): void {
  const here = [...chain, route];
  let childMatched = false;
  for (const child of route.routes ?? []) {
    const t = allTri(profile, parsed(child.matchers));
    if (t === 'no') continue;
    deliveries(child, profile, here, conditional || t === 'maybe', into);
    if (t === 'yes') childMatched = true;
    if (t === 'yes' && !child.continue) break;
  }
  if (!childMatched) into.push({ profile, chain: here, fallback: !!route.routes?.length, conditional });
}

function conditions(d: Delivery): string {
  const matchers = d.chain.flatMap((r) => r.matchers ?? []).map((m) => `\`${m}\``);
  const parts = [...matchers];
  if (d.fallback) parts.push(d.chain.length === 1 ? 'no route matched (default receiver)' : 'no child route matched');
  // A child route without matchers takes every alert its earlier siblings left to it.
  return parts.join(', ') || 'catch-all route';
}

/** What the delivering route inherits: Alertmanager copies group_by and the timers down the tree. */
function grouping(chain: readonly Route[]): { groupBy: string; timing: string } {
  const inherited = <K extends 'groupBy' | 'groupWait' | 'groupInterval' | 'repeatInterval'>(key: K): Route[K] =>
    [...chain].reverse().find((r) => r[key] !== undefined)?.[key];
  const groupBy = inherited('groupBy');
  const last = chain[chain.length - 1];
  const windows = [
    ...(last.muteTimeIntervals?.length ? [`muted ${last.muteTimeIntervals.join(', ')}`] : []),
    ...(last.activeTimeIntervals?.length ? [`active ${last.activeTimeIntervals.join(', ')}`] : []),
  ];
  const timing = `${inherited('groupWait') ?? DEFAULT_TIMING.groupWait} / ${inherited('groupInterval') ?? DEFAULT_TIMING.groupInterval} / ${inherited('repeatInterval') ?? DEFAULT_TIMING.repeatInterval}`;
  return {
    groupBy: groupBy?.length ? groupBy.map((l) => `\`${l}\``).join(', ') : 'nothing (one group)',
    timing: [timing, ...windows].join('; '),
  };
}

export interface RoutingReportInput {
  /** The merged route: the global one with the teams' routes first. */
  readonly route: Route;
  readonly profiles: readonly AlertProfile[];
  /** Informational lines for the reviewer (e.g. what a team's namespace scope leaves out). */
  readonly notes: readonly string[];
}

export function routingReport(input: RoutingReportInput): string {
  const lines: string[] = ['## Routing', '', 'The routing tree Alertmanager runs (team routes merged in as the Prometheus Operator merges them):', '', '```'];
  const walk = (route: Route, depth: number) => {
    const matchers = route.matchers?.length ? ` {${route.matchers.join(', ')}}` : '';
    lines.push(`${'  '.repeat(depth)}${depth ? '- ' : ''}${route.receiver}${matchers}${route.continue ? ' (continue)' : ''}`);
    (route.routes ?? []).forEach((child) => walk(child, depth + 1));
  };
  walk(input.route, 0);
  lines.push('```', '');
  if (input.notes.length) lines.push(...input.notes.map((n) => `- ${n}`), '');

  const byReceiver = new Map<string, Map<string, { profile: AlertProfile; conditions: Set<string>; grouping: Set<string>; timing: Set<string>; conditional: boolean }>>();
  for (const profile of input.profiles) {
    const found: Delivery[] = [];
    deliveries(input.route, profile, [], false, found);
    for (const d of found) {
      const receiver = d.chain[d.chain.length - 1].receiver;
      const rows = byReceiver.get(receiver) ?? new Map();
      byReceiver.set(receiver, rows);
      const key = `${profile.alert}\u0000${profile.known.get('severity') ?? ''}`;
      const row = rows.get(key) ?? { profile, conditions: new Set<string>(), grouping: new Set<string>(), timing: new Set<string>(), conditional: true };
      const g = grouping(d.chain);
      row.conditions.add(conditions(d));
      row.grouping.add(g.groupBy);
      row.timing.add(g.timing);
      // A row is unconditional when one way there holds whatever labels the firing series has.
      row.conditional = row.conditional && d.conditional;
      rows.set(key, row);
    }
  }
  lines.push('Per receiver, the alerts it receives. *may* marks alerts that reach it only with some values of labels the firing series sets (namespace, pod, ...); timing is group_wait / group_interval / repeat_interval.', '');
  for (const [receiver, rows] of [...byReceiver.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
    lines.push(`### \`${receiver}\` (${sorted.length} alert${sorted.length === 1 ? '' : 's'})`, '', '| alert | severity | routed here by | group by | timing |', '|---|---|---|---|---|');
    for (const row of sorted) {
      const alert = `${row.profile.alert}${row.conditional ? ' *may*' : ''}`;
      lines.push(`| ${cell(alert)} | ${cell(row.profile.known.get('severity') ?? '')} | ${cell([...row.conditions].join(' or '))} | ${cell([...row.grouping].join(' or '))} | ${cell([...row.timing].join(' or '))} |`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
