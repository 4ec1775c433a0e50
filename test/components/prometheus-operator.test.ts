import { Testing } from 'cdk8s';
import { PrometheusOperator } from '../../src/components/prometheus-operator';
import { at, objectsOf, podTemplate, render } from '../helpers';
import { only, prometheusOperatorProps, synth } from './props';

describe('prometheus-operator component', () => {
  const objects = synth((chart) => new PrometheusOperator(chart, 'prometheus-operator', prometheusOperatorProps()));
  const args = (manifests: typeof objects) => podTemplate(only(manifests, 'Deployment', 'prometheus-operator')).spec.containers[0].args as string[];

  test('owns its whole slice', () => {
    expect(objectsOf(render(), 'prometheus-operator').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`).sort()).toEqual([
      'ClusterRole/prometheus-operator', 'ClusterRoleBinding/prometheus-operator', 'Deployment/prometheus-operator',
      'NetworkPolicy/prometheus-operator', 'PrometheusRule/prometheus-operator-rules', 'Service/prometheus-operator',
      'ServiceAccount/prometheus-operator', 'ServiceMonitor/prometheus-operator',
    ]);
  });

  test('keeps the kubelet Service up to date and uses the reloader it is given', () => {
    expect(args(objects)).toContain('--kubelet-service=kube-system/kubelet');
    expect(args(objects)).toContain('--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0');
  });

  test('watches only the namespaces it is given', () => {
    const scoped = synth((chart) => new PrometheusOperator(chart, 'prometheus-operator', prometheusOperatorProps({ watchNamespaces: ['team-a', 'team-b'] })));
    expect(args(scoped)).toContain('--namespaces=team-a,team-b');
    expect(args(objects)).not.toContainEqual(expect.stringMatching(/^--namespaces/));
  });

  test('may manage every prometheus-operator kind, listed verb by verb', () => {
    const rules = at(only(objects, 'ClusterRole', 'prometheus-operator'), 'rules') as Array<{ resources: string[]; verbs: string[] }>;
    const monitoring = rules.find((r) => r.resources.includes('prometheuses'))!;
    expect(monitoring.resources).toEqual(expect.arrayContaining(['servicemonitors', 'podmonitors', 'probes', 'prometheusrules', 'alertmanagerconfigs', 'alertmanagers']));
    expect(monitoring.verbs).not.toContain('*');
  });

  test('is scraped as job prometheus-operator', () => {
    expect(at(only(objects, 'Service', 'prometheus-operator'), 'spec.ports.0.name')).toBe('http');
    expect(at(only(objects, 'ServiceMonitor', 'prometheus-operator'), 'spec.endpoints.0.port')).toBe('http');
  });

  test('brings its rules', () => {
    const operator = new PrometheusOperator(Testing.chart(), 'prometheus-operator', prometheusOperatorProps());
    expect(operator.ruleSources.map((s) => s.objectName)).toEqual(['prometheus-operator-rules']);
    expect(operator.dashboards).toEqual([]);
  });

  test('is disabled with enabled: false, and nothing of it is left', () => {
    expect(objectsOf(render({ prometheusOperator: { enabled: false } }), 'prometheus-operator')).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
