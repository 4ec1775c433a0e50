import { Testing } from 'cdk8s';
import { KubeStateMetrics, ksmPolicyRules } from '../../src/components/kube-state-metrics';
import { at, podTemplate } from '../helpers';
import { kubeStateMetricsProps, only, synth } from './props';

describe('kube-state-metrics component', () => {
  const objects = synth((chart) => new KubeStateMetrics(chart, 'kube-state-metrics', kubeStateMetricsProps()));
  const argsOf = (manifests: typeof objects) => podTemplate(only(manifests, 'Deployment', 'kube-state-metrics')).spec.containers[0].args as string[];
  const args = argsOf(objects);
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  const isAuthReview = (r: Rule) => r.apiGroups[0].startsWith('authentication.') || r.apiGroups[0].startsWith('authorization.');
  // Besides what it reads: the reviews its kube-rbac-proxies make of each scrape.
  const rules = (at(only(objects, 'ClusterRole', 'kube-state-metrics'), 'rules') as Rule[]).filter((r) => !isAuthReview(r));

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
    expect((at(only(withSecrets, 'ClusterRole', 'kube-state-metrics'), 'rules') as Rule[]).filter((r) => !isAuthReview(r))).toEqual([
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
    expect(endpoint).toMatchObject({ port: 'https-main', honorLabels: true, scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
    expect(at(only(objects, 'ServiceMonitor', 'kube-state-metrics'), 'spec.jobLabel')).toBe('app.kubernetes.io/name');
  });

  test('listens on 127.0.0.1 only, behind one kube-rbac-proxy per port, whose probes pass unauthenticated', () => {
    const containers = podTemplate(only(objects, 'Deployment', 'kube-state-metrics')).spec.containers as Array<{ name: string; args: string[]; ports?: Array<{ name: string; containerPort: number }>; readinessProbe: unknown }>;
    expect(args).toEqual(expect.arrayContaining(['--host=127.0.0.1', '--port=8081', '--telemetry-host=127.0.0.1', '--telemetry-port=8082']));
    expect(containers[0].readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'https-self', scheme: 'HTTPS' } });
    expect(containers.slice(1).map((c) => [c.name, c.ports, c.args.filter((a) => /^--(secure-listen-address|upstream|ignore-paths)=/.test(a))])).toEqual([
      ['kube-rbac-proxy-main', [{ name: 'https-main', containerPort: 8443 }], ['--secure-listen-address=:8443', '--upstream=http://127.0.0.1:8081/', '--ignore-paths=/livez']],
      ['kube-rbac-proxy-self', [{ name: 'https-self', containerPort: 9443 }], ['--secure-listen-address=:9443', '--upstream=http://127.0.0.1:8082/', '--ignore-paths=/readyz']],
    ]);
    expect(at(only(objects, 'NetworkPolicy', 'kube-state-metrics'), 'spec.ingress.0.ports')).toEqual([{ port: 8443, protocol: 'TCP' }, { port: 9443, protocol: 'TCP' }]);
  });

  test('brings its rules and its own overview dashboard, and no custom resource dashboard without monitors', () => {
    const ksm = new KubeStateMetrics(Testing.chart(), 'kube-state-metrics', kubeStateMetricsProps());
    expect(ksm.ruleSources.map((s) => s.objectName)).toEqual(['kube-state-metrics-rules']);
    expect(ksm.dashboards.map((d) => [d.json.uid, d.folder])).toContainEqual(['o11y-kube-state-metrics', 'Monitoring']);
    expect(ksm.dashboards.filter((d) => d.folder === 'Custom Resources')).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
