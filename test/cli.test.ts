// The CLI as a user runs it: the compiled `o11y` (build/, made by `npm run build`) in a child process.
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { defaultStackFiles, loadStackFile, loadStacks } from '../src/load/stack-file';
import { renderStack } from '../src/synth/pipeline';
import { tempFolder } from './helpers';

const REPO = path.resolve(__dirname, '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');

function o11y(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(): string {
  return tempFolder('o11y-cli-');
}

/** path -> sha256 of every file below `dir`. */
function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else result[path.relative(dir, full)] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return result;
}

function writeStackFile(dir: string, name: string, body: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(file, `import { defineStack } from 'cdk8s-o11y';\n${body}\n`);
  return file;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (the README's test command does)`);
});

describe('o11y synth', () => {
  test('writes the default stack and ends with a summary line', () => {
    const out = tempDir();
    const run = o11y(['synth', 'stacks/default.ts', '--out', out]);
    // The one warning of the default stack: it has no receiver yet (see stacks/teams.ts for routing).
    expect(run.stderr).toBe('warning: stack default: alertmanager.receivers: there is no receiver but the null one: no alert notifies anybody (add a receiver (webhook, slack, pagerduty, email, ...) and route alerts to it)\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^synthesized stack default into .+: (\d+) objects, (\d+) files \(\d+ written, 0 unchanged, 0 removed\), \d+ warnings, in \d+\.\d\d s\n$/);
    expect(fs.existsSync(path.join(out, 'default/prometheus/Prometheus-k8s.yaml'))).toBe(true);
  });

  test('two synths give byte-identical files, whatever the timezone and locale', () => {
    const [a, b] = [tempDir(), tempDir()];
    expect(o11y(['synth', 'stacks/default.ts', 'stacks/production.ts', '--out', a], { env: { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' } }).status).toBe(0);
    expect(o11y(['synth', 'stacks/default.ts', 'stacks/production.ts', '--out', b], { env: { TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' } }).status).toBe(0);
    expect(Object.keys(snapshot(a)).length).toBeGreaterThan(50);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  test('the committed dist/ is exactly what the stacks generate (run `npm run synth` and commit when this fails)', () => {
    const out = tempDir();
    expect(o11y(['synth', '--out', out]).status).toBe(0);
    expect(snapshot(out)).toEqual(snapshot(path.join(REPO, 'dist')));
  });

  test('a broken stack exits 1 with the field named, no stack trace, and the previous output untouched', () => {
    const out = tempDir();
    expect(o11y(['synth', 'stacks/default.ts', '--out', out]).status).toBe(0);
    const before = snapshot(out);
    const dir = tempDir();
    const broken = writeStackFile(dir, 'default', "export default defineStack({ common: { namespace: 'Bad_NS' }, prometheus: { replics: 3 } as never });");

    const run = o11y(['synth', broken, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('stack default: 2 problems');
    expect(run.stderr).toContain("common.namespace: 'Bad_NS' is not a valid namespace name");
    expect(run.stderr).toContain("prometheus.replics: unknown option 'replics'");
    expect(run.stderr).toContain('nothing was written');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(snapshot(out)).toEqual(before);
  });

  test('one broken stack among several means nothing is written for any of them', () => {
    const out = tempDir();
    const dir = tempDir();
    const good = writeStackFile(dir, 'good', 'export default defineStack({});');
    const bad = writeStackFile(dir, 'bad', "export default defineStack({ alertmanager: { replicas: -1 } });");
    const run = o11y(['synth', good, bad, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('alertmanager.replicas: must be a whole number of at least 1, got -1');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('a syntax error in a stack file is reported with file, line and column', () => {
    const dir = tempDir();
    const file = writeStackFile(dir, 'typo', 'export default defineStack({ common: { namespace: "x" } );');
    const run = o11y(['synth', file, '--out', tempDir()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/typo\.ts:2:\d+: ',' expected/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test('a file that exports no stack, or no file at all, gets a message saying what to do', () => {
    const dir = tempDir();
    const file = writeStackFile(dir, 'empty', 'export const x = 1;');
    expect(o11y(['synth', file, '--out', tempDir()]).stderr).toContain('does not export a stack');
    const missing = o11y(['synth', 'stacks/nope.ts', '--out', tempDir()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('stacks/nope.ts: no such stack file');
  });

  test('an exception thrown by stack code is reported as the stack file failing to load', () => {
    const dir = tempDir();
    const file = writeStackFile(dir, 'throws', "throw new Error('no cluster name in env');");
    const run = o11y(['synth', file, '--out', tempDir()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('failed while loading: no cluster name in env');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test('two stack files with the same stack name are rejected', () => {
    const dir = tempDir();
    const a = writeStackFile(dir, 'a', "export default defineStack({ name: 'prod' });");
    const b = writeStackFile(dir, 'b', "export default defineStack({ name: 'prod' });");
    expect(o11y(['synth', a, b, '--out', tempDir()]).stderr).toContain("stack name 'prod' is also used by");
  });

  test('without stack files and outside a project, it writes the built-in default stack', () => {
    const cwd = tempDir();
    const run = o11y(['synth'], { cwd });
    expect(run.status).toBe(0);
    expect(fs.existsSync(path.join(cwd, 'dist/default/namespace/Namespace-monitoring.yaml'))).toBe(true);
  });
});

describe('o11y list', () => {
  test('lists each stack with its components and object counts', () => {
    const run = o11y(['list', 'stacks/default.ts']);
    expect(run.status).toBe(0);
    const stack = renderStack(loadStackFile(path.join(REPO, 'stacks', 'default.ts')));
    expect(run.stdout).toContain(`default (stacks/default.ts): ${stack.objects.length} objects\n`);
    for (const component of ['prometheus-operator', 'control-plane', 'grafana']) {
      const count = stack.objects.filter((o) => o.component === component).length;
      expect(run.stdout).toMatch(new RegExp(`^ {2}${component} +${count}$`, 'm'));
    }
  });
});

describe('cdk8s synth', () => {
  test('writes the same files as o11y synth', () => {
    // A copy of the project (links to its build and modules) so the real dist/ is not touched.
    const project = tempDir();
    for (const entry of ['build', 'node_modules', 'package.json', 'cdk8s.yaml']) fs.symlinkSync(path.join(REPO, entry), path.join(project, entry));
    fs.cpSync(path.join(REPO, 'stacks'), path.join(project, 'stacks'), { recursive: true });
    for (const folder of ['rules', 'dashboards']) fs.cpSync(path.join(REPO, folder), path.join(project, folder), { recursive: true });
    const cdk8sOut = path.join(tempDir(), 'cdk8s.out');
    const cdk8s = spawnSync(path.join(REPO, 'node_modules', '.bin', 'cdk8s'), ['synth', '--output', cdk8sOut], {
      cwd: project, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    expect(cdk8s.stderr).not.toMatch(/error/i);
    expect(cdk8s.status).toBe(0);
    const out = tempDir();
    expect(o11y(['synth', '--out', out], { cwd: project }).status).toBe(0);
    expect(snapshot(path.join(project, 'dist'))).toEqual(snapshot(out));
    // One whole stream per stack where cdk8s' validation plugins read, with the same objects as dist/.
    const streams = fs.readdirSync(cdk8sOut).sort();
    // One per stack: a fleet file gives one per cluster.
    const stackNames = defaultStackFiles(path.join(REPO, 'stacks')).flatMap((f) => loadStacks(f)).map((s) => s.name);
    expect(streams).toEqual(stackNames.map((name) => `${name}.k8s.yaml`).sort());
    const kinds = (text: string) => (text.match(/^kind: .*$/gm) ?? []).length;
    expect(kinds(fs.readFileSync(path.join(cdk8sOut, 'default.k8s.yaml'), 'utf8'))).toBeGreaterThan(50);
  });
});
