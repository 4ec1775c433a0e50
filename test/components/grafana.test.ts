import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Grafana } from '../../src/components/grafana';
import { Prometheus } from '../../src/components/prometheus';
import { PrometheusOperator } from '../../src/components/prometheus-operator';
import { at, find, podTemplate, render, renderError } from '../helpers';
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

  test('reads ConfigMaps of each namespace it is given through a Role there, and watches exactly those namespaces', () => {
    const named = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ dashboardNamespaces: ['team-a', 'monitoring', 'team-b', 'team-a'] })));
    const reader = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }];
    const roles = named.filter((m) => m.kind === 'Role').map((m) => [m.metadata.namespace, m.metadata.name, at(m, 'rules')]);
    expect(roles).toEqual([['monitoring', 'grafana', reader], ['team-a', 'grafana-dashboards-team-a', reader], ['team-b', 'grafana-dashboards-team-b', reader]]);
    const bindings = named.filter((m) => m.kind === 'RoleBinding').map((m) => [m.metadata.namespace, at(m, 'roleRef.name'), at(m, 'subjects')]);
    expect(bindings).toEqual(['monitoring', 'team-a', 'team-b'].map((ns) => [
      ns, ns === 'monitoring' ? 'grafana' : `grafana-dashboards-${ns}`, [{ kind: 'ServiceAccount', name: 'grafana', namespace: 'monitoring' }],
    ]));
    expect(named.filter((m) => m.kind === 'ClusterRole')).toEqual([]);
    // k8s-sidecar splits NAMESPACE on ',' and trims nothing: one watch per namespace.
    const env = podTemplate(only(named, 'Deployment', 'grafana')).spec.containers[1].env as Array<{ name: string; value: string }>;
    expect(env.find((e) => e.name === 'NAMESPACE')?.value).toBe('monitoring,team-a,team-b');
  });

  test('watches every namespace, through a ClusterRole, only when told to', () => {
    const all = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ dashboardNamespaces: 'all' })));
    const env = podTemplate(only(all, 'Deployment', 'grafana')).spec.containers[1].env as Array<{ name: string; value: string }>;
    expect(env.find((e) => e.name === 'NAMESPACE')?.value).toBe('ALL');
    expect(at(only(all, 'ClusterRoleBinding', 'grafana'), 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'grafana', namespace: 'monitoring' }]);
  });

  test('calls no external service, serves its cookie over HTTPS only and same-site, and lets nobody in without a login', () => {
    const ini = (manifests: typeof objects) => (at(only(manifests, 'ConfigMap', 'grafana-config'), 'data') as Record<string, string>)['grafana.ini'];
    const sections = (text: string) => Object.fromEntries(text.split(/\n(?=\[)/).map((block) => {
      const [header, ...lines] = block.trim().split('\n');
      return [header.slice(1, -1), Object.fromEntries(lines.map((l) => l.split(' = ')))];
    }));
    expect(sections(ini(objects))).toMatchObject({
      analytics: { reporting_enabled: 'false', check_for_updates: 'false', check_for_plugin_updates: 'false', feedback_links_enabled: 'false' },
      'auth.anonymous': { enabled: 'false' },
      news: { news_feed_enabled: 'false' },
      plugins: { plugin_admin_enabled: 'false', preinstall_disabled: 'true', public_key_retrieval_disabled: 'true' },
      public_dashboards: { enabled: 'false' },
      security: { disable_gravatar: 'true', cookie_secure: 'true', cookie_samesite: 'strict' },
      snapshots: { external_enabled: 'false' },
      users: { allow_sign_up: 'false' },
    });
    // The login form stays as Grafana has it.
    expect(sections(ini(objects)).auth).toBeUndefined();
    const plainHttp = synth((chart) => new Grafana(chart, 'grafana', grafanaProps({ cookieSecure: false })));
    expect(sections(ini(plainHttp)).security).toEqual({ disable_gravatar: 'true', cookie_secure: 'false', cookie_samesite: 'strict' });
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

describe('grafana in a stack: where dashboards may come from', () => {
  const sidecarEnv = (values: Parameters<typeof render>[0]) =>
    podTemplate(find(render(values), 'Deployment', 'grafana')).spec.containers.find((c) => c.name === 'dashboard-sidecar')!.env as Array<{ name: string; value: string }>;

  test('every namespace is refused without the opt-in, naming the field and the fix', () => {
    const message = renderError({ grafana: { dashboardNamespaces: 'all' } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain("grafana.dashboardNamespaces: 'all' lets anyone who may create a ConfigMap in any namespace add dashboards to Grafana");
    expect(message).toContain("fix: name the namespaces dashboards come from (dashboardNamespaces: ['team-a', 'team-b']), or set grafana.allowDashboardsFromAllNamespaces: true");
  });

  test('with the opt-in, every namespace renders a ClusterRole and a warning in the summary', () => {
    const stack = render({ grafana: { dashboardNamespaces: 'all', allowDashboardsFromAllNamespaces: true } });
    expect(at(find(stack, 'ClusterRole', 'grafana'), 'rules')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
    expect(stack.warnings.filter((w) => w.code === 'grafana/dashboards-from-all-namespaces')).toEqual([expect.objectContaining({
      severity: 'warning', where: 'Deployment monitoring/grafana › dashboard-sidecar › env NAMESPACE', message: expect.stringContaining('from every namespace'),
    })]);
    expect(render({}).warnings.filter((w) => w.code.startsWith('grafana/'))).toEqual([]);
  });

  test('a patch that widens the sidecar to every namespace is warned about, as the values would be', () => {
    const index = sidecarEnv({}).findIndex((e) => e.name === 'NAMESPACE');
    const stack = render({ patches: [{ kind: 'Deployment', name: 'grafana', ops: [{ op: 'replace', path: `/spec/template/spec/containers/1/env/${index}/value`, value: 'monitoring,ALL' }] }] });
    expect(stack.warnings.map((w) => w.code)).toContain('grafana/dashboards-from-all-namespaces');
  });

  test('a dashboard ConfigMap key ending .url is an error unless URLs are allowed, in data and binaryData', () => {
    const urlConfigMap = {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'remote-dashboard', namespace: 'monitoring', labels: { grafana_dashboard: '1' } },
      data: { 'node.json.url': 'http://169.254.169.254/latest/meta-data/' },
      binaryData: { 'other.json.url': Buffer.from('http://internal.example/').toString('base64') },
    };
    const message = renderError({ extraObjects: [urlConfigMap] });
    expect(message).toContain('ConfigMap monitoring/remote-dashboard › data.node.json.url: the dashboard sidecar would download');
    expect(message).toContain('ConfigMap monitoring/remote-dashboard › binaryData.other.json.url');
    expect(message).toContain('grafana.allowDashboardUrls: true');
    expect(() => render({ extraObjects: [urlConfigMap], grafana: { allowDashboardUrls: true } })).not.toThrow();
    // Unlabeled, or in a namespace the sidecar does not watch: it never reads the key.
    expect(() => render({ extraObjects: [{ ...urlConfigMap, metadata: { ...urlConfigMap.metadata, labels: {} } }] })).not.toThrow();
    expect(() => render({ extraObjects: [{ ...urlConfigMap, metadata: { ...urlConfigMap.metadata, namespace: 'elsewhere' } }] })).not.toThrow();
  });
});
