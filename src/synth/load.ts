// Loads stack files. TypeScript is transpiled in memory (no type check: `npm run typecheck` does that),
// which keeps a synth well under a second; the library itself is precompiled.
import * as fs from 'fs';
import * as path from 'path';
import { isStackDefinition, type StackDefinition } from '../stack/definition';
import { StackError } from '../stack/errors';

export interface LoadedStack {
  readonly definition: StackDefinition;
  /** Name from the file: `stacks/prod.ts` is `prod`, unless the values name it. */
  readonly name: string;
  /** Path as written in headers: relative to the project, with forward slashes. */
  readonly source: string;
  readonly baseDir: string;
}

let typeScriptHookInstalled = false;
let packageAliasInstalled = false;

/**
 * Stack files import 'cdk8s-o11y'. That name resolves to the library running this synth, wherever the stack
 * file lives: one copy of the library builds and checks the stack, even with no node_modules beside it.
 */
function installPackageAlias(): void {
  if (packageAliasInstalled) return;
  packageAliasInstalled = true;
  const ownIndex = path.join(__dirname, '..', 'index');
  const Module = require('module') as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request: string, ...rest: unknown[]) {
    return resolve.call(this, request === 'cdk8s-o11y' ? ownIndex : request, ...rest);
  };
}

function installTypeScriptHook(): void {
  if (typeScriptHookInstalled || require.extensions['.ts']) return;
  typeScriptHookInstalled = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  require.extensions['.ts'] = (module, filename) => {
    const result = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const syntaxError = result.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (syntaxError) {
      const where = syntaxError.file && syntaxError.start !== undefined ? syntaxError.file.getLineAndCharacterOfPosition(syntaxError.start) : undefined;
      const position = where ? `:${where.line + 1}:${where.character + 1}` : '';
      throw new StackError(path.basename(filename, '.ts'), [{
        field: `${relativeSource(filename)}${position}`,
        message: ts.flattenDiagnosticMessageText(syntaxError.messageText, '\n'),
      }]);
    }
    (module as unknown as { _compile(code: string, file: string): void })._compile(result.outputText, filename);
  };
}

export function relativeSource(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return (relative.startsWith('..') || path.isAbsolute(relative) ? path.basename(file) : relative).split(path.sep).join('/');
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
  installPackageAlias();
  if (absolute.endsWith('.ts')) installTypeScriptHook();

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
