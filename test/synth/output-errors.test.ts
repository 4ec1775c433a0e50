// File-system errors while writing: a full disk, a read-only output folder. Each names the path and says that
// nothing in the stack folder was changed; the old output stays intact and no staging folder is left behind.
import * as fs from 'fs';
import * as path from 'path';
import { OutputError } from '../../src/synth/write-errors';
import { workFolders, writeStack } from '../../src/synth/writer';
import { isRoot, whyNoMounts, withTmpfs } from './mounts';
import { addForeign, differences, expectedTree, fileSet, leftovers, snapshot, tempDir } from './trees';

function thrown(action: () => unknown): OutputError {
  try {
    action();
  } catch (error) {
    if (error instanceof OutputError) return error;
    throw error;
  }
  throw new Error('expected an OutputError');
}

const noMounts = whyNoMounts();
if (noMounts) console.warn(`SKIPPED: the full-disk and read-only file-system tests: ${noMounts}`);
const mountTest = noMounts ? test.skip : test;

const OLD = fileSet('s', 'old', { components: 3, perComponent: 2, size: 100 });
const NEW = fileSet('s', 'new', { components: 3, perComponent: 2, size: 100 });
/** Some 130 files of 3 kB: several times what the small tmpfs holds. */
const HUGE = fileSet('s', 'new', { components: 3, perComponent: 40, size: 3000 });

describe('writer: file-system errors', () => {
  mountTest('GIVEN a full disk (a 256 kB tmpfs) WHEN a larger output is written THEN ENOSPC names the file, the old output is intact, no staging is left, and a later write with room succeeds', async () => {
    await withTmpfs('256k', (mnt, remount) => {
      const out = path.join(mnt, 'dist');
      const stackDir = path.join(out, 's');
      writeStack(out, 's', OLD);
      addForeign(stackDir);
      const before = snapshot(stackDir);
      const free = fs.statfsSync(mnt).bfree;

      const error = thrown(() => writeStack(out, 's', HUGE));
      expect(error.code).toBe('ENOSPC');
      expect(error.changed).toBe(false);
      const { staging } = workFolders(out, 's');
      expect(error.message).toMatch(
        new RegExp(
          `^cannot (write|create the folder) ${stackDir}/\\S+ \\(in ${staging}/, where the new output is prepared before it replaces ${stackDir}/ as a whole\\): ` +
            `no space left on the device \\(ENOSPC\\)\\. Nothing in ${stackDir}/ was changed\\.$`,
        ),
      );
      expect(differences(snapshot(stackDir), before)).toEqual([]);
      expect(differences(snapshot(stackDir), expectedTree('s', OLD))).toEqual([]);
      expect(leftovers(out)).toEqual([]);
      expect(fs.statfsSync(mnt).bfree).toBe(free);

      remount('size=16m');
      writeStack(out, 's', HUGE);
      expect(differences(snapshot(stackDir), expectedTree('s', HUGE))).toEqual([]);
      expect(leftovers(out)).toEqual([]);
    });
  });

  mountTest('GIVEN a read-only file system WHEN a changed output is written THEN EROFS names the staging folder and nothing changes; an unchanged output still "writes" (nothing to do)', async () => {
    await withTmpfs('4m', (mnt, remount) => {
      const out = path.join(mnt, 'dist');
      const stackDir = path.join(out, 's');
      writeStack(out, 's', OLD);
      addForeign(stackDir);
      const before = snapshot(stackDir);
      remount('ro');

      expect(writeStack(out, 's', OLD)).toEqual({ written: 0, unchanged: OLD.length, removed: 0 });
      const error = thrown(() => writeStack(out, 's', NEW));
      const { staging } = workFolders(out, 's');
      expect(error.code).toBe('EROFS');
      expect(error.message).toBe(
        `cannot create the folder ${staging}/ (where the new output is prepared before it replaces ${stackDir}/ as a whole): ` +
          `the file system is read-only (EROFS). Nothing in ${stackDir}/ was changed.`,
      );
      expect(differences(snapshot(stackDir), before)).toEqual([]);
      expect(leftovers(out)).toEqual([]);
    });
  });

  (isRoot() ? test.skip : test)('GIVEN an output folder without write permission (not root) WHEN written THEN EACCES names the staging folder and nothing changes', () => {
    const out = tempDir();
    const stackDir = path.join(out, 's');
    writeStack(out, 's', OLD);
    const before = snapshot(stackDir);
    fs.chmodSync(out, 0o555);
    try {
      const error = thrown(() => writeStack(out, 's', NEW));
      expect(error.code).toBe('EACCES');
      expect(error.message).toContain(`cannot create the folder ${workFolders(out, 's').staging}/`);
      expect(error.message).toContain(`permission denied (EACCES). Nothing in ${stackDir}/ was changed.`);
      expect(snapshot(stackDir)).toEqual(before);
    } finally {
      fs.chmodSync(out, 0o755);
    }
  });
  if (isRoot()) console.log('note: the EACCES (chmod) case is skipped as root, where chmod does not stop writes; the read-only tmpfs case covers it');
});
