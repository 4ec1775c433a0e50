// `o11y init [dir]`: scaffolds a GitOps repo that depends on this package. Existing files are never overwritten
// without --force; an existing package.json (e.g. the one `npm install cdk8s-o11y` wrote) is merged.
import * as fs from 'fs';
import * as path from 'path';
import { StackError, type StackProblem } from '../core/problems';
import { SCAFFOLD_SCRIPTS, scaffoldFiles } from './init-templates';

export interface InitOptions {
  /** Name of the stack file, `stacks/<name>.ts`. */
  readonly name: string;
  /** Overwrite files that exist with other content. */
  readonly force?: boolean;
  /** Print InitJson instead of a line per file; on a refusal, InitJson with the conflicts (and the error on stderr). */
  readonly json?: boolean;
}

/** `o11y init --json`. A stable shape: fields are only ever added. */
export interface InitJson {
  readonly dir: string;
  readonly stack: string;
  /** Whether the scaffold was written; false when init refused (exit code 1) because of conflicts. */
  readonly written: boolean;
  /** Every file of the scaffold and what init did to it (none when it refused). */
  readonly files: Array<{ readonly path: string; readonly state: 'wrote' | 'updated' | 'overwrote' | 'unchanged' }>;
  /** The files that exist with other content: init refuses them without --force. */
  readonly conflicts: Array<{ readonly path: string; readonly reason: string }>;
  /** The command to run next. */
  readonly next: string;
}

/** Stack names become file and folder names (`stacks/<name>.ts`, `dist/<name>/`) and Kubernetes label values. */
const STACK_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface OwnPackage {
  readonly name: string;
  readonly version: string;
}

/** This package's name and version: the scaffold depends on the version that wrote it. */
function ownPackage(): OwnPackage {
  // The nearest package.json above this module: the package root, from build/ (checkout or node_modules) and src/.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as OwnPackage;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

type PackageJson = Record<string, unknown> & { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

interface Planned {
  readonly content: string;
  /** What is there now, if anything. */
  readonly existing?: string;
  /** Why the file cannot be written without --force. */
  readonly conflict?: string;
}

/** An npm package name from the folder's name: lowercase, URL-safe. */
function packageName(dir: string): string {
  const name = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+|[-]+$/g, '');
  return name || 'observability';
}

/**
 * The scaffold's package.json, or the existing one with what the scaffold needs added: its scripts, and the
 * dependency on this package (an existing one, e.g. `file:...tgz` or a git URL, is kept as it is).
 */
function planPackageJson(dir: string, own: OwnPackage, force: boolean): Planned {
  const file = path.join(dir, 'package.json');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  let pkg: PackageJson = { name: packageName(dir), private: true, description: 'Observability stacks of our clusters, generated with cdk8s-o11y' };
  if (existing !== undefined) {
    try {
      pkg = JSON.parse(existing) as PackageJson;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new StackError('init', [{ field: path.relative('.', file) || 'package.json', message: `is not valid JSON (${message})`, fix: 'fix or remove package.json, then run o11y init again' }]);
    }
  }
  const scripts = { ...pkg.scripts };
  const clashes: string[] = [];
  for (const [name, command] of Object.entries(SCAFFOLD_SCRIPTS)) {
    if (scripts[name] !== undefined && scripts[name] !== command) {
      clashes.push(name);
      if (!force) continue;
    }
    scripts[name] = command;
  }
  const dependencies = { ...pkg.dependencies };
  if (dependencies[own.name] === undefined && pkg.devDependencies?.[own.name] === undefined) dependencies[own.name] = `^${own.version}`;
  // A GitOps repo is never published: `private` guards against an accidental `npm publish`.
  const merged: PackageJson = { name: packageName(dir), private: true, ...pkg, scripts, ...(Object.keys(dependencies).length ? { dependencies } : {}) };
  const content = `${JSON.stringify(merged, null, 2)}\n`;
  const conflict = clashes.length ? `has other scripts ${clashes.map((s) => `'${s}'`).join(', ')}` : undefined;
  return { content, existing, conflict };
}

function plan(dir: string, options: InitOptions): Map<string, Planned> {
  const own = ownPackage();
  const planned = new Map<string, Planned>([['package.json', planPackageJson(dir, own, options.force === true)]]);
  for (const [rel, content] of scaffoldFiles({ stackName: options.name })) {
    const file = path.join(dir, rel);
    const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    planned.set(rel, { content, existing, conflict: existing !== undefined && existing !== content ? 'exists' : undefined });
  }
  return planned;
}

/** Writes the scaffold into `dir` (created if missing) and prints each file written; nothing is written on conflicts. */
export function initCommand(dir: string, options: InitOptions): void {
  if (!STACK_NAME.test(options.name)) {
    throw new StackError('init', [{ field: '--name', message: `'${options.name}' is not a stack name`, fix: 'use lowercase letters, digits and dashes, e.g. --name eu-prod-1' }]);
  }
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new StackError('init', [{ field: dir, message: 'is a file, not a folder', fix: 'give the folder of the repo to scaffold' }]);
  }
  const planned = plan(dir, options);
  const shown = (rel: string) => path.join(dir, rel).split(path.sep).join('/');
  const cd = path.resolve(dir) === process.cwd() ? '' : `cd ${dir} && `;
  const next = `${cd}npm install && npx o11y typecheck && npx o11y synth`;
  const json = (written: boolean, files: InitJson['files'], conflicts: InitJson['conflicts']): void =>
    console.log(JSON.stringify({ dir: dir.split(path.sep).join('/'), stack: options.name, written, files, conflicts, next } satisfies InitJson, null, 2));
  const conflicts = [...planned].filter(([, p]) => p.conflict !== undefined).map(([rel, p]) => ({ path: shown(rel), reason: p.conflict! }));
  if (!options.force && conflicts.length) {
    // With --json the conflicts are also on stdout; the error (on stderr) and exit code 1 are the same as without.
    if (options.json) json(false, [], conflicts);
    const problems: StackProblem[] = conflicts.map((c) => ({ field: c.path, message: c.reason, fix: 'move it away, or run o11y init --force to overwrite it' }));
    throw new StackError('init', problems);
  }
  const files: Array<InitJson['files'][number]> = [];
  for (const [rel, { content, existing }] of planned) {
    const state = existing === content ? 'unchanged' : existing === undefined ? 'wrote' : rel === 'package.json' ? 'updated' : 'overwrote';
    if (state !== 'unchanged') {
      const file = path.join(dir, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
    }
    files.push({ path: shown(rel), state });
    if (!options.json) console.log(`${state} ${shown(rel)}`);
  }
  if (options.json) return json(true, files, options.force ? conflicts : []);
  console.log(`\nnext: ${next}   (then commit, dist/ included)`);
}
