import { ksmPolicyRules } from '../../src/components/kube-state-metrics';
import { at, find, objectsOf, podTemplate, render } from '../helpers';

describe('kube-state-metrics component', () => {
  const stack = render();
  const args = podTemplate(find(stack, 'Deployment', 'kube-state-metrics')).spec.containers[0].args as string[];
  const rules = at(find(stack, 'ClusterRole', 'kube-state-metrics'), 'rules') as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;

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
    const withSecrets = render({ kubeStateMetrics: { collectors: ['pods', 'secrets'] } });
    expect(at(find(withSecrets, 'ClusterRole', 'kube-state-metrics'), 'rules')).toEqual([
      { apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['list', 'watch'] },
    ]);
  });

  test('exports allowed Kubernetes labels as metric labels', () => {
    const labelled = render({ kubeStateMetrics: { metricLabelsAllowlist: { pods: ['app', 'team'], namespaces: ['team'] } } });
    expect(podTemplate(find(labelled, 'Deployment', 'kube-state-metrics')).spec.containers[0].args).toContain(
      '--metric-labels-allowlist=namespaces=[team],pods=[app,team]',
    );
  });

  test('is scraped as job kube-state-metrics, keeping the labels of the objects it describes', () => {
    const endpoint = at(find(stack, 'ServiceMonitor', 'kube-state-metrics'), 'spec.endpoints.0');
    expect(endpoint).toMatchObject({ port: 'http-metrics', honorLabels: true });
    expect(at(find(stack, 'ServiceMonitor', 'kube-state-metrics'), 'spec.jobLabel')).toBe('app.kubernetes.io/name');
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'kube-state-metrics').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
