import { Testing } from 'cdk8s';
import { PrometheusOperator } from '../../src/components/prometheus-operator';
import { at, objectsOf, podTemplate, render } from '../helpers';
import { only, prometheusOperatorProps, synth } from './props';

describe('prometheus-operator component', () => {
  const objects = synth((chart) => new PrometheusOperator(chart, 'prometheus-operator', prometheusOperatorProps()));
  const args = (manifests: typeof objects) => podTemplate(only(manifests, 'Deployment', 'prometheus-operator')).spec.containers[0].args as string[];

  test('owns its whole slice', () => {
    expect(objectsOf(render(), 'prometheus-operator').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`).sort()).toEqual([
      'ClusterRole/prometheus-operator', 'ClusterRoleBinding/prometheus-operator', 'ConfigMap/grafana-dashboard-o11y-prometheus-operator', 'Deployment/prometheus-operator',
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

  test('is scraped as job prometheus-operator, over TLS through kube-rbac-proxy with Prometheus\' token', () => {
    expect(at(only(objects, 'Service', 'prometheus-operator'), 'spec.ports')).toEqual([{ name: 'https', port: 8443, targetPort: 'https', protocol: 'TCP' }]);
    expect(at(only(objects, 'ServiceMonitor', 'prometheus-operator'), 'spec.endpoints.0')).toMatchObject({
      port: 'https', scheme: 'https', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', tlsConfig: { insecureSkipVerify: true },
    });
    const containers = at(only(objects, 'Deployment', 'prometheus-operator'), 'spec.template.spec.containers') as Array<{ name: string; args: string[]; ports?: unknown[] }>;
    // The operator itself on the loopback only; the proxy is the one port of the pod.
    expect(containers[0].args).toContain('--web.listen-address=127.0.0.1:8080');
    expect(containers[0].ports).toBeUndefined();
    expect(containers[1].name).toBe('kube-rbac-proxy');
    expect(containers[1].args).toEqual(expect.arrayContaining(['--secure-listen-address=:8443', '--upstream=http://127.0.0.1:8080/', '--ignore-paths=/healthz']));
    const rules = at(only(objects, 'ClusterRole', 'prometheus-operator'), 'rules') as Array<{ resources: string[]; verbs: string[] }>;
    expect(rules).toEqual(expect.arrayContaining([
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
    ]));
  });

  test('with cert-manager, its proxy serves a Certificate that Prometheus verifies by the Service name', () => {
    const tls = synth((chart) => new PrometheusOperator(chart, 'prometheus-operator', prometheusOperatorProps({
      common: { namespace: 'monitoring', instance: 'test', scrapeTls: { certManager: { issuer: { name: 'internal-ca', kind: 'ClusterIssuer' } } } },
    })));
    expect(at(only(tls, 'Certificate', 'prometheus-operator'), 'spec')).toMatchObject({
      secretName: 'prometheus-operator-tls', issuerRef: { name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      dnsNames: expect.arrayContaining(['prometheus-operator.monitoring.svc']),
    });
    expect(at(only(tls, 'ServiceMonitor', 'prometheus-operator'), 'spec.endpoints.0.tlsConfig')).toEqual({
      ca: { secret: { name: 'prometheus-operator-tls', key: 'ca.crt' } }, serverName: 'prometheus-operator.monitoring.svc',
    });
    const proxy = (at(only(tls, 'Deployment', 'prometheus-operator'), 'spec.template.spec.containers') as Array<{ args: string[] }>)[1];
    expect(proxy.args).toEqual(expect.arrayContaining(['--tls-cert-file=/etc/tls/private/tls.crt', '--tls-private-key-file=/etc/tls/private/tls.key']));
  });

  test('brings its rules and its overview dashboard', () => {
    const operator = new PrometheusOperator(Testing.chart(), 'prometheus-operator', prometheusOperatorProps());
    expect(operator.ruleSources.map((s) => s.objectName)).toEqual(['prometheus-operator-rules']);
    expect(operator.dashboards.map((d) => [d.json.uid, d.folder, d.component])).toEqual([['o11y-prometheus-operator', 'Monitoring', 'prometheus-operator']]);
  });

  test('is disabled with enabled: false, and nothing of it is left', () => {
    expect(objectsOf(render({ prometheusOperator: { enabled: false } }), 'prometheus-operator')).toEqual([]);
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
