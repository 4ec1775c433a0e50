// promtool unit tests (`promtool test rules`) from the tests that alerts carry.
import { toYaml } from '../synth/files';
import { renderGroups } from './render';
import type { RuleSource } from './rule-set';
import { isAlert, type AlertCase, type AlertDefinition, type RuleGroupDefinition } from './types';

export const RULES_FILE = 'rules.yaml';
export const TESTS_FILE = 'tests.yaml';

/** One promtool test group, named `<alert> fires` or `<alert> stays silent`. */
export interface PromtoolTestCase {
  readonly name: string;
  readonly alert: string;
  readonly case: AlertCase;
}

/** The labels an alert carries besides its series' own: the rule's labels and its severity win over them. */
function expectedLabels(alert: AlertDefinition, seriesLabels: Record<string, string>): Record<string, string> {
  return { ...seriesLabels, ...alert.labels, severity: alert.severity };
}

export function testCasesOf(groups: readonly RuleGroupDefinition[]): PromtoolTestCase[] {
  return groups.flatMap((g) =>
    g.rules.filter(isAlert).flatMap((alert) => {
      if (!alert.tests) return [];
      const cases: PromtoolTestCase[] = [{ name: `${alert.alert} fires`, alert: alert.alert, case: alert.tests.fires }];
      if ('input' in alert.tests.silent) cases.push({ name: `${alert.alert} stays silent`, alert: alert.alert, case: alert.tests.silent });
      return cases;
    }),
  );
}

/**
 * The files for `promtool test rules tests.yaml`: every rule of the stack (so that alerts can use recording
 * rules), and one test group per case. Annotations are left out of the rule file: promtool compares them
 * verbatim, and templates are checked by the analyzer instead; these tests prove when an alert fires.
 */
export function promtoolTestFiles(
  sources: readonly RuleSource[],
  cases: readonly PromtoolTestCase[],
  evaluationInterval: string,
): Record<string, string> {
  const allGroups = sources.flatMap((s) => s.groups);
  const byName = new Map(allGroups.flatMap((g) => g.rules.filter(isAlert)).map((a) => [a.alert, a]));
  const rules = renderGroups(allGroups, 'https://runbooks.invalid');
  for (const group of rules.groups) for (const rule of group.rules) delete (rule as { annotations?: unknown }).annotations;
  const tests = {
    rule_files: [RULES_FILE],
    evaluation_interval: evaluationInterval,
    tests: cases.map((c) => ({
      name: c.name,
      interval: c.case.interval ?? '1m',
      input_series: c.case.input.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: [
        {
          eval_time: c.case.at,
          alertname: c.alert,
          exp_alerts: c.case.expect.map((labels) => ({ exp_labels: expectedLabels(byName.get(c.alert)!, labels) })),
        },
      ],
    })),
  };
  return { [RULES_FILE]: toYaml(rules), [TESTS_FILE]: toYaml(tests) };
}
