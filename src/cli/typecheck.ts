// `o11y typecheck`: the user's stack files, type-checked (strict) against the types of the package running this
// command, the same package a synth resolves 'cdk8s-o11y' to. A synth only transpiles, so this is where type
// errors show before review.
import * as fs from 'fs';
import * as path from 'path';
import type * as TS from 'typescript';
import { StackError } from '../core/problems';
import { defaultStackFiles } from '../load/stack-file';

/** The options a project without a tsconfig.json is checked with; the scaffold of `o11y init` writes the same. */
export const STACK_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'commonjs',
  moduleResolution: 'bundler',
  lib: ['ES2022'],
  strict: true,
  noEmit: true,
  esModuleInterop: true,
  skipLibCheck: true,
  noUnusedLocals: true,
  types: [] as string[],
} as const;

export interface TypecheckResult {
  /** The files given to the compiler (imported modules are checked too). */
  readonly files: readonly string[];
  /** One line per diagnostic: `file:line:col message` (file relative to the working folder). */
  readonly errors: readonly string[];
}

/** This package's own type declarations: `build/src/index.d.ts` beside this module's folder. */
function ownTypes(): string {
  return path.join(__dirname, '..', 'index.d.ts');
}

function formatDiagnostic(ts: typeof TS, diagnostic: TS.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (!diagnostic.file || diagnostic.start === undefined) return `tsconfig.json: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = path.relative(process.cwd(), diagnostic.file.fileName).split(path.sep).join('/');
  return `${file}:${line + 1}:${character + 1} ${message}`;
}

/**
 * Compiler options and root files: the project's tsconfig.json (in the working folder) when there is one, else
 * {@link STACK_COMPILER_OPTIONS}; strict and noEmit always, and 'cdk8s-o11y' always this package's types.
 */
function programInput(ts: typeof TS, args: readonly string[]): { options: TS.CompilerOptions; files: string[] } {
  const configFile = path.resolve('tsconfig.json');
  let raw: Record<string, unknown> = { compilerOptions: STACK_COMPILER_OPTIONS };
  if (fs.existsSync(configFile)) {
    const read = ts.readConfigFile(configFile, ts.sys.readFile);
    if (read.error) throw new StackError('typecheck', [{ field: 'tsconfig.json', message: ts.flattenDiagnosticMessageText(read.error.messageText, ' '), fix: 'make tsconfig.json valid JSON (comments are allowed)' }]);
    raw = read.config as Record<string, unknown>;
  }
  const parsed = ts.parseJsonConfigFileContent(raw, ts.sys, path.dirname(configFile), undefined, configFile);
  const options: TS.CompilerOptions = {
    ...parsed.options,
    strict: true,
    noEmit: true,
    paths: { ...parsed.options.paths, 'cdk8s-o11y': [ownTypes()] },
  };
  const files = args.length ? args.map((f) => path.resolve(f)) : fs.existsSync(configFile) ? parsed.fileNames : defaultStackFiles().map((f) => path.resolve(f));
  for (const file of files) {
    if (!fs.existsSync(file)) throw new StackError('typecheck', [{ field: path.relative(process.cwd(), file), message: 'no such file', fix: 'give the path of a .ts stack file, e.g. stacks/cluster.ts' }]);
  }
  if (!files.length) throw new StackError('typecheck', [{ field: 'stacks/', message: 'there are no stack files to check', fix: 'name stack files, or write stacks/<name>.ts (`o11y init` scaffolds one)' }]);
  return { options, files };
}

/** Type-checks the stack files (and everything they import) and returns every error. */
export function typecheckStacks(args: readonly string[]): TypecheckResult {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof TS;
  const { options, files } = programInput(ts, args);
  const program = ts.createProgram(files, options);
  const diagnostics = ts.sortAndDeduplicateDiagnostics([...ts.getPreEmitDiagnostics(program)]);
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => formatDiagnostic(ts, d));
  return { files: files.map((f) => path.relative(process.cwd(), f).split(path.sep).join('/')), errors };
}

/** Prints the errors like tsc does (`file:line:col message`) and exits 1 when there is any. */
export function typecheckCommand(args: readonly string[]): void {
  const result = typecheckStacks(args);
  for (const line of result.errors) console.log(line);
  const checked = `${result.files.length} ${result.files.length === 1 ? 'file' : 'files'}`;
  if (result.errors.length) {
    console.error(`o11y typecheck: ${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'} in ${checked} and their imports`);
    process.exitCode = 1;
  } else {
    console.log(`o11y typecheck: ${checked} and their imports, no errors`);
  }
}
