import * as path from 'path';
import { stackFiles, stackStream } from '../synth/layout';
import { writeFileWhole, writeStack } from '../synth/writer';
import { OutputError } from '../synth/write-errors';
import { printWarnings, renderStacks, stackFilesFor } from './stacks';

export interface SynthOptions {
  readonly out: string;
  readonly strict?: boolean;
}

export function synthCommand(args: string[], options: SynthOptions): void {
  const started = process.hrtime.bigint();
  const stacks = renderStacks(stackFilesFor(args), { strict: options.strict });
  printWarnings(stacks);
  // Every file of every stack is laid out (and checked) before the first one is written.
  const laidOut = stacks.map((stack) => ({ stack, files: stackFiles(stack) }));

  const totals = { objects: 0, files: 0, written: 0, unchanged: 0, removed: 0 };
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
  }
  // Under `cdk8s synth`: also one stream per stack where the cdk8s CLI looks, for its validation plugins.
  const cdk8sOut = process.env.CDK8S_OUTDIR;
  if (cdk8sOut && path.resolve(cdk8sOut) !== path.resolve(options.out)) {
    for (const { stack } of laidOut) writeFileWhole(cdk8sOut, `${stack.name}.k8s.yaml`, stackStream(stack), stack.name);
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const names = stacks.map((s) => s.name).join(', ');
  console.log(
    `synthesized ${stacks.length === 1 ? 'stack' : `${stacks.length} stacks`} ${names} into ${options.out}/: ` +
      `${totals.objects} objects, ${totals.files} files (${totals.written} written, ${totals.unchanged} unchanged, ` +
      `${totals.removed} removed), ${stacks.reduce((n, s) => n + s.warnings.length, 0)} warnings, in ${seconds.toFixed(2)} s`,
  );
}
