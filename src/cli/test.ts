import { runPromtoolTests } from '../rules/promtool';
import { TOOLS } from '../core/tools';
import { testCasesOf, type PromtoolTestCase } from '../rules/unit-tests';
import { sloTestCases } from '../rules/slo';
import { StackError } from '../core/problems';
import { loadStackFile } from '../load/stack-file';
import { analyzeModel } from '../analyze/model';
import type { StackModel } from '../model/stack-model';
import { buildStack, modelOf, throwOnErrors } from '../synth/pipeline';
import { stackFilesFor } from './stacks';

/** Components whose rules the user wrote (the rest come from the catalogue). */
const USER_RULE_COMPONENTS = new Set(['rules', 'applications']);

export interface TestOptions {
  /** Also run the tests every catalogue alert ships with, against this stack's (possibly overridden) rules. */
  readonly catalogue?: boolean;
}

function casesOf(model: StackModel, options: TestOptions): PromtoolTestCase[] {
  const declared = model.values.rules.tests.map((t) => ({
    name: t.name,
    interval: t.interval,
    input: t.input,
    checks: t.expect.map((e) => ({ at: e.at, alert: e.alert, expect: e.firing })),
  }));
  const sources = model.rules.filter((s) => options.catalogue || USER_RULE_COMPONENTS.has(s.component));
  // Every SLO's generated tests, against its alerts as rendered (overrides and extra labels included).
  return [...declared, ...sources.flatMap((s) => testCasesOf(s.groups)), ...sloTestCases(model.values.slos, model.rules)];
}

/** `o11y test`: runs the rule unit tests of each stack with promtool and prints a pass/fail table. */
export function testCommand(args: string[], options: TestOptions): void {
  let failed = 0;
  let passed = 0;
  for (const file of stackFilesFor(args)) {
    const loaded = loadStackFile(file);
    // The tests run against the rules as written: patches and customize steps included.
    const model = modelOf(buildStack(loaded), loaded);
    throwOnErrors(model.name, analyzeModel(model));
    const cases = casesOf(model, options);
    const known = new Set(model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ('alert' in r ? [r.alert] : [])))));
    for (const c of cases) {
      const unknown = c.checks.find((check) => !known.has(check.alert));
      if (unknown) throw new StackError(model.name, [{ field: `rules.tests › ${c.name}`, message: `checks alert '${unknown.alert}', which the stack does not define` }]);
    }
    console.log(`stack ${model.name} (${loaded.source}): ${cases.length} rule test${cases.length === 1 ? '' : 's'}, with promtool ${TOOLS.promtool.version}`);
    const results = runPromtoolTests(model.rules, cases, model.prometheus?.evaluationInterval ?? '30s');
    for (const result of results) {
      console.log(`  ${result.passed ? 'PASS' : 'FAIL'}  ${result.name}`);
      if (!result.passed) console.log(result.detail.split('\n').map((line) => `        ${line}`).join('\n'));
      if (result.passed) passed++;
      else failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}
