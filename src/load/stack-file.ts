// Loads stack files.
import * as fs from 'fs';
import * as path from 'path';
import { isStackDefinition, type StackDefinition } from '../stack/definition';
import { clusterError, fleetClusters, isFleetDefinition } from '../stack/fleet';
import { StackError } from '../core/problems';
import { loadingErrorFrame, prepareModuleLoading } from './module-hooks';
import { relativeSource } from './project-path';

export { relativeSource } from './project-path';

export interface LoadedStack {
  readonly definition: StackDefinition;
  /** Name from the file: `stacks/prod.ts` is `prod`, unless the values name it. */
  readonly name: string;
  /** Path as written in headers: relative to the project, with forward slashes. */
  readonly source: string;
  readonly baseDir: string;
  /** Set when the stack is a cluster of a fleet file (`source`); `name` is then the cluster's. */
  readonly cluster?: string;
}

/** Loads one stack file (.ts or .js) and checks that it exports a stack definition (for a fleet: loadStacks). */
export function loadStackFile(file: string): LoadedStack {
  const stacks = loadStacks(file);
  if (stacks.length !== 1 || stacks[0].cluster !== undefined) {
    throw new StackError(stacks[0].name, [{ field: stacks[0].source, message: 'is a fleet, not one stack', fix: 'load it with loadStacks: one stack per cluster' }]);
  }
  return stacks[0];
}

/** The stacks of a stack file: the one it defines, or one per cluster of the fleet it defines. */
export function loadStacks(file: string): LoadedStack[] {
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
    // A syntax error may be in a module the stack file imports: the error still heads with the stack file's name.
    if (error instanceof StackError) throw error.stackName === name ? error : new StackError(name, error.problems);
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    // Where it threw: the stack file or a module it imports (`stacks/lib/common.ts:4:11`).
    const where = loadingErrorFrame(error);
    if (where) throw new StackError(name, [{ field: where, message: `failed while loading: ${message}`, fix: 'fix the code there (run `npm run typecheck` for type errors)' }]);
    fail(`failed while loading: ${message}`, 'fix the error in the stack file (run `npm run typecheck` for type errors)');
  }
  const source = relativeSource(absolute);
  const baseDir = path.dirname(absolute);
  if (isFleetDefinition(exported)) {
    return fleetClusters(exported, source).map(({ cluster, definition }) => ({ definition, name: cluster, source, baseDir, cluster }));
  }
  if (!isStackDefinition(exported)) {
    fail('does not export a stack', "end it with `export default defineStack({ ... })` or `export default defineFleet({ ... })` (from 'cdk8s-o11y'); shared modules belong in stacks/lib/");
  }
  return [{ definition: exported as StackDefinition, name, source, baseDir }];
}

/** Runs a step of one loaded stack; a cluster's errors are headed by its fleet file and cluster name. */
export function inStack<T>(stack: LoadedStack, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (stack.cluster !== undefined && error instanceof StackError) throw clusterError(error, stack.source, stack.cluster);
    throw error;
  }
}

/** A default export (`export default ...`, `export =` or `module.exports =`) at the start of a line. */
const DEFAULT_EXPORT = /^[ \t]*(export[ \t]+default\b|export[ \t]*=|module\.exports[ \t]*=)/m;

/**
 * The stack files a synth takes when none are named: the `.ts` files directly in `stacks/` of the current project
 * that have a default export (a stack or a fleet). Folders (`stacks/lib/`) and files without a default export are
 * shared modules that stack files import, never stacks themselves; `.d.ts` files are skipped.
 */
export function defaultStackFiles(dir = 'stacks'): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(dir, entry.name))
    .filter((file) => DEFAULT_EXPORT.test(fs.readFileSync(file, 'utf8')))
    .sort();
}
