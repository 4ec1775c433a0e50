// `o11y init`: what it writes, what it refuses to overwrite, how it merges an existing package.json.
import * as fs from 'fs';
import * as path from 'path';
import { initCommand } from '../../src/cli/init';
import { StackError } from '../../src/core/problems';
import { tempFolder } from '../helpers';

const VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

function quietly(action: () => void): string {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  try {
    action();
  } finally {
    log.mockRestore();
  }
  return lines.join('\n');
}

function problemsOf(action: () => void): string {
  try {
    quietly(action);
  } catch (error) {
    if (error instanceof StackError) return error.message;
    throw error;
  }
  throw new Error('expected a StackError');
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8');

test('a new folder gets a package.json depending on this version, and a stack of the given name', () => {
  const dir = path.join(tempFolder('o11y-init-'), 'eu-gitops');
  const printed = quietly(() => initCommand(dir, { name: 'eu-prod-1' }));
  const pkg = JSON.parse(read(dir, 'package.json')) as { name: string; private: boolean; dependencies: Record<string, string>; scripts: Record<string, string> };
  expect(pkg).toMatchObject({ name: 'eu-gitops', private: true, dependencies: { 'cdk8s-o11y': `^${VERSION}` } });
  expect(Object.keys(pkg.scripts).sort()).toEqual(['check', 'synth', 'test', 'typecheck']);
  expect(read(dir, 'stacks/eu-prod-1.ts')).toContain("clusterName: 'eu-prod-1'");
  expect(read(dir, 'stacks/eu-prod-1.ts')).toContain("from './lib/common'");
  expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.strict).toBe(true);
  expect(printed).toContain(`wrote ${dir}/stacks/eu-prod-1.ts`);
});

test('existing files are listed and nothing is written; --force overwrites them', () => {
  const dir = tempFolder('o11y-init-');
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.writeFileSync(path.join(dir, 'stacks', 'cluster.ts'), '// ours\n');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'ours', scripts: { test: 'jest' } }));
  const message = problemsOf(() => initCommand(dir, { name: 'cluster' }));
  expect(message).toContain(`${dir}/stacks/cluster.ts: exists`);
  expect(message).toContain(`${dir}/package.json: has other scripts 'test'`);
  expect(message).toContain('--force');
  expect(fs.existsSync(path.join(dir, 'tsconfig.json'))).toBe(false);

  quietly(() => initCommand(dir, { name: 'cluster', force: true }));
  expect(read(dir, 'stacks/cluster.ts')).toContain('defineStack');
  const pkg = JSON.parse(read(dir, 'package.json')) as { name: string; scripts: Record<string, string> };
  expect(pkg.name).toBe('ours');
  expect(pkg.scripts.test).toBe('o11y test');
});

test('a package.json that pins the package elsewhere keeps its pin and its other fields', () => {
  const dir = tempFolder('o11y-init-');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'infra', devDependencies: { 'cdk8s-o11y': 'github:acme/cdk8s-o11y#v1' }, scripts: { lint: 'eslint .' } }));
  quietly(() => initCommand(dir, { name: 'cluster' }));
  const pkg = JSON.parse(read(dir, 'package.json')) as Record<string, Record<string, string>>;
  expect(pkg.devDependencies).toEqual({ 'cdk8s-o11y': 'github:acme/cdk8s-o11y#v1' });
  expect(pkg.dependencies).toBeUndefined();
  expect(pkg.scripts.lint).toBe('eslint .');
  // A second run finds everything in place.
  expect(quietly(() => initCommand(dir, { name: 'cluster' }))).not.toMatch(/^(wrote|updated|overwrote) /m);
});

test('bad input is rejected naming what to fix', () => {
  const dir = tempFolder('o11y-init-');
  expect(problemsOf(() => initCommand(dir, { name: 'EU Prod' }))).toMatch(/--name: 'EU Prod' is not a stack name\n\s+fix: use lowercase letters/);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ nope');
  expect(problemsOf(() => initCommand(dir, { name: 'cluster' }))).toMatch(/package\.json: is not valid JSON/);
  expect(fs.readdirSync(dir)).toEqual(['package.json']);
});
