// The package as a GitOps repo gets it: `npm pack` of this repo, installed into an empty folder (no dev
// dependencies, no checkout to read from), then `o11y init`, `o11y typecheck` and `o11y synth` there.
// It packs the current build/ (`npm ci` and `npm run build` make it, as for the other CLI tests): the `prepare`
// script builds it on a real `npm pack` or `npm publish`.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function run(command: string, args: string[], cwd: string) {
  // No npm_config_* of an outer `npm test`: the install must behave as in a fresh shell.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: `${result.stdout}${result.stderr}` };
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

interface PackedFile {
  readonly path: string;
}

describe('the npm package in a GitOps repo', () => {
  let work: string;
  let repo: string;
  let packed: PackedFile[];

  beforeAll(() => {
    expect(fs.existsSync(path.join(REPO, 'build', 'src', 'cli', 'main.js'))).toBe(true);
    work = tempFolder('o11y-package-');
    const pack = run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO);
    expect(pack.status).toBe(0);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: PackedFile[] }>;
    packed = info.files;
    repo = path.join(work, 'gitops');
    fs.mkdirSync(repo);
    const install = run(NPM, ['install', path.join(work, info.filename), '--prefer-offline', '--no-audit', '--no-fund'], repo);
    if (install.status !== 0) throw new Error(`npm install failed:\n${install.output}`);
  }, 240_000);

  test('the tarball holds the compiled library, its types, the values validator and schema, and nothing of the checkout', () => {
    const paths = packed.map((f) => f.path);
    for (const needed of ['package.json', 'build/src/index.js', 'build/src/index.d.ts', 'build/src/cli/main.js', 'build/src/values/stack-values.validator.js', 'build/src/values/stack-values.schema.json', 'build/stacks/default.js']) {
      expect(paths).toContain(needed);
    }
    expect(paths.filter((p) => /^(src|test|stacks|dist|bench|build\/(bench|test))\//.test(p) || p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
  });

  test('init scaffolds the repo, typecheck and synth work with only the installed package', () => {
    const init = run(NPX, ['o11y', 'init'], repo);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    for (const file of ['tsconfig.json', 'cdk8s.yaml', '.gitignore', 'stacks/cluster.ts', 'stacks/lib/common.ts', 'rules/README.md', 'dashboards/README.md', '.github/workflows/o11y.yml']) {
      expect(init.stdout).toContain(`wrote ${file}`);
      expect(fs.existsSync(path.join(repo, file))).toBe(true);
    }
    // The dependency npm install wrote is kept; the scripts are added.
    const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    expect(pkg.dependencies['cdk8s-o11y']).toMatch(/^file:.*\.tgz$/);
    expect(pkg.scripts).toMatchObject({ synth: 'o11y synth', typecheck: 'o11y typecheck', test: 'o11y test' });
    expect(fs.readFileSync(path.join(repo, '.github/workflows/o11y.yml'), 'utf8')).toMatch(/npx o11y synth --check[\s\S]*npx o11y test/);

    const typecheck = run(NPX, ['o11y', 'typecheck'], repo);
    expect(typecheck.output).toContain('no errors');
    expect(typecheck.status).toBe(0);
    // The scaffolded tsconfig serves plain tsc too (typescript comes with the package).
    expect(run(NPX, ['tsc', '-p', '.'], repo).status).toBe(0);

    const synth = run(NPX, ['o11y', 'synth'], repo);
    expect(synth.status).toBe(0);
    const manifests = filesUnder(path.join(repo, 'dist', 'cluster')).filter((f) => f.endsWith('.yaml'));
    expect(manifests.length).toBeGreaterThan(20);
    expect(manifests.filter((f) => /^kind: Prometheus$/m.test(fs.readFileSync(f, 'utf8'))).map((f) => path.basename(f))).toEqual(['Prometheus-k8s.yaml']);
    // The shared module is imported, not taken for a stack.
    expect(fs.existsSync(path.join(repo, 'dist', 'common'))).toBe(false);
  }, 120_000);

  test('a fleet of two clusters from the shared module type-checks and synthesizes, each with its Argo CD Application', () => {
    fs.writeFileSync(path.join(repo, 'stacks', 'fleet.ts'), [
      "import { defineFleet } from 'cdk8s-o11y';",
      "import { shared } from './lib/fleet-base';",
      '',
      'export default defineFleet({',
      '  base: shared,',
      "  clusters: { 'eu-1': {}, 'us-1': { prometheus: { replicas: 3 } } },",
      '});',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(repo, 'stacks', 'lib', 'fleet-base.ts'), [
      "import type { StackValues } from 'cdk8s-o11y';",
      '',
      'export const shared: StackValues = {',
      "  gitops: { argocd: { repoURL: 'https://git.example.com/observability.git' } },",
      '};',
      '',
    ].join('\n'));
    const typecheck = run(NPX, ['o11y', 'typecheck'], repo);
    expect(typecheck.output).toContain('no errors');
    const synth = run(NPX, ['o11y', 'synth', 'stacks/fleet.ts'], repo);
    expect(synth.status).toBe(0);
    expect(synth.stdout).toMatch(/^synthesized 2 stacks eu-1, us-1 into dist\//m);
    for (const [cluster, replicas] of [['eu-1', 2], ['us-1', 3]] as const) {
      const application = fs.readFileSync(path.join(repo, 'dist', cluster, 'gitops', 'argocd-application.yaml'), 'utf8');
      expect(application).toMatch(/^kind: Application$/m);
      expect(application).toContain(`path: dist/${cluster}`);
      expect(application).toContain('repoURL: https://git.example.com/observability.git');
      const prometheus = fs.readFileSync(path.join(repo, 'dist', cluster, 'prometheus', 'Prometheus-k8s.yaml'), 'utf8');
      expect(prometheus).toMatch(new RegExp(`^  replicas: ${replicas}$`, 'm'));
      expect(prometheus).toContain(`cluster: ${cluster}`);
    }
    // A type error in the shared module is named there.
    fs.writeFileSync(path.join(repo, 'stacks', 'lib', 'fleet-base.ts'), fs.readFileSync(path.join(repo, 'stacks', 'lib', 'fleet-base.ts'), 'utf8').replace('repoURL:', 'repoUrl:'));
    const broken = run(NPX, ['o11y', 'typecheck'], repo);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^stacks\/lib\/fleet-base\.ts:4:\d+ /m);
    fs.rmSync(path.join(repo, 'stacks', 'fleet.ts'));
    fs.rmSync(path.join(repo, 'stacks', 'lib', 'fleet-base.ts'));
  }, 120_000);

  test('a type error in the stack makes typecheck exit 1 naming file:line:col', () => {
    const stack = path.join(repo, 'stacks', 'cluster.ts');
    const good = fs.readFileSync(stack, 'utf8');
    const lines = good.split('\n');
    const line = lines.findIndex((l) => l.includes('replicas: 2')) + 1;
    expect(line).toBeGreaterThan(0);
    fs.writeFileSync(stack, good.replace('replicas: 2', "replicas: 'two'"));
    const typecheck = run(NPX, ['o11y', 'typecheck'], repo);
    expect(typecheck.status).toBe(1);
    expect(typecheck.stdout).toMatch(new RegExp(`^stacks/cluster\\.ts:${line}:\\d+ Type 'string' is not assignable to type 'number'`, 'm'));

    // init does not overwrite the changed stack file; --force does.
    const again = run(NPX, ['o11y', 'init'], repo);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('stacks/cluster.ts: exists');
    expect(again.stderr).toContain('--force');
    expect(fs.readFileSync(stack, 'utf8')).toContain("replicas: 'two'");
    expect(run(NPX, ['o11y', 'init', '--force'], repo).status).toBe(0);
    expect(fs.readFileSync(stack, 'utf8')).toBe(good);
  }, 60_000);
});
