// The OpenTelemetry Collector path proven on the real software: every configuration the stack writes is accepted by
// `otelcol validate` (the Collector built from exactly the components the stack uses, at its image's release), and
// on 127.0.0.1 a real node_exporter scraped by the Collector reaches a real Prometheus with the labels the catalogue
// expects, a catalogue alert fires on what arrives, and OTLP metrics pushed by a client arrive with their labels.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { collectorConfig, type CollectorConfig } from '../../src/otel/config';
import { exporterScrapeConfig } from '../../src/components/otel-collector';
import { OTEL_COLLECTOR_METRICS } from '../../src/rules/catalogue/otel-collector';
import { scaleRuleGroups } from '../../src/drill/scale';
import { renderGroups } from '../../src/rules/render';
import { TOOLS, toolFile } from '../../src/core/tools';
import { toYaml } from '../../src/core/yaml';
import type { StackValues } from '../../src';
import { find, render, renderError } from '../helpers';
import { freePort, runTool, testWithTool } from '../tools';

const written = (values: StackValues): string => (find(render(values), 'ConfigMap', 'otel-collector').data as Record<string, string>)['config.yaml'];

const VARIANTS: Record<string, StackValues['otelCollector']> = {
  'the example stack (scraping, OTLP, traces)': { enabled: true, traces: { endpoint: 'jaeger-collector.tracing.svc:4317', insecure: true } },
  'metrics by OTLP to Prometheus': { enabled: true, metricsTo: 'otlp' },
  'OTLP only, without pod metadata': { enabled: true, scrapeExporters: false, k8sAttributes: false, replicas: 2 },
  'scraping only, OTLP over gRPC only': { enabled: true, otlp: { grpc: true, http: false } },
};

describe('the Collector configuration', () => {
  for (const [title, otelCollector] of Object.entries(VARIANTS)) {
    testWithTool('otelcol', `otelcol validate accepts it: ${title}`, () => {
      // The Collector checks that the scrapes' token file exists: the pod's ServiceAccount token, here a file beside it.
      const config = written({ otelCollector }).replaceAll('/var/run/secrets/kubernetes.io/serviceaccount/token', 'token');
      const run = runTool('otelcol', ['validate', '--config=config.yaml'], { 'config.yaml': config, token: 'a-service-account-token' });
      expect(run.output).toBe('');
      expect(run.status).toBe(0);
    });
  }

  testWithTool('otelcol', 'a pipeline that names an undefined exporter is refused by the analyzer, as by the Collector', () => {
    const ops = [{ op: 'replace' as const, path: '/data/config.yaml', value: written({ otelCollector: { enabled: true } }).replace('- prometheus_remote_write', '- prometheus_remote_writ') }];
    const message = renderError({ otelCollector: { enabled: true }, patches: [{ kind: 'ConfigMap', name: 'otel-collector', ops }] });
    expect(message).toContain("ConfigMap otel-collector › config.yaml.service.pipelines.metrics/scrape.exporters[0]: names exporter 'prometheus_remote_writ', which is not defined");
    const run = runTool('otelcol', ['validate', '--config=config.yaml'], { 'config.yaml': ops[0].value });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('prometheus_remote_writ');
  });

  test('Prometheus stops scraping the exporters the Collector scrapes, lets the Collector push, and the exporters let it in', () => {
    const stack = render({ otelCollector: { enabled: true } });
    expect(stack.objects.filter((o) => o.manifest.kind === 'ServiceMonitor').map((o) => o.manifest.metadata.name)).not.toEqual(expect.arrayContaining(['node-exporter']));
    expect(stack.objects.some((o) => o.manifest.kind === 'ServiceMonitor' && /node-exporter|kube-state-metrics/.test(o.manifest.metadata.name))).toBe(false);
    expect((find(stack, 'Prometheus', 'k8s').spec as Record<string, unknown>).enableRemoteWriteReceiver).toBe(true);
    const policy = find(stack, 'NetworkPolicy', 'node-exporter').spec as { ingress: Array<{ from: Array<{ podSelector?: { matchLabels: Record<string, string> } }> }> };
    expect(policy.ingress[0].from[0].podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/instance': 'test' });
  });

  test('values the Collector cannot run with are refused, naming the field', () => {
    expect(renderError({ otelCollector: { enabled: true, replicas: 2 } })).toContain('otelCollector.replicas: 2 replicas would each scrape every exporter: every series twice or more');
    expect(renderError({ otelCollector: { enabled: true, traces: { endpoint: 'http://jaeger:4317' } } })).toContain("otelCollector.traces.endpoint: 'http://jaeger:4317' is not host:port");
    expect(renderError({ otelCollector: { enabled: true }, prometheus: { enabled: false } })).toContain('otelCollector.enabled: the Collector sends its metrics to the stack\'s Prometheus, which is disabled');
  });
});

// ---- end to end, on 127.0.0.1 ----

async function getJson(url: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs / 1000}s\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Each time unit of the rules and of scraping divided by this: TargetDown's 10m `for` takes 10 s. */
const SCALE = 60;

describe('end to end: node_exporter -> Collector -> Prometheus', () => {
  testWithTool(['otelcol', 'prometheus', 'node_exporter'], 'the exporter\'s series arrive with their labels, TargetDown fires when it dies, and pushed OTLP metrics arrive', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-otel-'));
    const children: Array<{ name: string; child: ChildProcess; log: string }> = [];
    const start = (name: string, args: string[]) => {
      const log = path.join(dir, `${name}.log`);
      const child = spawn(toolFile(name as 'prometheus'), args, { stdio: ['ignore', 'ignore', fs.openSync(log, 'w')] });
      children.push({ name, child, log });
      return child;
    };
    const logs = () => children.map((c) => `--- ${c.name}\n${fs.existsSync(c.log) ? fs.readFileSync(c.log, 'utf8').split('\n').slice(-15).join('\n') : ''}`).join('\n');
    try {
      const [nodePort, promPort, grpcPort, httpPort, metricsPort, healthPort] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => freePort()));
      const prometheus = `http://127.0.0.1:${promPort}`;
      // The catalogue's rules, scaled, as the stack writes them.
      const stack = render({ common: { clusterName: 'e2e' }, otelCollector: { enabled: true } });
      const groups = stack.model.rules.flatMap((s) => s.groups);
      fs.writeFileSync(path.join(dir, 'rules.yaml'), toYaml({ groups: scaleRuleGroups(renderGroups(groups, 'https://runbooks.invalid').groups, SCALE) }));
      fs.writeFileSync(path.join(dir, 'prometheus.yaml'), toYaml({ global: { evaluation_interval: '1s' }, rule_files: [path.join(dir, 'rules.yaml')] }));
      // The stack's scrape config for node-exporter, its Kubernetes discovery replaced by the one target here.
      const cluster = parse(written({ otelCollector: { enabled: true } })) as CollectorConfig;
      const nodeExporterJob = exporterScrapeConfig('node-exporter', 'monitoring', 'metrics', { instanceIsNode: true });
      const staticTarget = {
        job_name: nodeExporterJob.job_name,
        static_configs: [{ targets: [`127.0.0.1:${nodePort}`], labels: { namespace: 'monitoring', service: 'node-exporter', pod: 'node-exporter-x2k4p', endpoint: 'metrics' } }],
        relabel_configs: [{ action: 'replace', target_label: 'job', replacement: 'node-exporter' }, { action: 'replace', target_label: 'instance', replacement: 'node-a' }],
      };
      const config = collectorConfig({
        listenHost: '127.0.0.1',
        ports: { otlpGrpc: grpcPort, otlpHttp: httpPort, metrics: metricsPort, health: healthPort },
        scrapeConfigs: [staticTarget],
        scrapeInterval: '1s',
        metricsTo: { protocol: 'remoteWrite', prometheusUrl: prometheus },
        otlp: { grpc: true, http: true },
        // k8sattributes needs a Kubernetes API to watch: the one part of the stack's pipeline not run here.
        k8sAttributes: false,
        clusterName: 'e2e',
      });
      // The rest of the pipeline is the stack's own: same processors, same exporter settings.
      expect(config.processors.memory_limiter).toEqual(cluster.processors.memory_limiter);
      expect(Object.keys(config.exporters)).toEqual(Object.keys(cluster.exporters));
      fs.writeFileSync(path.join(dir, 'otelcol.yaml'), toYaml(config));

      start('prometheus', [
        `--config.file=${path.join(dir, 'prometheus.yaml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`, '--web.enable-remote-write-receiver',
      ]);
      const nodeExporter = start('node_exporter', [`--web.listen-address=127.0.0.1:${nodePort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.loadavg']);
      start('otelcol', [`--config=${path.join(dir, 'otelcol.yaml')}`]);

      const query = async (q: string) => {
        const body = await getJson(`${prometheus}/api/v1/query?query=${encodeURIComponent(q)}`);
        const result = body?.data?.result as Array<{ metric: Record<string, string>; value: [number, string] }> | undefined;
        return result?.length ? result : undefined;
      };
      const [cpu] = await until('node_exporter series did not arrive through the Collector', () => query('node_cpu_seconds_total{mode="idle"}'), 60000, logs);
      expect(cpu.metric).toMatchObject({ job: 'node-exporter', instance: 'node-a', namespace: 'monitoring', service: 'node-exporter', pod: 'node-exporter-x2k4p' });
      expect(await query('node_memory_MemAvailable_bytes{job="node-exporter", instance="node-a"}')).toBeDefined();
      const [up] = await until('up did not arrive', () => query('up{job="node-exporter"}'), 20000, logs);
      expect(up.value[1]).toBe('1');

      // OTLP/HTTP JSON from an application: its resource names the job and instance.
      const now = `${Date.now()}000000`;
      const otlp = {
        resourceMetrics: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }, { key: 'service.instance.id', value: { stringValue: 'checkout-7d9f-x2k4p' } }] },
          scopeMetrics: [{ metrics: [{ name: 'checkout_queue_length', gauge: { dataPoints: [{ asInt: '42', timeUnixNano: now, attributes: [{ key: 'queue', value: { stringValue: 'orders' } }] }] } }] }],
        }],
      };
      const pushed = await fetch(`http://127.0.0.1:${httpPort}/v1/metrics`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(otlp), signal: AbortSignal.timeout(5000) });
      expect(pushed.status).toBe(200);
      const [queue] = await until('the OTLP metric did not arrive', () => query('checkout_queue_length'), 30000, logs);
      expect(queue.metric).toMatchObject({ job: 'checkout', instance: 'checkout-7d9f-x2k4p', queue: 'orders' });
      expect(queue.value[1]).toBe('42');
      // The resource processor's cluster name, on the application's target_info.
      expect(await query('target_info{job="checkout", k8s_cluster_name="e2e"}')).toBeDefined();

      // The exporter dies: the Collector reports its target down, and the catalogue's TargetDown fires on that.
      nodeExporter.kill('SIGKILL');
      const firing = await until('TargetDown did not fire', async () => {
        const alerts = (await getJson(`${prometheus}/api/v1/alerts`))?.data?.alerts as Array<{ labels: Record<string, string>; state: string }> | undefined;
        return alerts?.find((a) => a.labels.alertname === 'TargetDown' && a.state === 'firing');
      }, 90000, logs);
      expect(firing.labels).toMatchObject({ job: 'node-exporter', namespace: 'monitoring', service: 'node-exporter', severity: 'warning' });

      // The Collector's own telemetry has the metrics its alerts read.
      const telemetry = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) })).text();
      const exposed = new Set(telemetry.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
      for (const metric of ['otelcol_receiver_accepted_metric_points', 'otelcol_exporter_sent_metric_points', 'otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity', 'otelcol_process_uptime']) {
        expect([metric, exposed.has(metric)]).toEqual([metric, true]);
      }
      // Every name the catalogue declares that the Collector already exposes is spelled as it spells it.
      const declared = OTEL_COLLECTOR_METRICS.filter((m) => m.startsWith('otelcol_process_') || m.startsWith('otelcol_receiver_accepted'));
      for (const metric of declared.filter((m) => !m.endsWith('_spans'))) expect([metric, exposed.has(metric)]).toEqual([metric, true]);
    } finally {
      for (const c of children) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => (c.child.exitCode === null && c.child.signalCode === null ? new Promise((resolve) => c.child.once('exit', resolve)) : undefined)));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240000);
});

testWithTool('otelcol', `the installed otelcol reports version ${TOOLS.otelcol.version} and has exactly the stack's components`, () => {
  const run = spawnSync(toolFile('otelcol'), ['--version'], { encoding: 'utf8' });
  expect(run.stdout.trim()).toBe(`otelcol version ${TOOLS.otelcol.version}`);
  const components = spawnSync(toolFile('otelcol'), ['components'], { encoding: 'utf8' }).stdout;
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    for (const c of TOOLS.otelcol.collector![kind]) expect([kind, c.type, components.includes(`name: ${c.type}`)]).toEqual([kind, c.type, true]);
  }
});
