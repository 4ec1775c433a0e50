// Runs a drill scenario: a real Prometheus and Alertmanager on 127.0.0.1, loaded with the stack's (scaled) rules and
// routing, scraping a local exporter that plays the scenario's series (or a real node_exporter that the drill stops,
// behind the stack's kube-rbac-proxy and a local API server that reviews for it),
// with every receiver captured locally. It watches Prometheus (fired?), Alertmanager (inhibited?) and the capture
// endpoint (delivered where, grouped with what) and stops everything it started before returning. The servers run
// under a supervisor (./supervise.ts): they and their temporary folder go with the drill however it ends.
import type { ChaosSchedule } from '../chaos/types';
import { requireTools } from '../core/tools';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import type { SeriesInput } from '../rules/types';
import { expandSeries, parseSeries } from '../promql/series';
import type { DrillExpectation } from '../scenarios/types';
import { toYaml } from '../core/yaml';
import { Supervisor, type ServerExit } from './supervise';
import type { ProxiedScrape } from './proxied-scrape';
import { proxyArgs, proxyEnvironment, proxyScrapeConfig, type ProxyEnvironment } from './rbac-proxy';

/**
 * An expectation as the drill plays it: `deadline` is when it must have fired, in seconds after the experiment
 * started (or after time zero, for a scenario that plays no experiment), as `firedAfter` counts.
 */
export interface PlayedExpectation extends DrillExpectation {
  readonly deadline?: number;
}

export interface DrillScenario {
  readonly name: string;
  /** Where the scenario comes from, for the report. */
  readonly origin: string;
  /** Series in promtool's notation, one value per step. */
  readonly series: SeriesInput[];
  readonly stepMs: number;
  /**
   * A real node_exporter, scraped with these target labels, stopped once Prometheus has seen it up (time zero);
   * through the stack's kube-rbac-proxy, when it has one (which the drill does not stop).
   */
  readonly nodeExporter?: { readonly labels: Record<string, string>; readonly proxy?: ProxiedScrape };
  /**
   * Seconds after time zero the experiment starts: results count from there, as contracts' `within` does. Undefined
   * for a scenario that plays no experiment: results count from time zero.
   */
  readonly startsAt?: number;
  /** The chaos schedule it plays, if any: what a report of the scenario describes. */
  readonly schedule?: ChaosSchedule;
  readonly expect: PlayedExpectation[];
}

/** The servers of a scenario that has played, still running, for whatever looks at them before they stop. */
export interface PlayedScenario {
  readonly scenario: DrillScenario;
  readonly prometheus: string;
  readonly alertmanager: string;
  /** Unix milliseconds of time zero (the first step of the series). */
  readonly zeroMs: number;
}

export interface DrillSetup {
  readonly rulesYaml: string;
  /** Builds the Alertmanager config for a capture URL. */
  readonly alertmanagerConfig: (captureUrl: string) => Record<string, unknown>;
  /** Scaled scrape and evaluation interval. */
  readonly interval: string;
  readonly externalLabels: Record<string, string>;
  /** Prometheus re-sends firing alerts this often (1m unscaled): an alert sent before Alertmanager listened comes again. */
  readonly resendDelay: string;
  /** How long after time zero missing alerts count as failures. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** Ports for Prometheus and Alertmanager (e.g. to open their UIs during a drill); free ones by default. */
  readonly ports?: { readonly prometheus?: number; readonly alertmanager?: number };
  /** Runs after a scenario has played, before its servers stop (`o11y drill --report` writes its chaos report). */
  readonly afterScenario?: (played: PlayedScenario) => Promise<void>;
}

export interface DrillResult {
  readonly scenario: string;
  readonly origin: string;
  readonly alert: string;
  readonly expected: { readonly receivers: string[] | 'any'; readonly inhibited: boolean; readonly groupedWith: string[]; readonly deadline: number | null };
  /**
   * Seconds after time zero the experiment started, which firedAfter, delivered and the deadline count from; null
   * when the scenario plays no experiment: they count from time zero.
   */
  readonly startedAt: number | null;
  /** Seconds until Prometheus had it firing; null if it never fired. Negative: it fired before the experiment. */
  readonly firedAfter: number | null;
  /** Receiver -> seconds until it first got the alert. */
  readonly delivered: Record<string, number>;
  /** Alerts that inhibited it (Alertmanager's view). */
  readonly inhibitedBy: string[];
  /** Other alerts that arrived in the same notifications. */
  readonly groupedWith: string[];
  readonly problems: string[];
  readonly passed: boolean;
}

export class DrillAborted extends Error {}

const POLL_MS = 250;
const READY_TIMEOUT_MS = 30000;
/** Log lines of a server that died, in the problem that says so. */
const LOG_LINES = 5;

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function getJson(url: string): Promise<unknown> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** What the drill sees while a scenario runs; times in seconds after time zero. */
class Observations {
  readonly firedAt = new Map<string, number>();
  /** By alert name: the fingerprints of the alerts that inhibited it. */
  readonly inhibitedBy = new Map<string, Set<string>>();
  /** Every fingerprint Alertmanager has shown, with its alert's name: an inhibiting alert may be gone by the time
   * the alert it inhibits is seen, or not yet listed. */
  readonly alertNames = new Map<string, string>();
  readonly notifications: Array<{ receiver: string; alerts: string[]; at: number }> = [];
  zero = Date.now();

  /** `start`: seconds after time zero the results count from. */
  constructor(private readonly start = 0) {}

  since(): number {
    return (Date.now() - this.zero) / 1000;
  }

  deliveredTo(alert: string): Record<string, number> {
    const delivered: Record<string, number> = {};
    for (const n of this.notifications.filter((x) => x.alerts.includes(alert))) delivered[n.receiver] ??= round(n.at - this.start);
    return delivered;
  }

  groupedWith(alert: string): string[] {
    const others = this.notifications.filter((n) => n.alerts.includes(alert)).flatMap((n) => n.alerts.filter((a) => a !== alert));
    return [...new Set(others)].sort();
  }

  /** Whether an expectation has shown everything it can; inhibited ones then wait out the grace time. */
  settled(e: DrillExpectation): boolean {
    if (!this.firedAt.has(e.alert)) return false;
    if (e.inhibited) return (this.inhibitedBy.get(e.alert)?.size ?? 0) > 0;
    const delivered = Object.keys(this.deliveredTo(e.alert));
    const receiversOk = e.receivers ? e.receivers.every((r) => delivered.includes(r)) : delivered.length > 0;
    return receiversOk && (e.groupedWith ?? []).every((a) => this.groupedWith(e.alert).includes(a));
  }

  result(scenario: DrillScenario, e: PlayedExpectation, crash: string | undefined): DrillResult {
    const delivered = this.deliveredTo(e.alert);
    const got = Object.keys(delivered).sort();
    const at = this.firedAt.get(e.alert);
    const firedAt = at === undefined ? undefined : at - this.start;
    const inhibitedBy = [...new Set([...(this.inhibitedBy.get(e.alert) ?? [])].map((f) => this.alertNames.get(f) ?? f))].sort();
    const groupedWith = this.groupedWith(e.alert);
    const problems: string[] = [];
    if (crash) problems.push(crash);
    if (firedAt === undefined) problems.push('never fired');
    else if (scenario.startsAt !== undefined && firedAt < 0) problems.push(`fired ${round(-firedAt)}s before the experiment started: not the experiment's doing`);
    else if (e.deadline !== undefined && firedAt > e.deadline) problems.push(`fired ${round(firedAt - e.deadline)}s later than its contract allows (by ${e.deadline}s, ${e.within} after the experiment started)`);
    if (e.inhibited && got.length) problems.push(`expected to be inhibited, but reached ${got.join(', ')}`);
    if (e.inhibited && firedAt !== undefined && !inhibitedBy.length) problems.push('expected to be inhibited, but nothing inhibited it');
    if (!e.inhibited && firedAt !== undefined) {
      const wanted = e.receivers ? [...e.receivers].sort() : undefined;
      if (!got.length) problems.push(inhibitedBy.length ? `inhibited by ${inhibitedBy.join(', ')}` : 'reached no receiver');
      else if (wanted && wanted.join() !== got.join()) problems.push(`reached ${got.join(', ')}, expected ${wanted.join(', ')}`);
    }
    const missingGroup = (e.groupedWith ?? []).filter((a) => !groupedWith.includes(a));
    if (missingGroup.length) problems.push(`not grouped with ${missingGroup.join(', ')}`);
    return {
      scenario: scenario.name,
      origin: scenario.origin,
      alert: e.alert,
      expected: { receivers: e.receivers ? [...e.receivers] : 'any', inhibited: e.inhibited ?? false, groupedWith: e.groupedWith ?? [], deadline: e.deadline ?? null },
      startedAt: scenario.startsAt === undefined ? null : round(scenario.startsAt),
      firedAfter: firedAt === undefined ? null : round(firedAt),
      delivered,
      inhibitedBy,
      groupedWith,
      problems,
      passed: problems.length === 0,
    };
  }
}

/** Runs one scenario; every process and server it starts is stopped before it returns, also on failure or abort. */
export async function runScenario(setup: DrillSetup, scenario: DrillScenario): Promise<DrillResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-drill-'));
  const seen = new Observations(scenario.startsAt);
  let crash: string | undefined;
  const logOf = (name: string) => path.join(dir, `${name}.log`);
  const supervisor = new Supervisor(dir, (exit) => (crash ??= exitProblem(exit, logOf(exit.name))));
  let playing = false;
  const expanded = scenario.series.map((s) => ({ ...parseSeries(s.series), values: expandSeries(s.values) }));
  const exporter = http.createServer((_req, res) => {
    // Until time zero the exporter serves the first values; then one step per stepMs.
    const step = playing ? Math.floor((Date.now() - seen.zero) / scenario.stepMs) : 0;
    const lines = expanded.flatMap((s) => {
      const value = s.values[Math.min(step, s.values.length - 1)];
      return value === undefined ? [] : [`${s.name}${s.labels} ${value}`];
    });
    // Prometheus 3 refuses a scrape without a Content-Type it knows (the text format 0.0.4, as exporters serve it).
    res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    res.end(`${lines.join('\n')}\n`);
  });
  const capture = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const receiver = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      const alerts = ((JSON.parse(body || '{}').alerts ?? []) as Array<{ labels: Record<string, string> }>).map((a) => a.labels.alertname);
      seen.notifications.push({ receiver, alerts: [...new Set(alerts)], at: seen.since() });
      res.end('ok');
    });
  });
  const start = (name: string, command: string, args: string[]) => supervisor.start(name, command, args, logOf(name));
  const check = () => {
    if (setup.signal?.aborted) throw new DrillAborted('the drill was interrupted');
    if (crash) throw new Error(crash);
  };
  const waitFor = async (what: string, ready: () => Promise<boolean>, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      check();
      if (await ready()) return;
      if (Date.now() > until) throw new Error(`${what} within ${timeoutMs / 1000}s`);
      await sleep(POLL_MS);
    }
  };
  let proxyEnv: ProxyEnvironment | undefined;
  try {
    const binaries = requireTools('prometheus', 'alertmanager', 'node_exporter');
    const proxy = scenario.nodeExporter?.proxy;
    const proxyBinary = proxy ? requireTools('kube-rbac-proxy')['kube-rbac-proxy'] : undefined;
    const [exporterPort, capturePort] = [await listen(exporter), await listen(capture)];
    const promPort = setup.ports?.prometheus ?? (await freePort());
    const amPort = setup.ports?.alertmanager ?? (await freePort());
    const nodePort = scenario.nodeExporter ? await freePort() : undefined;
    const proxyPort = proxy ? await freePort() : undefined;
    // What Prometheus scrapes: the proxy, where the stack has one.
    const nodeTarget = `127.0.0.1:${proxyPort ?? nodePort}`;
    if (proxy) proxyEnv = await proxyEnvironment(proxy, dir);
    const scrapeConfigs: unknown[] = [
      // honor_labels: the scenario's series carry their own job and instance, as the real targets' would.
      { job_name: 'drill', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }] },
    ];
    if (scenario.nodeExporter) {
      const { job, ...labels } = scenario.nodeExporter.labels;
      scrapeConfigs.push(proxy && proxyEnv
        ? proxyScrapeConfig(proxy, proxyEnv, job ?? 'node-exporter', nodeTarget, labels)
        : { job_name: job ?? 'node-exporter', static_configs: [{ targets: [nodeTarget], labels }] });
    }
    fs.writeFileSync(path.join(dir, 'rules.yaml'), setup.rulesYaml);
    fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), toYaml(setup.alertmanagerConfig(`http://127.0.0.1:${capturePort}/capture`)));
    fs.writeFileSync(path.join(dir, 'prometheus.yaml'), toYaml({
      global: { scrape_interval: setup.interval, evaluation_interval: setup.interval, external_labels: setup.externalLabels },
      rule_files: [path.join(dir, 'rules.yaml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      scrape_configs: scrapeConfigs,
    }));
    start('alertmanager', binaries.alertmanager, [
      `--config.file=${path.join(dir, 'alertmanager.yaml')}`, `--storage.path=${path.join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
    ]);
    start('prometheus', binaries.prometheus, [
      `--config.file=${path.join(dir, 'prometheus.yaml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, `--rules.alert.resend-delay=${setup.resendDelay}`,
    ]);
    if (nodePort !== undefined) start('node_exporter', binaries.node_exporter, [
      `--web.listen-address=127.0.0.1:${nodePort}`, '--collector.disable-defaults',
      ...['cpu', 'meminfo', 'loadavg', 'filesystem', 'time', 'uname'].map((c) => `--collector.${c}`),
    ]);
    if (proxy && proxyEnv && proxyBinary && proxyPort !== undefined && nodePort !== undefined) {
      start('kube-rbac-proxy', proxyBinary, proxyArgs(proxy, { listenPort: proxyPort, upstreamPort: nodePort, kubeconfig: proxyEnv.kubeconfig, secrets: proxyEnv.secrets }));
    }
    const prometheus = `http://127.0.0.1:${promPort}`;
    const alertmanager = `http://127.0.0.1:${amPort}`;
    await waitFor('Prometheus and Alertmanager did not become ready', async () => {
      // Each request times out: a port another process holds may accept and never answer.
      const ready = await Promise.all([`${prometheus}/-/ready`, `${alertmanager}/-/ready`].map((url) => fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false)));
      return ready.every(Boolean);
    }, READY_TIMEOUT_MS);
    if (nodePort !== undefined) {
      await waitFor(`Prometheus did not scrape node_exporter${proxy ? ' through kube-rbac-proxy' : ''}`, async () => {
        const body = (await getJson(`${prometheus}/api/v1/query?query=${encodeURIComponent(`up{instance="${nodeTarget}"} == 1`)}`)) as { data?: { result?: unknown[] } } | undefined;
        return (body?.data?.result?.length ?? 0) > 0;
      }, READY_TIMEOUT_MS).catch(async (error: Error) => {
        if (error instanceof DrillAborted) throw error;
        throw new Error(`${error.message}${await lastScrapeError(prometheus, nodeTarget)}`);
      });
      supervisor.stop('node_exporter');
    }
    seen.zero = Date.now();
    playing = true;
    const pending = () => scenario.expect.filter((e) => !seen.settled(e));
    while (pending().length && Date.now() - seen.zero < setup.timeoutMs) {
      check();
      await observe(prometheus, alertmanager, seen);
      await sleep(POLL_MS);
    }
    // A little longer, so that an alert also sent where it should not go, or an inhibition that fails late, shows.
    const grace = Date.now() + 2000;
    while (Date.now() < grace) {
      check();
      await observe(prometheus, alertmanager, seen);
      await sleep(POLL_MS);
    }
    if (!crash) await setup.afterScenario?.({ scenario, prometheus, alertmanager, zeroMs: seen.zero });
  } catch (e) {
    if (e instanceof DrillAborted) throw e;
    crash ??= (e as Error).message;
  } finally {
    // The supervisor kills the servers and removes the folder; removing it here too covers a supervisor that died.
    await supervisor.close();
    await Promise.all([exporter, capture].map((s) => new Promise((resolve) => s.close(resolve))));
    await proxyEnv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return scenario.expect.map((e) => seen.result(scenario, e, crash));
}

/** `: <why>` of a target's last failed scrape (e.g. the proxy's 403), or nothing. */
async function lastScrapeError(prometheus: string, target: string): Promise<string> {
  const body = (await getJson(`${prometheus}/api/v1/targets?state=active`)) as { data?: { activeTargets?: Array<{ scrapeUrl: string; lastError?: string }> } } | undefined;
  const error = body?.data?.activeTargets?.find((t) => t.scrapeUrl.includes(`//${target}/`))?.lastError;
  return error ? `: ${error}` : '';
}

/** Records which alerts Prometheus has firing and which Alertmanager holds inhibited, and by what. */
async function observe(prometheus: string, alertmanager: string, seen: Observations): Promise<void> {
  const [rules, held] = (await Promise.all([getJson(`${prometheus}/api/v1/alerts`), getJson(`${alertmanager}/api/v2/alerts`)])) as [
    { data?: { alerts?: Array<{ labels: Record<string, string>; state: string }> } } | undefined,
    Array<{ labels: Record<string, string>; fingerprint: string; status: { inhibitedBy?: string[] } }> | undefined,
  ];
  for (const a of rules?.data?.alerts ?? []) {
    if (a.state === 'firing' && !seen.firedAt.has(a.labels.alertname)) seen.firedAt.set(a.labels.alertname, seen.since());
  }
  for (const a of held ?? []) seen.alertNames.set(a.fingerprint, a.labels.alertname);
  for (const a of held ?? []) {
    for (const by of a.status.inhibitedBy ?? []) {
      const set = seen.inhibitedBy.get(a.labels.alertname) ?? new Set<string>();
      set.add(by);
      seen.inhibitedBy.set(a.labels.alertname, set);
    }
  }
}

/** Runs scenarios `concurrency` at a time (each has its own servers and ports); results keep the scenarios' order. */
export async function runScenarios(setup: DrillSetup, scenarios: readonly DrillScenario[], concurrency: number, onResults?: (results: DrillResult[]) => void): Promise<DrillResult[]> {
  const results: DrillResult[][] = [];
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length) {
      const i = next++;
      results[i] = await runScenario(setup, scenarios[i]);
      onResults?.(results[i]);
    }
  };
  // Settled, not all: when one worker is interrupted, the others still stop their servers before this returns.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(concurrency, scenarios.length)) }, worker));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;
  return results.flat();
}

/** A server that ended on its own: how (exit code or signal), and the last lines it logged. */
function exitProblem(exit: ServerExit, log: string): string {
  if (exit.error) return `${exit.name} could not start: ${exit.error}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited (code ${exit.code})`;
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).slice(-LOG_LINES) : [];
  return lines.length ? `${exit.name} ${how}; its last log lines:\n${lines.map((l) => `  ${l}`).join('\n')}` : `${exit.name} ${how}, logging nothing`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
