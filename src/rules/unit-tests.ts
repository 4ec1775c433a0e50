// promtool unit tests (`promtool test rules`) from the tests that alerts carry.
import { renderGroups } from './render';
import type { RuleSource } from './rule-set';
import { parsePromQL } from '../promql/parse';
import { isAlert, type AlertCase, type AlertDefinition, type RecordDefinition, type RuleGroupDefinition } from './types';
import { toYaml } from '../core/yaml';

export const RULES_FILE = 'rules.yaml';
export const TESTS_FILE = 'tests.yaml';

/** What must be firing at one evaluation time: the alerts of one name, by their series labels. */
export interface AlertCheck {
  readonly at: string;
  readonly alert: string;
  readonly expect: Record<string, string>[];
  /** The rule whose labels the expected alerts carry; looked up by name when absent. */
  readonly rule?: AlertDefinition;
}

/** One promtool test group: input series and the checks made on them. */
export interface PromtoolTestCase {
  readonly name: string;
  readonly interval?: string;
  readonly input: AlertCase['input'];
  readonly checks: AlertCheck[];
}

function fromAlertCase(name: string, rule: AlertDefinition, c: AlertCase): PromtoolTestCase {
  return { name, interval: c.interval, input: c.input, checks: [{ at: c.at, alert: rule.alert, expect: c.expect, rule }] };
}

/**
 * The labels an alert carries besides its series' own: the rule's static labels and its severity. An expectation
 * may name them itself: when variants share a name (a warning and a critical one, or one per pair of windows), a
 * test of one also sees the others firing.
 */
function expectedLabels(alert: AlertDefinition, expected: Record<string, string>): Record<string, string> {
  return { ...alert.labels, severity: alert.severity, ...expected };
}

export function testCasesOf(groups: readonly RuleGroupDefinition[]): PromtoolTestCase[] {
  const alerts = groups.flatMap((g) => g.rules.filter(isAlert));
  const shared = new Set(alerts.map((a) => a.alert).filter((name, i, all) => all.indexOf(name) !== i));
  return alerts.flatMap((alert) => {
    if (!alert.tests) return [];
    // Variants of one name are told apart by severity and static labels, so every test name is unique.
    const label = shared.has(alert.alert) ? `${alert.alert} (${[alert.severity, ...Object.values(alert.labels ?? {})].join(', ')})` : alert.alert;
    const cases = [fromAlertCase(`${label} fires`, alert, alert.tests.fires)];
    if ('input' in alert.tests.silent) cases.push(fromAlertCase(`${label} stays silent`, alert, alert.tests.silent));
    return cases;
  });
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
  // Only the alerts under test and the recording rules they read (directly or through other recording rules):
  // promtool evaluates every rule of the file at every step, so the rest would only cost time.
  const tested = new Set(cases.flatMap((c) => c.checks.map((check) => check.alert)));
  const records = new Map(allGroups.flatMap((g) => g.rules.filter((r): r is RecordDefinition => !isAlert(r))).map((r) => [r.record, r]));
  const neededRecords = new Set<string>();
  const visit = (expr: string) => {
    for (const { name } of parsePromQL(expr).metrics) {
      if (records.has(name) && !neededRecords.has(name)) {
        neededRecords.add(name);
        visit(records.get(name)!.expr);
      }
    }
  };
  allGroups.flatMap((g) => g.rules.filter(isAlert)).filter((a) => tested.has(a.alert)).forEach((a) => visit(a.expr));
  const needed = allGroups
    .map((g) => ({ ...g, rules: g.rules.filter((r) => (isAlert(r) ? tested.has(r.alert) : neededRecords.has(r.record))) }))
    .filter((g) => g.rules.length > 0);
  const rules = renderGroups(needed, 'https://runbooks.invalid');
  for (const group of rules.groups) for (const rule of group.rules) delete (rule as { annotations?: unknown }).annotations;
  const tests = {
    rule_files: [RULES_FILE],
    evaluation_interval: evaluationInterval,
    tests: cases.map((c) => ({
      name: c.name,
      interval: c.interval ?? '1m',
      input_series: c.input.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: c.checks.map((check) => {
        const alert = check.rule ?? byName.get(check.alert);
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
