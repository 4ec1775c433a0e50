import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireTools } from '../core/tools';
import type { RuleSource } from './rule-set';
import { parsePromtoolOutput, promtoolTestFiles, TESTS_FILE, type PromtoolTestCase, type PromtoolTestResult } from './unit-tests';

/** Runs test cases with `promtool test rules` against the given rules, in a temporary folder it removes again. */
export function runPromtoolTests(sources: readonly RuleSource[], cases: readonly PromtoolTestCase[], evaluationInterval: string): PromtoolTestResult[] {
  if (cases.length === 0) return [];
  const { promtool } = requireTools('promtool');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-test-'));
  try {
    for (const [name, content] of Object.entries(promtoolTestFiles(sources, cases, evaluationInterval))) fs.writeFileSync(path.join(dir, name), content);
    const run = spawnSync(promtool, ['test', 'rules', TESTS_FILE], { cwd: dir, encoding: 'utf8', timeout: 120000 });
    return parsePromtoolOutput(`${run.stdout}${run.stderr}`, cases);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
