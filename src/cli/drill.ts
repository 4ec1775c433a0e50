import { spawnSync } from 'child_process';
import { planDrill } from '../drill/plan';
import { runScenario, type DrillResult } from '../drill/run';
import { StackError } from '../stack/errors';
import { loadStackFile } from '../synth/load';
import { buildStack } from '../synth/render';
import { stackFilesFor } from './stacks';

export interface DrillOptions {
  readonly factor: string;
  /** Seconds a scenario may take before its missing deliveries count as failures. */
  readonly timeout: string;
  readonly json?: boolean;
}

/** `o11y drill`: plays each chaos contract on a real Prometheus and Alertmanager and reports where alerts went. */
export async function drillCommand(args: string[], options: DrillOptions): Promise<void> {
  for (const binary of ['prometheus', 'prometheus-alertmanager']) {
    if (spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0) {
      throw new StackError('o11y drill', [{ field: binary, message: 'is not installed', fix: 'apt-get install prometheus prometheus-alertmanager' }]);
    }
  }
  const factor = Number(options.factor);
  const results: DrillResult[] = [];
  for (const file of stackFilesFor(args)) {
    const stack = buildStack(loadStackFile(file));
    const plan = planDrill(stack, factor, Number(options.timeout) * 1000);
    if (!options.json) {
      console.log(`stack ${stack.values.name}: ${plan.scenarios.length} scenarios, every duration divided by ${factor}`);
      for (const line of plan.skipped) console.log(`  SKIP  ${line}`);
    }
    for (const scenario of plan.scenarios) {
      for (const result of await runScenario(plan.setup, scenario)) {
        results.push(result);
        if (!options.json) {
          const where = Object.entries(result.delivered).map(([r, s]) => `${r} after ${s}s`).join(', ') || 'nowhere';
          console.log(`  ${result.passed ? 'PASS' : 'FAIL'}  ${result.scenario}: ${result.alert} -> ${where} (expected ${result.expected.join(', ') || 'any'})`);
        }
      }
    }
  }
  if (options.json) console.log(JSON.stringify(results, null, 2));
  else console.log(`${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
  if (results.some((r) => !r.passed)) process.exitCode = 1;
}
