import { Testing } from 'cdk8s';
import { Applications } from '../../src/components/applications';
import { at, find, objectsOf, render, renderError } from '../helpers';
import { describeWithSharedCrds } from '../crd-schemas';
import { runTool, testWithTool } from '../tools';
import { toYaml } from '../../src/core/yaml';
import { common, only, synth } from './props';
import { prerequisitesReport, referencedSecrets } from '../../src/analyze/prerequisites';
import type { ApplicationMonitor } from '../../src/components/applications';

const shop = {
  name: 'checkout',
  namespace: 'shop',
  selector: { app: 'checkout' },
  port: 'metrics',
  records: [{ record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total[5m]))' }],
  alerts: [
    { alert: 'CheckoutDown', expr: 'up{job="checkout"} == 0', for: '5m', severity: 'critical' as const, summary: 'Checkout is down.', description: '{{ $labels.instance }} is down.' },
  ],
};
const cart = { name: 'cart', namespace: 'shop', selector: { app: 'cart' }, port: 'http' };
const worker = { name: 'worker', namespace: 'jobs', kind: 'PodMonitor' as const, selector: { app: 'worker' }, port: 'metrics', path: '/stats', interval: '1m' };

describe('applications component', () => {
  const objects = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [shop, cart] }));
  const stack = render({ applications: [shop, cart] });

  test('a ServiceMonitor per application, in the stack namespace, selecting the app namespace, job named after the app', () => {
    const monitor = only(objects, 'ServiceMonitor', 'checkout');
    expect(at(monitor, 'metadata.namespace')).toBe('monitoring');
    expect(at(monitor, 'spec.namespaceSelector')).toEqual({ matchNames: ['shop'] });
    expect(at(monitor, 'spec.endpoints.0')).toEqual({
      path: '/metrics', port: 'metrics', relabelings: [{ action: 'replace', replacement: 'checkout', targetLabel: 'job' }],
    });
  });

  test('with kind PodMonitor, a PodMonitor selecting the pods and scraping their container port', () => {
    const pods = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [worker] }));
    expect(pods.map((m) => m.kind)).toEqual(['PodMonitor']);
    const monitor = only(pods, 'PodMonitor', 'worker');
    expect(at(monitor, 'spec')).toEqual({
      selector: { matchLabels: { app: 'worker' } },
      namespaceSelector: { matchNames: ['jobs'] },
      podMetricsEndpoints: [{ port: 'metrics', path: '/stats', interval: '1m', relabelings: [{ action: 'replace', replacement: 'worker', targetLabel: 'job' }] }],
    });
  });

  test('an application added with monitor() after the constructor is scraped too, and a name taken is rejected', () => {
    const apps = new Applications(Testing.chart(), 'applications', { ...common(), applications: [cart] });
    expect(apps.monitor(worker).kind).toBe('PodMonitor');
    expect(apps.applications.map((a) => a.name)).toEqual(['cart', 'worker']);
    expect(() => apps.monitor({ ...cart, port: 'other' })).toThrow("monitor('cart'): an application named 'cart' is already monitored");
  });

  test('a PrometheusRule only for applications that bring rules, with severity and summary on each alert', () => {
    expect(objectsOf(stack, 'applications').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`)).toEqual([
      'ServiceMonitor/checkout', 'ServiceMonitor/cart', 'PrometheusRule/checkout',
    ]);
    expect(at(find(stack, 'PrometheusRule', 'checkout'), 'spec.groups.0.rules.1')).toEqual({
      alert: 'CheckoutDown', expr: 'up{job="checkout"} == 0', for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Checkout is down.',
        description: '{{ $labels.instance }} is down.',
        runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/applications/checkoutdown',
      },
    });
  });

  testWithTool('promtool', 'promtool check rules accepts the generated rule file', () => {
    const groups = at(find(stack, 'PrometheusRule', 'checkout'), 'spec');
    const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(groups) });
    expect(result.output).toContain('SUCCESS: 2 rules found');
    expect(result.status).toBe(0);
  });

  testWithTool('promtool', 'promtool rejects a broken rule file (so the check above can fail)', () => {
    const spec = at(find(stack, 'PrometheusRule', 'checkout'), 'spec') as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const broken = { groups: [{ ...spec.groups[0], rules: [{ ...spec.groups[0].rules[1], expr: 'up{job="checkout" == 0' }] }] };
    expect(runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(broken) }).status).not.toBe(0);
  });

  test('a broken expression never gets that far: the synth rejects it, naming the rule and column', () => {
    expect(renderError({ applications: [{ ...shop, alerts: [{ ...shop.alerts[0], expr: 'up{job="checkout" == 0' }] }] })).toContain(
      'applications/checkout › checkout.rules › CheckoutDown: syntax error at column 19',
    );
  });

  describeWithSharedCrds('a PodMonitor', (schemas) => {
    test('is valid against the upstream CRD schema', () => {
      const [monitor] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [worker] }));
      expect(schemas().validate(monitor)).toEqual([]);
    });
  });

  test('matches its snapshot', () => {
    // Rules become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });

  describe('typed scrape targets', () => {
    const payments: ApplicationMonitor = {
      name: 'payments', namespace: 'pay', selector: { app: 'payments' },
      port: 'https', scheme: 'https', scrapeTimeout: '10s', interval: '20s', honorLabels: true,
      params: { collect: ['db', 'queue'] },
      namespaceSelector: { any: true },
      basicAuth: { username: { name: 'payments-scrape', key: 'user' }, password: { name: 'payments-scrape', key: 'password' } },
      tlsConfig: {
        ca: { configMap: { name: 'payments-ca', key: 'ca.crt' } },
        cert: { secret: { name: 'payments-client', key: 'tls.crt' } },
        keySecret: { name: 'payments-client', key: 'tls.key' },
        serverName: 'payments.pay.svc',
      },
      relabelings: [
        { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
        { action: 'hashmod', sourceLabels: ['__address__'], targetLabel: '__tmp_shard', modulus: 4 },
        { action: 'keep', sourceLabels: ['__tmp_shard'], regex: '0' },
      ],
      metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_gc_.*|(?i)debug_.*' }],
      endpoints: [{ port: 'admin', path: '/admin/metrics', authorization: { credentials: { name: 'payments-token', key: 'token' } } }],
      sampleLimit: 50000, targetLimit: 20, labelLimit: 40,
    };
    const rendered = render({ applications: [payments] });
    const monitor = find(rendered, 'ServiceMonitor', 'payments');

    test('the monitor carries relabelings, auth, TLS, params and limits exactly, by reference', () => {
      expect(at(monitor, 'spec')).toEqual({
        selector: { matchLabels: { app: 'payments' } },
        namespaceSelector: { any: true },
        sampleLimit: 50000, targetLimit: 20, labelLimit: 40,
        endpoints: [
          {
            port: 'https', path: '/metrics', scheme: 'https', interval: '20s', scrapeTimeout: '10s', honorLabels: true,
            params: { collect: ['db', 'queue'] },
            basicAuth: { username: { name: 'payments-scrape', key: 'user' }, password: { name: 'payments-scrape', key: 'password' } },
            tlsConfig: {
              ca: { configMap: { name: 'payments-ca', key: 'ca.crt' } },
              cert: { secret: { name: 'payments-client', key: 'tls.crt' } },
              keySecret: { name: 'payments-client', key: 'tls.key' },
              serverName: 'payments.pay.svc',
            },
            relabelings: [
              { action: 'replace', targetLabel: 'job', replacement: 'payments' },
              { sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' },
              { action: 'hashmod', sourceLabels: ['__address__'], targetLabel: '__tmp_shard', modulus: 4 },
              { action: 'keep', sourceLabels: ['__tmp_shard'], regex: '0' },
            ],
            metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_gc_.*|(?i)debug_.*' }],
          },
          {
            port: 'admin', path: '/admin/metrics',
            authorization: { type: 'Bearer', credentials: { name: 'payments-token', key: 'token' } },
            relabelings: [{ action: 'replace', targetLabel: 'job', replacement: 'payments' }],
          },
        ],
      });
    });

    test('with jobLabel, the operator names the job: no job relabeling of ours overrides it', () => {
      const [m] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [{ ...cart, jobLabel: 'app.kubernetes.io/name' }] }));
      expect(at(m, 'spec.jobLabel')).toBe('app.kubernetes.io/name');
      expect(at(m, 'spec.endpoints.0')).toEqual({ port: 'http', path: '/metrics' });
    });

    test('a PodMonitor gets the same endpoints as podMetricsEndpoints', () => {
      const [m] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [{ ...payments, kind: 'PodMonitor' }] }));
      expect(at(m, 'spec.podMetricsEndpoints')).toEqual(at(monitor, 'spec.endpoints'));
    });

    test('the Secrets checklist lists each Secret in the stack namespace, where the operator reads it, with its keys', () => {
      const secrets = referencedSecrets(rendered.objects).filter((s) => s.usedBy.includes('ServiceMonitor/payments'));
      expect(secrets.map((s) => [`${s.namespace}/${s.name}`, s.keys])).toEqual([
        ['monitoring/payments-client', ['tls.crt', 'tls.key']],
        ['monitoring/payments-scrape', ['password', 'user']],
        ['monitoring/payments-token', ['token']],
      ]);
      const report = prerequisitesReport(rendered.objects, undefined);
      expect(report).toMatch(/^\| `monitoring` \| `payments-scrape` \| `password`, `user` \| ServiceMonitor\/payments: /m);
      expect(report).toContain('ServiceMonitor/payments: spec.endpoints[1].authorization.credentials (key `token`)');
      // The CA comes from a ConfigMap: not a Secret to make.
      expect(report).not.toContain('payments-ca');
    });

    test('a credential in params is rejected, without its value in the message', () => {
      const token = 'ghp_9fK2mQ7xV4bN8cL1zR6tY3wP5sD0aE2hJ4kM';
      const message = renderError({ applications: [{ ...cart, params: { access_token: [token] } }] });
      expect(message).toContain('applications[0].params.access_token: looks like a credential');
      expect(message).toContain('authorization or basicAuth');
      expect(message).not.toContain(token);
    });

    test.each([
      [{ relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_team'] }] }, 'applications[0].relabelings[0].targetLabel: action replace needs a targetLabel'],
      [{ relabelings: [{ action: 'uppercase' as const, sourceLabels: ['team'] }] }, 'applications[0].relabelings[0].targetLabel: action uppercase needs a targetLabel'],
      [{ metricRelabelings: [{ action: 'drop' as const, sourceLabels: ['__name__'], regex: 'go_(?!gc).*' }] }, 'applications[0].metricRelabelings[0].regex: \'go_(?!gc).*\' uses a lookahead or lookbehind, which RE2 (Prometheus) does not support'],
      [{ relabelings: [{ action: 'keep' as const, sourceLabels: ['a'], regex: '(unclosed' }] }, 'applications[0].relabelings[0].regex: \'(unclosed\' does not compile'],
      [{ relabelings: [{ action: 'hashmod' as const, sourceLabels: ['__address__'], targetLabel: 'shard' }] }, 'applications[0].relabelings[0].modulus: action hashmod needs a modulus of at least 1'],
      [{ relabelings: [{ action: 'labeldrop' as const, regex: 'tmp_.*', targetLabel: 'x' }] }, 'applications[0].relabelings[0]: action labeldrop takes only a regex'],
      [{ endpoints: [{ port: 'admin', relabelings: [{ action: 'lowercase' as const, sourceLabels: ['x'], targetLabel: '1bad' }] }] }, "applications[0].endpoints[0].relabelings[0].targetLabel: '1bad' is not a label name"],
      [{ tlsConfig: { serverName: 'cart' } }, "applications[0].tlsConfig: is set, but the target is scraped over http, so it would not be used"],
      [{ scheme: 'https' as const, tlsConfig: { cert: { secret: { name: 'c', key: 'tls.crt' } } } }, 'applications[0].tlsConfig.keySecret: is missing'],
      [{ basicAuth: { username: { name: 's', key: 'u' }, password: { name: 's', key: 'p' } }, authorization: { credentials: { name: 's', key: 't' } } }, 'applications[0].authorization: is set together with basicAuth'],
      [{ scrapeTimeout: '45s' }, 'applications[0].scrapeTimeout: 45s is longer than the scrape interval (30s)'],
      [{ port: undefined, path: '/x' }, 'applications[0].port: is missing, and there are no endpoints'],
      [{ namespaceSelector: { matchNames: [] } }, 'applications[0].namespaceSelector.matchNames: is empty'],
      [{ sampleLimit: -1 }, 'applications[0].sampleLimit: -1 is not a whole number'],
    ])('bad scrape settings are rejected, naming the field (%#)', (change, expected) => {
      expect(renderError({ applications: [{ ...cart, ...change }] })).toContain(expected);
    });

    test('monitor() in the customize hook is checked the same way, named by the application', () => {
      expect(renderError({}, (stack) => stack.monitor({ ...cart, relabelings: [{ action: 'dropequal', sourceLabels: ['a'] }] }))).toContain(
        "monitor('cart').relabelings[0].targetLabel: action dropequal needs a targetLabel",
      );
    });

    test('RE2 syntax JavaScript spells differently is accepted: named groups and flag groups', () => {
      const ok = { ...cart, metricRelabelings: [{ action: 'keep' as const, sourceLabels: ['__name__'], regex: '(?P<prefix>http)_.*|(?i:GRPC)_.*' }] };
      expect(() => render({ applications: [ok] })).not.toThrow();
    });
  });

  describeWithSharedCrds('typed scrape targets against the upstream CRDs', (schemas) => {
    const full: ApplicationMonitor = {
      ...cart, scheme: 'https', scrapeTimeout: '5s', params: { x: ['y'] }, honorLabels: false,
      tlsConfig: { ca: { secret: { name: 'ca', key: 'ca.crt' } }, insecureSkipVerify: false },
      authorization: { credentials: { name: 'tok', key: 'token' } },
      relabelings: [{ action: 'labelmap', regex: '__meta_kubernetes_service_label_(.+)' }, { action: 'keepequal', sourceLabels: ['a'], targetLabel: 'b' }],
      metricRelabelings: [{ action: 'labelkeep', regex: '__name__|job|instance' }],
      endpoints: [{ port: 'admin', basicAuth: { username: { name: 's', key: 'u' }, password: { name: 's', key: 'p' } } }],
      sampleLimit: 1000, targetLimit: 10, labelLimit: 30, jobLabel: 'app',
    };
    test.each(['ServiceMonitor', 'PodMonitor'] as const)('a %s with every option is valid', (kind) => {
      const [m] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [{ ...full, kind }] }));
      expect(m.kind).toBe(kind);
      expect(schemas().validate(m)).toEqual([]);
    });
    test('and the schema check can fail: a relabeling action the CRD does not list', () => {
      const [m] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [full] }));
      const broken = JSON.parse(JSON.stringify(m)) as { spec: { endpoints: Array<{ relabelings: Array<{ action: string }> }> } };
      broken.spec.endpoints[0].relabelings[1].action = 'LABELMAP';
      expect(schemas().validate(broken as never)).not.toEqual([]);
    });
  });
});
