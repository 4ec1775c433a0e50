// `o11y test`: the user's rule unit tests, run with the real promtool.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TOOLS } from '../src/core/tools';
import { testWithTool } from './tools';
import { tempFolder } from './helpers';

const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');

function o11y(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stackWithTests(expectFiringAt20m: string): string {
  const dir = tempFolder('o11y-test-cmd-');
  const file = path.join(dir, 'orders.ts');
  fs.writeFileSync(file, `import { defineStack, ruleGroup, alertingRule } from 'cdk8s-o11y';
export default defineStack({
  rules: {
    knownMetrics: ['orders_total'],
    groups: [ruleGroup('orders', [alertingRule({
      alert: 'OrdersStopped', expr: 'sum by (job) (rate(orders_total[5m])) == 0', for: '10m', severity: 'critical',
      summary: 'No orders.', description: '{{ $labels.job }} takes no orders.',
      tests: {
        fires: { input: [{ series: 'orders_total{job="shop"}', values: '5x40' }], at: '30m', expect: [{ job: 'shop' }] },
        silent: { input: [{ series: 'orders_total{job="shop"}', values: '0+5x40' }], at: '30m', expect: [] },
      },
    })])],
    tests: [{
      name: 'orders stop after 10 minutes without any',
      input: [{ series: 'orders_total{job="shop"}', values: '0+5x10 50x30' }],
      expect: [
        { at: '12m', alert: 'OrdersStopped', firing: [] },
        { at: '30m', alert: 'OrdersStopped', firing: [${expectFiringAt20m}] },
      ],
    }],
  },
});
`);
  return file;
}

describe('o11y test', () => {
  beforeAll(() => {
    if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
  });

  testWithTool('promtool', 'runs the declared tests and the tests of the user\'s alerts, and prints a pass/fail table', () => {
    const run = o11y(['test', stackWithTests("{ job: 'shop' }")]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('stack orders (orders.ts): 3 rule tests');
    expect(run.stdout).toContain('  PASS  orders stop after 10 minutes without any');
    expect(run.stdout).toContain('  PASS  OrdersStopped fires');
    expect(run.stdout).toContain('  PASS  OrdersStopped stays silent');
    expect(run.stdout).toMatch(/^3 passed, 0 failed$/m);
    expect(run.status).toBe(0);
  });

  testWithTool('promtool', 'a wrong expectation fails with what promtool expected and got, and exit code 1', () => {
    const run = o11y(['test', stackWithTests("{ job: 'billing' }")]);
    expect(run.stdout).toContain('  FAIL  orders stop after 10 minutes without any');
    expect(run.stdout).toMatch(/exp:[\s\S]*job="billing"[\s\S]*got:[\s\S]*job="shop"/);
    expect(run.stdout).toMatch(/^2 passed, 1 failed$/m);
    expect(run.status).toBe(1);
  });

  testWithTool('promtool', 'the production example stack passes its tests', () => {
    const run = o11y(['test', 'stacks/production.ts']);
    expect(run.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(run.status).toBe(0);
  });

  test('without promtool built it says how to build it, whatever promtool PATH has', () => {
    const empty = tempFolder('o11y-no-tools-');
    const run = o11y(['test', stackWithTests("{ job: 'shop' }")], { O11Y_TOOLS_DIR: empty });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`promtool: ${TOOLS.promtool.version} (the version the stack deploys) is not installed in ${empty}`);
    expect(run.stderr).toContain('fix: run `npx o11y tools install`');
  });
});
