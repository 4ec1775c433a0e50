// `o11y diff`: what a change to the stacks does, for PR review. Before: the committed dist/ at a git ref (default
// HEAD: what is deployed) or a synthesized folder. After: the stacks as they generate now, in memory, laid out as
// `o11y synth` would write them. Both sides are read back into the same model and compared.
import * as fs from 'fs';
import * as path from 'path';
import { diffStack, type StackDiff } from '../analyze/stack-diff';
import { diffMarkdown } from '../analyze/stack-diff-markdown';
import { StackError } from '../core/problems';
import { isGitRef, outputAtGitRef, outputFromFolder } from '../load/written-output';
import { writtenModel } from '../model/build';
import { readWrittenFiles } from '../model/written-files';
import { stackFiles } from '../synth/layout';
import { writeFileWhole } from '../synth/writer';
import { renderStacks, stackFilesFor } from './stacks';

export interface DiffOptions {
  /** A git ref (its `<out>/<stack>/` files) or a synthesized folder (its `<stack>/` files). */
  readonly against: string;
  /** Where synth writes, in the git tree: read at the ref. */
  readonly out: string;
  readonly json?: boolean;
  readonly md?: string;
  readonly exitCode?: boolean;
}

/** The `--json` output: a stable shape (`version` changes only when a field is removed or changes its meaning). */
export interface DiffJson {
  readonly version: 1;
  /** Whether any stack changes. */
  readonly changed: boolean;
  readonly stacks: StackDiff[];
}

/** The diff of every stack named (default: as synth picks them). */
export function diffStacks(args: readonly string[], options: DiffOptions): StackDiff[] {
  const stacks = renderStacks(stackFilesFor(args));
  const againstFolder = fs.existsSync(options.against) && fs.statSync(options.against).isDirectory();
  if (!againstFolder && !isGitRef(options.against)) {
    throw new StackError(stacks[0]?.name ?? 'diff', [{
      field: '--against',
      message: `'${options.against}' is neither a folder nor a commit of the git repository here`,
      fix: 'give a synthesized folder (e.g. one `o11y synth --out` wrote), or a branch, tag or commit (default HEAD)',
    }]);
  }
  return stacks.map((stack) => {
    const against = againstFolder ? path.join(options.against, stack.name) : `${options.out}/${stack.name} at ${options.against}`;
    const before = readWrittenFiles(againstFolder ? outputFromFolder(options.against, stack.name) : outputAtGitRef(options.against, options.out, stack.name), stack.name, against);
    const prefix = `${stack.name}/`;
    const after = readWrittenFiles(new Map(stackFiles(stack).map((f) => [f.path.slice(prefix.length), f.content])), stack.name, 'now');
    return diffStack(stack.name, against, { model: writtenModel(before.objects), files: before.files }, { model: writtenModel(after.objects), files: after.files });
  });
}

export function diffCommand(args: string[], options: DiffOptions): void {
  const diffs = diffStacks(args, options);
  const markdown = diffMarkdown(diffs);
  if (options.md) writeFileWhole(path.dirname(path.resolve(options.md)), path.basename(options.md), markdown, diffs.map((d) => d.stack).join(', '));
  if (options.json) {
    const json: DiffJson = { version: 1, changed: diffs.some((d) => d.changed), stacks: diffs };
    console.log(JSON.stringify(json, null, 2));
  } else if (!options.md) {
    process.stdout.write(markdown);
  }
  // Informational by default; --exit-code makes a change fail the step, like `git diff --exit-code`.
  if (options.exitCode && diffs.some((d) => d.changed)) process.exitCode = 1;
}
