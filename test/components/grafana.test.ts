import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Grafana } from '../../src/components/grafana';
import { Prometheus } from '../../src/components/prometheus';
import { PrometheusOperator } from '../../src/components/prometheus-operator';
import { at, podTemplate } from '../helpers';
import { grafanaProps, only, prometheusOperatorProps, prometheusProps, synth } from './props';

describe('grafana component', () => {
  // The Prometheus it queries lives in another chart, so that the objects here are the Grafana component's only.
  const prometheus = new Prometheus(Testing.chart(), 'prometheus', prometheusProps({ scrapeInterval: '15s' }));
  const objects = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ prometheus })));
  const pod = podTemplate(only(objects, 'Deployment', 'grafana'));
  const [grafana, sidecar] = pod.spec.containers;
  const datasourcesOf = (manifests: typeof objects) => parse((at(only(manifests, 'ConfigMap', 'grafana-datasources'), 'data') as Record<string, string>)['datasources.yaml']).datasources;

  test('provisions the Prometheus it is given as the default datasource with a fixed uid, at its scrape interval', () => {
    expect(datasourcesOf(objects)).toEqual([expect.objectContaining({
      uid: 'prometheus', type: 'prometheus', url: 'http://prometheus-k8s.monitoring.svc:9090', isDefault: true, jsonData: { timeInterval: '15s' },
    })]);
  });

  test('without a Prometheus, the datasource points at the stack\'s conventional address', () => {
    const alone = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ common: { namespace: 'obs', instance: 'test' } })));
    expect(datasourcesOf(alone)).toEqual([expect.objectContaining({ url: 'http://prometheus-k8s.obs.svc:9090', jsonData: { timeInterval: '30s' } })]);
  });

  test('loads dashboards from ConfigMaps labeled grafana_dashboard=1, into the folder their annotation names', () => {
    const env = Object.fromEntries((sidecar.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ LABEL: 'grafana_dashboard', LABEL_VALUE: '1', FOLDER_ANNOTATION: 'grafana_folder', NAMESPACE: 'monitoring' });
    const providers = parse((at(only(objects, 'ConfigMap', 'grafana-dashboard-providers'), 'data') as Record<string, string>)['dashboards.yaml']);
    expect(providers.providers[0].options).toEqual({ path: env.FOLDER, foldersFromFilesStructure: true });
  });

  test('reads ConfigMaps of its own namespace only, unless dashboards may come from every namespace', () => {
    expect(at(only(objects, 'Role', 'grafana'), 'rules')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    expect(objects.filter((m) => m.kind === 'ClusterRole')).toEqual([]);
    const all = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ dashboardNamespaces: 'all' })));
    expect(at(only(all, 'ClusterRole', 'grafana'), 'rules')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    expect(all.filter((m) => m.kind === 'Role')).toEqual([]);
  });

  test('takes the admin credentials from a Secret, never from a value', () => {
    expect(grafana.env).toEqual([
      { name: 'GF_SECURITY_ADMIN_USER', valueFrom: { secretKeyRef: { key: 'admin-user', name: 'grafana-admin' } } },
      { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { key: 'admin-password', name: 'grafana-admin' } } },
    ]);
  });

  test('writes only to its volumes: the root filesystem is read-only', () => {
    expect(grafana.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect((grafana.volumeMounts as Array<{ mountPath: string }>).map((m) => m.mountPath)).toEqual(expect.arrayContaining(['/var/lib/grafana', '/tmp']));
  });

  test('lets the namespaces it is told to reach port 3000', () => {
    const open = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ ingressNamespaces: ['ingress-nginx'] })));
    expect(at(only(open, 'NetworkPolicy', 'grafana'), 'spec.ingress.1')).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ port: 3000, protocol: 'TCP' }],
    });
  });

  test('brings its rules and the health dashboard, with the operator\'s panels only when it is given the operator', () => {
    const operator = new PrometheusOperator(Testing.chart(), 'prometheus-operator', prometheusOperatorProps());
    const titles = (g: Grafana) => (g.dashboards[0].json.panels ?? []).map((p) => p.title);
    const alone = new Grafana(Testing.chart(), 'grafana', grafanaProps());
    const withOperator = new Grafana(Testing.chart(), 'grafana', grafanaProps({ prometheusOperator: operator }));
    expect(alone.ruleSources.map((s) => s.objectName)).toEqual(['grafana-rules']);
    expect(alone.dashboards.map((d) => [d.json.uid, d.folder, d.component])).toEqual([['o11y-operator-grafana-health', 'Monitoring', 'grafana']]);
    expect(titles(alone)).toContain('Grafana up');
    expect(titles(alone)).not.toContain('Operator up');
    expect(titles(withOperator)).toEqual(expect.arrayContaining(['Operator up', 'Grafana up']));
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    const defaults = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ prometheus: new Prometheus(Testing.chart(), 'prometheus', prometheusProps()) })));
    expect(defaults).toMatchSnapshot();
  });
});
