// Chaos contracts: each experiment names the alerts it must set off; check, before anything runs, that they can.
import { matches, parseMatcher } from '../alerting/matchers';
import type { Route } from '../alerting/types';
import { scheduleNamespace } from '../chaos/schedule';
import { isOneShot } from '../chaos/schedule';
import type { ChaosExpectation, ChaosSchedule } from '../chaos/types';
import type { RuleSource } from '../rules/rule-set';
import { isAlert, type AlertDefinition } from '../rules/types';
import { closestNames } from '../core/suggest';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL, vectorSelectors } from '../promql/parse';
import { routeLabels } from './routing';
import { durationSeconds } from '../core/durations';
import { contractSimulations, readsSimulatedJobs, type PlayedSimulation } from '../simulation/simulate';
import { playAlert } from '../simulation/evaluate';
import { sloExpectationCandidates } from './slo-contract';

export interface ChaosContractInput {
  readonly schedules: readonly ChaosSchedule[];
  readonly sources: readonly RuleSource[];
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Undefined when the stack has no Alertmanager. */
  readonly route: Route | undefined;
  readonly externalLabels: Record<string, string>;
  /** Schedules a drill scenario of the stack plays: its series say what the experiment does, not the simulation. */
  readonly scenarioSchedules?: ReadonlySet<string>;
}

/** Namespaces an alert's expression can see: undefined when it does not restrict them. */
function namespacesMatched(alert: AlertDefinition, candidates: readonly string[]): string[] | undefined {
  const restrictions = [...alert.expr.matchAll(/namespace\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((m) => parseMatcher(`namespace${m[1]}"${m[2]}"`)!);
  if (!restrictions.length) return undefined;
  return candidates.filter((ns) => restrictions.some((r) => matches(r, ns)));
}

type Verdict = { readonly fires: true } | { readonly cannot: string } | { readonly unknown: string };

/**
 * Whether the experiment can set the alert off, by its built-in simulation (src/simulation/simulate.ts): the series of what
 * the experiment does to the metrics the alert reads, played as Prometheus would at the stack's scrape and evaluation
 * intervals (src/simulation/evaluate.ts). Only a definite "never" counts against a contract: the simulation changes
 * nothing the alert reads, or plays it without it firing. Experiments without a simulation (DNSChaos, ...), alerts
 * on recording rules (the simulation makes raw series only), expressions the evaluator does not know, and joins
 * whose sides the simulation's labels do not line up for are left to the drill.
 */
function simulatedVerdict(schedule: ChaosSchedule, alert: AlertDefinition, recorded: ReadonlySet<string>, scrape: number, evaluation: number): Verdict {
  const read = [...new Set(vectorSelectors(alert.expr).map((s) => s.name).filter(Boolean))];
  const fromRecords = read.filter((name) => recorded.has(name) || name.includes(':'));
  if (fromRecords.length) return { unknown: `it reads recorded series (${fromRecords.join(', ')})` };
  const simulations = contractSimulations(schedule, alert);
  const played = simulations.filter((s): s is PlayedSimulation => 'series' in s);
  if (!played.length) {
    const unchanged = simulations.find((s) => 'skip' in s && s.cause === 'unchanged');
    if (unchanged && simulations.every((s) => 'skip' in s && s.cause === 'unchanged')) {
      return { cannot: `in its simulation (${'description' in unchanged ? unchanged.description : schedule.experiment.kind}), nothing ${alert.alert} reads changes (${read.join(', ')})` };
    }
    return { unknown: simulations.map((s) => ('skip' in s ? s.skip : '')).join('; ') };
  }
  for (const simulation of played) {
    const outcome = playAlert(alert, simulation.series, { scrapeSeconds: scrape, evaluationSeconds: evaluation });
    if ('unknown' in outcome) return outcome;
    // Firing before the experiment starts is the simulation's healthy stretch, not the experiment.
    if (outcome.firesAt !== null) return outcome.firesAt >= simulation.startsAt * 60 ? { fires: true } : { unknown: 'it fires before the experiment' };
  }
  const forText = alert.for ? ` for ${alert.for}` : '';
  return { cannot: `in its simulation (${played.map((s) => s.description).join('; ')}), ${alert.alert} never fires: what it reads (${read.join(', ')}) never holds${forText}` };
}

/**
 * Up to `limit` alerts (by name) the experiment's simulation sets off, for a fix: alerts on the jobs it is about
 * that it changes something for, those with the shortest windows first (playing a 6h window takes a while).
 */
function alertsSetOff(
  schedule: ChaosSchedule,
  candidates: ReadonlyArray<{ alert: AlertDefinition; interval?: string }>,
  limit: number,
  verdict: (a: { alert: AlertDefinition; interval?: string }) => Verdict,
): string[] {
  const reach = (a: AlertDefinition) => Math.max(0, ...parsePromQL(a.expr).ranges.map((r) => r.seconds));
  const changed = [...new Map(candidates.map((a) => [a.alert.alert, a])).values()]
    .filter((a) => readsSimulatedJobs(schedule, a.alert) && contractSimulations(schedule, a.alert).some((s) => 'series' in s))
    .sort((a, b) => reach(a.alert) - reach(b.alert));
  const found: string[] = [];
  for (const a of changed) {
    if (found.length === limit) break;
    if ('fires' in verdict(a)) found.push(a.alert.alert);
  }
  return found;
}

/** How one contract (an experiment's expected alert) stood at synth, for the reviewer's summary. */
export interface ChaosContractOutcome {
  readonly schedule: ChaosSchedule;
  readonly expectation: ChaosExpectation;
  /** Whether it held, and how it was shown: by the built-in simulation, left to a drill scenario or the drill. */
  readonly proof: { readonly kind: 'failed' } | { readonly kind: 'simulated' } | { readonly kind: 'scenario' } | { readonly kind: 'not-simulated'; readonly reason: string };
  /** The receivers the alert reaches in the routing Alertmanager runs; undefined without an Alertmanager. */
  readonly receivers?: readonly string[];
}

export function analyzeChaosContracts(input: ChaosContractInput): Diagnostic[] {
  return chaosContracts(input).diagnostics;
}

/** The contracts' diagnostics, and how each contract stood. */
export function chaosContracts(input: ChaosContractInput): { diagnostics: Diagnostic[]; outcomes: ChaosContractOutcome[] } {
  const diagnostics: Diagnostic[] = [];
  const outcomes: ChaosContractOutcome[] = [];
  const alerts = input.sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((a) => ({ alert: a, interval: g.interval }))));
  const names = [...new Set(alerts.map((a) => a.alert.alert))];
  const recorded = new Set(input.sources.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : [])))));
  const scrape = durationSeconds(input.scrapeInterval);
  const evaluationOf = (interval: string | undefined) => durationSeconds(interval ?? input.evaluationInterval);
  input.schedules.forEach((schedule, i) => {
    (schedule.expects ?? []).forEach((expectation, j) => {
      const where = `chaos.schedules[${i}] (${schedule.name}) › expects[${j}] (${expectation.alert}${expectation.slo ? `, slo ${expectation.slo}` : ''})`;
      let failed = false;
      let receivers: string[] | undefined;
      const fail = (message: string, fix: string) => {
        failed = true;
        diagnostics.push({ severity: 'error', code: 'chaos/contract', where, message, fix });
      };
      const verdicts = check();
      const notSimulated = verdicts.find((v): v is { unknown: string } => 'unknown' in v);
      const proof: ChaosContractOutcome['proof'] = failed ? { kind: 'failed' }
        : input.scenarioSchedules?.has(schedule.name) ? { kind: 'scenario' }
          : verdicts.some((v) => 'fires' in v) ? { kind: 'simulated' }
            : { kind: 'not-simulated', reason: notSimulated?.unknown ?? 'no simulation was played' };
      outcomes.push({ schedule, expectation, proof, receivers });

      function check(): Verdict[] {
        const named = alerts.filter((a) => a.alert.alert === expectation.alert);
        // An SLO's expectation counts only that SLO's burn alerts (and of the tier it names).
        const ofSlo = named.length ? sloExpectationCandidates(expectation, named) : { candidates: named };
        if ('problem' in ofSlo) {
          fail(ofSlo.problem.message, ofSlo.problem.fix);
          return [];
        }
        const candidates = ofSlo.candidates;
        if (!candidates.length) {
          const near = closestNames(expectation.alert, names, 3);
          fail('the stack defines no such alert', near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : 'define the alert, or fix its name');
          return [];
        }
        // The fastest variant counts: the contract holds when one of the alerts of that name can fire in time.
        const budget = Math.min(durationSeconds(expectation.within), isOneShot(schedule.experiment) || !schedule.duration ? Infinity : durationSeconds(schedule.duration));
        const timings = candidates.map(({ alert, interval }) => {
          const evaluation = durationSeconds(interval ?? input.evaluationInterval);
          const forSeconds = alert.for ? durationSeconds(alert.for) : 0;
          return { alert, total: forSeconds + scrape + evaluation, forSeconds, evaluation };
        });
        const fastest = timings.reduce((a, b) => (b.total < a.total ? b : a));
        const inTime = fastest.total <= budget;
        if (!inTime) {
          const limit = budget === durationSeconds(expectation.within) ? `within ${expectation.within}` : `the experiment's duration ${schedule.duration}`;
          fail(
            `cannot fire in time: for ${fastest.forSeconds}s + scrape interval ${scrape}s + evaluation interval ${fastest.evaluation}s = ${fastest.total}s, more than ${limit}`,
            'lengthen the experiment and the expected time, or expect a faster alert',
          );
        }
        const targets = schedule.selector.namespaces;
        const covers = (alert: AlertDefinition) => {
          const seen = namespacesMatched(alert, targets);
          return seen === undefined || seen.length > 0;
        };
        const reachable = candidates.filter(({ alert }) => covers(alert));
        if (!reachable.length) {
          fail(`its expression only looks at other namespaces than the experiment's target (${targets.join(', ')})`, `expect an alert that covers ${targets.join(', ')}`);
          return [];
        }
        // Too slow is said already; else the experiment must be able to set one of the variants off at all.
        const verdicts = inTime && !input.scenarioSchedules?.has(schedule.name) ? reachable.map(({ alert, interval }) => simulatedVerdict(schedule, alert, recorded, scrape, evaluationOf(interval))) : [];
        const cannot = verdicts.length && verdicts.every((v) => 'cannot' in v) ? (verdicts[0] as { cannot: string }).cannot : undefined;
        if (cannot) {
          const instead = alertsSetOff(schedule, alerts.filter((a) => a.alert.alert !== expectation.alert && covers(a.alert)), 3, (a) => simulatedVerdict(schedule, a.alert, recorded, scrape, evaluationOf(a.interval)));
          const suggestion = instead.length ? ` (in the simulation: ${instead.join(', ')})` : '';
          fail(`cannot fire from this experiment: ${cannot}`, `expect an alert the experiment sets off${suggestion}, or run an experiment that sets ${expectation.alert} off`);
          return [];
        }
        // Where the alert goes when it fires in the experiment's namespace, expected or not (the summary shows it).
        const alert = reachable[0].alert;
        const resultLabels = parsePromQL(alert.expr).resultLabels;
        const carriesNamespace = resultLabels?.kind !== 'closed' || resultLabels.labels.has('namespace');
        const labels = {
          ...input.externalLabels, ...alert.labels, severity: alert.severity, alertname: alert.alert,
          ...(carriesNamespace ? { namespace: scheduleNamespace(schedule) } : {}),
        };
        receivers = input.route ? routeLabels(input.route, labels) : undefined;
        if (expectation.receivers?.length) {
          const got = receivers;
          if (!got) {
            fail('receivers are expected, but the stack has no Alertmanager', 'enable alertmanager or drop receivers');
            return [];
          }
          const missing = expectation.receivers.filter((r) => !got.includes(r));
          if (missing.length) fail(`reaches [${got.join(', ')}], not ${missing.map((r) => `'${r}'`).join(', ')}`, 'route the alert to those receivers, or fix the expectation');
        }
        return verdicts;
      }
    });
  });
  return { diagnostics, outcomes };
}
