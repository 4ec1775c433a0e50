// promtool unit tests (`promtool test rules`) from the tests that alerts carry.
import { toYaml } from '../synth/files';
import { renderGroups } from './render';
import type { RuleSource } from './rule-set';
import { isAlert, type AlertCase, type AlertDefinition, type RuleGroupDefinition } from './types';

export const RULES_FILE = 'rules.yaml';
export const TESTS_FILE = 'tests.yaml';

/** What must be firing at one evaluation time: the alerts of one name, by their series labels. */
export interface AlertCheck {
  readonly at: string;
  readonly alert: string;
  readonly expect: Record<string, string>[];
}

/** One promtool test group: input series and the checks made on them. */
export interface PromtoolTestCase {
  readonly name: string;
  readonly interval?: string;
  readonly input: AlertCase['input'];
  readonly checks: AlertCheck[];
}

function fromAlertCase(name: string, alert: string, c: AlertCase): PromtoolTestCase {
  return { name, interval: c.interval, input: c.input, checks: [{ at: c.at, alert, expect: c.expect }] };
}

/** The labels an alert carries besides its series' own: the rule's labels and its severity win over them. */
function expectedLabels(alert: AlertDefinition, seriesLabels: Record<string, string>): Record<string, string> {
  return { ...seriesLabels, ...alert.labels, severity: alert.severity };
}

export function testCasesOf(groups: readonly RuleGroupDefinition[]): PromtoolTestCase[] {
  return groups.flatMap((g) =>
    g.rules.filter(isAlert).flatMap((alert) => {
      if (!alert.tests) return [];
      const cases = [fromAlertCase(`${alert.alert} fires`, alert.alert, alert.tests.fires)];
      if ('input' in alert.tests.silent) cases.push(fromAlertCase(`${alert.alert} stays silent`, alert.alert, alert.tests.silent));
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
      interval: c.interval ?? '1m',
      input_series: c.input.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: c.checks.map((check) => {
        const alert = byName.get(check.alert);
        if (!alert) throw new Error(`test '${c.name}' checks alert '${check.alert}', which the stack does not define`);
        return {
          eval_time: check.at,
          alertname: check.alert,
          exp_alerts: check.expect.map((labels) => ({ exp_labels: expectedLabels(alert, labels) })),
        };
      }),
    })),
  };
  return { [RULES_FILE]: toYaml(rules), [TESTS_FILE]: toYaml(tests) };
}

export interface PromtoolTestResult {
  readonly name: string;
  readonly passed: boolean;
  /** promtool's explanation of the failure. */
  readonly detail: string;
}

/** Splits `promtool test rules` output into one result per test group (promtool names failing groups). */
export function parsePromtoolOutput(output: string, cases: readonly PromtoolTestCase[]): PromtoolTestResult[] {
  const failures = new Map<string, string>();
  for (const block of output.split(/\n\s*FAILED:\n/).slice(1)) {
    const name = /^\s*name: (.*),\s*$/m.exec(block)?.[1];
    if (name) failures.set(name, (failures.get(name) ?? '') + block.trim());
  }
  const unattributed = failures.size === 0 && /FAILED|error/i.test(output);
  return cases.map((c) => ({
    name: c.name,
    passed: !failures.has(c.name) && !unattributed,
    detail: failures.get(c.name) ?? (unattributed ? output.trim() : ''),
  }));
}
