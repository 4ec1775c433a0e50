import { Testing } from 'cdk8s';
import { Prometheus } from '../../src/components/prometheus';
import { Alertmanager } from '../../src/components/alertmanager';
import { at, find, render } from '../helpers';
import { alertmanagerProps, only, prometheusProps, synth } from './props';

describe('prometheus component', () => {
  // The Alertmanager it sends to lives in another chart, so that the objects here are the Prometheus component's only.
  const alertmanager = new Alertmanager(Testing.chart(), 'alertmanager', alertmanagerProps());
  const objects = synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps({ clusterName: 'eu-1', alertmanager })));
  const prometheus = only(objects, 'Prometheus', 'k8s');
  const alone = only(synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps())), 'Prometheus', 'k8s');

  test('runs 2 replicas with 15 days of retention by default, on a volume it stays within', () => {
    expect(at(prometheus, 'spec.replicas')).toBe(2);
    expect(at(prometheus, 'spec.retention')).toBe('15d');
    expect(at(prometheus, 'spec.storage.volumeClaimTemplate.spec.accessModes')).toEqual(['ReadWriteOnce']);
    expect(at(prometheus, 'spec.retentionSize')).toBe('5GB');
  });

  test('labels every series with the cluster name', () => {
    expect(at(prometheus, 'spec.externalLabels')).toEqual({ cluster: 'eu-1' });
  });

  test('selects what it is told to, from every namespace', () => {
    const labelled = only(synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps({ select: { ...prometheusProps().select, rules: { matchLabels: { prometheus: 'k8s' } } } }))), 'Prometheus', 'k8s');
    expect(at(labelled, 'spec.ruleSelector')).toEqual({ matchLabels: { prometheus: 'k8s' } });
    expect(at(prometheus, 'spec.ruleSelector')).toEqual({});
    expect(at(prometheus, 'spec.ruleNamespaceSelector')).toEqual({});
    expect(at(prometheus, 'spec.serviceMonitorSelector')).toEqual({});
    expect(at(prometheus, 'spec.serviceMonitorNamespaceSelector')).toEqual({});
    expect(at(prometheus, 'spec.scrapeConfigNamespaceSelector')).toEqual({});
  });

  test('every PrometheusRule the stack writes is selected by Prometheus when it selects by label', () => {
    const withRules = render({
      common: { ruleLabels: { prometheus: 'k8s', role: 'rules' } },
      prometheus: { select: { rules: { matchLabels: { prometheus: 'k8s' } } } },
      applications: [{ name: 'api', namespace: 'a', selector: { app: 'api' }, port: 'http', records: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }],
    });
    const selector = at(find(withRules, 'Prometheus', 'k8s'), 'spec.ruleSelector.matchLabels') as Record<string, string>;
    expect(selector).toEqual({ prometheus: 'k8s' });
    const rules = withRules.objects.filter((o) => o.manifest.kind === 'PrometheusRule');
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(at(rule.manifest, 'metadata.labels')).toMatchObject(selector);
  });

  test('sends alerts to the Alertmanager it is given, and to none without one', () => {
    expect(at(prometheus, 'spec.alerting.alertmanagers')).toEqual([{ apiVersion: 'v2', name: 'alertmanager-main', namespace: 'monitoring', port: 'web' }]);
    expect(at(alone, 'spec.alerting')).toBeUndefined();
  });

  test('an Alertmanager wired after the constructor reaches the resource, and a second one is rejected', () => {
    const objectsAfter = synth((chart) => {
      const p = new Prometheus(chart, 'prometheus', prometheusProps());
      p.sendAlertsTo(alertmanager);
      expect(p.alertmanager).toBe(alertmanager);
      expect(() => p.sendAlertsTo(alertmanager)).toThrow(`prometheus.sendAlertsTo(${alertmanager.node.path}): Prometheus already sends its alerts to ${alertmanager.node.path}`);
    });
    expect(at(only(objectsAfter, 'Prometheus', 'k8s'), 'spec.alerting.alertmanagers.0.name')).toBe('alertmanager-main');
  });

  test('persistent storage becomes a volume claim template', () => {
    const stored = only(synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps({ storage: { size: '50Gi', storageClassName: 'ssd' } }))), 'Prometheus', 'k8s');
    expect(at(stored, 'spec.storage.volumeClaimTemplate.spec')).toEqual({
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'ssd',
    });
  });

  test('remote write credentials are Secret references, never values', () => {
    const remote = only(synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps({
      remoteWrite: [{ url: 'https://lts.example/push', bearerToken: { name: 'lts', key: 'token' }, keepMetricsMatching: 'up|slo:.*' }],
    }))), 'Prometheus', 'k8s');
    expect(at(remote, 'spec.remoteWrite.0')).toEqual({
      url: 'https://lts.example/push',
      authorization: { type: 'Bearer', credentials: { name: 'lts', key: 'token' } },
      writeRelabelConfigs: [{ action: 'keep', regex: 'up|slo:.*', sourceLabels: ['__name__'] }],
    });
  });

  test('can discover targets cluster-wide and read kubelet metrics, and nothing more', () => {
    const rules = at(only(objects, 'ClusterRole', 'prometheus-k8s'), 'rules');
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] });
    expect(JSON.stringify(rules)).not.toMatch(/secrets|"\*"/);
  });

  test('is scraped as job prometheus-k8s and keeps a replica through disruptions', () => {
    expect(at(only(objects, 'Service', 'prometheus-k8s'), 'spec.ports.0.name')).toBe('web');
    expect(at(only(objects, 'PodDisruptionBudget', 'prometheus-k8s'), 'spec.maxUnavailable')).toBe(1);
    const single = synth((chart) => new Prometheus(chart, 'prometheus', prometheusProps({ replicas: 1 })));
    expect(single.filter((m) => m.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('brings its rules, its metric names, and the Prometheus and alerts dashboards', () => {
    const p = new Prometheus(Testing.chart(), 'prometheus', prometheusProps());
    expect(p.ruleSources.map((s) => s.objectName)).toEqual(['prometheus-k8s-rules']);
    expect(p.ruleSources[0].groups.map((g) => g.name)).toContain('general.rules');
    expect(p.dashboards.map((d) => [d.json.uid, d.folder, d.component])).toEqual([
      ['o11y-prometheus-overview', 'Monitoring', 'prometheus'], ['o11y-prometheus-tsdb', 'Monitoring', 'prometheus'],
      ['o11y-prometheus-scrape-targets', 'Monitoring', 'prometheus'], ['o11y-alerts-overview', 'Monitoring', 'prometheus'],
    ]);
    expect(p.metrics).toContain('prometheus_tsdb_head_series');
  });

  test('its dashboard has a remote-write row only when it writes remotely', () => {
    const rows = (p: Prometheus) => (p.dashboards[0].json.panels ?? []).filter((x) => x.type === 'row').map((x) => x.title);
    expect(rows(new Prometheus(Testing.chart(), 'prometheus', prometheusProps()))).not.toContain('Remote write');
    expect(rows(new Prometheus(Testing.chart(), 'prometheus', prometheusProps({ remoteWrite: [{ url: 'https://lts.example/push' }] })))).toContain('Remote write');
  });

  test('the remote-write dashboard comes only with a remote-write endpoint: without one it has no series to show', () => {
    const uids = (p: Prometheus) => p.dashboards.map((d) => d.json.uid);
    expect(uids(new Prometheus(Testing.chart(), 'prometheus', prometheusProps()))).not.toContain('o11y-prometheus-remote-write');
    expect(uids(new Prometheus(Testing.chart(), 'prometheus', prometheusProps({ remoteWrite: [{ url: 'https://lts.example/push' }] })))).toContain('o11y-prometheus-remote-write');
  });

  test('the alerts dashboard shows Alertmanager notifications only once an Alertmanager is wired, even after the constructor', () => {
    const p = new Prometheus(Testing.chart(), 'prometheus', prometheusProps());
    const titles = () => (p.dashboards.find((d) => d.json.uid === 'o11y-alerts-overview')!.json.panels ?? []).map((x) => x.title);
    expect(titles()).not.toContain('Notifications by integration');
    p.sendAlertsTo(alertmanager);
    expect(titles()).toContain('Notifications by integration');
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
