import { at, find, objectsOf, render, renderError } from '../helpers';
import { describeWithSharedCrds } from '../crd-schemas';
import { prerequisitesReport, referencedSecrets } from '../../src/analyze/prerequisites';
import { neededFlows } from '../../src/analyze/network-flows';
import type { ScrapeConfigValues } from '../../src/components/scrape-configs';
import { OPERATOR_POD_SELECTORS } from '../../src/k8s/names';

const databases: ScrapeConfigValues = {
  name: 'databases',
  staticConfigs: [
    { targets: ['10.20.0.5:9187', 'db-1.example.com:9187'], labels: { site: 'dc1' } },
    { targets: ['[2001:db8::7]:9182'] },
  ],
  metricsPath: '/probe/metrics',
  scheme: 'https',
  scrapeInterval: '1m',
  scrapeTimeout: '20s',
  basicAuth: { username: { name: 'db-scrape', key: 'user' }, password: { name: 'db-scrape', key: 'password' } },
  tlsConfig: { ca: { secret: { name: 'db-ca', key: 'ca.crt' } }, serverName: 'db.example.com' },
  relabelings: [{ sourceLabels: ['__address__'], regex: '([^:]+):.*', targetLabel: 'host', replacement: '$1' }],
  metricRelabelings: [{ action: 'labeldrop', regex: 'pid' }],
  sampleLimit: 20000,
};

const egressOf = (stack: ReturnType<typeof render>) => at(find(stack, 'NetworkPolicy', 'prometheus-k8s-scrape-configs'), 'spec');

describe('scrape configs: static targets outside service discovery', () => {
  const stack = render({ scrapeConfigs: [databases] });

  test('a ScrapeConfig (v1alpha1) in the stack namespace, job named after it, with auth, TLS and relabelings by reference', () => {
    const sc = find(stack, 'ScrapeConfig', 'databases');
    expect(sc.apiVersion).toBe('monitoring.coreos.com/v1alpha1');
    expect(sc.metadata.namespace).toBe('monitoring');
    expect(sc.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'test', 'app.kubernetes.io/part-of': 'cdk8s-o11y' });
    expect(sc.spec).toEqual({
      jobName: 'databases',
      staticConfigs: [
        { targets: ['10.20.0.5:9187', 'db-1.example.com:9187'], labels: { site: 'dc1' } },
        { targets: ['[2001:db8::7]:9182'] },
      ],
      metricsPath: '/probe/metrics',
      scheme: 'https',
      scrapeInterval: '1m',
      scrapeTimeout: '20s',
      basicAuth: { username: { name: 'db-scrape', key: 'user' }, password: { name: 'db-scrape', key: 'password' } },
      tlsConfig: { ca: { secret: { name: 'db-ca', key: 'ca.crt' } }, serverName: 'db.example.com' },
      relabelings: [{ sourceLabels: ['__address__'], regex: '([^:]+):.*', targetLabel: 'host', replacement: '$1' }],
      metricRelabelings: [{ action: 'labeldrop', regex: 'pid' }],
      sampleLimit: 20000,
    });
  });

  test('Prometheus selects it: the stack\'s own ScrapeConfigs match its scrapeConfigSelector', () => {
    expect(at(find(stack, 'Prometheus', 'k8s'), 'spec.scrapeConfigSelector')).toEqual({});
    const labelled = render({ common: { labels: { team: 'observability' } }, scrapeConfigs: [databases], prometheus: { select: { scrapeConfigs: { matchLabels: { team: 'observability' } } } } });
    expect(find(labelled, 'ScrapeConfig', 'databases').metadata.labels).toMatchObject({ team: 'observability' });
    const flows = neededFlows(labelled.model).filter((f) => f.why.startsWith('Prometheus scrapes ScrapeConfig monitoring/databases'));
    expect(flows).toHaveLength(3);
  });

  test("Prometheus' egress is opened to each target: an IP literal as itself, a name outside the cluster on its port", () => {
    const policy = egressOf(stack) as { podSelector: unknown; policyTypes: string[]; ingress?: unknown; egress: unknown[] };
    expect(policy.podSelector).toEqual({ matchLabels: OPERATOR_POD_SELECTORS.prometheus });
    // Egress only: Prometheus' own policy keeps its ingress.
    expect(policy.policyTypes).toEqual(['Egress']);
    expect(policy.ingress).toBeUndefined();
    expect(policy.egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ port: 9187, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 9187, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '2001:db8::7/128' } }], ports: [{ port: 9182, protocol: 'TCP' }] },
    ]);
  });

  test('a name outside the cluster keeps the cluster ranges out of its egress', () => {
    const inCluster = render({ common: { network: { clusterCidrs: ['10.96.0.0/12'] } }, scrapeConfigs: [{ name: 'vm', staticConfigs: [{ targets: ['vm-1.example.com:9100'] }] }] });
    expect(at(egressOf(inCluster), 'egress')).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.96.0.0/12'] } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 9100, protocol: 'TCP' }] },
    ]);
  });

  test('the flow analyzer checks every target against the policies: removing the egress fails the synth', () => {
    const flows = neededFlows(stack.model).filter((f) => f.need === 'scrape' && f.why.includes('ScrapeConfig'));
    expect(flows.map((f) => f.why)).toEqual([
      'Prometheus scrapes ScrapeConfig monitoring/databases target 10.20.0.5:9187',
      'Prometheus scrapes ScrapeConfig monitoring/databases target db-1.example.com:9187',
      'Prometheus scrapes ScrapeConfig monitoring/databases target [2001:db8::7]:9182',
    ]);
    const message = renderError({
      scrapeConfigs: [databases],
      patches: [{ kind: 'NetworkPolicy', name: 'prometheus-k8s-scrape-configs', ops: [{ op: 'replace', path: '/spec/egress', value: [] }] }],
    });
    expect(message).toContain('Prometheus scrapes ScrapeConfig monitoring/databases target 10.20.0.5:9187');
  });

  test('scrapeConfig() in the customize hook adds a ScrapeConfig, and its targets to the egress', () => {
    const added = render({ scrapeConfigs: [databases] }, (s) => {
      s.scrapeConfig({ name: 'switches', staticConfigs: [{ targets: ['192.0.2.10:9116'] }] });
    });
    expect(objectsOf(added, 'scrape-configs').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`)).toEqual([
      'NetworkPolicy/prometheus-k8s-scrape-configs', 'ScrapeConfig/databases', 'ScrapeConfig/switches',
    ]);
    expect(at(egressOf(added), 'egress')).toContainEqual({ to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: [{ port: 9116, protocol: 'TCP' }] });
    expect(renderError({}, (s) => {
      s.scrapeConfig({ name: 'vm', staticConfigs: [{ targets: ['vm:1'] }] });
      s.scrapeConfig({ name: 'vm', staticConfigs: [{ targets: ['vm:2'] }] });
    })).toContain("scrapeConfig('vm').name: a scrape config named 'vm' already exists");
  });

  test('the analyzers have nothing to say about it: every target is checked, none is left unchecked', () => {
    expect(stack.warnings.filter((w) => `${w.where} ${w.message}`.includes('ScrapeConfig') || w.where.includes('scrape-configs'))).toEqual([]);
  });

  test('without scrape configs, nothing is written', () => {
    expect(objectsOf(render({}), 'scrape-configs')).toEqual([]);
  });

  test('the Secrets checklist lists its Secrets in the stack namespace, where the operator reads them', () => {
    const secrets = referencedSecrets(stack.objects).filter((s) => s.usedBy.includes('ScrapeConfig/databases'));
    expect(secrets.map((s) => [`${s.namespace}/${s.name}`, s.keys])).toEqual([
      ['monitoring/db-ca', ['ca.crt']],
      ['monitoring/db-scrape', ['password', 'user']],
    ]);
    expect(prerequisitesReport(stack.objects, undefined)).toContain('ScrapeConfig/databases: spec.basicAuth.password (key `password`)');
  });

  test.each([
    [{ staticConfigs: [{ targets: ['https://db-1.example.com:9187/metrics'] }] }, "scrapeConfigs[0].staticConfigs[0].targets[0]: 'https://db-1.example.com:9187/metrics' is not host:port"],
    [{ staticConfigs: [{ targets: ['db-1.example.com'] }] }, "scrapeConfigs[0].staticConfigs[0].targets[0]: 'db-1.example.com' is not host:port"],
    [{ staticConfigs: [{ targets: ['db:70000'] }] }, "scrapeConfigs[0].staticConfigs[0].targets[0]: 'db:70000' is not host:port"],
    [{ staticConfigs: [] }, 'scrapeConfigs[0].staticConfigs: is empty'],
    [{ staticConfigs: [{ targets: ['db:1'], labels: { __bad: 'x' } }] }, 'scrapeConfigs[0].staticConfigs[0].labels.__bad'],
    [{ relabelings: [{ action: 'replace' as const, sourceLabels: ['__address__'] }] }, 'scrapeConfigs[0].relabelings[0].targetLabel: action replace needs a targetLabel'],
    [{ metricRelabelings: [{ action: 'drop' as const, regex: '(a)\\1' }] }, 'scrapeConfigs[0].metricRelabelings[0].regex'],
    [{ metricsPath: 'metrics' }, "scrapeConfigs[0].metricsPath: 'metrics' does not start with \"/\""],
    [{ scrapeInterval: '10s', scrapeTimeout: '20s' }, 'scrapeConfigs[0].scrapeTimeout: 20s is longer than the scrape interval (10s)'],
    [{ scheme: 'http' as const }, 'scrapeConfigs[0].tlsConfig: is set, but the target is scraped over http'],
    [{ name: 'Databases' }, "scrapeConfigs[0].name: 'Databases' is not a valid name"],
  ])('bad values are rejected, naming the field (%#)', (change, expected) => {
    expect(renderError({ scrapeConfigs: [{ ...databases, ...change }] })).toContain(expected);
  });

  test('two scrape configs of one name are rejected', () => {
    expect(renderError({ scrapeConfigs: [databases, databases] })).toContain("scrapeConfigs[1].name: 'databases' is already used by scrapeConfigs[0]");
  });

  describeWithSharedCrds('against the upstream CRD', (schemas) => {
    test('the ScrapeConfig is valid', () => {
      expect(schemas().validate(find(stack, 'ScrapeConfig', 'databases'))).toEqual([]);
    });
    test('and the check can fail: a target the CRD refuses', () => {
      const broken = JSON.parse(JSON.stringify(find(stack, 'ScrapeConfig', 'databases'))) as { spec: { staticConfigs: Array<{ targets: string[] }> } };
      broken.spec.staticConfigs[0].targets = [];
      expect(schemas().validate(broken as never)).not.toEqual([]);
    });
  });
});
