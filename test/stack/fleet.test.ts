// Fleets (one stack file, a stack per cluster), shared modules under stacks/lib/, and relative imports of stack
// files at synth. File-based behaviour runs the compiled CLI (`npx tsc -p tsconfig.json` first), as a user runs it.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { defineFleet, defineStack, type StackValues } from '../../src';
import { fleetClusters } from '../../src/stack/fleet';
import { defaultStackFiles, loadStacks } from '../../src/load/stack-file';
import { renderStack } from '../../src/synth/pipeline';
import { stackFiles } from '../../src/synth/layout';
import { at, find, tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'build', 'src', 'cli', 'main.js');

function o11y(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A project folder (package.json, so that files are named relative to it) holding these files. */
function project(files: Record<string, string>): string {
  const dir = tempFolder('o11y-fleet-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "gitops-repo", "private": true }\n');
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}

const COMMON = `import type { StackValues } from 'cdk8s-o11y';
export const base: StackValues = { common: { namespace: 'monitoring' }, prometheus: { replicas: 2, retention: '15d' } };
`;

const FLEET = (clusters: string) => `import { defineFleet } from 'cdk8s-o11y';
import { base } from './lib/common';
export default defineFleet({ base, clusters: ${clusters} });
`;

const render = (values: StackValues) => renderStack({ definition: defineStack(values), name: values.name ?? 'x', source: 'stacks/fleet.ts' });

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p tsconfig.json\` first`);
});

describe('defineFleet', () => {
  const fleet = defineFleet({
    base: { common: { labels: { team: 'platform' } }, prometheus: { replicas: 2, retention: '15d', externalLabels: { tier: 'prod' } } },
    clusters: { 'us-1': { prometheus: { replicas: 3, externalLabels: { region: 'us-east-1' } } }, 'eu-1': {} },
  });

  test('GIVEN a base and per-cluster overrides WHEN expanded THEN each cluster is the base with its overrides merged over it', () => {
    const clusters = fleetClusters(fleet, 'stacks/fleet.ts');
    expect(clusters.map((c) => c.cluster)).toEqual(['eu-1', 'us-1']);
    const us = clusters[1].definition.values;
    expect(us.name).toBe('us-1');
    // Objects merge key by key: the cluster's replicas, the base's retention, both external labels.
    expect(us.prometheus).toEqual({ replicas: 3, retention: '15d', externalLabels: { tier: 'prod', region: 'us-east-1' } });
    expect(clusters[0].definition.values.prometheus).toEqual(fleet.base.prometheus);
  });

  test('GIVEN a fleet WHEN its clusters are rendered THEN each is named, labelled and written by its cluster name', () => {
    const [eu, us] = fleetClusters(fleet, 'stacks/fleet.ts').map((c) => render(c.definition.values));
    const prometheus = find(us, 'Prometheus', 'k8s');
    expect(at(prometheus, 'spec.replicas')).toBe(3);
    expect(at(prometheus, 'spec.retention')).toBe('15d');
    expect(at(prometheus, 'spec.externalLabels')).toMatchObject({ cluster: 'us-1', tier: 'prod', region: 'us-east-1' });
    expect(at(find(eu, 'Prometheus', 'k8s'), 'spec.externalLabels.cluster')).toBe('eu-1');
    expect(new Set(stackFiles(us).map((f) => f.path.split('/')[0]))).toEqual(new Set(['us-1']));
  });

  test('GIVEN a customize hook WHEN each cluster is built THEN the hook is told which cluster', () => {
    const seen: string[] = [];
    const clusters = fleetClusters(defineFleet({ base: {}, clusters: { a: {}, b: {} }, customize: (stack, cluster) => seen.push(`${cluster}:${stack.values.name}`) }), 'stacks/f.ts');
    for (const c of clusters) c.definition.customize?.({ values: c.definition.values } as never);
    expect(seen).toEqual(['a:a', 'b:b']);
  });

  test.each([
    [{ base: {}, clusters: {} }, /fleet stacks\/fleet\.ts: 1 problem\n {2}clusters: names no cluster/],
    [{ base: { name: 'x' }, clusters: { a: {} } }, /base\.name: is set, but every cluster is named by its key/],
    [{ base: {}, clusters: { EU_1: {} } }, /clusters\.EU_1: 'EU_1' is not a cluster name/],
    [{ base: {}, clusters: { a: { name: 'b' } } }, /clusters\.a\.name: is set/],
  ])('GIVEN a malformed fleet WHEN expanded THEN the fleet file and field are named (%#)', (spec, message) => {
    expect(() => fleetClusters(defineFleet(spec), 'stacks/fleet.ts')).toThrow(message);
  });

  test('GIVEN the example stacks/fleet.ts WHEN loaded THEN it yields its two clusters, from the shared module in stacks/lib/', () => {
    const stacks = loadStacks(path.join(REPO, 'stacks', 'fleet.ts'));
    expect(stacks.map((s) => [s.name, s.cluster, s.source])).toEqual([['eu-1', 'eu-1', 'stacks/fleet.ts'], ['us-1', 'us-1', 'stacks/fleet.ts']]);
    expect(stacks[0].definition.values.common?.namespace).toBe('monitoring');
  });
});

describe('stack discovery', () => {
  test('GIVEN stacks/ with a lib/ folder, a module without a default export and a .d.ts WHEN discovered THEN only default-exporting files are stacks', () => {
    const dir = project({
      'stacks/a.ts': "import { defineStack } from 'cdk8s-o11y';\nexport default defineStack({});\n",
      'stacks/fleet.ts': FLEET("{ 'eu-1': {} }"),
      'stacks/lib/common.ts': COMMON,
      'stacks/lib/nested.ts': "export default {};\n",
      'stacks/helpers.ts': "// export default is not at the start of this line\nexport const x = 1;\n",
      'stacks/types.d.ts': 'export default interface X {}\n',
    });
    expect(defaultStackFiles(path.join(dir, 'stacks')).map((f) => path.basename(f))).toEqual(['a.ts', 'fleet.ts']);
  });

  test('GIVEN a discovered file whose default export is no stack WHEN synthesized THEN it is rejected, pointing at stacks/lib/', () => {
    const dir = project({ 'stacks/shared.ts': 'export default { prometheus: {} };\n' });
    const run = o11y(['synth'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stacks\/shared\.ts: does not export a stack[\s\S]*shared modules belong in stacks\/lib\//);
  });
});

describe('o11y synth of a fleet', () => {
  test('GIVEN a fleet importing stacks/lib/ WHEN a bare synth runs THEN each cluster is written to dist/<cluster>/, the lib never as a stack', () => {
    const dir = project({ 'stacks/fleet.ts': FLEET("{ 'eu-1': {}, 'us-1': { prometheus: { replicas: 3 } } }"), 'stacks/lib/common.ts': COMMON });
    const run = o11y(['synth'], dir);
    expect(run.stderr).not.toMatch(/o11y:/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^synthesized 2 stacks eu-1, us-1 into dist\//);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['eu-1', 'us-1']);
    const prometheus = (cluster: string) => fs.readFileSync(path.join(dir, 'dist', cluster, 'prometheus', 'Prometheus-k8s.yaml'), 'utf8');
    expect(prometheus('us-1')).toMatch(/^ {2}replicas: 3$/m);
    expect(prometheus('eu-1')).toMatch(/^ {2}replicas: 2$/m);
    expect(prometheus('eu-1')).toMatch(/^ {4}cluster: eu-1$/m);
    expect(prometheus('eu-1')).toMatch(/^# Generated by cdk8s-o11y from stacks\/fleet\.ts\./);
  });

  test('GIVEN a fleet WHEN listed THEN each cluster is listed as a stack of the fleet file', () => {
    const dir = project({ 'stacks/fleet.ts': FLEET("{ 'eu-1': {}, 'us-1': {} }"), 'stacks/lib/common.ts': COMMON });
    const run = o11y(['list'], dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^eu-1 \(stacks\/fleet\.ts\): \d+ objects$/m);
    expect(run.stdout).toMatch(/^us-1 \(stacks\/fleet\.ts\): \d+ objects$/m);
  });

  test('GIVEN a wrong override in one cluster WHEN synthesized THEN the error names the fleet file and the cluster, and nothing is written', () => {
    const dir = project({ 'stacks/fleet.ts': FLEET("{ 'eu-1': {}, 'us-1': { prometheus: { replics: 3 } } as never }"), 'stacks/lib/common.ts': COMMON });
    const run = o11y(['synth'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^o11y: fleet stacks\/fleet\.ts, cluster us-1: 1 problem\n {2}prometheus\.replics: unknown option 'replics'/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('GIVEN a syntax error in a lib module WHEN synthesized THEN it is named by its file and line', () => {
    const dir = project({ 'stacks/fleet.ts': FLEET("{ 'eu-1': {} }"), 'stacks/lib/common.ts': "import type { StackValues } from 'cdk8s-o11y';\n\nexport const base: StackValues = { prometheus: { replicas: 2 }\n;\n" });
    const run = o11y(['synth'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^o11y: stack fleet: 1 problem\n {2}stacks\/lib\/common\.ts:4:1: ',' expected/);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('GIVEN a lib module that throws a TypeError while loading WHEN synthesized THEN its TypeScript file and line are named', () => {
    const lib = "import type { StackValues } from 'cdk8s-o11y';\n\nconst regions: Record<string, string> = {};\n\nexport const base: StackValues = { common: { namespace: regions.eu.toLowerCase() } };\n";
    const dir = project({ 'stacks/fleet.ts': FLEET("{ 'eu-1': {} }"), 'stacks/lib/common.ts': lib });
    const run = o11y(['synth'], dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/stacks\/lib\/common\.ts:5:\d+: failed while loading: Cannot read properties of undefined \(reading 'toLowerCase'\)/);
  });
});
