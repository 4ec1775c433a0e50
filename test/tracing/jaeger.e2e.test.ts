// A real Jaeger at the version the stack deploys (all-in-one v1.75.0, built by `o11y tools install`), on 127.0.0.1:
// an OTLP span goes in on the OTLP HTTP port, the way Kelemetry's spans reach jaeger-collector, and comes back out of
// the query API that Grafana's Jaeger datasource and the UI read.
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as crypto from 'crypto';
import * as net from 'net';
import { JAEGER_FLAGS } from '../../src/components/tracing-flags';
import { DEFAULT_IMAGES } from '../../src/core/images';
import { TOOLS, hasTool, toolFile } from '../../src/core/tools';
import { testWithTool } from '../tools';

/** A port nothing listens on now, on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms; Jaeger said:\n${output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Jaeger v1.75.0 (real, on 127.0.0.1)', () => {
  let jaeger: ChildProcess | undefined;
  let log = '';
  const ports: Record<'admin' | 'otlpGrpc' | 'otlpHttp' | 'query' | 'queryGrpc' | 'grpc' | 'http', number> = { admin: 0, otlpGrpc: 0, otlpHttp: 0, query: 0, queryGrpc: 0, grpc: 0, http: 0 };

  beforeAll(async () => {
    if (!hasTool('jaeger')) return;
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    const at = (port: number) => `127.0.0.1:${port}`;
    jaeger = spawn(toolFile('jaeger'), [
      `--admin.http.host-port=${at(ports.admin)}`,
      `--collector.otlp.grpc.host-port=${at(ports.otlpGrpc)}`, `--collector.otlp.http.host-port=${at(ports.otlpHttp)}`,
      `--collector.grpc-server.host-port=${at(ports.grpc)}`, `--collector.http-server.host-port=${at(ports.http)}`,
      `--query.http-server.host-port=${at(ports.query)}`, `--query.grpc-server.host-port=${at(ports.queryGrpc)}`,
    ], {
      // All-in-one traces itself over OTLP gRPC (localhost:4317 by default): into its own receiver, not anyone else's.
      env: { ...process.env, SPAN_STORAGE_TYPE: 'memory', OTEL_EXPORTER_OTLP_ENDPOINT: `http://${at(ports.otlpGrpc)}`, OTEL_EXPORTER_OTLP_INSECURE: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    jaeger.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    jaeger.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(`http://${at(ports.admin)}/`, 30000, () => log);
    await waitFor(`http://${at(ports.query)}/api/services`, 30000, () => log);
  }, 70000);

  afterAll(async () => {
    if (!jaeger || jaeger.exitCode !== null) return;
    const exited = new Promise((r) => jaeger!.once('exit', r));
    jaeger.kill('SIGTERM');
    const killer = setTimeout(() => jaeger!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  });

  test('the Jaeger the tests run is the release of every Jaeger image the stack deploys', () => {
    for (const image of [DEFAULT_IMAGES.jaegerCollector, DEFAULT_IMAGES.jaegerQuery, DEFAULT_IMAGES.jaegerRemoteStorage]) expect(image.tag).toBe(TOOLS.jaeger.version);
    expect(TOOLS.jaeger.moduleVersion).toBe(`v${TOOLS.jaeger.version}`);
  });

  testWithTool('jaeger', `the installed all-in-one reports version ${TOOLS.jaeger.version}, built from ${TOOLS.jaeger.module}`, () => {
    const run = spawnSync(toolFile('jaeger'), ['version'], { encoding: 'utf8', env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } });
    expect(run.stdout).toContain(`"gitVersion":"v${TOOLS.jaeger.version}"`);
  });

  testWithTool('jaeger', 'the Jaeger flags the stack passes are flags of the real binary, for the storage types it uses', () => {
    // Storage options are registered for the SPAN_STORAGE_TYPE in effect only: ask with each type the stack uses.
    const known = new Set(['grpc', 'memory', 'badger'].flatMap((type) => {
      const help = spawnSync(toolFile('jaeger'), ['--help'], { encoding: 'utf8', env: { ...process.env, SPAN_STORAGE_TYPE: type } });
      return [...`${help.stdout}${help.stderr}`.matchAll(/^\s+--([a-z0-9.-]+)/gm)].map((m) => m[1]);
    }));
    const tables = [JAEGER_FLAGS.collector, JAEGER_FLAGS.query, JAEGER_FLAGS['remote-storage']];
    // All-in-one is collector, query and storage in one; only jaeger-remote-storage serves the storage API itself.
    const flags = tables.flatMap((t) => Object.keys(t.flags)).filter((name) => name !== 'grpc.host-port');
    for (const name of flags) expect({ flag: name, known: known.has(name) }).toEqual({ flag: name, known: true });
  });

  testWithTool('jaeger', 'an OTLP span sent to the OTLP HTTP port is read back through the query API', async () => {
    const traceId = crypto.randomBytes(16).toString('hex');
    const spanId = crypto.randomBytes(8).toString('hex');
    const start = BigInt(Date.now()) * 1000000n;
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'kelemetry-e2e' } }] },
        scopeSpans: [{
          spans: [{
            traceId, spanId, name: 'Deployment monitoring/grafana', kind: 1,
            startTimeUnixNano: String(start), endTimeUnixNano: String(start + 1000000000n),
            attributes: [{ key: 'cluster', value: { stringValue: 'lab' } }],
          }],
        }],
      }],
    };
    const sent = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect(sent.status).toBe(200);
    // The collector's queue writes to storage asynchronously: poll briefly.
    let trace: { data?: Array<{ spans: Array<{ spanID: string; operationName: string; tags: Array<{ key: string; value: unknown }> }>; processes: Record<string, { serviceName: string }> }> } = {};
    for (let i = 0; i < 50 && !trace.data?.length; i++) {
      const answer = await fetch(`http://127.0.0.1:${ports.query}/api/traces/${traceId}`);
      if (answer.ok) trace = await answer.json() as typeof trace;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(trace.data).toHaveLength(1);
    const [span] = trace.data![0].spans;
    expect(span).toMatchObject({ spanID: spanId, operationName: 'Deployment monitoring/grafana' });
    expect(span.tags).toContainEqual({ key: 'cluster', type: 'string', value: 'lab' });
    expect(Object.values(trace.data![0].processes).map((p) => p.serviceName)).toEqual(['kelemetry-e2e']);
    const services = await (await fetch(`http://127.0.0.1:${ports.query}/api/services`)).json() as { data: string[] };
    expect(services.data).toContain('kelemetry-e2e');
  }, 30000);
});
