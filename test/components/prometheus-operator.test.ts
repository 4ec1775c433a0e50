import { at, find, objectsOf, podTemplate, render } from '../helpers';

describe('prometheus-operator component', () => {
  const stack = render();

  test('owns its whole slice', () => {
    expect(objectsOf(stack, 'prometheus-operator').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`).sort()).toEqual([
      'ClusterRole/prometheus-operator', 'ClusterRoleBinding/prometheus-operator', 'Deployment/prometheus-operator',
      'NetworkPolicy/prometheus-operator', 'PrometheusRule/prometheus-operator-rules', 'Service/prometheus-operator',
      'ServiceAccount/prometheus-operator', 'ServiceMonitor/prometheus-operator',
    ]);
  });

  test('keeps the kubelet Service up to date and uses the reloader of the same version', () => {
    const args = podTemplate(find(stack, 'Deployment', 'prometheus-operator')).spec.containers[0].args as string[];
    expect(args).toContain('--kubelet-service=kube-system/kubelet');
    expect(args).toContain('--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0');
  });

  test('watches only the namespaces it is given', () => {
    const scoped = render({ prometheusOperator: { watchNamespaces: ['team-a', 'team-b'] } });
    const args = podTemplate(find(scoped, 'Deployment', 'prometheus-operator')).spec.containers[0].args as string[];
    expect(args).toContain('--namespaces=team-a,team-b');
    expect(podTemplate(find(stack, 'Deployment', 'prometheus-operator')).spec.containers[0].args).not.toContainEqual(expect.stringMatching(/^--namespaces/));
  });

  test('may manage every prometheus-operator kind, listed verb by verb', () => {
    const rules = at(find(stack, 'ClusterRole', 'prometheus-operator'), 'rules') as Array<{ resources: string[]; verbs: string[] }>;
    const monitoring = rules.find((r) => r.resources.includes('prometheuses'))!;
    expect(monitoring.resources).toEqual(expect.arrayContaining(['servicemonitors', 'podmonitors', 'probes', 'prometheusrules', 'alertmanagerconfigs', 'alertmanagers']));
    expect(monitoring.verbs).not.toContain('*');
  });

  test('is scraped as job prometheus-operator', () => {
    expect(at(find(stack, 'Service', 'prometheus-operator'), 'metadata.name')).toBe('prometheus-operator');
    expect(at(find(stack, 'ServiceMonitor', 'prometheus-operator'), 'spec.endpoints.0.port')).toBe('http');
  });

  test('is disabled with enabled: false, and nothing of it is left', () => {
    expect(objectsOf(render({ prometheusOperator: { enabled: false } }), 'prometheus-operator')).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'prometheus-operator').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
