// The files a synth wrote for one stack, as `o11y diff` compares against: a dist folder on disk, or the dist folder
// committed at a git ref (read with git itself, no shell, nothing checked out).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../core/problems';

/** Path relative to the stack's folder, with forward slashes -> content. Empty when the stack was never written. */
export type StackOutput = Map<string, string>;

/** The files below `<dir>/<stack>/`. */
export function outputFromFolder(dir: string, stack: string): StackOutput {
  const root = path.join(dir, stack);
  const files: StackOutput = new Map();
  if (!fs.existsSync(root)) return files;
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.set(path.relative(root, full).split(path.sep).join('/'), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

function git(args: string[], stack: string): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    const reason = e.code === 'ENOENT' ? 'git is not installed' : (e.stderr || e.message).trim().split('\n')[0];
    throw new StackError(stack, [{
      field: '--against',
      message: `cannot read the committed output with \`git ${args.join(' ')}\`: ${reason}`,
      fix: 'run o11y diff inside the git repository, and give a ref that exists (a branch, tag or commit) or a synthesized folder',
    }]);
  }
}

/** Whether `ref` names a commit of the repository the current folder is in. */
export function isGitRef(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The files below `<dist>/<stack>/` (relative to the current folder) in the commit `ref`. */
export function outputAtGitRef(ref: string, dist: string, stack: string): StackOutput {
  const prefix = `${path.posix.normalize(dist.split(path.sep).join('/')).replace(/\/$/, '')}/${stack}/`;
  // ls-tree and its pathspec are relative to the current folder; the names it prints too (no --full-name).
  const listing = git(['ls-tree', '-r', '-z', ref, '--', prefix], stack);
  const entries = listing.split('\0').filter(Boolean).map((line) => {
    const [meta, file] = line.split('\t');
    const [, type, oid] = meta.split(' ');
    return { type, oid, file };
  }).filter((e) => e.type === 'blob');
  const files: StackOutput = new Map();
  if (!entries.length) return files;
  // One `git cat-file --batch` for every blob: `<oid> blob <size>\n<content>\n` each, in the order asked.
  const raw = Buffer.from(execBatch(entries.map((e) => e.oid), stack));
  let offset = 0;
  for (const entry of entries) {
    const headerEnd = raw.indexOf(0x0a, offset);
    const size = Number(raw.subarray(offset, headerEnd).toString('utf8').split(' ')[2]);
    files.set(entry.file.slice(prefix.length), raw.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8'));
    offset = headerEnd + 1 + size + 1;
  }
  return files;
}

function execBatch(oids: string[], stack: string): Buffer {
  try {
    return execFileSync('git', ['cat-file', '--batch'], { input: `${oids.join('\n')}\n`, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    throw new StackError(stack, [{ field: '--against', message: `git cat-file failed: ${(error as Error).message.split('\n')[0]}`, fix: 'check that the repository is not damaged (git fsck)' }]);
  }
}
