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
  /** The same errors, in the same order, field by field. */
  readonly diagnostics: readonly DiagnosticJson[];
}

/** One type error: file relative to the working folder; line and column from 1 (absent for tsconfig.json's own errors). */
export interface DiagnosticJson {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** tsc's code, e.g. `TS2322`. */
  readonly code: string;
  readonly message: string;
}

/** `o11y typecheck --json`. A stable shape: fields are only ever added. */
export interface TypecheckJson {
  readonly files: readonly string[];
  /** How many errors; exit code 1 when not 0. */
  readonly errors: number;
  readonly diagnostics: readonly DiagnosticJson[];
}

/** This package's own type declarations: `build/src/index.d.ts` beside this module's folder. */
function ownTypes(): string {
  return path.join(__dirname, '..', 'index.d.ts');
}

function diagnosticJson(ts: typeof TS, diagnostic: TS.Diagnostic): DiagnosticJson {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  const code = `TS${diagnostic.code}`;
  if (!diagnostic.file || diagnostic.start === undefined) return { file: 'tsconfig.json', code, message };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = path.relative(process.cwd(), diagnostic.file.fileName).split(path.sep).join('/');
  return { file, line: line + 1, column: character + 1, code, message };
}

function formatDiagnostic(d: DiagnosticJson): string {
  return d.line === undefined ? `${d.file}: ${d.message}` : `${d.file}:${d.line}:${d.column} ${d.message}`;
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
  const errors = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => diagnosticJson(ts, d));
  return { files: files.map((f) => path.relative(process.cwd(), f).split(path.sep).join('/')), errors: errors.map(formatDiagnostic), diagnostics: errors };
}

/** Prints the errors like tsc does (`file:line:col message`), or TypecheckJson, and exits 1 when there is any. */
export function typecheckCommand(args: readonly string[], options: { readonly json?: boolean } = {}): void {
  const result = typecheckStacks(args);
  if (options.json) {
    console.log(JSON.stringify({ files: result.files, errors: result.diagnostics.length, diagnostics: result.diagnostics } satisfies TypecheckJson, null, 2));
    if (result.diagnostics.length) process.exitCode = 1;
    return;
  }
  for (const line of result.errors) console.log(line);
  const checked = `${result.files.length} ${result.files.length === 1 ? 'file' : 'files'}`;
  if (result.errors.length) {
    console.error(`o11y typecheck: ${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'} in ${checked} and their imports`);
    process.exitCode = 1;
  } else {
    console.log(`o11y typecheck: ${checked} and their imports, no errors`);
  }
}
