// Checks of the drill scenarios a stack declares, at synth time like every other value: a scenario that cannot be
// played is a mistake to fix before anyone runs a drill.
import type { ChaosSchedule } from '../chaos/types';
import type { StackProblem } from '../core/problems';
import { closestNames } from '../core/suggest';
import { expandSeries, parseSeries } from '../promql/series';
import type { DrillScenarioValues } from './types';
import { durationSeconds } from '../core/durations';
import { checkPromDuration } from '../core/checks';

export function checkDrillScenarios(scenarios: readonly DrillScenarioValues[], schedules: readonly ChaosSchedule[], receivers: readonly string[]): StackProblem[] {
  const problems: StackProblem[] = [];
  const names = new Set<string>();
  scenarios.forEach((scenario, i) => {
    const at = `drill.scenarios[${i}]`;
    if (names.has(scenario.name)) problems.push({ field: `${at}.name`, message: `'${scenario.name}' is used by two scenarios`, fix: 'give each scenario its own name' });
    names.add(scenario.name);
    const schedule = scenario.chaos === undefined ? undefined : schedules.find((s) => s.name === scenario.chaos);
    if (scenario.chaos !== undefined && !schedule) {
      const near = closestNames(scenario.chaos, schedules.map((s) => s.name));
      problems.push({ field: `${at}.chaos`, message: `no chaos schedule is named '${scenario.chaos}'`, fix: near.length ? `did you mean '${near[0]}'?` : 'name one of chaos.schedules' });
    }
    if (!scenario.expect?.length && !schedule?.expects?.length) {
      problems.push({ field: `${at}.expect`, message: 'the scenario expects nothing', fix: 'list the alerts it must set off: expect: [{ alert: \'...\', receivers: [\'...\'] }]' });
    }
    if (!scenario.series === !scenario.simulate) {
      problems.push({ field: at, message: scenario.series ? 'has both series and simulate' : 'has neither series nor simulate', fix: 'give the series to play, or a built-in simulation: simulate: { kind: \'crash-loop\', namespace: \'shop\', app: \'api\' }' });
    }
    const sim = scenario.simulate;
    if (sim && (sim.affected ?? 1) > (sim.replicas ?? 4)) {
      problems.push({ field: `${at}.simulate.affected`, message: `${sim.affected} of ${sim.replicas ?? 4} cannot be hit`, fix: 'hit at most as many as there are (replicas)' });
    }
    const durations: Array<[string, string | undefined]> = [
      [`${at}.interval`, scenario.interval],
      [`${at}.startsAt`, scenario.startsAt],
      ...(scenario.expect ?? []).map((e, j): [string, string | undefined] => [`${at}.expect[${j}].within`, e.within]),
    ];
    for (const [field, value] of durations) {
      const problem = checkPromDuration(value, field);
      if (problem) problems.push(problem);
    }
    if (scenario.interval !== undefined && durationSeconds(scenario.interval) === 0) {
      problems.push({ field: `${at}.interval`, message: 'must be longer than 0s: it is the step between two values', fix: 'e.g. 1m' });
    }
    (scenario.series ?? []).forEach((s, j) => {
      for (const parse of [() => parseSeries(s.series), () => expandSeries(s.values)]) {
        try {
          parse();
        } catch (e) {
          problems.push({ field: `${at}.series[${j}]`, message: (e as Error).message, fix: 'write series like up{job="api"} and values like 1x10 0x20 (promtool notation)' });
        }
      }
    });
    (scenario.expect ?? []).forEach((e, j) => {
      for (const r of [...(e.receivers ?? [])].filter((r) => !receivers.includes(r))) {
        const near = closestNames(r, receivers);
        problems.push({ field: `${at}.expect[${j}].receivers`, message: `no receiver is named '${r}'`, fix: near.length ? `did you mean '${near[0]}'?` : 'name one of alertmanager.receivers' });
      }
      if (e.inhibited && e.receivers?.length) {
        problems.push({ field: `${at}.expect[${j}]`, message: 'an inhibited alert reaches no receiver, so it cannot also list receivers', fix: 'drop receivers or inhibited' });
      }
    });
  });
  return problems;
}
