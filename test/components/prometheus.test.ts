import { at, find, objectsOf, render } from '../helpers';

describe('prometheus component', () => {
  const stack = render({ common: { clusterName: 'eu-1' } });
  const prometheus = find(stack, 'Prometheus', 'k8s');

  test('runs 2 replicas with 15 days of retention by default', () => {
    expect(at(prometheus, 'spec.replicas')).toBe(2);
    expect(at(prometheus, 'spec.retention')).toBe('15d');
    expect(at(prometheus, 'spec.storage')).toBeUndefined();
  });

  test('labels every series with the cluster name', () => {
    expect(at(prometheus, 'spec.externalLabels')).toEqual({ cluster: 'eu-1' });
  });

  test('picks up the rules the stack generates by their labels, and monitors from every namespace', () => {
    expect(at(prometheus, 'spec.ruleSelector')).toEqual({ matchLabels: { role: 'alert-rules' } });
    expect(at(prometheus, 'spec.ruleNamespaceSelector')).toEqual({});
    expect(at(prometheus, 'spec.serviceMonitorSelector')).toEqual({});
    expect(at(prometheus, 'spec.serviceMonitorNamespaceSelector')).toEqual({});
  });

  test('every PrometheusRule the stack writes is selected by Prometheus', () => {
    const withRules = render({
      common: { ruleLabels: { prometheus: 'k8s', role: 'rules' } },
      applications: [{ name: 'api', namespace: 'a', selector: { app: 'api' }, port: 'http', records: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }],
    });
    const selector = at(find(withRules, 'Prometheus', 'k8s'), 'spec.ruleSelector.matchLabels') as Record<string, string>;
    const rules = withRules.objects.filter((o) => o.manifest.kind === 'PrometheusRule');
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(at(rule.manifest, 'metadata.labels')).toMatchObject(selector);
  });

  test('sends alerts to the stack Alertmanager, and to none when it is disabled', () => {
    expect(at(prometheus, 'spec.alerting.alertmanagers')).toEqual([{ apiVersion: 'v2', name: 'alertmanager-main', namespace: 'monitoring', port: 'web' }]);
    expect(at(find(render({ alertmanager: { enabled: false } }), 'Prometheus', 'k8s'), 'spec.alerting')).toBeUndefined();
  });

  test('persistent storage becomes a volume claim template', () => {
    const stored = find(render({ prometheus: { storage: { size: '50Gi', storageClassName: 'ssd' } } }), 'Prometheus', 'k8s');
    expect(at(stored, 'spec.storage.volumeClaimTemplate.spec')).toEqual({
      accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'ssd',
    });
  });

  test('remote write credentials are Secret references, never values', () => {
    const remote = find(render({
      prometheus: { remoteWrite: [{ url: 'https://lts.example/push', bearerToken: { name: 'lts', key: 'token' }, keepMetricsMatching: 'up|slo:.*' }] },
    }), 'Prometheus', 'k8s');
    expect(at(remote, 'spec.remoteWrite.0')).toEqual({
      url: 'https://lts.example/push',
      authorization: { type: 'Bearer', credentials: { name: 'lts', key: 'token' } },
      writeRelabelConfigs: [{ action: 'keep', regex: 'up|slo:.*', sourceLabels: ['__name__'] }],
    });
  });

  test('can discover targets cluster-wide and read kubelet metrics, and nothing more', () => {
    const rules = at(find(stack, 'ClusterRole', 'prometheus-k8s'), 'rules');
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] });
    expect(rules).toContainEqual({ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] });
    expect(JSON.stringify(rules)).not.toMatch(/secrets|"\*"/);
  });

  test('is scraped as job prometheus-k8s and keeps a replica through disruptions', () => {
    expect(find(stack, 'Service', 'prometheus-k8s')).toBeDefined();
    expect(at(find(stack, 'PodDisruptionBudget', 'prometheus-k8s'), 'spec.maxUnavailable')).toBe(1);
    expect(render({ prometheus: { replicas: 1 } }).objects.some((o) => o.manifest.kind === 'PodDisruptionBudget' && o.component === 'prometheus')).toBe(false);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'prometheus').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
