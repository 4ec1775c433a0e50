// What a drill runs for a stack: the scenarios its chaos contracts imply, each played from the firing case the
// expected alert proves itself with (every catalogue alert has one), time-scaled by one factor.
import type { ObservabilityStack } from '../stack/observability-stack';
import { isAlert } from '../rules/types';
import { renderGroups } from '../rules/render';
import { toYaml } from '../synth/files';
import { durationSeconds } from '../analyze/promql';
import { drillAlertmanagerConfig } from './alertmanager';
import type { DrillScenario, DrillSetup } from './run';
import { scaleDuration, scaleRuleGroups } from './scale';

export interface DrillPlan {
  readonly setup: DrillSetup;
  readonly scenarios: DrillScenario[];
  /** Expectations that cannot be simulated (their alert has no firing case), with why. */
  readonly skipped: string[];
  readonly factor: number;
}

export function planDrill(stack: ObservabilityStack, factor: number, timeoutMs = 120000): DrillPlan {
  stack.finalize();
  const groups = stack.rules.effective().flatMap((s) => s.groups);
  const alerts = groups.flatMap((g) => g.rules.filter(isAlert));
  const scenarios: DrillScenario[] = [];
  const skipped: string[] = [];
  for (const schedule of stack.values.chaos.schedules) {
    for (const expectation of schedule.expects ?? []) {
      const proof = alerts.find((a) => a.alert === expectation.alert && a.tests);
      if (!proof?.tests) {
        skipped.push(`${schedule.name} › ${expectation.alert}: the alert has no firing test case to play`);
        continue;
      }
      if (durationSeconds(proof.tests.fires.interval ?? '1m') !== 60) {
        skipped.push(`${schedule.name} › ${expectation.alert}: its firing case does not use 1m steps`);
        continue;
      }
      scenarios.push({ name: `${schedule.name} (${schedule.experiment.kind})`, series: proof.tests.fires.input, expect: [{ alert: expectation.alert, receivers: expectation.receivers ?? [] }] });
    }
  }
  const scaled = scaleRuleGroups(groups, factor);
  return {
    factor,
    scenarios,
    skipped,
    setup: {
      rulesYaml: toYaml(renderGroups(scaled, stack.values.rules.runbookBaseUrl)),
      alertmanagerConfig: (url) => drillAlertmanagerConfig(stack.values.alertmanager, factor, url),
      interval: scaleDuration(stack.values.prometheus.scrapeInterval, factor),
      stepMs: 60000 / factor,
      timeoutMs,
    },
  };
}
