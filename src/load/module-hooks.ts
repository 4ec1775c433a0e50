// How stack files and rule modules are loaded. TypeScript is transpiled in memory (no type check:
// `npm run typecheck` does that), which keeps a synth well under a second; the library itself is precompiled.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StackError } from '../core/problems';
import { relativeSource } from './project-path';

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

/**
 * Transpiled stack files are cached by content: loading the TypeScript compiler alone takes a quarter of a second,
 * and stack files rarely change between two synths. The cache holds no state of its own: same input, same output.
 */
function cacheDir(): string {
  const local = path.join(process.cwd(), 'node_modules');
  return fs.existsSync(local) ? path.join(local, '.cache', 'cdk8s-o11y') : path.join(os.tmpdir(), 'cdk8s-o11y-cache');
}

function transpile(filename: string, source: string): string {
  const key = createHash('sha256').update(`${TRANSPILER_VERSION}\0${filename}\0${source}`).digest('hex');
  const cached = path.join(cacheDir(), `${key}.js`);
  if (fs.existsSync(cached)) return fs.readFileSync(cached, 'utf8');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const result = ts.transpileModule(source, {
    fileName: filename,
    reportDiagnostics: true,
    // The inline source map makes stack traces name the TypeScript lines, not those of the transpiled code.
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
  });
  const syntaxError = result.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntaxError) {
    const where = syntaxError.file && syntaxError.start !== undefined ? syntaxError.file.getLineAndCharacterOfPosition(syntaxError.start) : undefined;
    const position = where ? `:${where.line + 1}:${where.character + 1}` : '';
    // Named by its path in the project: the error may be in a module the stack file imports (stacks/lib/...).
    throw new StackError(path.basename(filename, '.ts'), [{
      field: `${relativeSource(filename)}${position}`,
      message: ts.flattenDiagnosticMessageText(syntaxError.messageText, '\n'),
    }]);
  }
  try {
    fs.mkdirSync(path.dirname(cached), { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, result.outputText);
    fs.renameSync(temporary, cached);
  } catch {
    // A read-only cache only costs time.
  }
  return result.outputText;
}

/** Bumped when the transpile options change, so that old cache entries are not used. */
const TRANSPILER_VERSION = 'ts6-cjs-es2022-sourcemap-2';

/** Every TypeScript file this hook loaded: the stack files and the modules they import (`./lib/common`). */
const transpiledFiles = new Set<string>();

/**
 * Where in a transpiled file (stack file or a module it imports) an error thrown while loading was raised:
 * `stacks/lib/common.ts:4:11`, the innermost such frame of its stack trace; undefined when none is.
 */
export function loadingErrorFrame(error: unknown): string | undefined {
  const stack = error instanceof Error ? error.stack ?? '' : '';
  for (const match of stack.matchAll(/(?:\(|at )([^()\s][^()]*\.ts):(\d+):(\d+)\)?$/gm)) {
    if (transpiledFiles.has(match[1])) return `${relativeSource(match[1])}:${match[2]}:${match[3]}`;
  }
  return undefined;
}

function installTypeScriptHook(): void {
  if (typeScriptHookInstalled || require.extensions['.ts']) return;
  typeScriptHookInstalled = true;
  process.setSourceMapsEnabled(true);
  // Relative imports of a stack file (`import { base } from './lib/common'`) resolve to .ts files through this
  // same hook: transpiled and cached the same way.
  require.extensions['.ts'] = (module, filename) => {
    transpiledFiles.add(filename);
    const code = transpile(filename, fs.readFileSync(filename, 'utf8'));
    (module as unknown as { _compile(code: string, file: string): void })._compile(code, filename);
  };
}

/** Makes `require(file)` work for a stack file or rule module: TypeScript, and the 'cdk8s-o11y' import. */
export function prepareModuleLoading(file: string): void {
  installPackageAlias();
  if (file.endsWith('.ts')) installTypeScriptHook();
}
