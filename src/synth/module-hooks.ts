// How stack files and rule modules are loaded. TypeScript is transpiled in memory (no type check:
// `npm run typecheck` does that), which keeps a synth well under a second; the library itself is precompiled.
import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../stack/errors';

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
        field: `${path.basename(filename)}${position}`,
        message: ts.flattenDiagnosticMessageText(syntaxError.messageText, '\n'),
      }]);
    }
    (module as unknown as { _compile(code: string, file: string): void })._compile(result.outputText, filename);
  };
}

/** Makes `require(file)` work for a stack file or rule module: TypeScript, and the 'cdk8s-o11y' import. */
export function prepareModuleLoading(file: string): void {
  installPackageAlias();
  if (file.endsWith('.ts')) installTypeScriptHook();
}
