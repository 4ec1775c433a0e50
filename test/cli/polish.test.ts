// CLI polish: --version, --json of synth/list/test/explain, `synth --check`, `o11y explain`, and when colors and
// progress lines show. The built CLI runs in a child process, whose stdout is a pipe (not a TTY); what a terminal
// gets is pinned through the pure functions of src/cli/style.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { colorEnabled, progressEnabled, progressLine, style, verdict } from '../../src/cli/style';
import { packageVersion } from '../../src/cli/version';
import { testWithTool } from '../tools';
import { tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');
const ESC = '\u001b[';

function o11y(args: string[], env: Record<string, string> = {}) {
  // Neither NO_COLOR nor CI unless a test sets them: piped stdout alone must keep colors and progress off.
  const { NO_COLOR: _color, CI: _ci, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...inherited, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stackFile(body: string): string {
  const file = path.join(tempFolder('o11y-polish-'), 'orders.ts');
  fs.writeFileSync(file, `import { defineStack, ruleGroup, alertingRule } from 'cdk8s-o11y';\n${body}\n`);
  return file;
}

/** A stack with one alert of the user's own whose declared test expects the wrong thing: one PASS, one FAIL. */
const FAILING_TEST_STACK = `export default defineStack({
  rules: {
    knownMetrics: ['orders_total'],
    groups: [ruleGroup('orders', [alertingRule({
      alert: 'OrdersStopped', expr: 'sum by (job) (rate(orders_total[5m])) == 0', for: '10m', severity: 'critical',
      summary: 'No orders.', description: 'No orders.',
    })])],
    tests: [
      { name: 'quiet while orders come in', input: [{ series: 'orders_total{job="shop"}', values: '0+5x40' }], expect: [{ at: '30m', alert: 'OrdersStopped', firing: [] }] },
      { name: 'wrongly expects silence', input: [{ series: 'orders_total{job="shop"}', values: '5x40' }], expect: [{ at: '30m', alert: 'OrdersStopped', firing: [] }] },
    ],
  },
});`;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
});

describe('o11y --version', () => {
  test('prints the version of package.json, as --version, -V and `o11y version`, from any folder', () => {
    const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
    expect(packageVersion()).toBe(version);
    for (const args of [['--version'], ['-V'], ['version']]) {
      const run = spawnSync(process.execPath, [CLI, ...args], { cwd: tempFolder('o11y-version-'), encoding: 'utf8' });
      expect(run.stdout).toBe(`${version}\n`);
      expect(run.status).toBe(0);
    }
  });
});

describe('o11y synth --json', () => {
  test('says what was written, per stack, with the warnings as {code, message, where}, and nothing else on stdout or stderr', () => {
    const out = tempFolder('o11y-polish-out-');
    const first = o11y(['synth', 'stacks/default.ts', '--out', out, '--json']);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    const json = JSON.parse(first.stdout);
    expect(json.out).toBe(out);
    expect(json.stacks).toHaveLength(1);
    const [stack] = json.stacks;
    expect(stack).toMatchObject({ name: 'default', source: 'stacks/default.ts', unchanged: 0, removed: 0 });
    expect(stack.written).toBe(stack.files);
    expect(stack.objects).toBeGreaterThan(50);
    expect(stack.warnings).toEqual([expect.objectContaining({ code: 'routing/no-receivers', where: 'alertmanager.receivers', message: expect.stringContaining('no receiver but the null one') })]);
    // Again: every file unchanged.
    const second = JSON.parse(o11y(['synth', 'stacks/default.ts', '--out', out, '--json']).stdout).stacks[0];
    expect(second).toMatchObject({ written: 0, unchanged: stack.files, removed: 0 });
  });
});

describe('o11y synth --check', () => {
  const read = (dir: string) => {
    const files: Record<string, string> = {};
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) walk(full);
        else files[path.relative(dir, full)] = `${fs.statSync(full).mtimeMs} ${fs.readFileSync(full, 'utf8')}`;
      }
    };
    walk(dir);
    return files;
  };

  test('an output folder never synthesized: every file would be written, exit 1, and nothing is created', () => {
    const out = path.join(tempFolder('o11y-polish-check-'), 'dist');
    const run = o11y(['synth', 'stacks/default.ts', '--out', out, '--check']);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`${out}/default/prometheus/Prometheus-k8s.yaml: would be written\n`);
    expect(run.stdout).toMatch(/\d+ stale files in .*: run o11y synth and commit\n$/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('up to date: exit 0; then a changed, a deleted and a leftover generated file are each listed, exit 1, and nothing is written', () => {
    const out = tempFolder('o11y-polish-check-');
    expect(o11y(['synth', 'stacks/default.ts', '--out', out]).status).toBe(0);
    const clean = o11y(['synth', 'stacks/default.ts', '--out', out, '--check']);
    expect(clean.stdout).toBe(`${out}/ is up to date\n`);
    expect(clean.status).toBe(0);

    fs.appendFileSync(path.join(out, 'default/SUMMARY.md'), ' ');
    fs.rmSync(path.join(out, 'default/prometheus/Prometheus-k8s.yaml'));
    fs.writeFileSync(path.join(out, 'default/prometheus/Old-thing.yaml'), '# Generated by cdk8s-o11y from stacks/default.ts.\nkind: Old\n');
    fs.writeFileSync(path.join(out, 'default/prometheus/mine.yaml'), 'kind: NotOurs\n');
    const before = read(out);
    const stale = o11y(['synth', 'stacks/default.ts', '--out', out, '--check']);
    expect(stale.stdout).toBe([
      `${out}/default/SUMMARY.md: differs`,
      `${out}/default/prometheus/Old-thing.yaml: would be removed`,
      `${out}/default/prometheus/Prometheus-k8s.yaml: would be written`,
      `3 stale files in ${out}/: run o11y synth and commit`,
      '',
    ].join('\n'));
    expect(stale.status).toBe(1);
    expect(read(out)).toEqual(before);

    const json = JSON.parse(o11y(['synth', 'stacks/default.ts', '--out', out, '--check', '--json']).stdout);
    expect(json).toEqual({
      out,
      upToDate: false,
      stale: [
        { path: `${out}/default/SUMMARY.md`, state: 'differs' },
        { path: `${out}/default/prometheus/Old-thing.yaml`, state: 'would be removed' },
        { path: `${out}/default/prometheus/Prometheus-k8s.yaml`, state: 'would be written' },
      ],
    });
  });
});

describe('o11y list --json', () => {
  test('stacks, their components with object counts that add up, and the Secrets to create first', () => {
    const run = o11y(['list', 'stacks/full.ts', '--json']);
    expect(run.status).toBe(0);
    const [stack] = JSON.parse(run.stdout).stacks;
    expect(stack.name).toBe('full');
    expect(stack.components.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['prometheus', 'alertmanager', 'grafana']));
    expect(stack.components.reduce((n: number, c: { objects: number }) => n + c.objects, 0)).toBe(stack.objects);
    expect(stack.prerequisites.secrets.length).toBeGreaterThan(0);
    expect(stack.prerequisites.secrets[0]).toEqual(expect.objectContaining({ namespace: expect.any(String), name: expect.any(String), keys: expect.any(Array), usedBy: expect.any(Array) }));
  });
});

describe('o11y test --json and its table off a terminal', () => {
  testWithTool('promtool', 'each case with pass/fail and promtool\'s output; exit 1 on a failure; no colors, no progress lines', () => {
    const file = stackFile(FAILING_TEST_STACK);
    const run = o11y(['test', file, '--json']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ passed: 1, failed: 1 });
    expect(json.stacks[0].cases).toEqual([
      { name: 'quiet while orders come in', group: 'rules.tests', passed: true, output: '' },
      { name: 'wrongly expects silence', group: 'rules.tests', passed: false, output: expect.stringContaining('OrdersStopped') },
    ]);

    // The table, piped: plain PASS/FAIL and no progress, with NO_COLOR and CI unset.
    const table = o11y(['test', file]);
    expect(table.stdout).toContain('  PASS  quiet while orders come in');
    expect(table.stdout).toContain('  FAIL  wrongly expects silence');
    expect(table.stdout + table.stderr).not.toContain(ESC);
    expect(table.stderr).not.toContain('done ');
  });
});

describe('o11y explain', () => {
  test('a catalogue alert: its origin, expression, for, thresholds, tests, inhibitions and routes, with the namespace a team route matches assumed', () => {
    const run = o11y(['explain', 'KubePodCrashLooping', 'stacks/teams.ts']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('component control-plane, PrometheusRule monitoring/kubernetes-apps-rules');
    expect(run.stdout).toContain('group kubernetes-apps, from catalogue');
    expect(run.stdout).toContain('  for:         15m');
    expect(run.stdout).toContain('thresholds.podCrashLoopingFor = "15m"');
    expect(run.stdout).toContain('  tests:       2: KubePodCrashLooping fires, KubePodCrashLooping stays silent');
    expect(run.stdout).toMatch(/routes to: {3}incident-tool {2}\(with its known labels: .*severity="warning"/);
    expect(run.stdout).toMatch(/routes to: {3}shop\/shop-routing\/shop-slack, incident-tool {2}\(assuming namespace="shop"/);
    expect(run.stdout).toContain('source {severity="critical"} target {severity=~"warning|info"} equal [namespace, alertname] (certain)');
  });

  test('--json: the chaos schedules that expect it and the dashboard panels that show it', () => {
    const run = o11y(['explain', 'KubeDeploymentReplicasMismatch', 'stacks/chaos.ts', '--json']);
    expect(run.status).toBe(0);
    const [explained] = JSON.parse(run.stdout);
    expect(explained).toMatchObject({ stack: expect.any(String), alert: 'KubeDeploymentReplicasMismatch' });
    expect(explained.chaos).toEqual([{ schedule: 'checkout-pod-failure', within: '25m', receivers: ['incident-tool'] }]);
    expect(explained.dashboards).toEqual([expect.objectContaining({ uid: 'o11y-chaos', panel: 'Expected alerts firing' })]);
    expect(explained.variants[0]).toMatchObject({ component: 'control-plane', origin: 'catalogue', severity: 'warning' });
  });

  test('an alert excluded by a panel\'s query (alertname!="Watchdog") is not shown by it; user rules and overrides are named', () => {
    const watchdog = JSON.parse(o11y(['explain', 'Watchdog', 'stacks/default.ts', '--json']).stdout)[0];
    expect(watchdog.dashboards).toEqual([]);
    const file = stackFile(FAILING_TEST_STACK.replace("knownMetrics: ['orders_total'],", "knownMetrics: ['orders_total'], overrides: { OrdersStopped: { for: '20m' } },"));
    const [orders] = JSON.parse(o11y(['explain', 'OrdersStopped', file, '--json']).stdout);
    expect(orders.variants).toEqual([expect.objectContaining({
      component: 'rules', origin: 'rules.groups', group: 'orders', for: '20m', severity: 'critical', override: { for: '20m' },
      tests: { count: 2, names: ['quiet while orders come in', 'wrongly expects silence'] },
    })]);
  });

  test('an unknown alert fails with the closest names', () => {
    const run = o11y(['explain', 'KubePodCrashLoping', 'stacks/default.ts']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("alert: no alert is named 'KubePodCrashLoping'");
    expect(run.stderr).toContain("did you mean 'KubePodCrashLooping'?");
  });
});

describe('colors and progress (src/cli/style.ts)', () => {
  const tty = { tty: true, env: {} };
  test('PASS green, FAIL red, warnings yellow on a terminal', () => {
    expect(style('PASS', 'pass', tty)).toBe(`${ESC}32mPASS${ESC}39m`);
    expect(style('FAIL', 'fail', tty)).toBe(`${ESC}31mFAIL${ESC}39m`);
    expect(style('warning', 'warning', tty)).toBe(`${ESC}33mwarning${ESC}39m`);
    expect(verdict(false, tty)).toBe(`${ESC}31mFAIL${ESC}39m`);
  });

  test('no colors off a terminal, with NO_COLOR set to any value (even empty), or in JSON', () => {
    expect(colorEnabled(tty)).toBe(true);
    for (const facts of [{ tty: false, env: {} }, { tty: true, env: { NO_COLOR: '' } }, { tty: true, env: { NO_COLOR: '1' } }, { tty: true, env: {}, json: true }]) {
      expect(colorEnabled(facts)).toBe(false);
      expect(style('PASS', 'pass', facts)).toBe('PASS');
    }
  });

  test('progress lines only on a terminal, not with CI=true, never in JSON', () => {
    expect(progressEnabled(tty)).toBe(true);
    expect(progressEnabled({ tty: true, env: { CI: 'true' } })).toBe(false);
    expect(progressEnabled({ tty: false, env: {} })).toBe(false);
    expect(progressEnabled({ tty: true, env: {}, json: true })).toBe(false);
    expect(progressLine('scenario a node goes down: PASS', 12.345)).toBe('  done scenario a node goes down: PASS (12.3 s)');
  });
});
