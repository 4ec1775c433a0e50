import { parse } from 'yaml';
import { at, find, objectsOf, podTemplate, render } from '../helpers';

describe('grafana component', () => {
  const stack = render();
  const pod = podTemplate(find(stack, 'Deployment', 'grafana'));
  const [grafana, sidecar] = pod.spec.containers;

  test('provisions the stack Prometheus as the default datasource with a fixed uid', () => {
    const datasources = parse((at(find(stack, 'ConfigMap', 'grafana-datasources'), 'data') as Record<string, string>)['datasources.yaml']);
    expect(datasources.datasources).toEqual([expect.objectContaining({
      uid: 'prometheus', type: 'prometheus', url: 'http://prometheus-k8s.monitoring.svc:9090', isDefault: true,
    })]);
  });

  test('loads dashboards from ConfigMaps labeled grafana_dashboard=1, into the folder their annotation names', () => {
    const env = Object.fromEntries((sidecar.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ LABEL: 'grafana_dashboard', LABEL_VALUE: '1', FOLDER_ANNOTATION: 'grafana_folder', NAMESPACE: 'monitoring' });
    const providers = parse((at(find(stack, 'ConfigMap', 'grafana-dashboard-providers'), 'data') as Record<string, string>)['dashboards.yaml']);
    expect(providers.providers[0].options).toEqual({ path: env.FOLDER, foldersFromFilesStructure: true });
  });

  test('reads ConfigMaps of its own namespace only, unless dashboards may come from every namespace', () => {
    expect(find(stack, 'Role', 'grafana')).toBeDefined();
    expect(stack.objects.some((o) => o.manifest.kind === 'ClusterRole' && o.manifest.metadata.name === 'grafana')).toBe(false);
    const all = render({ grafana: { dashboardNamespaces: 'all' } });
    expect(at(find(all, 'ClusterRole', 'grafana'), 'rules')).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }]);
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
    const open = render({ grafana: { ingressNamespaces: ['ingress-nginx'] } });
    expect(at(find(open, 'NetworkPolicy', 'grafana'), 'spec.ingress.1')).toEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      ports: [{ port: 3000, protocol: 'TCP' }],
    });
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'grafana').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
