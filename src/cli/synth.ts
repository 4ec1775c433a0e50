import * as path from 'path';
import type { Diagnostic } from '../core/diagnostic';
import { stackFiles, stackStream } from '../synth/layout';
import { staleFiles, writeFileWhole, writeStack, type StaleFile } from '../synth/writer';
import { OutputError } from '../synth/write-errors';
import { printWarnings, renderStacks, stackFilesFor } from './stacks';

export interface SynthOptions {
  readonly out: string;
  readonly strict?: boolean;
  /** Print what was written as JSON (SynthJson) instead of the summary line; warnings go into it, not to stderr. */
  readonly json?: boolean;
  /** Write nothing: compare the output folder with a synth in memory and exit 1 when any file is stale. */
  readonly check?: boolean;
}

/** A warning in JSON output: the analyzer's stable code, what it found, and where. */
export interface WarningJson {
  readonly code: string;
  readonly message: string;
  readonly where: string;
  readonly fix?: string;
}

/** `o11y synth --json`: one entry per stack, in the order synthesized. A stable shape: fields are only ever added. */
export interface SynthJson {
  readonly out: string;
  readonly stacks: Array<{
    readonly name: string;
    readonly source: string;
    readonly objects: number;
    /** Files laid out for the stack (objects, dashboards, plain files, SUMMARY.md). */
    readonly files: number;
    readonly written: number;
    readonly unchanged: number;
    readonly removed: number;
    readonly warnings: WarningJson[];
  }>;
}

/** `o11y synth --check --json`. */
export interface SynthCheckJson {
  readonly out: string;
  readonly upToDate: boolean;
  readonly stale: StaleFile[];
}

export function warningJson(w: Diagnostic): WarningJson {
  return { code: w.code, message: w.message, where: w.where, ...(w.fix ? { fix: w.fix } : {}) };
}

export function synthCommand(args: string[], options: SynthOptions): void {
  const started = process.hrtime.bigint();
  const stacks = renderStacks(stackFilesFor(args), { strict: options.strict });
  if (!options.json) printWarnings(stacks);
  // Every file of every stack is laid out (and checked) before the first one is written.
  const laidOut = stacks.map((stack) => ({ stack, files: stackFiles(stack) }));
  if (options.check) return checkCommand(options, laidOut.flatMap(({ stack, files }) => staleFiles(options.out, stack.name, files)));

  const totals = { objects: 0, files: 0, written: 0, unchanged: 0, removed: 0 };
  const report: SynthJson['stacks'][number][] = [];
  for (const [index, { stack, files }] of laidOut.entries()) {
    let stats;
    try {
      stats = writeStack(options.out, stack.name, files);
    } catch (error) {
      // Which stacks this synth wrote and which not: each stack folder is replaced as a whole, or not at all.
      if (error instanceof OutputError && laidOut.length > 1) {
        throw error.withStacks(laidOut.slice(0, index).map((s) => s.stack.name), laidOut.slice(index).map((s) => s.stack.name));
      }
      throw error;
    }
    totals.objects += stack.objects.length;
    totals.files += files.length;
    totals.written += stats.written;
    totals.unchanged += stats.unchanged;
    totals.removed += stats.removed;
    report.push({ name: stack.name, source: stack.source, objects: stack.objects.length, files: files.length, ...stats, warnings: stack.warnings.map(warningJson) });
  }
  // Under `cdk8s synth`: also one stream per stack where the cdk8s CLI looks, for its validation plugins.
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== path.resolve(options.out)) {
    for (const { stack } of laidOut) writeFileWhole(cdk8sOut, `${stack.name}.k8s.yaml`, stackStream(stack), stack.name);
  }

  if (options.json) {
    const json: SynthJson = { out: options.out, stacks: report };
    console.log(JSON.stringify(json, null, 2));
    return;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const names = stacks.map((s) => s.name).join(', ');
  console.log(
    `synthesized ${stacks.length === 1 ? 'stack' : `${stacks.length} stacks`} ${names} into ${options.out}/: ` +
      `${totals.objects} objects, ${totals.files} files (${totals.written} written, ${totals.unchanged} unchanged, ` +
      `${totals.removed} removed), ${stacks.reduce((n, s) => n + s.warnings.length, 0)} warnings, in ${seconds.toFixed(2)} s`,
  );
}

/** `o11y synth --check`: for CI, fails when the committed output is not what the stack files synthesize. */
function checkCommand(options: SynthOptions, stale: StaleFile[]): void {
  if (options.json) {
    const json: SynthCheckJson = { out: options.out, upToDate: stale.length === 0, stale };
    console.log(JSON.stringify(json, null, 2));
  } else if (stale.length === 0) {
    console.log(`${options.out}/ is up to date`);
  } else {
    for (const file of stale) console.log(`${file.path}: ${file.state}`);
    console.log(`${stale.length} stale file${stale.length === 1 ? '' : 's'} in ${options.out}/: run o11y synth and commit`);
  }
  if (stale.length) process.exitCode = 1;
}
