#!/usr/bin/env node
import { Command } from 'commander';
import { StackError } from '../core/problems';
import { OutputError } from '../synth/write-errors';
import { listCommand } from './list';
import { synthCommand } from './synth';
import { testCommand } from './test';
import { drillCommand, type DrillOptions } from './drill';
import { toolsCommand } from './tools';
import { chaosReportCommand, type ChaosReportOptions } from './chaos';

/** An error of the operating system (EACCES, ENOSPC, ...) that no writer turned into an OutputError. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  // Not `instanceof Error`: errors of Node's own fs come from another realm under test runners.
  const e = error as Partial<NodeJS.ErrnoException> | null;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.syscall === 'string' && typeof e.message === 'string';
}

/** Runs a command; input and output errors print their message (no stack trace) and exit 1. */
export function run(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (error instanceof StackError) {
      console.error(`o11y: ${error.message}\nnothing was written.`);
    } else if (error instanceof OutputError) {
      // Names the path, what went wrong and what was (not) written.
      console.error(`o11y: ${error.message}`);
    } else if (isSystemError(error)) {
      console.error(`o11y: file-system error: ${error.message}. Set O11Y_DEBUG=1 for the stack trace.`);
      if (process.env.O11Y_DEBUG) console.error(error);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`o11y: internal error: ${message}\nnothing was written. Set O11Y_DEBUG=1 for the stack trace and report it.`);
      if (process.env.O11Y_DEBUG) console.error(error);
    }
    process.exitCode = 1;
  }
}

async function runAsync(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    run(() => {
      throw error;
    });
  }
}

export function main(argv: string[]): void {
  const program = new Command('o11y')
    .description('Synthesize Kubernetes observability stacks from typed stack files')
    .showHelpAfterError();
  program
    .command('synth')
    .description('write the manifests of each stack to <out>/<stack>/ (default: stacks/*.ts, else the built-in default stack)')
    .argument('[stacks...]', 'stack files (.ts)')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('--strict', 'treat unknown metric names as errors, not warnings, and warn about images pinned by tag only (no digest)')
    .action((stacks: string[], options: { out: string; strict?: boolean }) => run(() => synthCommand(stacks, options)));
  program
    .command('list')
    .description('list each stack with its components and object counts')
    .argument('[stacks...]', 'stack files (.ts)')
    .action((stacks: string[]) => run(() => listCommand(stacks)));
  program
    .command('test')
    .description("run the stacks' rule unit tests with promtool and print a pass/fail table")
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--catalogue', 'also run the tests every catalogue alert ships with, against the stack\'s rules')
    .action((stacks: string[], options: { catalogue?: boolean }) => run(() => testCommand(stacks, options)));
  program
    .command('drill')
    .description('prove on a real Prometheus and Alertmanager (127.0.0.1) that the stack\'s alerts fire and reach their receivers: a real node_exporter stopped, the chaos contracts, the stack\'s drill scenarios')
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--factor <n>', 'divide every duration by this', '60')
    .option('--timeout <seconds>', 'how long a scenario may take', '120')
    .option('--parallel <n>', 'scenarios run at once (each with its own Prometheus and Alertmanager)', '8')
    .option('--json', 'print the results as JSON')
    .option('--report <dir>', 'write the chaos report (JSON and Markdown, as `o11y chaos report` does) of every scenario into this folder')
    .action(async (stacks: string[], options: DrillOptions) => runAsync(() => drillCommand(stacks, options)));
  program
    .command('chaos')
    .description('chaos runs: `o11y chaos report [stack]` says what each run did, from the stack\'s Prometheus (and Alertmanager)')
    .command('report')
    .description('report on the chaos runs of a window: experiments, affected and recovered pods, alerts fired, contract verdicts, cluster facts; exit code 1 when a contract failed')
    .argument('[stack]', 'the stack file (.ts) whose schedules ran')
    .option('--prometheus <url>', 'the stack\'s Prometheus (credentials: --prometheus-bearer-token-file, --prometheus-basic-auth-file, or O11Y_PROMETHEUS_BEARER_TOKEN / O11Y_PROMETHEUS_BASIC_AUTH)')
    .option('--alertmanager <url>', 'its Alertmanager, to check the receivers the contracts name (credentials likewise, ALERTMANAGER)')
    .option('--from <time>', 'start: RFC 3339, unix seconds, or now-<n>[smhd]', 'now-1h')
    .option('--to <time>', 'end', 'now')
    .option('--json <file>', 'write the report as JSON (src/report/chaos-report.schema.json)')
    .option('--md <file>', 'write the report as Markdown (without --json and --md: printed)')
    .option('--prometheus-bearer-token-file <file>')
    .option('--prometheus-basic-auth-file <file>', 'a file holding user:password')
    .option('--alertmanager-bearer-token-file <file>')
    .option('--alertmanager-basic-auth-file <file>')
    .action(async (stack: string | undefined, options: ChaosReportOptions) => runAsync(() => chaosReportCommand(stack ? [stack] : [], options)));
  program
    .command('tools')
    .description('build promtool, prometheus, amtool, alertmanager, node_exporter, the OpenTelemetry Collector and Jaeger at the versions the stack deploys (Go module proxy, cached), or list them')
    .argument('[action]', 'install | list', 'list')
    .argument('[tools...]', 'install only these (default: all)')
    .action((action: string, tools: string[]) => run(() => toolsCommand(action, tools)));
  program.parseAsync(argv);
}

if (require.main === module) main(process.argv);
