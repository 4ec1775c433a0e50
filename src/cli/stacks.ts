import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../stack/errors';
import { renderStack, type RenderedStack } from '../synth/render';
import { defaultStackFiles, loadStackFile } from '../synth/load';

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
export function renderStacks(files: readonly string[]): RenderedStack[] {
  const rendered = files.map((file) => {
    const loaded = loadStackFile(file);
    return renderStack(loaded);
  });
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
