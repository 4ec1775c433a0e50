// `o11y chaos report`: what the chaos runs of a window did, from the stack's Prometheus (and Alertmanager).
import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../core/problems';
import { durationSeconds } from '../core/durations';
import { chaosReport, chaosReportMarkdown, type ChaosReport } from '../report/chaos-report';
import { alertmanagerAlerts, ApiClient, authFrom, PrometheusApi } from '../report/prometheus-api';
import { renderStacks, stackFilesFor } from './stacks';

export interface ChaosReportOptions {
  readonly prometheus?: string;
  readonly alertmanager?: string;
  readonly from?: string;
  readonly to?: string;
  /** A file to write the report's JSON to; `true` (a bare `--json`) or `-`: print it on stdout, and nothing else. */
  readonly json?: string | boolean;
  readonly md?: string;
  readonly prometheusBearerTokenFile?: string;
  readonly prometheusBasicAuthFile?: string;
  readonly alertmanagerBearerTokenFile?: string;
  readonly alertmanagerBasicAuthFile?: string;
}

/** Unix seconds of an RFC 3339 time, a unix time, `now`, or `now-<duration>` (`now-2h`). */
export function parseTime(text: string, field: string, now = Date.now()): number {
  const relative = /^now(?:-(\d+)([smhd]))?$/.exec(text);
  if (relative) return Math.floor(now / 1000) - (relative[1] ? Number(relative[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[relative[2] as 's']! : 0);
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const parsed = Date.parse(text);
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(parsed)) return parsed / 1000;
  throw new StackError('o11y chaos report', [{ field, message: `'${text}' is not a time`, fix: 'write RFC 3339 (2026-12-03T10:00:00Z), unix seconds, now, or now-2h' }]);
}

function url(text: string | undefined, field: string): string {
  if (!text) throw new StackError('o11y chaos report', [{ field, message: 'is required', fix: `give the server's URL, e.g. ${field} http://localhost:9090` }]);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new StackError('o11y chaos report', [{ field, message: 'is not a URL', fix: 'write it like http://localhost:9090' }]);
  }
  // Credentials go in files or the environment: argv is visible to every user of the machine.
  if (parsed.username || parsed.password) throw new StackError('o11y chaos report', [{ field, message: 'holds credentials', fix: `remove them from the URL and use ${field}-bearer-token-file, ${field}-basic-auth-file or the O11Y_*_BEARER_TOKEN / O11Y_*_BASIC_AUTH environment variables` }]);
  return text;
}

/** Writes a file whole (a temporary file renamed), so a failed run leaves no half report. */
function writeWhole(file: string, content: string): void {
  const temporary = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/** Whether `--json` asks for the JSON on stdout: bare, or `--json -`. */
export function jsonToStdout(json: string | boolean | undefined): boolean {
  return json === true || json === '-';
}

/** Writes the report's files: `json` and `md` name files (a `json` of `true` or `-` is for stdout, not written here). */
export function writeReport(report: ChaosReport, options: { json?: string | boolean; md?: string }): void {
  if (typeof options.json === 'string' && !jsonToStdout(options.json)) writeWhole(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.md) writeWhole(options.md, chaosReportMarkdown(report));
}

export async function chaosReportCommand(stacks: string[], options: ChaosReportOptions): Promise<void> {
  const prometheusUrl = url(options.prometheus, '--prometheus');
  const from = parseTime(options.from ?? 'now-1h', '--from');
  const to = parseTime(options.to ?? 'now', '--to');
  if (to <= from) throw new StackError('o11y chaos report', [{ field: '--to', message: 'is not after --from', fix: 'give a window that ends after it starts' }]);
  const rendered = renderStacks(stackFilesFor(stacks));
  if (rendered.length !== 1) throw new StackError('o11y chaos report', [{ field: 'stack', message: `names ${rendered.length} stacks`, fix: 'give the one stack whose chaos runs to report on' }]);
  const [stack] = rendered;
  const prometheus = new PrometheusApi(new ApiClient(prometheusUrl, authFrom('PROMETHEUS', { bearerTokenFile: options.prometheusBearerTokenFile, basicAuthFile: options.prometheusBasicAuthFile })));
  const alertmanager = options.alertmanager
    ? (() => {
        const client = new ApiClient(url(options.alertmanager, '--alertmanager'), authFrom('ALERTMANAGER', { bearerTokenFile: options.alertmanagerBearerTokenFile, basicAuthFile: options.alertmanagerBasicAuthFile }), 'Alertmanager');
        return { url: options.alertmanager!, alerts: () => alertmanagerAlerts(client) };
      })()
    : undefined;
  const intervals = stack.model.prometheus ? [stack.model.prometheus.scrapeInterval, stack.model.prometheus.evaluationInterval] : ['30s'];
  const sampleSeconds = Math.max(...intervals.map(durationSeconds));
  const report = await chaosReport({ stack: stack.name, schedules: stack.model.chaos, prometheus, alertmanager, from, to, sampleSeconds });
  writeReport(report, options);
  if (jsonToStdout(options.json)) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else if (!options.json && !options.md) process.stdout.write(chaosReportMarkdown(report));
  else console.log(`chaos report of ${stack.name}: ${report.experiments.length} experiments, ${report.experiments.reduce((n, e) => n + e.runs.length, 0)} runs, ${report.alerts.length} alerts fired: ${report.passed ? 'passed' : 'FAILED'}`);
  if (!report.passed) process.exitCode = 1;
}
