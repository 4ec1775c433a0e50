// The generated header names the stack file relative to its project, whatever the working folder: a synth run from
// elsewhere must not rewrite every file.
import * as fs from 'fs';
import * as path from 'path';
import { relativeSource } from '../../src/load/stack-file';
import { OutputError } from '../../src/synth/write-errors';
import { tempDir } from './trees';

function inFolder<T>(dir: string, body: () => T): T {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return body();
  } finally {
    process.chdir(previous);
  }
}

describe('relativeSource', () => {
  const root = tempDir('o11y-project-');
  const project = path.join(root, 'project');
  const elsewhere = path.join(root, 'elsewhere');
  fs.mkdirSync(path.join(project, 'stacks', 'team'), { recursive: true });
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(project, 'package.json'), '{}\n');
  fs.writeFileSync(path.join(project, 'stacks', 'x.ts'), '');
  fs.writeFileSync(path.join(project, 'stacks', 'team', 'y.ts'), '');

  test('GIVEN a stack file WHEN named from the project root, its stacks/ folder, another folder, or absolutely THEN always stacks/x.ts', () => {
    expect(inFolder(project, () => relativeSource('stacks/x.ts'))).toBe('stacks/x.ts');
    expect(inFolder(path.join(project, 'stacks'), () => relativeSource('x.ts'))).toBe('stacks/x.ts');
    expect(inFolder(elsewhere, () => relativeSource('../project/stacks/x.ts'))).toBe('stacks/x.ts');
    expect(inFolder(elsewhere, () => relativeSource(path.join(project, 'stacks', 'x.ts')))).toBe('stacks/x.ts');
    expect(inFolder(elsewhere, () => relativeSource(path.join(project, 'stacks', 'team', 'y.ts')))).toBe('stacks/team/y.ts');
  });

  test('GIVEN a project marked by cdk8s.yaml only WHEN named from elsewhere THEN relative to that folder', () => {
    const other = path.join(root, 'cdk8s-app');
    fs.mkdirSync(path.join(other, 'stacks'), { recursive: true });
    fs.writeFileSync(path.join(other, 'cdk8s.yaml'), 'language: typescript\n');
    fs.writeFileSync(path.join(other, 'stacks', 'z.ts'), '');
    expect(inFolder(elsewhere, () => relativeSource(path.join(other, 'stacks', 'z.ts')))).toBe('stacks/z.ts');
  });

  test('GIVEN a stack file in no project WHEN named THEN its base name', () => {
    const loose = path.join(root, 'loose.ts');
    fs.writeFileSync(loose, '');
    expect(inFolder(elsewhere, () => relativeSource(loose))).toBe('loose.ts');
  });

  test('GIVEN this repository WHEN its default stack is named from another folder THEN stacks/default.ts, as in the committed dist/', () => {
    const repo = path.resolve(__dirname, '..', '..');
    expect(inFolder(elsewhere, () => relativeSource(path.join(repo, 'stacks', 'default.ts')))).toBe('stacks/default.ts');
    expect(inFolder(path.join(repo, 'src'), () => relativeSource('../stacks/default.ts'))).toBe('stacks/default.ts');
  });
});

describe('OutputError.withStacks', () => {
  test('GIVEN the failing stack was written after all (only its old copy could not be removed) THEN it is listed as written', () => {
    const error = new OutputError('dist/b/ was written, but ...', 'dist/.o11y-b.old', 'b', true, 'EBUSY').withStacks(['a'], ['b', 'c']);
    expect(error.message).toBe('dist/b/ was written, but ...\nstacks written: a, b; not written: c.');
    expect(new OutputError('x.', 'p', 'a', false).withStacks([], ['a']).message).toBe('x.\nstacks written: none; not written: a.');
  });
});
