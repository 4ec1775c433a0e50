import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_MARKER, type OutputFile } from './layout';

export interface WriteStats {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

function isGenerated(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(200);
    const length = fs.readSync(fd, head, 0, head.length, 0);
    // YAML and Markdown carry the marker on their first line, dashboard JSON in its first key (second line).
    return head.subarray(0, length).toString('utf8').split('\n', 2).join('\n').includes(GENERATED_MARKER);
  } finally {
    fs.closeSync(fd);
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : entry.isFile() ? [full] : [];
  });
}

/** Writes through a temporary file and a rename, so no reader ever sees half a file. */
function writeAtomically(file: string, content: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/**
 * Brings `outDir/<stack>/` in line with `files`: writes what changed, leaves equal files untouched, removes
 * files an earlier synth generated that are no longer generated, and never touches files it did not generate.
 * Call it only once everything has rendered and passed its checks: a failed synth never gets here.
 */
export function writeStack(outDir: string, stackName: string, files: readonly OutputFile[]): WriteStats {
  const stackDir = path.join(outDir, stackName);
  const wanted = new Map(files.map((f) => [path.join(outDir, f.path), f.content]));
  let written = 0;
  let unchanged = 0;
  for (const dir of new Set([...wanted.keys()].map((f) => path.dirname(f)))) fs.mkdirSync(dir, { recursive: true });
  for (const [file, content] of wanted) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) {
      unchanged++;
      continue;
    }
    writeAtomically(file, content);
    written++;
  }
  let removed = 0;
  for (const file of listFiles(stackDir)) {
    if (!wanted.has(file) && isGenerated(file)) {
      fs.unlinkSync(file);
      removed++;
      removeEmptyParents(path.dirname(file), stackDir);
    }
  }
  return { written, unchanged, removed };
}

function removeEmptyParents(dir: string, stop: string): void {
  for (let current = dir; current.startsWith(stop) && current !== stop; current = path.dirname(current)) {
    if (fs.readdirSync(current).length > 0) return;
    fs.rmdirSync(current);
  }
}
