// `o11y diff` as a reviewer runs it: the built CLI, a stack file changed after a synth (or after a commit), and what
// the diff says about objects, alerts, routing and dashboards.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { DiffJson } from '../../src/cli/diff';
import { tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');
const FIXTURE_DASHBOARD = path.join(REPO, 'test', 'fixtures', 'dashboards', 'export.json');

function o11y(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function git(args: string[], cwd: string): void {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

/** A project folder with stacks/app.ts holding these values (as TypeScript source). */
function project(values: string): string {
  const dir = tempFolder('o11y-diff-');
  fs.mkdirSync(path.join(dir, 'stacks'));
  writeValues(dir, values);
  return dir;
}

function writeValues(dir: string, values: string): void {
  fs.writeFileSync(path.join(dir, 'stacks', 'app.ts'), `import { defineStack } from 'cdk8s-o11y';\nexport default defineStack(${values});\n`);
}

/** Synthesizes the project into <dir>/before, changes the values, and diffs against that folder as JSON. */
function diffAfterChange(before: string, after: string): DiffJson {
  const dir = project(before);
  const synth = o11y(['synth', 'stacks/app.ts', '--out', 'before'], dir);
  expect(synth.status).toBe(0);
  writeValues(dir, after);
  const run = o11y(['diff', 'stacks/app.ts', '--against', 'before', '--json'], dir);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as DiffJson;
}

const ruleGroup = (threshold: string) => `{
  name: 'app',
  rules: { knownMetrics: ['app_queue_fill_ratio'], groups: [{ name: 'app', rules: [{ alert: 'AppQueueFull', expr: 'app_queue_fill_ratio > ${threshold}', for: '10m', severity: 'warning', summary: 'queue full', description: 'the queue is almost full' }] }] },
}`;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
});

describe('o11y diff', () => {
  test('a threshold change is exactly one alert changed, with its expression before and after, and its object changed', () => {
    const diff = diffAfterChange(ruleGroup('0.9'), ruleGroup('0.8'));
    expect(diff.changed).toBe(true);
    const [stack] = diff.stacks;
    expect(stack.alerts).toEqual({
      added: [],
      removed: [],
      changed: [{ alert: 'AppQueueFull', severity: 'warning', object: 'custom-rules', group: 'app', fields: [{ path: 'expr', before: 'app_queue_fill_ratio > 0.9', after: 'app_queue_fill_ratio > 0.8' }] }],
    });
    expect(stack.objects.added).toEqual([]);
    expect(stack.objects.removed).toEqual([]);
    expect(stack.objects.changed.map((o) => `${o.kind} ${o.name}`)).toEqual(['PrometheusRule custom-rules']);
    expect(stack.objects.changed[0].fields).toEqual([{ path: '/spec/groups/0/rules/0/expr', before: '"app_queue_fill_ratio > 0.9"', after: '"app_queue_fill_ratio > 0.8"' }]);
    expect(stack.routing).toEqual([]);
    expect(stack.dashboards).toEqual({ added: [], removed: [], changed: [] });
  });

  test('an alert override in the values is one catalogue alert changed', () => {
    const diff = diffAfterChange(`{ name: 'app' }`, `{ name: 'app', rules: { overrides: { KubePodCrashLooping: { for: '30m' } } } }`);
    const [stack] = diff.stacks;
    expect(stack.alerts.changed).toHaveLength(1);
    expect(stack.alerts.changed[0]).toMatchObject({ alert: 'KubePodCrashLooping', fields: [{ path: 'for', before: '15m', after: '30m' }] });
    expect(stack.objects.changed.map((o) => o.kind)).toEqual(['PrometheusRule']);
  });

  test('a route change lists the alerts whose receivers change, before and after; the config Secret only as changed', () => {
    const receivers = `receivers: [{ name: 'null', type: 'null' }, { name: 'oncall', type: 'webhook', url: 'https://oncall.example.com/hook' }]`;
    const before = `{ name: 'app', alertmanager: { ${receivers}, route: { receiver: 'oncall', routes: [{ receiver: 'null', matchers: ['alertname="Watchdog"'] }] } } }`;
    const after = `{ name: 'app', alertmanager: { ${receivers}, route: { receiver: 'oncall', routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|KubeQuotaAlmostFull"'] }] } } }`;
    const [stack] = diffAfterChange(before, after).stacks;
    // KubeQuotaAlmostFull is an info alert of the catalogue: only its receivers change.
    expect(stack.routing).toEqual([{ alert: 'KubeQuotaAlmostFull', severity: 'info', before: ['oncall'], after: ['null'] }]);
    expect(stack.alerts).toEqual({ added: [], removed: [], changed: [] });
    const secret = stack.objects.changed.find((o) => o.kind === 'Secret');
    expect(secret?.fields).toEqual([{ path: '/stringData/alertmanager.yaml', secret: true }]);
    // The route tree is read from that Secret: shown field by field (it holds no credential).
    expect(stack.routes).toEqual([{ path: '/route/routes/0/matchers/0', before: '"alertname=\\"Watchdog\\""', after: '"alertname=~\\"Watchdog|KubeQuotaAlmostFull\\""' }]);
  });

  test('a chaos schedule moved to another time shows as that schedule changed', () => {
    const dir = tempFolder('o11y-diff-');
    fs.mkdirSync(path.join(dir, 'stacks'));
    const source = fs.readFileSync(path.join(REPO, 'stacks', 'chaos.ts'), 'utf8');
    fs.writeFileSync(path.join(dir, 'stacks', 'chaos.ts'), source);
    expect(o11y(['synth', 'stacks/chaos.ts', '--out', 'before'], dir).status).toBe(0);
    fs.writeFileSync(path.join(dir, 'stacks', 'chaos.ts'), source.replace("schedule: '0 4 * * 2'", "schedule: '0 5 * * 2'"));
    const run = o11y(['diff', 'stacks/chaos.ts', '--against', 'before', '--json'], dir);
    expect(run.status).toBe(0);
    const [stack] = (JSON.parse(run.stdout) as DiffJson).stacks;
    expect(stack.chaos.added).toEqual([]);
    expect(stack.chaos.removed).toEqual([]);
    expect(stack.chaos.changed).toEqual([expect.objectContaining({ schedule: '0 5 * * 2', fields: [{ path: '/schedule', before: '"0 4 * * 2"', after: '"0 5 * * 2"' }] })]);
    expect(stack.objects.changed.map((o) => o.kind)).toEqual(['Schedule']);
  });

  test('a new dashboard shows as added, with the ConfigMap that delivers it', () => {
    const before = `{ name: 'app', rules: { knownMetrics: ['http_requests_total', 'job:checkout_request_duration_seconds:p99_5m'] } }`;
    const after = `{ name: 'app', grafana: { dashboardFiles: [${JSON.stringify(FIXTURE_DASHBOARD)}] }, rules: { knownMetrics: ['http_requests_total', 'job:checkout_request_duration_seconds:p99_5m'] } }`;
    const [stack] = diffAfterChange(before, after).stacks;
    expect(stack.dashboards).toEqual({ added: [{ uid: 'checkout', title: 'Checkout', folder: expect.any(String) }], removed: [], changed: [] });
    expect(stack.objects.added.map((o) => o.kind)).toEqual(['ConfigMap']);
    expect(stack.alerts).toEqual({ added: [], removed: [], changed: [] });
  });

  test('identical input shows no changes, and --exit-code stays 0', () => {
    const dir = project(`{ name: 'app' }`);
    expect(o11y(['synth', 'stacks/app.ts', '--out', 'before'], dir).status).toBe(0);
    const run = o11y(['diff', 'stacks/app.ts', '--against', 'before', '--exit-code'], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`## o11y diff: no changes\n\n### Stack \`app\` (against ${path.join('before', 'app')})\n\nNo changes.\n`);
  });

  test('by default compares with dist/ committed at HEAD; --md writes the PR comment; --exit-code fails on a change', () => {
    const dir = project(ruleGroup('0.9'));
    expect(o11y(['synth', 'stacks/app.ts'], dir).status).toBe(0);
    git(['init', '-q'], dir);
    git(['add', '.'], dir);
    git(['commit', '-q', '-m', 'deployed'], dir);
    expect(o11y(['diff', 'stacks/app.ts', '--exit-code'], dir)).toMatchObject({ status: 0, stdout: expect.stringContaining('No changes.') });

    writeValues(dir, ruleGroup('0.75'));
    const run = o11y(['diff', 'stacks/app.ts', '--exit-code', '--md', 'diff.md'], dir);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const markdown = fs.readFileSync(path.join(dir, 'diff.md'), 'utf8');
    expect(markdown).toContain('### Stack `app` (against dist/app at HEAD)');
    expect(markdown).toContain('| ~ | AppQueueFull | warning | `expr`: `app_queue_fill_ratio > 0.9` → `app_queue_fill_ratio > 0.75` |');
    expect(markdown).toContain('| ~ | PrometheusRule | monitoring/custom-rules | rules |');
  });

  test('an --against that is neither a folder nor a commit is rejected, naming the option', () => {
    const dir = project(`{ name: 'app' }`);
    git(['init', '-q'], dir);
    const run = o11y(['diff', 'stacks/app.ts', '--against', 'no-such-branch'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--against');
    expect(run.stderr).toContain("'no-such-branch' is neither a folder nor a commit");
  });
});
