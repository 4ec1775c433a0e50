// Small tmpfs mounts for the writer's file-system error tests (a full disk, a read-only file system).
// Needs root on Linux (CI); elsewhere the tests that use them are skipped with the reason printed.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import { tempDir } from './trees';

function sh(command: string, args: string[]): { ok: boolean; message: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, message: (result.stderr || result.error?.message || `exit ${result.status}`).trim() };
}

let probed: string | null | undefined;

/** Why tmpfs mounts cannot be used here, or null when they can (probed once: mount, unmount). */
export function whyNoMounts(): string | null {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux') return (probed = `tmpfs mounts need Linux (this is ${process.platform})`);
  const dir = tempDir('o11y-mount-probe-');
  const mounted = sh('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]);
  if (!mounted.ok) probed = `mount is not permitted here (${mounted.message})`;
  else {
    sh('umount', [dir]);
    probed = null;
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return probed;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Mounts a tmpfs of `size` (e.g. '256k') on a new folder, runs `body`, and unmounts whatever happens. */
export async function withTmpfs<T>(size: string, body: (dir: string, remount: (options: string) => void) => T | Promise<T>): Promise<T> {
  const dir = tempDir('o11y-tmpfs-');
  const mounted = sh('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  if (!mounted.ok) throw new Error(`cannot mount a tmpfs on ${dir}: ${mounted.message}`);
  const remount = (options: string) => {
    const result = sh('mount', ['-o', `remount,${options}`, dir]);
    if (!result.ok) throw new Error(`cannot remount ${dir} with ${options}: ${result.message}`);
  };
  try {
    return await body(dir, remount);
  } finally {
    // A lazy unmount as the fallback, so that a failing test never leaves a mount behind.
    if (!sh('umount', [dir]).ok) sh('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
