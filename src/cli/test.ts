import { runPromtoolTests } from '../rules/promtool';
import { TOOLS } from '../core/tools';
import { testCasesOf, type PromtoolTestCase, type PromtoolTestResult } from '../rules/unit-tests';
import { sloTestCases } from '../rules/slo';
import { StackError } from '../core/problems';
import { inStack, loadStacks } from '../load/stack-file';
import { analyzeModel } from '../analyze/model';
import type { StackModel } from '../model/stack-model';
import { buildStack, modelOf, throwOnErrors } from '../synth/pipeline';
import { stackFilesFor } from './stacks';
import { progressReporter, verdict, type Progress } from './style';

/** Components whose rules the user wrote (the rest come from the catalogue). */
const USER_RULE_COMPONENTS = new Set(['rules', 'applications']);

export interface TestOptions {
  /** Also run the tests every catalogue alert ships with, against this stack's (possibly overridden) rules. */
  readonly catalogue?: boolean;
  /** Print TestJson instead of the table. */
  readonly json?: boolean;
}

/** `o11y test --json`: every test case with its verdict and, when it failed, promtool's output. Fields are only ever added. */
export interface TestJson {
  readonly stacks: Array<{
    readonly name: string;
    readonly source: string;
    readonly promtool: string;
    readonly cases: Array<{ readonly name: string; readonly group: string; readonly passed: boolean; readonly output: string }>;
  }>;
  readonly passed: number;
  readonly failed: number;
}

/** The test cases of a stack by where they come from, so that progress can name the group that finished. */
interface CaseGroup {
  /** `rules.tests`, `<component>/<PrometheusRule name>`, or `slos`. */
  readonly name: string;
  readonly cases: PromtoolTestCase[];
}

function caseGroupsOf(model: StackModel, options: TestOptions): CaseGroup[] {
  const declared = model.values.rules.tests.map((t) => ({
    name: t.name,
    interval: t.interval,
    input: t.input,
    checks: t.expect.map((e) => ({ at: e.at, alert: e.alert, expect: e.firing })),
  }));
  const sources = model.rules.filter((s) => options.catalogue || USER_RULE_COMPONENTS.has(s.component));
  // Every SLO's generated tests, against its alerts as rendered (overrides and extra labels included).
  return [
    { name: 'rules.tests', cases: declared },
    ...sources.map((s) => ({ name: `${s.component}/${s.objectName}`, cases: testCasesOf(s.groups) })),
    { name: 'slos', cases: sloTestCases(model.values.slos, model.rules) },
  ].filter((g) => g.cases.length > 0);
}

/** `o11y test`: runs the rule unit tests of each stack with promtool and prints a pass/fail table. */
export function testCommand(args: string[], options: TestOptions): void {
  let failed = 0;
  let passed = 0;
  const json: TestJson['stacks'][number][] = [];
  for (const loaded of stackFilesFor(args).flatMap(loadStacks)) {
    // The tests run against the rules as written: patches and customize steps included.
    const model = inStack(loaded, () => {
      const built = modelOf(buildStack(loaded), loaded);
      throwOnErrors(built.name, analyzeModel(built));
      return built;
    });
    const groups = caseGroupsOf(model, options);
    const cases = groups.flatMap((g) => g.cases);
    const known = new Set(model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : [])))));
    for (const c of cases) {
      const unknown = c.checks.find((check) => !known.has(check.alert));
      if (unknown) throw new StackError(model.name, [{ field: `rules.tests › ${c.name}`, message: `checks alert '${unknown.alert}', which the stack does not define` }]);
    }
    if (!options.json) console.log(`stack ${model.name} (${loaded.source}): ${cases.length} rule test${cases.length === 1 ? '' : 's'}, with promtool ${TOOLS.promtool.version}`);
    const evaluationInterval = model.prometheus?.evaluationInterval ?? '30s';
    const results = runGroups(model.rules, groups, evaluationInterval, progressReporter(options.json ?? false));
    for (const result of results) {
      if (result.passed) passed++;
      else failed++;
      if (options.json) continue;
      console.log(`  ${verdict(result.passed)}  ${result.name}`);
      if (!result.passed) console.log(result.detail.split('\n').map((line) => `        ${line}`).join('\n'));
    }
    json.push({ name: model.name, source: loaded.source, promtool: TOOLS.promtool.version, cases: results.map((r) => ({ name: r.name, group: r.group, passed: r.passed, output: r.detail })) });
  }
  if (options.json) {
    console.log(JSON.stringify({ stacks: json, passed, failed } satisfies TestJson, null, 2));
    if (failed) process.exitCode = 1;
    return;
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

/**
 * Runs the groups' cases with promtool. With progress on, one promtool run per group, each announced as it
 * finishes; otherwise all in one run (faster). The results are the same either way, in the same order.
 */
function runGroups(
  rules: StackModel['rules'],
  groups: readonly CaseGroup[],
  evaluationInterval: string,
  progress: Progress,
): Array<PromtoolTestResult & { readonly group: string }> {
  const groupOf = (name: string) => groups.find((g) => g.cases.some((c) => c.name === name))?.name ?? '';
  if (!progress.enabled) return runPromtoolTests(rules, groups.flatMap((g) => g.cases), evaluationInterval).map((r) => ({ ...r, group: groupOf(r.name) }));
  return groups.flatMap((g) => {
    const started = process.hrtime.bigint();
    const results = runPromtoolTests(rules, g.cases, evaluationInterval);
    const failedHere = results.filter((r) => !r.passed).length;
    progress.done(`test group ${g.name}: ${results.length - failedHere} passed, ${failedHere} failed`, Number(process.hrtime.bigint() - started) / 1e9);
    return results.map((r) => ({ ...r, group: g.name }));
  });
}
