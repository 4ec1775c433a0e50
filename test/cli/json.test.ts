// `--json` on the commands polish.test.ts does not cover: version, init, typecheck, tools (issue 17: every command
// has --json). The built CLI runs in a child process; stdout must be one JSON document and nothing else.
// `chaos report --json` (bare and `-`) is tested against a real Prometheus in test/report/chaos-report.test.ts.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TOOLS } from '../../src/core/tools';
import { tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');

function o11y(args: string[], cwd = REPO, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
});

test('o11y version --json: name and version; --version stays plain text', () => {
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const run = o11y(['version', '--json']);
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual({ name: 'cdk8s-o11y', version });
  expect(o11y(['--version']).stdout).toBe(`${version}\n`);
});

test('o11y init --json: each file with wrote/unchanged/overwrote; a refusal lists the conflicts, keeps its stderr message and exits 1', () => {
  const dir = tempFolder('o11y-json-init-');
  const first = o11y(['init', '--json', '--name', 'eu-1'], dir);
  expect([first.status, first.stderr]).toEqual([0, '']);
  const json = JSON.parse(first.stdout);
  expect(json).toMatchObject({ dir: '.', stack: 'eu-1', written: true, conflicts: [], next: expect.stringContaining('npx o11y typecheck') });
  expect(json.files).toContainEqual({ path: 'stacks/eu-1.ts', state: 'wrote' });
  expect(json.files.every((f: { state: string }) => f.state === 'wrote')).toBe(true);

  fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}\n');
  const refused = o11y(['init', '--json', '--name', 'eu-1'], dir);
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/tsconfig\.json: exists[\s\S]*--force/);
  expect(JSON.parse(refused.stdout)).toMatchObject({ written: false, files: [], conflicts: [{ path: 'tsconfig.json', reason: 'exists' }] });

  const forced = JSON.parse(o11y(['init', '--json', '--name', 'eu-1', '--force'], dir).stdout);
  expect(forced.files).toContainEqual({ path: 'tsconfig.json', state: 'overwrote' });
  expect(forced.files).toContainEqual({ path: 'stacks/eu-1.ts', state: 'unchanged' });
});

test('o11y typecheck --json: each error as {file, line, column, code, message}, a count, exit 1', () => {
  const dir = tempFolder('o11y-json-typecheck-');
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.writeFileSync(path.join(dir, 'stacks', 'bad.ts'), "import { defineStack } from 'cdk8s-o11y';\nconst n: number = 'three';\nexport default defineStack({ name: String(n) });\n");
  const run = o11y(['typecheck', '--json'], dir);
  expect(run.status).toBe(1);
  const json = JSON.parse(run.stdout);
  expect(json).toEqual({
    files: ['stacks/bad.ts'],
    errors: 1,
    diagnostics: [{ file: 'stacks/bad.ts', line: 2, column: 7, code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." }],
  });
});

test('o11y tools list --json: every tool with its version and module, missing in an empty cache (nothing is built)', () => {
  const dir = tempFolder('o11y-json-tools-');
  const run = o11y(['tools', 'list', '--json'], REPO, { O11Y_TOOLS_DIR: dir });
  expect([run.status, run.stderr]).toEqual([0, '']);
  const json = JSON.parse(run.stdout);
  expect(json.dir).toBe(path.resolve(dir));
  expect(json.tools.map((t: { name: string }) => t.name)).toEqual(Object.keys(TOOLS));
  for (const tool of json.tools) {
    const spec = TOOLS[tool.name as keyof typeof TOOLS];
    expect(tool).toEqual({ name: spec.name, version: spec.version, module: `${spec.module}@${spec.moduleVersion}`, path: null, state: 'missing' });
  }
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('o11y chaos report --json: errors keep their stderr message and exit code, with nothing on stdout', () => {
  const run = o11y(['chaos', 'report', 'stacks/chaos.ts', '--prometheus', 'http://admin:x@localhost:9090', '--json']);
  expect(run.status).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('--prometheus: holds credentials');
});
