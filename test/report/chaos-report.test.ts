// `o11y chaos report` on a real Prometheus: an hour of cluster history (backfilled with promtool, as
// kube-state-metrics and the rule engine would have written it) with two chaos runs of the chaos example stack, one
// that kept its contract and one that did not. The JSON report validates against its versioned schema.
import Ajv from 'ajv';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import schema from '../../src/report/chaos-report.schema.json';
import { chaosReport, chaosReportMarkdown, type ChaosReport } from '../../src/report/chaos-report';
import { ApiClient, authFrom, PrometheusApi } from '../../src/report/prometheus-api';
import { parseTime } from '../../src/cli/chaos';
import { loadStackFile } from '../../src/load/stack-file';
import { buildStack } from '../../src/synth/pipeline';
import { toolFile } from '../../src/core/tools';
import { drillTest, freePort, testWithTool } from '../tools';

const FROM = Date.parse('2026-06-01T10:00:00Z') / 1000;
const TO = FROM + 3600;
const minute = (m: number) => FROM + m * 60;

/** OpenMetrics samples every 30 s of the hour: `value(t)` per series. */
function history(series: Array<{ name: string; labels: Record<string, string>; value: (t: number) => number | undefined }>): string {
  const lines: string[] = [];
  const byName = new Map<string, typeof series>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  for (const [name, list] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of list) {
      const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${v}"`).join(',');
      for (let t = FROM - 600; t <= TO; t += 30) {
        const v = s.value(t);
        if (v !== undefined) lines.push(`${name}{${labels}} ${v} ${t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

const between = (from: number, to: number) => (t: number) => (t >= from && t < to ? 1 : 0);
const always = () => 1;
const KSM = { job: 'kube-state-metrics', instance: '10.0.0.9:8080' };

const CLUSTER_HISTORY = history([
  // checkout-pod-failure ran 10:10 to 10:30 and checkout-dns-errors 10:40 to 10:50 (AllInjected, via kube-state-metrics).
  { name: 'kube_customresource_chaos_podchaos_injected', labels: { ...KSM, namespace: 'shop', name: 'checkout-pod-failure-x7k2p', schedule: 'checkout-pod-failure' }, value: between(minute(10), minute(30)) },
  { name: 'kube_customresource_chaos_dnschaos_injected', labels: { ...KSM, namespace: 'shop', name: 'checkout-dns-errors-q8w2z', schedule: 'checkout-dns-errors' }, value: between(minute(40), minute(50)) },
  // Two checkout pods: b fails during the pod failure and comes back.
  { name: 'kube_pod_info', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-a' }, value: always },
  { name: 'kube_pod_info', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-b' }, value: always },
  { name: 'kube_pod_status_ready', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-a', condition: 'true' }, value: always },
  { name: 'kube_pod_status_ready', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-b', condition: 'true' }, value: (t) => 1 - between(minute(10), minute(31))(t) },
  { name: 'kube_pod_created', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-a' }, value: always },
  { name: 'kube_pod_created', labels: { ...KSM, namespace: 'shop', pod: 'checkout-6d5f8b7c9-b' }, value: always },
  { name: 'kube_deployment_created', labels: { ...KSM, namespace: 'shop', deployment: 'checkout' }, value: always },
  { name: 'kube_namespace_created', labels: { ...KSM, namespace: 'shop' }, value: always },
  { name: 'kube_namespace_created', labels: { ...KSM, namespace: 'monitoring' }, value: always },
  ...['cp-1', 'node-1', 'node-2'].flatMap((node) => [
    { name: 'kube_node_info', labels: { ...KSM, node, kubelet_version: node === 'node-2' ? 'v1.34.1' : 'v1.34.2' }, value: always },
    { name: 'kube_node_role', labels: { ...KSM, node, role: node === 'cp-1' ? 'control-plane' : 'worker' }, value: always },
  ]),
  // What the rule engine recorded: the replicas mismatch 16 minutes into the pod failure; nothing for the DNS errors;
  // and a critical alert that is still firing at the end.
  { name: 'ALERTS', labels: { alertname: 'KubeDeploymentReplicasMismatch', alertstate: 'firing', severity: 'warning', namespace: 'shop', deployment: 'checkout' }, value: (t) => (t >= minute(26) && t < minute(33) ? 1 : undefined) },
  { name: 'ALERTS', labels: { alertname: 'KubeDeploymentReplicasMismatch', alertstate: 'pending', severity: 'warning', namespace: 'shop', deployment: 'checkout' }, value: (t) => (t >= minute(11) && t < minute(26) ? 1 : undefined) },
  { name: 'ALERTS', labels: { alertname: 'PaymentsDown', alertstate: 'firing', severity: 'critical', namespace: 'shop' }, value: (t) => (t >= minute(45) ? 1 : undefined) },
]);

const stack = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/chaos.ts')));
const schedules = stack.values.chaos.schedules;

describe('chaos report from a real Prometheus', () => {
  let dir: string;
  let prometheus: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-report-'));
    if (!fs.existsSync(toolFile('prometheus')) || !fs.existsSync(toolFile('promtool'))) return;
    fs.writeFileSync(path.join(dir, 'history.om'), CLUSTER_HISTORY);
    const backfill = spawnSync(toolFile('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'history.om'), path.join(dir, 'tsdb')], { encoding: 'utf8' });
    if (backfill.status !== 0) throw new Error(`promtool backfill failed: ${backfill.stderr}`);
    fs.writeFileSync(path.join(dir, 'prometheus.yaml'), 'global: {}\n');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    prometheus = spawn(toolFile('prometheus'), [
      `--config.file=${path.join(dir, 'prometheus.yaml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      '--storage.tsdb.retention.time=100y', `--web.listen-address=127.0.0.1:${port}`,
    ], { stdio: 'ignore' });
    const deadline = Date.now() + 30000;
    for (;;) {
      const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline) throw new Error('Prometheus did not become ready');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 60000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill('SIGKILL');
      await new Promise((resolve) => prometheus!.once('exit', resolve));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let report: ChaosReport;
  const make = async () => (report ??= await chaosReport({ stack: 'chaos', schedules, prometheus: new PrometheusApi(new ApiClient(url)), from: FROM, to: TO, sampleSeconds: 30 }));

  testWithTool(['prometheus', 'promtool'], 'each run with its window, its parameters, the pods it took down and whether they came back', async () => {
    const r = await make();
    const podFailure = r.experiments.find((e) => e.schedule === 'checkout-pod-failure')!;
    expect(podFailure.runs.map((run) => [run.name, run.start, run.end])).toEqual([['checkout-pod-failure-x7k2p', '2026-06-01T10:10:00.000Z', '2026-06-01T10:29:30.000Z']]);
    expect(podFailure.parameters).toMatchObject({ experiment: { kind: 'PodChaos', action: 'pod-failure' }, mode: { mode: 'fixed-percent', value: 50 }, duration: '20m' });
    expect(podFailure.pods).toEqual({ affected: ['shop/checkout-6d5f8b7c9-b'], recovered: ['shop/checkout-6d5f8b7c9-b'], replaced: [], notRecovered: [] });
    expect(podFailure.recovered).toBe(true);
    expect(r.experiments.find((e) => e.schedule === 'web-stress')!.runs).toEqual([]);
  });

  testWithTool(['prometheus', 'promtool'], 'contract verdicts count from the run\'s start: one kept, one broken; the report fails', async () => {
    const r = await make();
    const [kept] = r.experiments.find((e) => e.schedule === 'checkout-pod-failure')!.runs[0].contracts;
    expect(kept).toMatchObject({ alert: 'KubeDeploymentReplicasMismatch', within: '25m', firedAt: '2026-06-01T10:26:00.000Z', firedAfterSeconds: 960, passed: true, problems: [] });
    // Without an Alertmanager the receivers are not known, and say so.
    expect(kept.receivers).toEqual({ expected: ['incident-tool'], reached: null });
    const [broken] = r.experiments.find((e) => e.schedule === 'checkout-dns-errors')!.runs[0].contracts;
    expect(broken).toMatchObject({ alert: 'CheckoutMemoryHigh', firedAt: null, passed: false, problems: ['CheckoutMemoryHigh did not fire'] });
    expect(r.passed).toBe(false);
  });

  testWithTool(['prometheus', 'promtool'], 'alerts that fired (pending is not firing), critical ones still firing, and the cluster', async () => {
    const r = await make();
    expect(r.alerts.map((a) => [a.alertname, a.firstFiring, a.lastFiring])).toEqual([
      ['KubeDeploymentReplicasMismatch', '2026-06-01T10:26:00.000Z', '2026-06-01T10:32:30.000Z'],
      ['PaymentsDown', '2026-06-01T10:45:00.000Z', '2026-06-01T11:00:00.000Z'],
    ]);
    expect(r.criticalStillFiring.map((a) => a.alertname)).toEqual(['PaymentsDown']);
    expect(r.cluster).toEqual({
      nodes: 3,
      nodesByRole: { 'control-plane': 1, worker: 2 },
      kubeletVersions: { 'v1.34.1': 1, 'v1.34.2': 2 },
      objects: { Namespace: 2, Pod: 2, Deployment: 1, StatefulSet: 0, DaemonSet: 0, Job: 0, Service: 0, PersistentVolumeClaim: 0 },
    });
  });

  testWithTool(['prometheus', 'promtool'], 'the JSON validates against its versioned schema, and a report missing a field does not', async () => {
    const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
    const r = JSON.parse(JSON.stringify(await make()));
    expect([validate(r), validate.errors]).toEqual([true, null]);
    delete r.experiments[0].pods;
    expect(validate(r)).toBe(false);
    expect(chaosReportMarkdown(await make())).toContain('  - FAIL CheckoutMemoryHigh within 10m: did not fire (CheckoutMemoryHigh did not fire)');
  });

  testWithTool(['prometheus', 'promtool'], 'the CLI writes both files whole and exits 1 when a contract failed', () => {
    const json = path.join(dir, 'report.json');
    const md = path.join(dir, 'report.md');
    const run = spawnSync('node', [path.resolve(__dirname, '../../build/src/cli/main.js'), 'chaos', 'report', 'stacks/chaos.ts', '--prometheus', url,
      '--from', '2026-06-01T10:00:00Z', '--to', '2026-06-01T11:00:00Z', '--json', json, '--md', md], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(run.stdout).toContain('chaos report of chaos: 3 experiments, 2 runs, 2 alerts fired: FAILED');
    expect(run.status).toBe(1);
    expect(JSON.parse(fs.readFileSync(json, 'utf8')).schemaVersion).toBe('o11y.chaos-report/v1');
    expect(fs.readFileSync(md, 'utf8')).toContain('# Chaos report: stack `chaos`');
  });

  testWithTool(['prometheus', 'promtool'], 'the CLI prints the JSON, and nothing else, on stdout with a bare --json or --json -', () => {
    for (const json of [['--json'], ['--json', '-']]) {
      const run = spawnSync('node', [path.resolve(__dirname, '../../build/src/cli/main.js'), 'chaos', 'report', 'stacks/chaos.ts', '--prometheus', url,
        '--from', '2026-06-01T10:00:00Z', '--to', '2026-06-01T11:00:00Z', ...json], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
      expect(run.status).toBe(1);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ schemaVersion: 'o11y.chaos-report/v1', stack: 'chaos', passed: false });
      expect(report.experiments).toHaveLength(3);
      expect(fs.existsSync(path.resolve(__dirname, '../..', '-'))).toBe(false);
    }
  });
});

describe('chaos report input', () => {
  test('times: RFC 3339, unix seconds, now and now minus a duration; anything else is named', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    expect(parseTime('2026-12-03T09:00:00Z', '--from', now)).toBe(now / 1000 - 3600);
    expect(parseTime('now-2h', '--from', now)).toBe(now / 1000 - 7200);
    expect(parseTime('1780308000', '--from', now)).toBe(1780308000);
    expect(() => parseTime('yesterday', '--from', now)).toThrow("--from: 'yesterday' is not a time");
  });

  test('credentials come from files or the environment, never from a URL on the command line', () => {
    const file = path.join(os.tmpdir(), `o11y-token-${process.pid}`);
    fs.writeFileSync(file, 's3cr3t\n');
    try {
      expect(authFrom('PROMETHEUS', { bearerTokenFile: file })).toEqual({ header: 'Bearer s3cr3t' });
      expect(authFrom('PROMETHEUS', { env: { O11Y_PROMETHEUS_BASIC_AUTH: 'u:p' } })).toEqual({ header: `Basic ${Buffer.from('u:p').toString('base64')}` });
    } finally {
      fs.rmSync(file);
    }
    const run = spawnSync('node', [path.resolve(__dirname, '../../build/src/cli/main.js'), 'chaos', 'report', 'stacks/chaos.ts', '--prometheus', 'http://admin:hunter2@localhost:9090'], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--prometheus: holds credentials');
    expect(run.stderr).not.toContain('hunter2');
  });
});

describe('o11y drill --report', () => {
  drillTest('writes the chaos report of every scenario, from the drill\'s real Prometheus and Alertmanager', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-drill-report-'));
    try {
      const run = spawnSync('node', [path.resolve(__dirname, '../../build/src/cli/main.js'), 'drill', 'stacks/chaos.ts', '--report', out], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8', timeout: 240000 });
      expect(run.stdout).toContain('5 passed, 0 failed');
      const report = JSON.parse(fs.readFileSync(path.join(out, 'chaos--checkout-pod-failure-PodChaos.json'), 'utf8'));
      const validate = new Ajv({ strict: true, allErrors: true }).compile(schema);
      expect([validate(report), validate.errors]).toEqual([true, null]);
      const [experiment] = report.experiments;
      expect(experiment.schedule).toBe('checkout-pod-failure');
      expect(experiment.runs).toHaveLength(1);
      // The contract as the drill played it, receivers as the drill's Alertmanager routed them.
      expect(experiment.runs[0].contracts[0]).toMatchObject({ alert: 'KubeDeploymentReplicasMismatch', passed: true, receivers: { expected: ['incident-tool'], reached: ['incident-tool'] } });
      expect(report.passed).toBe(true);
      expect(fs.readFileSync(path.join(out, 'chaos--checkout-pod-failure-PodChaos.md'), 'utf8')).toContain('PASS KubeDeploymentReplicasMismatch within 25m');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 300000);
});
