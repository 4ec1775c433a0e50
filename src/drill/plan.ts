// What a drill runs for a stack, time-scaled by one factor:
// - built in: a real node_exporter that the drill stops (TargetDown must follow), and the always-firing Watchdog;
// - every chaos contract, played by a built-in simulation of its experiment, else by the expected alert's own firing
//   case, unless a scenario of the stack plays that schedule;
// - the scenarios the stack declares (`drill.scenarios`).
// Where no receivers are expected explicitly, built-in scenarios expect what the stack's routing tree says.
import { operatorRouting } from '../alerting/operator-routing';
import { routeLabels } from '../analyze/routing';
import type { ChaosExpectation, ChaosSchedule } from '../chaos/types';
import { isOneShot, scheduleNamespace } from '../chaos/schedule';
import { injectedMetrics } from '../chaos/verification';
import { isAlert, type AlertDefinition, type SeriesInput } from '../rules/types';
import { StackError, type StackProblem } from '../core/problems';
import { closestNames } from '../core/suggest';
import { routingInput } from '../analyze/model';
import type { StackModel } from '../model/stack-model';
import type { RuleGroup } from '../k8s/monitoring';
import { drillAlertmanagerConfig } from './alertmanager';
import { nodeExporterScrape, RBAC_PROXY_CONTAINER } from './proxied-scrape';
import type { DrillScenario, DrillSetup, PlayedExpectation } from './run';
import { scaleDuration, scaleRuleGroups } from './scale';
import { HEALTHY_STEPS, simulateContract, simulateKind } from '../simulation/simulate';
import type { DrillExpectation, DrillScenarioValues } from '../scenarios/types';
import { durationSeconds } from '../core/durations';
import { toYaml } from '../core/yaml';

export interface DrillPlan {
  readonly setup: DrillSetup;
  readonly scenarios: DrillScenario[];
  /** Chaos expectations that cannot be played, with why. */
  readonly skipped: string[];
  readonly factor: number;
}

/** The drill of a stack's model: the rules, routing and Prometheus settings as written. */
export function planDrill(model: StackModel, factor: number, timeoutMs = 120000): DrillPlan {
  const v = model.values;
  const groups = model.rules.flatMap((s) => s.groups);
  const alerts = new Map(groups.flatMap((g) => g.rules.filter(isAlert)).map((a) => [a.alert, a]));
  const externalLabels = model.prometheus?.alertLabels ?? {};
  const minuteSteps = 60000 / factor;
  const written = routingInput(model);
  if (!written || !model.alerting) throw new StackError(v.name, [{ field: 'alertmanager', message: 'the stack writes no Alertmanager configuration, so there is nothing to drill', fix: 'enable alertmanager' }]);
  const routing = operatorRouting(written, model.alerting.namespace);
  const routed = (alert: AlertDefinition, labels: Record<string, string>): DrillExpectation => ({
    alert: alert.alert,
    receivers: routeLabels(routing.route, { ...externalLabels, ...alert.labels, ...labels, severity: alert.severity, alertname: alert.alert }),
  });

  const scenarios: DrillScenario[] = [];
  const skipped: string[] = [];
  const targetDown = alerts.get('TargetDown');
  if (v.nodeExporter.enabled && targetDown) {
    // The namespace its series carry is the DaemonSet's (node-exporter runs in a namespace of its own).
    const daemonSet = model.objects.find((o) => o.manifest.kind === 'DaemonSet' && o.manifest.metadata.name === 'node-exporter');
    const labels = { job: 'node-exporter', namespace: daemonSet?.manifest.metadata.namespace ?? v.common.namespace, service: 'node-exporter' };
    // Through the stack's kube-rbac-proxy, as its Prometheus scrapes it; directly, and saying why, where it has none.
    const scrape = nodeExporterScrape(model);
    const proxy = 'direct' in scrape ? undefined : scrape;
    const origin = 'direct' in scrape
      ? `built-in: a real node_exporter, scraped directly (${scrape.direct}), stopped by the drill`
      : `built-in: a real node_exporter behind the stack's kube-rbac-proxy, scraped like the stack's (${scrape.scheme}, ${scrape.sendsToken ? "Prometheus' token" : 'no token'}, reviewed by a local API server), stopped by the drill`;
    scenarios.push({
      name: 'node_exporter stopped',
      origin,
      series: [],
      stepMs: minuteSteps,
      nodeExporter: {
        labels: { ...labels, endpoint: proxy?.port ?? 'metrics', pod: 'node-exporter-drill', container: proxy ? RBAC_PROXY_CONTAINER : 'node-exporter' },
        ...(proxy ? { proxy } : {}),
      },
      expect: [routed(targetDown, labels)],
    });
  }
  const watchdog = alerts.get('Watchdog');
  if (watchdog) {
    scenarios.push({ name: 'Watchdog heartbeat', origin: 'built-in: the always-firing alert', series: [], stepMs: minuteSteps, expect: [routed(watchdog, {})] });
  }

  const declaredChaos = new Set(v.drill.scenarios.flatMap((s) => (s.chaos ? [s.chaos] : [])));
  for (const schedule of v.chaos.schedules.filter((s) => !declaredChaos.has(s.name))) {
    for (const expectation of schedule.expects ?? []) {
      const played = chaosScenario(schedule, expectation, alerts.get(expectation.alert), factor);
      if (typeof played === 'string') skipped.push(`${schedule.name} › ${expectation.alert}: ${played}`);
      else scenarios.push(played);
    }
  }

  const problems: StackProblem[] = [];
  v.drill.scenarios.forEach((declared, i) => {
    const schedule = v.chaos.schedules.find((s) => s.name === declared.chaos);
    scenarios.push(declaredScenario(declared, `drill.scenarios[${i}]`, schedule, alerts, factor, problems));
  });
  if (problems.length) throw new StackError(v.name, problems);

  return {
    factor,
    scenarios,
    skipped,
    setup: {
      rulesYaml: toYaml({ groups: scaleRuleGroups(prometheusRuleGroups(model), factor) }),
      alertmanagerConfig: (url) => drillAlertmanagerConfig(routing, factor, url),
      interval: scaleDuration(model.prometheus?.scrapeInterval ?? '30s', factor),
      externalLabels,
      resendDelay: scaleDuration('1m', factor),
      timeoutMs,
    },
  };
}

/** Seconds, scaled, to a tenth. */
const scaled = (seconds: number, factor: number) => Math.round((seconds / factor) * 10) / 10;

/** An expectation with its deadline: `within`, scaled, after the experiment starts (as firedAfter counts). */
function withDeadline(e: DrillExpectation, factor: number): PlayedExpectation {
  return e.within ? { ...e, deadline: scaled(durationSeconds(e.within), factor) } : e;
}

/**
 * What kube-state-metrics exports for the experiment in the cluster (AllInjected, see chaos/verification.ts): 0, then
 * 1 from `startStep` for the run, then 0; one value per step. Reports find the run by it, as in the cluster.
 */
export function injectedSeries(schedule: ChaosSchedule, startStep: number, stepSeconds: number): SeriesInput {
  const runSteps = isOneShot(schedule.experiment) || !schedule.duration ? 1 : Math.max(1, Math.round(durationSeconds(schedule.duration) / stepSeconds));
  const labels = { job: 'kube-state-metrics', namespace: scheduleNamespace(schedule), name: `${schedule.name}-drill`, schedule: schedule.name };
  return {
    series: `${injectedMetrics([schedule])[0]}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
    values: [...Array(Math.max(0, Math.round(startStep))).fill(0), ...Array(runSteps).fill(1), 0].join(' '),
  };
}

/** A chaos expectation as a scenario: the built-in simulation of its experiment, else the alert's own firing case. */
function chaosScenario(schedule: ChaosSchedule, expectation: ChaosExpectation, alert: AlertDefinition | undefined, factor: number): DrillScenario | string {
  if (!alert) return 'no alert of the stack has that name';
  const name = `${schedule.name} (${schedule.experiment.kind})`;
  const expect: DrillExpectation = { alert: expectation.alert, receivers: expectation.receivers, within: expectation.within };
  const simulated = simulateContract(schedule, alert);
  if ('series' in simulated) {
    return {
      name, origin: `chaos: simulated ${simulated.description}`, series: [...simulated.series, injectedSeries(schedule, simulated.startsAt, 60)], stepMs: 60000 / factor,
      startsAt: (simulated.startsAt * 60) / factor, schedule, expect: [withDeadline(expect, factor)],
    };
  }
  const fires = alert.tests?.fires;
  if (fires && durationSeconds(fires.interval ?? '1m') === 60) {
    // A test case does not say when "the experiment" starts: `within` is not checked, times count from time zero.
    const origin = `chaos: ${alert.alert}'s own firing test case, within not checked (${simulated.skip})`;
    return { name, origin, series: fires.input, stepMs: 60000 / factor, expect: [{ ...expect, within: undefined }] };
  }
  return `${simulated.skip}; declare a drill scenario that plays it (drill.scenarios with chaos: '${schedule.name}')`;
}

/** A scenario the stack declares: its series, or a built-in simulation against every expected alert's metrics. */
function declaredScenario(
  declared: DrillScenarioValues,
  field: string,
  schedule: ChaosSchedule | undefined,
  alerts: ReadonlyMap<string, AlertDefinition>,
  factor: number,
  problems: StackProblem[],
): DrillScenario {
  const expect: DrillExpectation[] = declared.expect ?? schedule?.expects?.map((e) => ({ alert: e.alert, receivers: e.receivers, within: e.within })) ?? [];
  expect.forEach((e, j) => {
    if (alerts.has(e.alert)) return;
    const near = closestNames(e.alert, [...alerts.keys()]);
    problems.push({ field: `${field}.expect[${j}].alert`, message: `no alert of the stack is named '${e.alert}'`, fix: near.length ? `did you mean '${near[0]}'?` : 'name an alert of the catalogue or of your rules' });
  });
  const origin = schedule ? `stack: plays chaos schedule ${schedule.name}` : 'stack';
  if (!declared.simulate) {
    // Series of an experiment (a chaos schedule, or `startsAt`) count from its start; others from time zero.
    const startsAt = schedule || declared.startsAt ? durationSeconds(declared.startsAt ?? '0s') / factor : undefined;
    const step = durationSeconds(declared.interval ?? '1m');
    const injected = schedule ? [injectedSeries(schedule, durationSeconds(declared.startsAt ?? '0s') / step, step)] : [];
    return {
      name: declared.name, origin, series: [...(declared.series ?? []), ...injected], stepMs: (step * 1000) / factor,
      startsAt, schedule, expect: expect.map((e) => withDeadline(e, factor)),
    };
  }
  const { kind, namespace, app, replicas = 4, affected = 1, latencySeconds, minutes } = declared.simulate;
  const series = new Map<string, string>();
  let description = '';
  expect.forEach((e, j) => {
    const alert = alerts.get(e.alert);
    if (!alert) return;
    const simulated = simulateKind(kind, { namespace, app, replicas, affected }, alert, { latencySeconds, minutes });
    if ('skip' in simulated) {
      problems.push({ field: `${field}.expect[${j}].alert`, message: simulated.skip, fix: 'expect an alert the simulation can set off, or give the scenario series' });
      return;
    }
    for (const s of simulated.series) series.set(s.series, s.values);
    description = simulated.description;
  });
  return {
    name: declared.name, origin: `${origin}: simulated ${description}`, series: [...series].map(([s, values]) => ({ series: s, values })), stepMs: 60000 / factor,
    startsAt: (HEALTHY_STEPS * 60) / factor, expect: expect.map((e) => withDeadline(e, factor)),
  };
}

/** The rule groups of the stack's PrometheusRule objects, patches applied: what Prometheus will load. */
function prometheusRuleGroups(model: StackModel): RuleGroup[] {
  return model.objects
    .filter((o) => o.manifest.kind === 'PrometheusRule')
    .flatMap((o) => (o.manifest.spec as { groups: RuleGroup[] }).groups);
}
