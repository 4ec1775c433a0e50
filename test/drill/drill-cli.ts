// Shared by the drill CLI tests: the built CLI, and variants of the chaos example stack.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempFolder } from '../helpers';

export const REPO = path.resolve(__dirname, '..', '..');
export const MAIN = path.join(REPO, 'build/src/cli/main.js');
export const o11y = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, [MAIN, ...args], { cwd: REPO, encoding: 'utf8', env });

/** stacks/chaos.ts with an edit, as a stack file of its own. */
export function stackVariant(name: string, edit: (source: string) => string): string {
  const file = path.join(tempFolder('o11y-drill-stack-'), `${name}.ts`);
  fs.writeFileSync(file, edit(fs.readFileSync(path.join(REPO, 'stacks/chaos.ts'), 'utf8')));
  return file;
}
