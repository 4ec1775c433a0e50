import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_MARKER, type OutputFile } from './layout';
import { OutputError, errorCode, fileInTheWay, reasonOf } from './write-errors';

export interface WriteStats {
  readonly written: number;
  readonly unchanged: number;
  readonly removed: number;
}

/**
 * The sibling folders of `<out>/<stack>/` while it is written (dot-named, so that globs and `kubectl apply -k`
 * of the stack folder never see them): `staging` is filled first, renamed to `complete` once it holds the whole
 * new tree, and `previous` is the old tree between the swap and its removal.
 */
export function workFolders(outDir: string, stackName: string): { staging: string; complete: string; previous: string } {
  return {
    staging: path.join(outDir, `.o11y-${stackName}.tmp`),
    complete: path.join(outDir, `.o11y-${stackName}.new`),
    previous: path.join(outDir, `.o11y-${stackName}.old`),
  };
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

type Kind = 'dir' | 'file' | 'symlink' | 'other';

interface Tree {
  /** Every entry below the root, by its path relative to the root (platform separators). */
  readonly entries: Map<string, Kind>;
  /** Permission bits of the root ('') and of every folder. */
  readonly dirModes: Map<string, number>;
  readonly emptyDirs: string[];
}

function scan(root: string): Tree {
  const tree: Tree = { entries: new Map(), dirModes: new Map(), emptyDirs: [] };
  const walk = (rel: string) => {
    const dir = rel ? path.join(root, rel) : root;
    const children = fs.readdirSync(dir, { withFileTypes: true });
    tree.dirModes.set(rel, fs.lstatSync(dir).mode & 0o7777);
    if (rel && children.length === 0) tree.emptyDirs.push(rel);
    for (const child of children) {
      const childRel = rel ? path.join(rel, child.name) : child.name;
      const kind: Kind = child.isDirectory() ? 'dir' : child.isFile() ? 'file' : child.isSymbolicLink() ? 'symlink' : 'other';
      tree.entries.set(childRel, kind);
      if (kind === 'dir') walk(childRel);
    }
  };
  walk('');
  return tree;
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Removes a folder and everything below it; folders without write permission are made writable first. */
function removeTree(dir: string): void {
  if (!lstatOrUndefined(dir)) return;
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    if (errorCode(error) !== 'EACCES' && errorCode(error) !== 'EPERM') throw error;
    // A read-only folder (a copy of one the user made read-only) cannot lose its entries. Only this copy's
    // folders are changed: folders are never hard-linked, so the live tree keeps its permissions.
    const unlock = (current: string) => {
      fs.chmodSync(current, (fs.lstatSync(current).mode & 0o7777) | 0o700);
      for (const entry of fs.readdirSync(current, { withFileTypes: true })) if (entry.isDirectory()) unlock(path.join(current, entry.name));
    };
    unlock(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function writeNewFile(file: string, bytes: Buffer): void {
  const fd = fs.openSync(file, 'wx');
  try {
    for (let offset = 0; offset < bytes.length; ) offset += fs.writeSync(fd, bytes, offset);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes a new file's content durable before the rename that publishes it (else a power cut could leave empty
 * files in the new tree). Done after all files are written: a third faster than syncing each as it is written.
 */
function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

const NO_DIRECTORY_FSYNC = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EBADF', 'EACCES']);

/** Makes a folder's entries (new names, renames) durable; a no-op where folders cannot be synced (Windows). */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (error) {
    if (NO_DIRECTORY_FSYNC.has(errorCode(error) ?? '')) return;
    throw error;
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if (!NO_DIRECTORY_FSYNC.has(errorCode(error) ?? '')) throw error;
  } finally {
    fs.closeSync(fd);
  }
}

const NO_HARD_LINK = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EXDEV', 'ENOSYS']);

/**
 * Puts an entry of the live tree into the staging tree as it is: a hard link (same inode, content, mode and
 * mtime), a symbolic link as a symbolic link, or, where hard links are refused, a copy with the same mode and times.
 */
function keepEntry(from: string, to: string, kind: Kind): void {
  if (kind === 'symlink') {
    fs.symlinkSync(fs.readlinkSync(from), to);
    return;
  }
  try {
    fs.linkSync(from, to);
  } catch (error) {
    if (kind !== 'file' || !NO_HARD_LINK.has(errorCode(error) ?? '')) throw error;
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    const stat = fs.statSync(from);
    fs.chmodSync(to, stat.mode & 0o7777);
    fs.utimesSync(to, stat.atime, stat.mtime);
  }
}

/**
 * Brings a stack folder left by an interrupted (killed) write back to a consistent state. The live folder
 * `<out>/<stack>` is the truth whenever it exists; a leftover `complete` tree is never installed, because it may
 * hold stale links to files the user changed or added in the live folder since. Every step is idempotent, so
 * a recovery that is itself killed is finished by the next one. States a kill can leave, and what becomes of them:
 * staging only: removed; live + complete: complete removed; no live + previous (+ complete): the kill fell
 * between the two renames of the swap, previous is renamed back; live + previous (whole or half removed): removed.
 */
function recover(stackDir: string, work: ReturnType<typeof workFolders>): void {
  let step = work.staging;
  try {
    removeTree(work.staging);
    step = work.previous;
    if (!lstatOrUndefined(stackDir) && lstatOrUndefined(work.previous)) fs.renameSync(work.previous, stackDir);
    step = work.complete;
    removeTree(work.complete);
    step = work.previous;
    removeTree(work.previous);
  } catch (error) {
    const restored = lstatOrUndefined(stackDir) !== undefined;
    throw new OutputError(
      `cannot clean up ${step}/, left by an interrupted synth: ${reasonOf(error)}. ` +
        (restored ? `Nothing in ${stackDir}/ was changed.` : `${stackDir}/ is missing; its last complete copy is ${work.previous}/.`) +
        ' Remove or fix that folder and run the synth again.',
      step,
      path.basename(stackDir),
      false,
      errorCode(error),
    );
  }
}

/** Checks that the output folder exists (creating it if need be) and is a folder. */
function prepareOutDir(outDir: string, stackName: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(outDir);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      const inTheWay = fileInTheWay(outDir);
      const why = inTheWay ? `${inTheWay} is a file, not a folder` : reasonOf(error);
      throw new OutputError(`cannot use the output folder ${outDir}: ${why}. Nothing was written.`, inTheWay ?? outDir, stackName, false, errorCode(error));
    }
  }
  if (stat && !stat.isDirectory()) {
    throw new OutputError(
      `the output folder ${outDir} is a file, not a folder: move it away or choose another folder with --out. Nothing was written.`,
      outDir,
      stackName,
      false,
      'ENOTDIR',
    );
  }
  if (stat) return;
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (error) {
    const inTheWay = fileInTheWay(outDir);
    const why = inTheWay ? `${inTheWay} is a file, not a folder` : reasonOf(error);
    throw new OutputError(`cannot create the output folder ${outDir}: ${why}. Nothing was written.`, inTheWay ?? outDir, stackName, false, errorCode(error));
  }
}

/** One file, written whole or not at all (a temporary file renamed over it): the stream cdk8s's validation plugins read. */
export function writeFileWhole(dir: string, name: string, content: string, stackName: string): void {
  const file = path.join(dir, name);
  const temporary = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new OutputError(`cannot write ${file}: ${reasonOf(error)}. ${file} was not changed.`, file, stackName, false, errorCode(error));
  }
}

/**
 * Brings `outDir/<stack>/` in line with `files`: writes what changed, leaves equal files untouched, removes
 * files an earlier synth generated that are no longer generated, and never touches files it did not generate.
 * Call it only once everything has rendered and passed its checks: a failed synth never gets here.
 *
 * The folder is replaced as a whole, so that a synth killed at any moment leaves it entirely old or entirely new:
 * the new tree is built in a sibling staging folder (new and changed files written and fsynced; unchanged files
 * and every file we did not generate hard-linked, so they keep their inode, content and mtime; their folders
 * recreated with the same permissions; symbolic links copied as links), then swapped in with renames. When
 * nothing changed, nothing is written at all. A write first recovers from an interrupted one (see `recover`).
 * File-system problems throw an OutputError that names the path and says whether the folder was changed.
 * Not for two synths of one stack at once (each would take the other's staging folder for a leftover), and a file
 * a user adds to the stack folder during the few milliseconds between the scan and the swap ends in the old copy.
 */
export function writeStack(outDir: string, stackName: string, files: readonly OutputFile[]): WriteStats {
  const stackDir = path.join(outDir, stackName);
  const work = workFolders(outDir, stackName);
  const prefix = `${stackName}/`;
  const wanted = new Map<string, string>();
  for (const file of files) {
    if (!file.path.startsWith(prefix) || file.path.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`output file ${file.path} is not inside the folder of stack ${stackName}`);
    }
    wanted.set(file.path.slice(prefix.length).split('/').join(path.sep), file.content);
  }

  prepareOutDir(outDir, stackName);
  recover(stackDir, work);

  // What is there now.
  const nothingChanged = (reason: string, target: string, error?: unknown): never => {
    throw new OutputError(`${reason}. Nothing in ${stackDir}/ was changed.`, target, stackName, false, errorCode(error));
  };
  let live: Tree = { entries: new Map(), dirModes: new Map(), emptyDirs: [] };
  let current = stackDir;
  try {
    const stat = lstatOrUndefined(stackDir);
    if (stat?.isSymbolicLink()) {
      nothingChanged(`${stackDir} is a symbolic link: the writer replaces the stack folder as a whole, so it must be a real folder (replace the link with the folder it points to)`, stackDir);
    }
    if (stat && !stat.isDirectory()) nothingChanged(`${stackDir} is a file where the folder of stack ${stackName} should be: move it away`, stackDir);
    if (stat) live = scan(stackDir);

    // What to write, keep and remove.
    const removed = new Set<string>();
    for (const [rel, kind] of live.entries) {
      if (kind === 'file' && !wanted.has(rel) && isGenerated((current = path.join(stackDir, rel)))) removed.add(rel);
    }
    const unchanged = new Set<string>();
    const toWrite: Array<[string, Buffer]> = [];
    for (const [rel, content] of wanted) {
      const target = path.join(stackDir, rel);
      for (let dir = path.dirname(rel); dir !== '.'; dir = path.dirname(dir)) {
        const kind = live.entries.get(dir);
        if (kind !== undefined && kind !== 'dir' && !removed.has(dir)) {
          nothingChanged(`cannot write ${target}: ${path.join(stackDir, dir)} is a file where a folder should be (move it away)`, path.join(stackDir, dir));
        }
      }
      const kind = live.entries.get(rel);
      if (kind !== undefined && kind !== 'file') {
        const what = kind === 'dir' ? 'a folder' : kind === 'symlink' ? 'a symbolic link' : 'not a regular file';
        nothingChanged(`cannot write ${target}: it is ${what}, where a generated file should be (move it away)`, target);
      }
      const bytes = Buffer.from(content, 'utf8');
      current = target;
      if (kind === 'file' && fs.readFileSync(target).equals(bytes)) unchanged.add(rel);
      else toWrite.push([rel, bytes]);
    }
    if (toWrite.length === 0 && removed.size === 0) return { written: 0, unchanged: unchanged.size, removed: 0 };

    // The new tree, in the staging folder.
    const kept = [...live.entries].filter(([rel, kind]) => kind !== 'dir' && !removed.has(rel) && (!wanted.has(rel) || unchanged.has(rel)));
    const dirs = new Set<string>();
    const addParents = (rel: string) => {
      for (let dir = path.dirname(rel); dir !== '.' && !dirs.has(dir); dir = path.dirname(dir)) dirs.add(dir);
    };
    for (const [rel] of kept) addParents(rel);
    for (const [rel] of toWrite) addParents(rel);
    for (const rel of live.emptyDirs) {
      dirs.add(rel);
      addParents(rel);
    }
    const sortedDirs = [...dirs].sort();
    const stagingFailure = (what: string, rel: string, error: unknown): never => {
      let cleanup = '';
      try {
        removeTree(work.staging);
      } catch (cleanupError) {
        cleanup = ` ${work.staging}/ could not be removed (${reasonOf(cleanupError)}); the next synth removes it.`;
      }
      const where = rel
        ? `${what} ${path.join(stackDir, rel)} (in ${work.staging}/, where the new output is prepared before it replaces ${stackDir}/ as a whole)`
        : `${what} ${work.staging}/ (where the new output is prepared before it replaces ${stackDir}/ as a whole)`;
      throw new OutputError(
        `cannot ${where}: ${reasonOf(error)}. Nothing in ${stackDir}/ was changed.${cleanup}`,
        rel ? path.join(work.staging, rel) : work.staging,
        stackName,
        false,
        errorCode(error),
      );
    };
    let step = 'create the folder';
    let rel = '';
    try {
      fs.mkdirSync(work.staging);
      for (rel of sortedDirs) fs.mkdirSync(path.join(work.staging, rel));
      step = 'keep';
      for (const [keptRel, kind] of kept) keepEntry(path.join(stackDir, (rel = keptRel)), path.join(work.staging, keptRel), kind);
      step = 'write';
      for (const [newRel, bytes] of toWrite) writeNewFile(path.join(work.staging, (rel = newRel)), bytes);
      step = 'set the permissions of';
      for (rel of [...sortedDirs].reverse()) {
        const mode = live.dirModes.get(rel);
        if (mode !== undefined) fs.chmodSync(path.join(work.staging, rel), mode);
      }
      rel = '';
      const rootMode = live.dirModes.get('');
      if (rootMode !== undefined) fs.chmodSync(work.staging, rootMode);
      step = 'sync';
      for ([rel] of toWrite) syncFile(path.join(work.staging, rel));
      for (rel of sortedDirs) syncDir(path.join(work.staging, rel));
      rel = '';
      syncDir(work.staging);
      step = 'complete';
      fs.renameSync(work.staging, work.complete);
    } catch (error) {
      stagingFailure(step, rel, error);
    }

    // The swap. Node has no renameat2(RENAME_EXCHANGE), so it takes two renames, and between them (microseconds)
    // `<out>/<stack>` does not exist: a reader then sees no folder, never a mixed one, and a kill there leaves
    // `previous` without a live folder, which `recover` renames back.
    const hadLive = live.dirModes.has('');
    try {
      if (hadLive) fs.renameSync(stackDir, work.previous);
    } catch (error) {
      try {
        removeTree(work.complete);
      } catch {
        // The next synth removes it.
      }
      nothingChanged(`cannot replace ${stackDir}/: ${reasonOf(error)}`, stackDir, error);
    }
    try {
      fs.renameSync(work.complete, stackDir);
    } catch (error) {
      try {
        if (hadLive) fs.renameSync(work.previous, stackDir);
      } catch {
        throw new OutputError(
          `cannot replace ${stackDir}/: ${reasonOf(error)}. ${stackDir}/ is missing now: the new output is complete in ${work.complete}/, ` +
            `the old one in ${work.previous}/ (the next synth restores the old one and writes again).`,
          stackDir,
          stackName,
          false,
          errorCode(error),
        );
      }
      try {
        removeTree(work.complete);
      } catch {
        // The next synth removes it.
      }
      nothingChanged(`cannot replace ${stackDir}/: ${reasonOf(error)}`, stackDir, error);
    }
    try {
      syncDir(outDir);
      removeTree(work.previous);
    } catch (error) {
      throw new OutputError(
        `${stackDir}/ was written (${toWrite.length} files written, ${removed.size} removed), but the previous copy ${work.previous}/ ` +
          `could not be removed: ${reasonOf(error)}. Remove it; the next synth also does.`,
        work.previous,
        stackName,
        true,
        errorCode(error),
      );
    }
    return { written: toWrite.length, unchanged: unchanged.size, removed: removed.size };
  } catch (error) {
    if (error instanceof OutputError) throw error;
    const where = (error as { path?: unknown }).path;
    const target = typeof where === 'string' ? where : current;
    return nothingChanged(`cannot read ${target}: ${reasonOf(error)}`, target, error);
  }
}

/** How a file of `<out>/<stack>/` differs from what a synth would write now. */
export interface StaleFile {
  /** Relative to the output folder's parent as the user names it: `<out>/<stack>/<component>/<file>`. */
  readonly path: string;
  readonly state: 'differs' | 'would be written' | 'would be removed';
}

/**
 * What `writeStack(outDir, stackName, files)` would change, byte for byte, without writing anything: files whose
 * content differs, files that are missing, and files an earlier synth generated that it would remove (only those
 * carrying the generated marker, as `writeStack` decides). Sorted by path.
 */
export function staleFiles(outDir: string, stackName: string, files: readonly OutputFile[]): StaleFile[] {
  const stackDir = path.join(outDir, stackName);
  const prefix = `${stackName}/`;
  const stat = lstatOrUndefined(stackDir);
  const live = stat?.isDirectory() ? scan(stackDir) : { entries: new Map<string, Kind>(), dirModes: new Map(), emptyDirs: [] };
  const shown = (rel: string) => path.join(stackDir, rel).split(path.sep).join('/');
  const wanted = new Set<string>();
  const stale: StaleFile[] = [];
  for (const file of files) {
    const rel = file.path.slice(prefix.length).split('/').join(path.sep);
    wanted.add(rel);
    const kind = live.entries.get(rel);
    if (kind === undefined) stale.push({ path: shown(rel), state: 'would be written' });
    else if (kind !== 'file' || !fs.readFileSync(path.join(stackDir, rel)).equals(Buffer.from(file.content, 'utf8'))) stale.push({ path: shown(rel), state: 'differs' });
  }
  for (const [rel, kind] of live.entries) {
    if (kind === 'file' && !wanted.has(rel) && isGenerated(path.join(stackDir, rel))) stale.push({ path: shown(rel), state: 'would be removed' });
  }
  return stale.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
