import { Testing } from 'cdk8s';
import { KubeStateMetrics, ksmPolicyRules } from '../../src/components/kube-state-metrics';
import { at, podTemplate } from '../helpers';
import { kubeStateMetricsProps, only, synth } from './props';

describe('kube-state-metrics component', () => {
  const objects = synth((chart) => new KubeStateMetrics(chart, 'kube-state-metrics', kubeStateMetricsProps()));
  const argsOf = (manifests: typeof objects) => podTemplate(only(manifests, 'Deployment', 'kube-state-metrics')).spec.containers[0].args as string[];
  const args = argsOf(objects);
  const rules = at(only(objects, 'ClusterRole', 'kube-state-metrics'), 'rules') as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;

  test('can list and watch exactly the resources it exports, cluster-wide, and never read Secrets by default', () => {
    const exported = args.find((a) => a.startsWith('--resources='))!.slice('--resources='.length).split(',');
    expect(rules.flatMap((r) => r.resources).sort()).toEqual([...exported].sort());
    expect(rules.every((r) => r.verbs.join() === 'list,watch')).toBe(true);
    expect(exported).not.toContain('secrets');
    expect(exported).toEqual(expect.arrayContaining(['pods', 'deployments', 'nodes', 'statefulsets', 'daemonsets', 'jobs']));
  });

  test('groups its RBAC rules by API group', () => {
    expect(ksmPolicyRules(['deployments', 'pods', 'statefulsets', 'jobs'])).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] },
    ]);
  });

  test('reading Secrets is an explicit choice that widens RBAC with it', () => {
    const withSecrets = synth((chart) => new KubeStateMetrics(chart, 'kube-state-metrics', kubeStateMetricsProps({ collectors: ['pods', 'secrets'] })));
    expect(at(only(withSecrets, 'ClusterRole', 'kube-state-metrics'), 'rules')).toEqual([
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['list', 'watch'] },
    ]);
  });

  test('exports allowed Kubernetes labels as metric labels', () => {
    const labelled = synth((chart) => new KubeStateMetrics(chart, 'kube-state-metrics', kubeStateMetricsProps({ metricLabelsAllowlist: { pods: ['app', 'team'], namespaces: ['team'] } })));
    expect(argsOf(labelled)).toContain('--metric-labels-allowlist=namespaces=[team],pods=[app,team]');
  });

  test('watches the experiments of the chaos schedules it is given, and has no custom-resource config without any', () => {
    expect(objects.filter((m) => m.kind === 'ConfigMap')).toEqual([]);
    const withChaos = synth((chart) => new KubeStateMetrics(chart, 'kube-state-metrics', kubeStateMetricsProps({
      chaosSchedules: [{
        name: 'kill', schedule: '0 3 * * *', experiment: { kind: 'PodChaos', action: 'pod-kill' },
        selector: { namespaces: ['shop'], labels: { app: 'api' } }, mode: { mode: 'one' },
      }],
    })));
    expect((at(only(withChaos, 'ConfigMap', 'kube-state-metrics-custom-resources'), 'data') as Record<string, string>)['config.yaml']).toContain('kind: PodChaos');
    expect(argsOf(withChaos)).toContain('--custom-resource-state-config-file=/etc/kube-state-metrics/config.yaml');
  });

  test('is scraped as job kube-state-metrics, keeping the labels of the objects it describes', () => {
    const endpoint = at(only(objects, 'ServiceMonitor', 'kube-state-metrics'), 'spec.endpoints.0');
    expect(endpoint).toMatchObject({ port: 'http-metrics', honorLabels: true });
    expect(at(only(objects, 'ServiceMonitor', 'kube-state-metrics'), 'spec.jobLabel')).toBe('app.kubernetes.io/name');
  });

  test('brings its rules, and no dashboard without custom resource monitors', () => {
    const ksm = new KubeStateMetrics(Testing.chart(), 'kube-state-metrics', kubeStateMetricsProps());
    expect(ksm.ruleSources.map((s) => s.objectName)).toEqual(['kube-state-metrics-rules']);
    expect(ksm.dashboards).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
