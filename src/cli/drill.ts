import { planDrill } from '../drill/plan';
import { DrillAborted, runScenarios, type DrillResult, type PlayedScenario } from '../drill/run';
import { StackError } from '../core/problems';
import { requireTools, toolVersions } from '../core/tools';
import { inStack, loadStacks } from '../load/stack-file';
import { analyzeModel } from '../analyze/model';
import { buildStack, modelOf, throwOnErrors } from '../synth/pipeline';
import { stackFilesFor } from './stacks';
import * as fs from 'fs';
import * as path from 'path';
import { durationSeconds } from '../core/durations';
import { chaosReport } from '../report/chaos-report';
import { alertmanagerAlerts, ApiClient, PrometheusApi } from '../report/prometheus-api';
import { writeReport } from './chaos';
import { progressReporter, verdict } from './style';

export interface DrillOptions {
  readonly factor: string;
  /** Seconds a scenario may take before its missing alerts count as failures. */
  readonly timeout: string;
  readonly parallel: string;
  readonly json?: boolean;
  /** A folder: a chaos report (JSON and Markdown) of every scenario, from its Prometheus and Alertmanager. */
  readonly report?: string;
}

/** `o11y drill`: plays each stack's scenarios on a real Prometheus and Alertmanager and reports where alerts went. */
export async function drillCommand(args: string[], options: DrillOptions): Promise<void> {
  // The servers the stack deploys, at its versions: named before anything starts when one is not built yet.
  requireTools('prometheus', 'alertmanager', 'node_exporter');
  const factor = Number(options.factor);
  const timeout = Number(options.timeout);
  const parallel = Number(options.parallel);
  const numberProblems = [
    !(factor >= 1) && { field: '--factor', message: `'${options.factor}' is not a number of at least 1`, fix: 'e.g. --factor 60: 1m of rules passes in 1s' },
    !(timeout > 0) && { field: '--timeout', message: `'${options.timeout}' is not a positive number of seconds` },
    !(Number.isInteger(parallel) && parallel >= 1) && { field: '--parallel', message: `'${options.parallel}' is not a whole number of at least 1` },
  ].filter((p) => p !== false);
  if (numberProblems.length) throw new StackError('o11y drill', numberProblems);

  // Ctrl-C (or SIGTERM): every scenario stops its servers and processes, then the drill exits 130 (143).
  const interrupt = new AbortController();
  let exitCode = 130;
  const onSignal = (signal: NodeJS.Signals) => {
    exitCode = signal === 'SIGTERM' ? 143 : 130;
    interrupt.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: DrillResult[] = [];
  const progress = progressReporter(options.json ?? false);
  try {
    for (const loaded of stackFilesFor(args).flatMap(loadStacks)) {
      const model = inStack(loaded, () => {
        const built = modelOf(buildStack(loaded), loaded);
        throwOnErrors(built.name, analyzeModel(built));
        return built;
      });
      const plan = planDrill(model, factor, timeout * 1000);
      // The stack's kube-rbac-proxy, where its node_exporter scenario scrapes through one.
      if (plan.scenarios.some((s) => s.nodeExporter?.proxy)) requireTools('kube-rbac-proxy');
      if (!options.json) {
        console.log(`stack ${model.name}: ${plan.scenarios.length} scenarios, every duration divided by ${factor} (1m of rules passes in ${round(60 / factor)}s), on ${ranOn()}`);
        for (const line of plan.skipped) console.log(`  SKIP  ${line}`);
      }
      const setup = { ...plan.setup, signal: interrupt.signal, ...(options.report ? { afterScenario: reportWriter(options.report, model.name, plan.setup.interval, factor) } : {}) };
      // Tables in the plan's order once all scenarios ran (parallel ones finish in any order); progress as each finishes.
      const started = process.hrtime.bigint();
      const tables = new Map<string, string>();
      const onScenario = (done: DrillResult[]) => {
        if (!done[0]) return;
        tables.set(done[0].scenario, reportTable(done, factor));
        progress.done(`scenario ${done[0].scenario}: ${verdict(done.every((r) => r.passed))}`, Number(process.hrtime.bigint() - started) / 1e9);
      };
      results.push(...(await runScenarios(setup, plan.scenarios, parallel, onScenario)));
      if (!options.json) for (const scenario of plan.scenarios) if (tables.has(scenario.name)) console.log(tables.get(scenario.name));
    }
  } catch (error) {
    if (!(error instanceof DrillAborted)) throw error;
    console.error('o11y drill: interrupted; every Prometheus, Alertmanager, node_exporter and kube-rbac-proxy it started is stopped.');
    process.exitCode = exitCode;
    return;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  if (options.json) console.log(JSON.stringify({ factor, versions: toolVersions(), results }, null, 2));
  else console.log(`${results.filter((r) => r.passed).length} passed, ${results.filter((r) => !r.passed).length} failed`);
  if (results.some((r) => !r.passed)) process.exitCode = 1;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Writes `<dir>/<stack>--<scenario>.json` and `.md`: the chaos report of the scenario's window, as in a cluster. */
function reportWriter(dir: string, stack: string, interval: string, factor: number): (played: PlayedScenario) => Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  return async ({ scenario, prometheus, alertmanager, zeroMs }) => {
    const client = new ApiClient(alertmanager, {}, 'Alertmanager');
    const report = await chaosReport({
      stack,
      schedules: scenario.schedule ? [scenario.schedule] : [],
      prometheus: new PrometheusApi(new ApiClient(prometheus)),
      alertmanager: { url: alertmanager, alerts: () => alertmanagerAlerts(client) },
      from: zeroMs / 1000,
      to: Date.now() / 1000,
      sampleSeconds: durationSeconds(interval),
      timeFactor: factor,
    });
    const base = path.join(dir, `${stack}--${scenario.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-|-$/g, '')}`);
    writeReport(report, { json: `${base}.json`, md: `${base}.md` });
  };
}

/** The software the drill ran, which is the software the stack deploys. */
function ranOn(): string {
  const v = toolVersions();
  return `Prometheus ${v.prometheus}, Alertmanager ${v.alertmanager}, node_exporter ${v.nodeExporter}, kube-rbac-proxy ${v.kubeRbacProxy}`;
}

/** Seconds of the drill as the time they stand for at full scale, e.g. 10.2s at factor 60 -> `~10m`. */
function fullScale(seconds: number, factor: number): string {
  const minutes = Math.round((seconds * factor) / 60);
  return minutes >= 1 ? `~${minutes}m` : `~${Math.round(seconds * factor)}s`;
}

/**
 * One scenario's results as a table: fired? after how long? delivered where? inhibited? grouped? Times count from
 * the experiment's start where the scenario plays one (as contracts' `within` does), else from time zero: the
 * header says which. A problem of several lines (a server's last log lines) goes on under its result cell.
 */
function reportTable(results: readonly DrillResult[], factor: number): string {
  const first = results[0];
  const since = first?.startedAt !== null && first?.startedAt !== undefined
    ? `times from the experiment's start, ${first.startedAt}s (${fullScale(first.startedAt, factor)}) in`
    : 'times from time zero';
  const header = ['alert', 'fired after', 'delivered to', 'inhibited by', 'grouped with', 'result'];
  const rows = results.map((r) => [
    r.alert,
    r.firedAfter === null ? 'never' : `${r.firedAfter}s (${fullScale(r.firedAfter, factor)})`,
    Object.entries(r.delivered).map(([receiver, s]) => `${receiver} ${s}s`).join(', ') || '-',
    r.inhibitedBy.join(', ') || '-',
    r.groupedWith.join(', ') || '-',
    r.passed ? verdict(true) : `${verdict(false)}: ${r.problems.join('; ')}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const indent = ' '.repeat(4 + widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0));
  const line = (cells: string[]) => `    ${cells.map((c, i) => (i === cells.length - 1 ? c.replace(/\n/g, `\n${indent}`) : c.padEnd(widths[i]))).join('  ')}`;
  return [`  ${first ? `${first.scenario}  [${first.origin}]  (${since})` : ''}`, line(header), ...rows.map(line)].join('\n');
}
