// Chaos contracts: each experiment names the alerts it must set off; check, before anything runs, that they can.
import { matches, parseMatcher } from '../alerting/matchers';
import type { Route } from '../alerting/types';
import { scheduleNamespace } from '../chaos/schedule';
import { isOneShot } from '../chaos/schedule';
import type { ChaosSchedule } from '../chaos/types';
import type { RuleSource } from '../rules/rule-set';
import { isAlert, type AlertDefinition } from '../rules/types';
import { closestNames } from '../core/suggest';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL } from '../promql/parse';
import { routeLabels } from './routing';
import { durationSeconds } from '../core/durations';

export interface ChaosContractInput {
  readonly schedules: readonly ChaosSchedule[];
  readonly sources: readonly RuleSource[];
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Undefined when the stack has no Alertmanager. */
  readonly route: Route | undefined;
  readonly externalLabels: Record<string, string>;
}

/** Namespaces an alert's expression can see: undefined when it does not restrict them. */
function namespacesMatched(alert: AlertDefinition, candidates: readonly string[]): string[] | undefined {
  const restrictions = [...alert.expr.matchAll(/namespace\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((m) => parseMatcher(`namespace${m[1]}"${m[2]}"`)!);
  if (!restrictions.length) return undefined;
  return candidates.filter((ns) => restrictions.some((r) => matches(r, ns)));
}

export function analyzeChaosContracts(input: ChaosContractInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const alerts = input.sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((a) => ({ alert: a, interval: g.interval }))));
  const names = [...new Set(alerts.map((a) => a.alert.alert))];
  const scrape = durationSeconds(input.scrapeInterval);
  input.schedules.forEach((schedule, i) => {
    (schedule.expects ?? []).forEach((expectation, j) => {
      const where = `chaos.schedules[${i}] (${schedule.name}) › expects[${j}] (${expectation.alert})`;
      const fail = (message: string, fix: string) => diagnostics.push({ severity: 'error', code: 'chaos/contract', where, message, fix });
      const candidates = alerts.filter((a) => a.alert.alert === expectation.alert);
      if (!candidates.length) {
        const near = closestNames(expectation.alert, names, 3);
        fail('the stack defines no such alert', near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : 'define the alert, or fix its name');
        return;
      }
      // The fastest variant counts: the contract holds when one of the alerts of that name can fire in time.
      const budget = Math.min(durationSeconds(expectation.within), isOneShot(schedule.experiment) || !schedule.duration ? Infinity : durationSeconds(schedule.duration));
      const timings = candidates.map(({ alert, interval }) => {
        const evaluation = durationSeconds(interval ?? input.evaluationInterval);
        const forSeconds = alert.for ? durationSeconds(alert.for) : 0;
        return { alert, total: forSeconds + scrape + evaluation, forSeconds, evaluation };
      });
      const fastest = timings.reduce((a, b) => (b.total < a.total ? b : a));
      if (fastest.total > budget) {
        const limit = budget === durationSeconds(expectation.within) ? `within ${expectation.within}` : `the experiment's duration ${schedule.duration}`;
        fail(
          `cannot fire in time: for ${fastest.forSeconds}s + scrape interval ${scrape}s + evaluation interval ${fastest.evaluation}s = ${fastest.total}s, more than ${limit}`,
          'lengthen the experiment and the expected time, or expect a faster alert',
        );
      }
      const targets = schedule.selector.namespaces;
      const reachable = candidates.filter(({ alert }) => {
        const seen = namespacesMatched(alert, targets);
        return seen === undefined || seen.length > 0;
      });
      if (!reachable.length) {
        fail(`its expression only looks at other namespaces than the experiment's target (${targets.join(', ')})`, `expect an alert that covers ${targets.join(', ')}`);
        return;
      }
      if (expectation.receivers?.length) {
        if (!input.route) {
          fail('receivers are expected, but the stack has no Alertmanager', 'enable alertmanager or drop receivers');
          return;
        }
        const alert = reachable[0].alert;
        const resultLabels = parsePromQL(alert.expr).resultLabels;
        const carriesNamespace = resultLabels?.kind !== 'closed' || resultLabels.labels.has('namespace');
        const labels = {
          ...input.externalLabels, ...alert.labels, severity: alert.severity, alertname: alert.alert,
          ...(carriesNamespace ? { namespace: scheduleNamespace(schedule) } : {}),
        };
        const got = routeLabels(input.route, labels);
        const missing = expectation.receivers.filter((r) => !got.includes(r));
        if (missing.length) fail(`reaches [${got.join(', ')}], not ${missing.map((r) => `'${r}'`).join(', ')}`, 'route the alert to those receivers, or fix the expectation');
      }
    });
  });
  return diagnostics;
}
