// node_exporter behind kube-rbac-proxy, started with the args the default stack's node-exporter DaemonSet gives its
// `kube-rbac-proxy` container, against the drill's API server: only Prometheus' token gets the metrics, over TLS.
// And what the drill reads from the model to play that scrape.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { hasTool, toolFile } from '../../src/core/tools';
import { FakeApiServer, serviceAccountUser } from '../../src/drill/fake-apiserver';
import { planDrill } from '../../src/drill/plan';
import { nodeExporterScrape, type ProxiedScrape } from '../../src/drill/proxied-scrape';
import { proxyArgs, proxyEnvironment, proxyScrapeConfig } from '../../src/drill/rbac-proxy';
import { render, tempFolder } from '../helpers';
import { freePort, testWithTool } from '../tools';

const CERT_MANAGER = { common: { scrapeTls: { certManager: { issuer: { name: 'ca', kind: 'ClusterIssuer' as const } } } } };

/** The default stack's proxied scrape of node-exporter; fails the test when the stack has no proxy there. */
function proxiedScrape(values: Parameters<typeof render>[0] = {}): ProxiedScrape {
  const scrape = nodeExporterScrape(render(values).model);
  if ('direct' in scrape) throw new Error(`expected the stack to proxy node-exporter: ${scrape.direct}`);
  return scrape;
}

describe('what the drill reads from the model', () => {
  test('the default stack: the kube-rbac-proxy container\'s args, https with Prometheus\' token, the self-signed certificate not verified', () => {
    const scrape = proxiedScrape();
    expect(scrape.args[0]).toMatch(/^--secure-listen-address=/);
    expect(scrape.args).toContain('--upstream=http://127.0.0.1:9100/');
    expect(scrape).toMatchObject({ scheme: 'https', sendsToken: true, metricsPath: '/metrics', port: 'https', tls: { insecureSkipVerify: true }, secrets: [] });
    // The RBAC the stack binds: the proxy may create reviews, Prometheus may get /metrics.
    expect(scrape.proxyUser.username).toBe('system:serviceaccount:monitoring-node:node-exporter');
    expect(scrape.proxyUser.rules).toEqual([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]);
    expect(scrape.prometheusUser.username).toBe('system:serviceaccount:monitoring:prometheus-k8s');
    expect(scrape.prometheusUser.rules).toContainEqual({ nonResourceURLs: ['/metrics', '/metrics/cadvisor', '/metrics/probes'], verbs: ['get'] });
  });

  test('only the addresses change, and --kubeconfig is added; the rest of the args are the stack\'s', () => {
    const scrape = proxiedScrape();
    const args = proxyArgs(scrape, { listenPort: 4443, upstreamPort: 19100, kubeconfig: '/tmp/k' });
    expect(args).toEqual([
      '--secure-listen-address=127.0.0.1:4443', '--upstream=http://127.0.0.1:19100/',
      ...scrape.args.filter((a) => !/^--(secure-listen-address|upstream)=/.test(a)), '--kubeconfig=/tmp/k',
    ]);
    expect(args.some((a) => a.startsWith('--tls-cipher-suites=TLS_ECDHE_'))).toBe(true);
  });

  test('with cert-manager: the drill issues the Certificate\'s Secret, for the proxy\'s args and Prometheus\' CA and serverName', async () => {
    const scrape = proxiedScrape(CERT_MANAGER);
    expect(scrape.tls).toEqual({ insecureSkipVerify: false, serverName: 'node-exporter.monitoring-node.svc', ca: { secret: 'node-exporter-tls', key: 'ca.crt' } });
    expect(scrape.secrets).toEqual([{ secret: 'node-exporter-tls', mountPath: '/etc/tls/private', dnsNames: expect.arrayContaining(['node-exporter.monitoring-node.svc']) }]);
    const env = await proxyEnvironment(scrape, tempFolder('o11y-proxy-env-'));
    try {
      const folder = env.secrets['node-exporter-tls'];
      expect(fs.readdirSync(folder).sort()).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
      const args = proxyArgs(scrape, { listenPort: 4443, upstreamPort: 19100, kubeconfig: env.kubeconfig, secrets: env.secrets });
      expect(args).toContain(`--tls-cert-file=${folder}/tls.crt`);
      expect(args).toContain(`--tls-private-key-file=${folder}/tls.key`);
      expect(proxyScrapeConfig(scrape, env, 'node-exporter', '127.0.0.1:4443', {})).toEqual({
        job_name: 'node-exporter', scheme: 'https', metrics_path: '/metrics',
        authorization: { type: 'Bearer', credentials_file: env.tokenFile },
        tls_config: { server_name: 'node-exporter.monitoring-node.svc', ca_file: path.join(folder, 'ca.crt') },
        static_configs: [{ targets: ['127.0.0.1:4443'], labels: {} }],
      });
    } finally {
      await env.stop();
    }
  });

  test('a stack without the proxy container is scraped directly, and the drill says so', () => {
    const values = { patches: [{ kind: 'DaemonSet', name: 'node-exporter', ops: [{ op: 'remove' as const, path: '/spec/template/spec/containers/1' }] }] };
    const stack = render(values);
    expect(nodeExporterScrape(stack.model)).toEqual({ direct: 'the stack\'s node-exporter DaemonSet has no kube-rbac-proxy container' });
    const scenario = planDrill(stack.model, 60).scenarios.find((s) => s.name === 'node_exporter stopped')!;
    expect(scenario.nodeExporter?.proxy).toBeUndefined();
    expect(scenario.origin).toBe('built-in: a real node_exporter, scraped directly (the stack\'s node-exporter DaemonSet has no kube-rbac-proxy container), stopped by the drill');
  });
});

interface Response { status: number; body: string }

function get(url: string, token?: string): Promise<Response> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    // The proxy's own self-signed certificate, as the stack's ServiceMonitor says: not verified.
    const req = client.get(url, { rejectUnauthorized: false, headers: token ? { Authorization: `Bearer ${token}` } : {}, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within 5s`)));
    req.on('error', reject);
  });
}

describe('node_exporter behind the stack\'s kube-rbac-proxy', () => {
  const TOKENS = { proxy: 'proxy-token', prometheus: 'prometheus-token', other: 'other-token' };
  const processes: ChildProcess[] = [];
  const logs: string[] = [];
  let api: FakeApiServer | undefined;
  let proxyUrl = '';
  let nodeExporter: ChildProcess | undefined;

  beforeAll(async () => {
    if (!hasTool('node_exporter') || !hasTool('kube-rbac-proxy')) return;
    const scrape = proxiedScrape();
    const dir = tempFolder('o11y-rbac-proxy-');
    api = await FakeApiServer.start({
      [TOKENS.proxy]: scrape.proxyUser,
      [TOKENS.prometheus]: scrape.prometheusUser,
      // Authenticated, but granted nothing.
      [TOKENS.other]: serviceAccountUser('default', 'app', []),
    });
    const kubeconfig = path.join(dir, 'kubeconfig');
    api.writeKubeconfig(kubeconfig, TOKENS.proxy);
    const [nodePort, proxyPort] = [await freePort(), await freePort()];
    const start = (command: string, args: string[]) => {
      const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
      processes.push(child);
      return child;
    };
    nodeExporter = start(toolFile('node_exporter'), [`--web.listen-address=127.0.0.1:${nodePort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.loadavg']);
    start(toolFile('kube-rbac-proxy'), proxyArgs(scrape, { listenPort: proxyPort, upstreamPort: nodePort, kubeconfig }));
    proxyUrl = `https://127.0.0.1:${proxyPort}`;
    // Listening once it answers (401 without a token); it makes itself a certificate first.
    for (const until = Date.now() + 30000; ;) {
      if ((await get(`${proxyUrl}/metrics`).catch(() => undefined))?.status === 401) break;
      if (Date.now() > until) throw new Error(`kube-rbac-proxy did not listen within 30s:\n${logs.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGKILL');
    await api?.stop();
  });

  const tools = ['node_exporter', 'kube-rbac-proxy'] as const;
  testWithTool([...tools], 'an https scrape with Prometheus\' token gets node_exporter\'s metrics, reviewed by the API server', async () => {
    const scraped = await get(`${proxyUrl}/metrics`, TOKENS.prometheus);
    expect(scraped.status).toBe(200);
    expect(scraped.body).toMatch(/^node_cpu_seconds_total\{/m);
    expect(scraped.body).toMatch(/^node_load1 /m);
    // The proxy asked the API server, with its own ServiceAccount's token: who is this, and may they get /metrics?
    const asked = api!.requests.filter((r) => r.review && 'authenticated' in r.review && r.review.authenticated === 'system:serviceaccount:monitoring:prometheus-k8s');
    expect(asked).toEqual([{ method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', caller: 'system:serviceaccount:monitoring-node:node-exporter', status: 201, review: { authenticated: 'system:serviceaccount:monitoring:prometheus-k8s' } }]);
    expect(api!.requests).toContainEqual({
      method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', caller: 'system:serviceaccount:monitoring-node:node-exporter', status: 201,
      review: { user: 'system:serviceaccount:monitoring:prometheus-k8s', attributes: { path: '/metrics', verb: 'get' }, allowed: true },
    });
  });

  testWithTool([...tools], 'without a token: 401, and an unknown token: 401', async () => {
    expect((await get(`${proxyUrl}/metrics`)).status).toBe(401);
    expect((await get(`${proxyUrl}/metrics`, 'stolen')).status).toBe(401);
  });

  testWithTool([...tools], 'the token of a user the stack grants nothing: 403', async () => {
    const denied = await get(`${proxyUrl}/metrics`, TOKENS.other);
    expect(denied.status).toBe(403);
    expect(denied.body).not.toMatch(/^node_/m);
  });

  testWithTool([...tools], 'plain http to the proxy\'s port gets no metrics', async () => {
    const plain = await get(proxyUrl.replace('https:', 'http:') + '/metrics', TOKENS.prometheus).catch((e: Error) => ({ status: 0, body: e.message }));
    // Go's TLS server answers a plain HTTP request with 400 and closes.
    expect(plain.status).toBe(400);
    expect(plain.body).not.toMatch(/^node_/m);
  });

  testWithTool([...tools], 'the proxy asked the API server for nothing but reviews (no discovery at startup)', () => {
    expect(new Set(api!.requests.map((r) => `${r.method} ${r.path}`))).toEqual(new Set([
      'POST /apis/authentication.k8s.io/v1/tokenreviews', 'POST /apis/authorization.k8s.io/v1/subjectaccessreviews',
    ]));
    expect(api!.requests.every((r) => r.caller === 'system:serviceaccount:monitoring-node:node-exporter')).toBe(true);
  });

  testWithTool([...tools], 'node_exporter stopped, the proxy still running: 502, a failed scrape (what the drill\'s TargetDown rests on)', async () => {
    nodeExporter!.kill('SIGKILL');
    await new Promise((resolve) => nodeExporter!.once('exit', resolve));
    expect((await get(`${proxyUrl}/metrics`, TOKENS.prometheus)).status).toBe(502);
  });
});

testWithTool('kube-rbac-proxy', 'with cert-manager, the proxy serves the drill-issued certificate, which verifies by its CA for the Service\'s name only', async () => {
  const scrape = proxiedScrape(CERT_MANAGER);
  const env = await proxyEnvironment(scrape, tempFolder('o11y-rbac-proxy-tls-'));
  const port = await freePort();
  const proxy = spawn(toolFile('kube-rbac-proxy'), proxyArgs(scrape, { listenPort: port, upstreamPort: await freePort(), kubeconfig: env.kubeconfig, secrets: env.secrets }), { stdio: 'ignore' });
  try {
    const ca = fs.readFileSync(path.join(env.secrets['node-exporter-tls'], 'ca.crt'));
    const handshake = (servername: string) => new Promise<number>((resolve, reject) => {
      const req = https.get(`https://127.0.0.1:${port}/metrics`, { ca, servername, timeout: 5000 }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    let status: number | undefined;
    for (const until = Date.now() + 30000; status === undefined && Date.now() < until;) {
      status = await handshake('node-exporter.monitoring-node.svc').catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ECONNREFUSED') throw e;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200));
      });
    }
    // Verified, then refused for want of a token: TLS held.
    expect(status).toBe(401);
    await expect(handshake('node-exporter.other.svc')).rejects.toThrow(/does not match certificate's altnames/);
  } finally {
    proxy.kill('SIGKILL');
    await env.stop();
  }
}, 60000);
