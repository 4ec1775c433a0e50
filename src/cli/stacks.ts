import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../core/problems';
import { renderStack, type RenderedStack, type RenderOptions } from '../synth/pipeline';
import { defaultStackFiles, inStack, loadStacks } from '../load/stack-file';
import { stderrFacts, style } from './style';

/** The default stack shipped with the package, used when the project has no stacks/ folder. */
export function embeddedDefaultStack(): string {
  const base = path.join(__dirname, '..', '..', 'stacks', 'default');
  return fs.existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
}

/** Stack files named on the command line, else `stacks/*.ts`, else the embedded default. */
export function stackFilesFor(args: readonly string[]): string[] {
  if (args.length) return [...args];
  const local = defaultStackFiles();
  return local.length ? local : [embeddedDefaultStack()];
}

/** Loads and renders every stack; throws before anything is written if any of them is wrong. */
export function renderStacks(files: readonly string[], options: RenderOptions = {}): RenderedStack[] {
  // A fleet file is one stack per cluster.
  const rendered = files.flatMap(loadStacks).map((stack) => inStack(stack, () => renderStack(stack, options)));
  const bySource = new Map<string, string>();
  for (const stack of rendered) {
    const first = bySource.get(stack.name);
    if (first !== undefined) {
      throw new StackError(stack.name, [{ field: stack.source, message: `stack name '${stack.name}' is also used by ${first}`, fix: 'give each stack its own `name`' }]);
    }
    bySource.set(stack.name, stack.source);
  }
  return rendered;
}

/** Warnings go to stderr, one line each, so they show in CI logs and terminals alike. */
export function printWarnings(stacks: readonly RenderedStack[]): void {
  for (const stack of stacks) {
    for (const w of stack.warnings) console.error(`${style('warning', 'warning', stderrFacts())}: stack ${stack.name}: ${w.where}: ${w.message}${w.fix ? ` (${w.fix})` : ''}`);
  }
}
