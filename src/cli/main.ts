#!/usr/bin/env node
import { Command } from 'commander';
import { StackError } from '../core/problems';
import { OutputError } from '../synth/write-errors';
import { listCommand, type ListOptions } from './list';
import { diffCommand, type DiffOptions } from './diff';
import { synthCommand, type SynthOptions } from './synth';
import { explainCommand, type ExplainOptions } from './explain';
import { packageVersion, versionCommand } from './version';
import { testCommand, type TestOptions } from './test';
import { drillCommand, type DrillOptions } from './drill';
import { toolsCommand } from './tools';
import { chaosReportCommand, type ChaosReportOptions } from './chaos';
import { initCommand, type InitOptions } from './init';
import { typecheckCommand } from './typecheck';

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

/**
 * Every command takes --json: one JSON document on stdout and nothing else (no colors, no progress; warnings in it
 * or on stderr). Errors print the same message on stderr, with the same exit code, as without --json.
 */
export function main(argv: string[]): void {
  const program = new Command('o11y')
    .description('Synthesize Kubernetes observability stacks from typed stack files')
    .showHelpAfterError()
    .version(packageVersion(), '-V, --version', 'print the version of cdk8s-o11y');
  program
    .command('version')
    .description('print the version of cdk8s-o11y (--version and -V: the same, always plain text)')
    .option('--json', 'print { name, version } as JSON')
    .action((options: { json?: boolean }) => run(() => versionCommand(options)));
  program
    .command('synth')
    .description('write the manifests of each stack to <out>/<stack>/ (default: stacks/*.ts, else the built-in default stack)')
    .argument('[stacks...]', 'stack files (.ts)')
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('--strict', 'treat unknown metric names as errors, not warnings, and warn about images pinned by tag only (no digest)')
    .option('--json', 'print what was written as JSON (stacks, objects, files written/unchanged/removed, warnings)')
    .option('--check', 'write nothing: compare <out>/ with the stacks byte for byte and exit 1 listing each stale file')
    .action((stacks: string[], options: SynthOptions) => run(() => synthCommand(stacks, options)));
  program
    .command('list')
    .description('list each stack with its components and object counts')
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--json', 'print the stacks, components, object counts and prerequisites as JSON')
    .action((stacks: string[], options: ListOptions) => run(() => listCommand(stacks, options)));
  program
    .command('diff')
    .description('what the stacks generate now against what is committed (or a synthesized folder): objects, alerts, who each alert reaches, dashboards, chaos schedules; Markdown for a PR comment')
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--against <ref|dir>', 'a git ref, whose committed <out>/<stack>/ is the "before", or a synthesized folder', 'HEAD')
    .option('-o, --out <dir>', 'the output folder synth writes, as committed in git (for a git ref)', 'dist')
    .option('--json', 'print the diff as JSON (see DiffJson in src/cli/diff.ts)')
    .option('--md <file>', 'write the Markdown to this file (not printed, unless --json)')
    .option('--exit-code', 'exit with 1 when anything changed, like git diff --exit-code')
    .action((stacks: string[], options: DiffOptions) => run(() => diffCommand(stacks, options)));
  program
    .command('test')
    .description("run the stacks' rule unit tests with promtool and print a pass/fail table")
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--catalogue', 'also run the tests every catalogue alert ships with, against the stack\'s rules')
    .option('--json', 'print every test case with pass/fail and promtool\'s output as JSON')
    .action((stacks: string[], options: TestOptions) => run(() => testCommand(stacks, options)));
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
    .option('--json [file]', 'write the report as JSON (src/report/chaos-report.schema.json) to <file>; bare (last on the line) or `--json -`: print it on stdout, and nothing else')
    .option('--md <file>', 'write the report as Markdown (without --json and --md: printed)')
    .option('--prometheus-bearer-token-file <file>')
    .option('--prometheus-basic-auth-file <file>', 'a file holding user:password')
    .option('--alertmanager-bearer-token-file <file>')
    .option('--alertmanager-basic-auth-file <file>')
    .action(async (stack: string | undefined, options: ChaosReportOptions) => runAsync(() => chaosReportCommand(stack ? [stack] : [], options)));
  program
    .command('init')
    .description('scaffold a GitOps repo in [dir]: package.json, tsconfig.json, cdk8s.yaml, stacks/<name>.ts, stacks/lib/, rules/, dashboards/, a CI workflow; refuses to overwrite files')
    .argument('[dir]', 'the repo folder', '.')
    .option('--name <stack>', 'the stack: stacks/<stack>.ts, written to dist/<stack>/', 'cluster')
    .option('--force', 'overwrite files that exist with other content')
    .option('--json', 'print each file with what was done to it (wrote, updated, overwrote, unchanged) as JSON; on a refusal, the conflicts (exit code 1)')
    .action((dir: string, options: InitOptions) => run(() => initCommand(dir, options)));
  program
    .command('typecheck')
    .description("type-check stack files (strict) against this package's types: file:line:col message per error, exit code 1 on errors (default: the files of ./tsconfig.json, else stacks/*.ts)")
    .argument('[stacks...]', 'stack files (.ts)')
    .option('--json', 'print the errors as JSON: { files, errors (a count), diagnostics: [{ file, line, column, code, message }] }')
    .action((stacks: string[], options: { json?: boolean }) => run(() => typecheckCommand(stacks, options)));
  program
    .command('explain')
    .description('where an alert comes from, its expression, thresholds, overrides, tests, routes, receivers, inhibitions, chaos contracts and dashboards')
    .argument('<alert>', 'the alert name, e.g. KubePodCrashLooping')
    .argument('[stack]', 'the stack file (.ts) (default: stacks/*.ts, else the built-in default stack)')
    .option('--json', 'print the explanation as JSON')
    .action((alert: string, stack: string | undefined, options: ExplainOptions) => run(() => explainCommand(alert, stack, options)));
  program
    .command('tools')
    .description('build promtool, prometheus, amtool, alertmanager, node_exporter, the OpenTelemetry Collector and Jaeger at the versions the stack deploys (Go module proxy, cached), or list them')
    .argument('[action]', 'install | list', 'list')
    .argument('[tools...]', 'install only these (default: all)')
    .option('--json', 'print each tool (name, version, module, path or null, installed/missing or built/cached, build seconds) as JSON; build progress goes to stderr')
    .action((action: string, tools: string[], options: { json?: boolean }) => run(() => toolsCommand(action, tools, options)));
  program.parseAsync(argv);
}

if (require.main === module) main(process.argv);
