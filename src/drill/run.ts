// Runs a drill: a real Prometheus and Alertmanager on 127.0.0.1, loaded with the stack's (scaled) rules and routing,
// scraping a local exporter that plays the scenario's series, with every receiver captured locally.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { toYaml } from '../synth/files';
import { expandSeries } from './series';

export interface DrillScenario {
  readonly name: string;
  /** Series in promtool's notation, one value per (scaled) step. */
  readonly series: Array<{ readonly series: string; readonly values: string }>;
  /** Alerts that must reach these receivers. */
  readonly expect: Array<{ readonly alert: string; readonly receivers: string[] }>;
}

export interface DrillSetup {
  readonly rulesYaml: string;
  /** Builds the Alertmanager config for a capture URL. */
  readonly alertmanagerConfig: (captureUrl: string) => Record<string, unknown>;
  /** Scaled scrape and evaluation interval, and the step of the scenario's series. */
  readonly interval: string;
  readonly stepMs: number;
  readonly timeoutMs: number;
}

export interface DrillResult {
  readonly scenario: string;
  readonly alert: string;
  readonly expected: string[];
  /** Receiver -> seconds after the start when it first got the alert. */
  readonly delivered: Record<string, number>;
  readonly passed: boolean;
}

function parseSeries(text: string): { name: string; labels: string } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?$/.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a series`);
  return { name: m[1], labels: m[2] ?? '' };
}

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

/** Runs one scenario; every process and server it starts is stopped before it returns, also on failure. */
export async function runScenario(setup: DrillSetup, scenario: DrillScenario): Promise<DrillResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-drill-'));
  const started = Date.now();
  const processes: ChildProcess[] = [];
  const received: Array<{ receiver: string; alert: string; at: number }> = [];
  const expanded = scenario.series.map((s) => ({ ...parseSeries(s.series), values: expandSeries(s.values) }));
  const exporter = http.createServer((_req, res) => {
    const step = Math.floor((Date.now() - started) / setup.stepMs);
    const lines = expanded.flatMap((s) => {
      const value = s.values[Math.min(step, s.values.length - 1)];
      return value === undefined ? [] : [`${s.name}${s.labels} ${value}`];
    });
    res.end(`${lines.join('\n')}\n`);
  });
  const capture = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const receiver = decodeURIComponent((req.url ?? '').split('/').pop() ?? '');
      for (const alert of (JSON.parse(body || '{}').alerts ?? []) as Array<{ labels: Record<string, string> }>) {
        received.push({ receiver, alert: alert.labels.alertname, at: (Date.now() - started) / 1000 });
      }
      res.end('ok');
    });
  });
  try {
    const [exporterPort, capturePort, promPort, amPort] = [await listen(exporter), await listen(capture), await freePort(), await freePort()];
    fs.writeFileSync(path.join(dir, 'rules.yaml'), setup.rulesYaml);
    fs.writeFileSync(path.join(dir, 'alertmanager.yaml'), toYaml(setup.alertmanagerConfig(`http://127.0.0.1:${capturePort}/capture`)));
    fs.writeFileSync(path.join(dir, 'prometheus.yaml'), toYaml({
      global: { scrape_interval: setup.interval, evaluation_interval: setup.interval },
      rule_files: [path.join(dir, 'rules.yaml')],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }] },
      // honor_labels: the scenario's series carry their own job and instance, as the real targets' would.
      scrape_configs: [{ job_name: 'drill', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${exporterPort}`] }] }],
    }));
    processes.push(spawn('prometheus-alertmanager', [
      `--config.file=${path.join(dir, 'alertmanager.yaml')}`, `--storage.path=${path.join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
    ], { stdio: 'ignore' }));
    processes.push(spawn('prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yaml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ], { stdio: 'ignore' }));
    for (const p of processes) p.on('error', () => undefined);
    const done = () => scenario.expect.every((e) => e.receivers.every((r) => received.some((x) => x.receiver === r && x.alert === e.alert)));
    while (!done() && Date.now() - started < setup.timeoutMs) await new Promise((resolve) => setTimeout(resolve, 250));
    return scenario.expect.map((e) => {
      const delivered: Record<string, number> = {};
      for (const x of received.filter((r) => r.alert === e.alert)) delivered[x.receiver] ??= Math.round(x.at * 10) / 10;
      const got = Object.keys(delivered).sort();
      return { scenario: scenario.name, alert: e.alert, expected: e.receivers, delivered, passed: [...e.receivers].sort().join() === got.join() };
    });
  } finally {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all([exporter, capture].map((s) => new Promise((resolve) => s.close(resolve))));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
