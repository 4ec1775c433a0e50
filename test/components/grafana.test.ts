import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Grafana } from '../../src/components/grafana';
import { Prometheus } from '../../src/components/prometheus';
import { PrometheusOperator } from '../../src/components/prometheus-operator';
import { at, find, podTemplate, render, renderError } from '../helpers';
import { grafanaProps, only, prometheusOperatorProps, prometheusProps, synth } from './props';
import { referencedSecrets } from '../../src/analyze/prerequisites';
import { stackFiles } from '../../src/synth/layout';
import type { StackValues } from '../../src';

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

  test('brings its rules and its own overview dashboard; the operator\'s panels are the operator\'s dashboard', () => {
    const operator = new PrometheusOperator(Testing.chart(), 'prometheus-operator', prometheusOperatorProps());
    const titles = (g: Grafana) => (g.dashboards[0].json.panels ?? []).map((p) => p.title);
    const alone = new Grafana(Testing.chart(), 'grafana', grafanaProps());
    const withOperator = new Grafana(Testing.chart(), 'grafana', grafanaProps({ prometheusOperator: operator }));
    expect(alone.ruleSources.map((s) => s.objectName)).toEqual(['grafana-rules']);
    expect(alone.dashboards.map((d) => [d.json.uid, d.folder, d.component])).toEqual([['o11y-grafana-overview', 'Monitoring', 'grafana']]);
    expect(titles(alone)).toEqual(expect.arrayContaining(['Grafana up', 'Data source requests', 'Dashboards']));
    expect(titles(withOperator)).not.toContain('Operator up');
    expect(alone.metrics).toContain('grafana_datasource_request_total');
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

describe('grafana options: datasources, persistence, plugins, settings, SSO', () => {
  type Rendered = ReturnType<typeof render>;
  const datasourcesOf = (stack: Rendered) => parse((at(find(stack, 'ConfigMap', 'grafana-datasources'), 'data') as Record<string, string>)['datasources.yaml']).datasources as Array<Record<string, any>>;
  const grafanaContainer = (stack: Rendered) => podTemplate(find(stack, 'Deployment', 'grafana')).spec.containers.find((c) => c.name === 'grafana')!;
  const envOf = (stack: Rendered) => grafanaContainer(stack).env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }>;
  const egressOf = (stack: Rendered) => at(find(stack, 'NetworkPolicy', 'grafana'), 'spec.egress') as Array<{ to: Array<Record<string, any>>; ports?: Array<{ port: number }> }>;
  const iniOf = (stack: Rendered) => {
    const text = (at(find(stack, 'ConfigMap', 'grafana-config'), 'data') as Record<string, string>)['grafana.ini'];
    return Object.fromEntries(text.split(/\n(?=\[)/).map((block) => {
      const [header, ...lines] = block.trim().split('\n');
      return [header.slice(1, -1), Object.fromEntries(lines.map((l) => l.split(' = ')))];
    })) as Record<string, Record<string, string>>;
  };
  const toNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
  const internet443 = (stack: Rendered) => egressOf(stack).some((r) => r.to.some((p) => p.ipBlock?.cidr === '0.0.0.0/0') && r.ports?.length === 1 && r.ports[0].port === 443);

  const datasources: StackValues['grafana'] = {
    datasources: [
      { name: 'Loki', type: 'loki', url: 'http://loki-gateway.logging.svc:80', basicAuth: { user: 'grafana', passwordSecret: { name: 'loki-auth', key: 'password' } },
        jsonData: { derivedFields: [{ name: 'TraceID', matcherRegex: 'traceID=(\\w+)', url: '${__value.raw}', datasourceUid: 'tempo' }] } },
      { name: 'Tempo', type: 'tempo', url: 'http://tempo.tracing.svc:3200', jsonData: { tracesToLogsV2: { datasourceUid: 'loki' }, serviceMap: { datasourceUid: 'prometheus' } } },
      { name: 'Thanos', uid: 'thanos', type: 'thanos', url: 'https://thanos.example.com', bearerTokenSecret: { name: 'thanos-token', key: 'token' } },
    ],
  };

  test('provisions datasources with their secrets as env references fed from secretKeyRefs, never as values', () => {
    const stack = render({ grafana: datasources });
    const provisioned = datasourcesOf(stack);
    expect(provisioned.map((d) => [d.name, d.uid, d.type, d.isDefault])).toEqual([
      ['Prometheus', 'prometheus', 'prometheus', true], ['Alertmanager', 'alertmanager', 'alertmanager', undefined],
      ['Loki', 'loki', 'loki', false], ['Tempo', 'tempo', 'tempo', false], ['Thanos', 'thanos', 'prometheus', false],
    ]);
    const [, , loki, tempo, thanos] = provisioned;
    expect(loki).toMatchObject({ basicAuth: true, basicAuthUser: 'grafana', secureJsonData: { basicAuthPassword: '${GRAFANA_DATASOURCE_LOKI_PASSWORD}' } });
    // `$$` is a literal `$` to Grafana's provisioning, which would otherwise expand `${__value.raw}` from its environment.
    expect(loki.jsonData.derivedFields[0]).toMatchObject({ datasourceUid: 'tempo', url: '$${__value.raw}' });
    expect(tempo.jsonData).toEqual({ tracesToLogsV2: { datasourceUid: 'loki' }, serviceMap: { datasourceUid: 'prometheus' } });
    expect(thanos).toMatchObject({ jsonData: { prometheusType: 'Thanos', httpHeaderName1: 'Authorization' }, secureJsonData: { httpHeaderValue1: 'Bearer ${GRAFANA_DATASOURCE_THANOS_TOKEN}' } });
    // Every secure field is an env reference, and every env var it names comes from the Secret key of the values.
    const env = envOf(stack);
    expect(env).toEqual(expect.arrayContaining([
      { name: 'GRAFANA_DATASOURCE_LOKI_PASSWORD', valueFrom: { secretKeyRef: { name: 'loki-auth', key: 'password' } } },
      { name: 'GRAFANA_DATASOURCE_THANOS_TOKEN', valueFrom: { secretKeyRef: { name: 'thanos-token', key: 'token' } } },
    ]));
    for (const value of provisioned.flatMap((d) => Object.values(d.secureJsonData ?? {}) as string[])) {
      const [, variable] = /^(?:Bearer )?\$\{([A-Z0-9_]+)\}$/.exec(value) ?? [];
      expect(env.find((e) => e.name === variable)?.valueFrom?.secretKeyRef).toBeDefined();
    }
    // The credentials are read from the Secrets only: no object of the stack holds a Secret of them.
    expect(stack.objects.filter((o) => o.manifest.kind === 'Secret' && /loki-auth|thanos-token/.test(o.manifest.metadata.name))).toEqual([]);
    expect(referencedSecrets(stack.objects).map((s) => s.name)).toEqual(expect.arrayContaining(['loki-auth', 'thanos-token']));
  });

  test('a secret pasted into the values never reaches the objects: credentials in a URL are refused', () => {
    const message = renderError({ grafana: { datasources: [{ name: 'Loki', type: 'loki', url: 'https://grafana:hunter2hunter2@loki.example.com' }] } });
    expect(message).toContain('grafana.datasources[0].url: holds a credential');
    expect(message).not.toContain('hunter2');
  });

  test('lets Grafana reach each datasource at its URL, and nothing more for it', () => {
    const plain = render({});
    const stack = render({ grafana: datasources });
    const peers = (s: Rendered) => egressOf(s).flatMap((r) => r.to);
    expect(peers(stack)).toEqual(expect.arrayContaining([toNamespace('logging'), toNamespace('tracing')]));
    expect(peers(plain)).not.toEqual(expect.arrayContaining([toNamespace('logging')]));
    // thanos.example.com: outside the cluster on 443; not there without it.
    expect(internet443(stack)).toBe(true);
    expect(internet443(plain)).toBe(false);
  });

  test('the stack\'s Alertmanager is a datasource, and its policy admits Grafana on 9093', () => {
    const stack = render({});
    expect(datasourcesOf(stack)[1]).toMatchObject({ uid: 'alertmanager', type: 'alertmanager', url: 'http://alertmanager-main.monitoring.svc:9093', jsonData: { implementation: 'prometheus' } });
    expect(at(find(stack, 'NetworkPolicy', 'alertmanager-main'), 'spec.ingress')).toEqual(expect.arrayContaining([{
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'test' } } }], ports: [{ port: 9093, protocol: 'TCP' }],
    }]));
    const noGrafana = render({ grafana: { enabled: false } });
    expect(JSON.stringify(at(find(noGrafana, 'NetworkPolicy', 'alertmanager-main'), 'spec.ingress'))).not.toContain('grafana');
    expect(datasourcesOf(render({ alertmanager: { enabled: false } })).map((d) => d.uid)).toEqual(['prometheus']);
  });

  test('rejects a bad URL, names and uids taken, links to unknown uids and two defaults, naming the field', () => {
    const message = renderError({ grafana: { datasources: [
      { name: 'Logs', type: 'loki', url: 'loki:3100' },
      { name: 'Alertmanager', type: 'alertmanager', url: 'http://am.other.svc:9093' },
      { name: 'Tempo A', uid: 'tempo', type: 'tempo', url: 'http://tempo.tracing.svc:3200', isDefault: true, jsonData: { tracesToLogsV2: { datasourceUid: 'nope' } } },
      { name: 'Tempo B', uid: 'TEMPO', type: 'tempo', url: 'http://tempo.tracing.svc:3200', isDefault: true },
    ] } });
    expect(message).toContain("grafana.datasources[0].url: 'loki:3100' is not an http(s) URL");
    expect(message).toContain("grafana.datasources[1].name: 'Alertmanager' is taken by the stack's own datasource");
    expect(message).toContain("grafana.datasources[2].jsonData.tracesToLogsV2.datasourceUid: 'nope' is the uid of no datasource");
    expect(message).toContain("grafana.datasources[3].uid: 'TEMPO' is taken by grafana.datasources[2]");
    expect(message).toContain('grafana.datasources[3].isDefault: datasources[2], [3] are all the default');
  });

  test('a datasource marked default replaces Prometheus as the default', () => {
    const provisioned = datasourcesOf(render({ grafana: { datasources: [{ name: 'Thanos', type: 'thanos', url: 'http://thanos-query.thanos.svc:9090', isDefault: true }] } }));
    expect(provisioned.filter((d) => d.isDefault).map((d) => d.uid)).toEqual(['thanos']);
  });

  test('persistence: a PersistentVolumeClaim at /var/lib/grafana, replaced by Recreate when ReadWriteOnce', () => {
    const plain = render({});
    expect(podTemplate(find(plain, 'Deployment', 'grafana')).spec.volumes).toEqual(expect.arrayContaining([{ name: 'storage', emptyDir: {} }]));
    expect(plain.objects.filter((o) => o.manifest.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(at(find(plain, 'Deployment', 'grafana'), 'spec.strategy')).toBeUndefined();

    const stack = render({ grafana: { persistence: { enabled: true, storageClassName: 'fast' } } });
    expect(at(find(stack, 'PersistentVolumeClaim', 'grafana'), 'spec')).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } });
    const pod = podTemplate(find(stack, 'Deployment', 'grafana'));
    expect(pod.spec.volumes).toEqual(expect.arrayContaining([{ name: 'storage', persistentVolumeClaim: { claimName: 'grafana' } }]));
    expect(grafanaContainer(stack).volumeMounts).toEqual(expect.arrayContaining([{ name: 'storage', mountPath: '/var/lib/grafana' }]));
    expect(at(find(stack, 'Deployment', 'grafana'), 'spec.strategy')).toEqual({ type: 'Recreate' });
    const shared = render({ grafana: { persistence: { enabled: true, size: '20Gi', accessModes: ['ReadWriteMany'] } } });
    expect(at(find(shared, 'Deployment', 'grafana'), 'spec.strategy')).toBeUndefined();
    expect(at(find(shared, 'PersistentVolumeClaim', 'grafana'), 'spec.resources.requests.storage')).toBe('20Gi');
    expect(renderError({ grafana: { replicas: 2, persistence: { enabled: true } } })).toContain('grafana.replicas: 2 replicas would share the SQLite database');
  });

  test('plugins: pinned, installed before Grafana serves, with egress to grafana.com only when listed', () => {
    const stack = render({ grafana: { plugins: [{ id: 'grafana-piechart-panel', version: '1.6.4' }, { id: 'yesoreyeram-infinity-datasource', version: '3.2.1' }] } });
    expect(envOf(stack)).toEqual(expect.arrayContaining([{ name: 'GF_PLUGINS_PREINSTALL_SYNC', value: 'grafana-piechart-panel@1.6.4,yesoreyeram-infinity-datasource@3.2.1' }]));
    expect(iniOf(stack).plugins).toMatchObject({ preinstall_disabled: 'false', preinstall_auto_update: 'false', plugin_admin_enabled: 'false' });
    expect(iniOf(stack).paths.plugins).toBe('/var/lib/grafana/plugins');
    expect(internet443(stack)).toBe(true);
    expect(grafanaContainer(stack).startupProbe).toMatchObject({ failureThreshold: 30 });
    const plain = render({});
    expect(envOf(plain).map((e) => e.name)).not.toContain('GF_PLUGINS_PREINSTALL_SYNC');
    expect(iniOf(plain).plugins.preinstall_disabled).toBe('true');

    expect(renderError({ grafana: { plugins: [{ id: 'grafana-piechart-panel', version: 'latest' }] } })).toContain("grafana.plugins[0].version: 'latest' is not a pinned version");
    expect(renderError({ grafana: { plugins: [{ id: 'grafana-piechart-panel' } as never] } })).toContain('grafana.plugins[0]');
  });

  test('settings are merged over the hardened grafana.ini: what is set wins, the rest stays', () => {
    const ini = iniOf(render({ grafana: { settings: {
      server: { domain: 'grafana.example.com' }, users: { autoAssignOrgRole: 'Editor' }, log: { level: 'debug' },
      security: { cookieSecure: false, allowEmbedding: true },
    } } }));
    expect(ini.server).toEqual({ domain: 'grafana.example.com' });
    expect(ini.users).toEqual({ allow_sign_up: 'false', auto_assign_org_role: 'Editor' });
    expect(ini.log).toEqual({ mode: 'console', level: 'debug' });
    expect(ini.security).toEqual({ disable_gravatar: 'true', cookie_secure: 'false', cookie_samesite: 'strict', allow_embedding: 'true' });
    expect(ini.analytics).toMatchObject({ reporting_enabled: 'false', check_for_updates: 'false' });
    expect(renderError({ grafana: { settings: { auth: { disableLoginForm: true } } } })).toContain('grafana.settings.auth.disableLoginForm: without grafana.sso nobody could log in');
    expect(renderError({ grafana: { rootUrl: 'https://a.example.com/', settings: { server: { rootUrl: 'https://b.example.com/' } } } })).toContain('grafana.settings.server.rootUrl: differs from grafana.rootUrl');
  });

  const sso: StackValues['grafana'] = {
    sso: {
      provider: 'generic_oauth', clientId: 'grafana', clientSecret: { name: 'grafana-oauth', key: 'client-secret' },
      authUrl: 'https://sso.example.com/realms/main/protocol/openid-connect/auth',
      tokenUrl: 'http://keycloak.auth.svc:8080/realms/main/protocol/openid-connect/token',
      apiUrl: 'http://keycloak.auth.svc:8080/realms/main/protocol/openid-connect/userinfo',
      allowedDomains: ['example.com'], allowedGroups: ['sre'], roleAttributePath: "contains(groups[*], 'sre') && 'Admin' || 'Viewer'",
    },
    settings: { auth: { disableLoginForm: true, oauthAutoLogin: true } },
  };

  test('SSO: [auth.<provider>] in grafana.ini, the client secret through an env var from the Secret, egress to the IdP', () => {
    const stack = render({ grafana: sso });
    const ini = iniOf(stack);
    expect(ini['auth.generic_oauth']).toEqual({
      enabled: 'true', name: 'OAuth', client_id: 'grafana', scopes: 'openid email profile',
      auth_url: 'https://sso.example.com/realms/main/protocol/openid-connect/auth',
      token_url: 'http://keycloak.auth.svc:8080/realms/main/protocol/openid-connect/token',
      api_url: 'http://keycloak.auth.svc:8080/realms/main/protocol/openid-connect/userinfo',
      allowed_domains: 'example.com', allowed_groups: 'sre', role_attribute_path: "contains(groups[*], 'sre') && 'Admin' || 'Viewer'", use_pkce: 'true', auto_login: 'true',
    });
    expect(ini.auth).toEqual({ disable_login_form: 'true' });
    expect(envOf(stack)).toEqual(expect.arrayContaining([{ name: 'GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'grafana-oauth', key: 'client-secret' } } }]));
    // The token and user endpoints (in the cluster here) are reached from the pod; the browser alone visits authUrl.
    expect(egressOf(stack).flatMap((r) => r.to)).toEqual(expect.arrayContaining([toNamespace('auth')]));
    expect(internet443(stack)).toBe(false);
    const github = render({ grafana: { sso: { provider: 'github', clientId: 'abc', clientSecret: { name: 'gh', key: 'secret' }, allowedOrganizations: ['acme'] } } });
    expect(iniOf(github)['auth.github']).toMatchObject({ token_url: 'https://github.com/login/oauth/access_token', api_url: 'https://api.github.com/user', allowed_organizations: 'acme' });
    expect(internet443(github)).toBe(true);
    expect(renderError({ grafana: { sso: { provider: 'okta', clientId: 'abc', clientSecret: { name: 'okta', key: 'secret' } } } })).toContain('grafana.sso.tokenUrl: is required for okta');
  });

  test('the SSO Secret is on the prerequisites checklist', () => {
    const stack = render({ grafana: sso });
    expect(referencedSecrets(stack.objects).find((s) => s.name === 'grafana-oauth')).toMatchObject({
      namespace: 'monitoring', keys: ['client-secret'], consumers: [{ object: 'Deployment/grafana', container: 'grafana', via: 'env GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET', key: 'client-secret' }],
    });
    const summary = stackFiles(stack).find((f) => f.path.endsWith('SUMMARY.md'))!.content;
    expect(summary).toContain('| `monitoring` | `grafana-oauth` | `client-secret` | Deployment/grafana, container `grafana`: env GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET (key `client-secret`) |');
  });
});
