// Loads stack files.
import * as fs from 'fs';
import * as path from 'path';
import { isStackDefinition, type StackDefinition } from '../stack/definition';
import { StackError } from '../core/problems';
import { prepareModuleLoading } from './module-hooks';

export interface LoadedStack {
  readonly definition: StackDefinition;
  /** Name from the file: `stacks/prod.ts` is `prod`, unless the values name it. */
  readonly name: string;
  /** Path as written in headers: relative to the project, with forward slashes. */
  readonly source: string;
  readonly baseDir: string;
}

/**
 * The stack file's path as the generated headers name it: relative to its project (the nearest folder above it
 * that holds a package.json or cdk8s.yaml), never to the working folder, so that a synth run from anywhere writes
 * the same files. Without a project above it, its base name.
 */
export function relativeSource(file: string): string {
  const absolute = path.resolve(file);
  for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, 'cdk8s.yaml'))) {
      return path.relative(dir, absolute).split(path.sep).join('/');
    }
    if (path.dirname(dir) === dir) return path.basename(absolute);
  }
}

/** Loads one stack file (.ts or .js) and checks that it exports a stack definition. */
export function loadStackFile(file: string): LoadedStack {
  const absolute = path.resolve(file);
  const name = path.basename(absolute).replace(/\.(ts|js)$/, '');
  const fail = (message: string, fix: string): never => {
    throw new StackError(name, [{ field: relativeSource(absolute), message, fix }]);
  };
  if (!fs.existsSync(absolute)) fail('no such stack file', 'give the path of a .ts stack file, e.g. stacks/default.ts');
  if (!/\.(ts|js)$/.test(absolute)) fail('is not a .ts or .js file', 'stack files are TypeScript modules: stacks/<name>.ts');
  prepareModuleLoading(absolute);

  let exported: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(absolute) as { default?: unknown };
    exported = module.default ?? module;
  } catch (error) {
    if (error instanceof StackError) throw error;
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    fail(`failed while loading: ${message}`, 'fix the error in the stack file (run `npm run typecheck` for type errors)');
  }
  if (!isStackDefinition(exported)) {
    fail('does not export a stack', "end it with `export default defineStack({ ... })` (import { defineStack } from 'cdk8s-o11y')");
  }
  return { definition: exported as StackDefinition, name, source: relativeSource(absolute), baseDir: path.dirname(absolute) };
}

/** The stack files a synth takes when none are named: `stacks/*.ts` of the current project. */
export function defaultStackFiles(dir = 'stacks'): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).sort().map((f) => path.join(dir, f));
}
