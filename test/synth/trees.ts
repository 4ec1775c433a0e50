// Helpers of the writer tests: synthetic stacks (no renderer needed), foreign files, and snapshots of folders.
import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_MARKER, type OutputFile } from '../../src/synth/layout';
import { tempFolder } from '../helpers';

export function tempDir(prefix = 'o11y-writer-'): string {
  return tempFolder(prefix);
}

export interface FileSetOptions {
  readonly components?: number;
  readonly perComponent?: number;
  readonly size?: number;
}

/**
 * A synthetic stack output. 'old' has components comp-0 .. comp-(C-1); 'new' drops comp-0 (its files are removed),
 * adds comp-C, changes the files of the first 80 % of the components and leaves the others byte-equal.
 */
export function fileSet(stack: string, version: 'old' | 'new', options: FileSetOptions = {}): OutputFile[] {
  const { components = 20, perComponent = 25, size = 2000 } = options;
  const first = version === 'old' ? 0 : 1;
  const last = version === 'old' ? components - 1 : components;
  const files: OutputFile[] = [];
  for (let c = first; c <= last; c++) {
    const tag = version === 'new' && (c < components * 0.8 || c === components) ? 'v2' : 'v1';
    for (let j = 0; j < perComponent; j++) {
      files.push({
        path: `${stack}/comp-${c}/ConfigMap-c${c}-${j}.yaml`,
        content: `# ${GENERATED_MARKER} from stacks/${stack}.ts. Do not edit.\n# ${tag}\nkind: ConfigMap\nmetadata:\n  name: c${c}-${j}\ndata:\n  blob: ${tag}${'x'.repeat(size)}\n`,
      });
    }
  }
  files.push({ path: `${stack}/SUMMARY.md`, content: `<!-- ${GENERATED_MARKER} from stacks/${stack}.ts. Do not edit. -->\n# ${version}\n` });
  files.push({ path: `${stack}/dashboards/d.json`, content: `{\n  "//": "${GENERATED_MARKER} from stacks/${stack}.ts",\n  "title": "${version}"\n}\n` });
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** What writing `next` over `previous` must report. */
export function expectedStats(previous: readonly OutputFile[], next: readonly OutputFile[]): { written: number; unchanged: number; removed: number } {
  const before = new Map(previous.map((f) => [f.path, f.content]));
  const after = new Set(next.map((f) => f.path));
  const unchanged = next.filter((f) => before.get(f.path) === f.content).length;
  return { written: next.length - unchanged, unchanged, removed: previous.filter((f) => !after.has(f.path)).length };
}

/** Files a user put into the stack folder: never to be changed or removed by a synth. */
export const FOREIGN: Record<string, string | { link: string } | { dir: true }> = {
  'foreign.txt': 'mine\n',
  'notes/readme.md': '# my notes\n',
  'notes/deeper/todo.txt': 'todo\n',
  'empty-folder': { dir: true },
  'link-to-foreign': { link: 'foreign.txt' },
  'comp-0/kustomization.yaml': 'resources: []\n',
  'comp-5/my-notes.md': 'about comp-5\n',
  // The marker, but not in the first two lines: not ours.
  'comp-6/looks-generated.yaml': `# mine\n# still mine\n# ${GENERATED_MARKER}\n`,
};

export function addForeign(stackDir: string): void {
  for (const [rel, what] of Object.entries(FOREIGN)) {
    const full = path.join(stackDir, rel);
    if (typeof what === 'object' && 'dir' in what) {
      fs.mkdirSync(full, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (typeof what === 'string') fs.writeFileSync(full, what);
    else fs.symlinkSync(what.link, full);
  }
  // A foreign folder the user made read-only: its mode must survive.
  fs.chmodSync(path.join(stackDir, 'notes/deeper'), 0o555);
}

/** inode, mtime and mode of every foreign entry: hard links keep all three. */
export function foreignIdentity(stackDir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [rel, what] of Object.entries(FOREIGN)) {
    const stat = fs.lstatSync(path.join(stackDir, rel));
    result[rel] = typeof what === 'string' ? `${stat.ino} ${stat.mtimeMs} ${stat.mode}` : `${stat.mode & 0o170000}`;
  }
  result['notes/deeper (mode)'] = (fs.lstatSync(path.join(stackDir, 'notes/deeper')).mode & 0o7777).toString(8);
  return result;
}

export type Snapshot = Record<string, string>;

/** Every entry below `dir`: `file:<content>`, `link:<target>` or `dir`, by forward-slash path. Ignores nothing. */
export function snapshot(dir: string): Snapshot {
  const result: Snapshot = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(dir, childRel);
      if (entry.isDirectory()) {
        result[childRel] = 'dir';
        walk(childRel);
      } else if (entry.isSymbolicLink()) result[childRel] = `link:${fs.readlinkSync(full)}`;
      else if (entry.isFile()) result[childRel] = `file:${fs.readFileSync(full, 'utf8')}`;
      else result[childRel] = 'other';
    }
  };
  walk('');
  return result;
}

/** The snapshot a stack folder must have: the generated files, the foreign entries and their folders. */
export function expectedTree(stack: string, files: readonly OutputFile[], withForeign = true): Snapshot {
  const result: Snapshot = {};
  const addParents = (rel: string) => {
    for (let dir = path.posix.dirname(rel); dir !== '.'; dir = path.posix.dirname(dir)) result[dir] = 'dir';
  };
  for (const file of files) {
    const rel = file.path.slice(stack.length + 1);
    result[rel] = `file:${file.content}`;
    addParents(rel);
  }
  if (withForeign) {
    for (const [rel, what] of Object.entries(FOREIGN)) {
      result[rel] = typeof what === 'string' ? `file:${what}` : 'link' in what ? `link:${what.link}` : 'dir';
      addParents(rel);
    }
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function sorted(snap: Snapshot): Snapshot {
  return Object.fromEntries(Object.entries(snap).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Entries of the output folder the writer uses while writing (`.o11y-*`), and stray temporary files anywhere. */
export function leftovers(out: string): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(out, rel), { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name.startsWith('.o11y-') || entry.name.endsWith('.tmp')) found.push(childRel);
      else if (entry.isDirectory()) walk(childRel);
    }
  };
  walk('');
  return found;
}

/** How `actual` differs from `expected`, path by path (at most 12 lines): [] when equal. Readable where a diff of 500 files is not. */
export function differences(actual: Snapshot, expected: Snapshot): string[] {
  const lines: string[] = [];
  for (const [rel, value] of Object.entries(expected)) {
    if (!(rel in actual)) lines.push(`missing: ${rel}`);
    else if (actual[rel] !== value) lines.push(`different: ${rel} (${actual[rel].slice(0, 60).replace(/\n/g, '\\n')}...)`);
  }
  for (const rel of Object.keys(actual)) if (!(rel in expected)) lines.push(`unexpected: ${rel}`);
  return lines.length > 12 ? [...lines.slice(0, 12), `... and ${lines.length - 12} more`] : lines;
}
