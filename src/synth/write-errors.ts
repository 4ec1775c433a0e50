// Errors of the output writer: which path, what went wrong, and what was (and was not) written.
import * as fs from 'fs';
import * as path from 'path';

/**
 * A file-system problem while writing a stack's output folder. The message names the path, says what went wrong
 * in plain words and says whether `<out>/<stack>/` was changed; the CLI prints it as is, without a stack trace.
 */
export class OutputError extends Error {
  constructor(
    message: string,
    /** The file or folder the problem is about. */
    readonly path: string,
    /** The stack being written. */
    readonly stack: string,
    /** Whether `<out>/<stack>/` now holds the new output (true) or is as it was before (false). */
    readonly changed: boolean,
    /** The system error code (EACCES, ENOSPC, ...), when there is one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'OutputError';
  }

  /** The same error, its message ending with which stacks of this synth were written and which were not. */
  withStacks(written: readonly string[], notWritten: readonly string[]): OutputError {
    const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');
    const done = this.changed ? [...written, this.stack] : written;
    const notDone = this.changed ? notWritten.filter((s) => s !== this.stack) : notWritten;
    return new OutputError(
      `${this.message}\nstacks written: ${list(done)}; not written: ${list(notDone)}.`,
      this.path,
      this.stack,
      this.changed,
      this.code,
    );
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a file is where a folder should be',
  EISDIR: 'a folder is where a file should be',
  EEXIST: 'something already exists there',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EMLINK: 'too many links',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'the file or folder is busy',
  EIO: 'input/output error',
  EXDEV: 'not on the same file system',
};

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `no space left on the device (ENOSPC)`: a system error in words, with its code. */
export function reasonOf(error: unknown): string {
  const code = errorCode(error);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  const text = (error as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The first ancestor of `target` (or `target` itself) that exists and is not a folder, if any. */
export function fileInTheWay(target: string): string | undefined {
  const chain: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const candidate of chain) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(candidate);
    } catch {
      return undefined;
    }
    if (!stat.isDirectory()) return candidate;
  }
  return undefined;
}
