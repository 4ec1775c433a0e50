// prometheus-adapter: GIVEN stack values WHEN rendered THEN the resource (and custom) metrics APIs, wired to the
// stack's Prometheus, with least-privilege RBAC and NetworkPolicies, and queries on metrics the stack produces.
import { parse } from 'yaml';
import type { StackValues } from '../../src';
import { analyzeNetworkFlows } from '../../src/analyze/network-flows';
import { admittedPod, podSources } from '../../src/analyze/policy';
import { podSecurityLevel } from '../../src/analyze/pod-security';
import { parsePromQL } from '../../src/promql/parse';
import { renderAdapterQuery } from '../../src/components/prometheus-adapter-config';
import type { Manifest, RenderedStack } from '../../src/synth/pipeline';
import { at, find, objectsOf, podTemplate, render, renderError } from '../helpers';

const REQUESTS_PER_SECOND = {
  seriesQuery: 'http_requests_total{namespace!="", pod!=""}',
  resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
  name: { matches: '^(.*)_total$', as: '${1}_per_second' },
  metricsQuery: 'sum by (<<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>}[2m]))',
};
const withCustom: StackValues = { prometheusAdapter: { enabled: true, customMetrics: [REQUESTS_PER_SECOND] }, rules: { knownMetrics: ['http_requests_total'] } };

const stack = render({ prometheusAdapter: { enabled: true } });
const adapter = objectsOf(stack, 'prometheus-adapter').map((o) => o.manifest);
const deployment = find(stack, 'Deployment', 'prometheus-adapter');
const argsOf = (manifest: Manifest) => at(podTemplate(manifest), 'spec.containers.0.args') as string[];
const container = { args: argsOf(deployment), volumeMounts: at(podTemplate(deployment), 'spec.containers.0.volumeMounts') as Array<{ name: string; mountPath: string }> };
const configOf = (s: RenderedStack) => parse((find(s, 'ConfigMap', 'prometheus-adapter-config').data as Record<string, string>)['config.yaml']) as Record<string, any>;
const kinds = (objects: readonly { kind: string; metadata: { name: string } }[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('prometheus-adapter', () => {
  test('is off by default: its APIService would take over metrics-server\'s', () => {
    expect(objectsOf(render(), 'prometheus-adapter')).toEqual([]);
  });

  test('enabled, it writes the adapter, its API registration, RBAC, Service, PDB, policy and monitor', () => {
    expect(kinds(adapter)).toEqual([
      'APIService/v1beta1.metrics.k8s.io',
      'ClusterRole/prometheus-adapter',
      'ClusterRole/system:aggregated-metrics-reader',
      'ClusterRoleBinding/prometheus-adapter',
      'ClusterRoleBinding/resource-metrics:system:auth-delegator',
      'ConfigMap/prometheus-adapter-config',
      'Deployment/prometheus-adapter',
      'NetworkPolicy/prometheus-adapter',
      'PodDisruptionBudget/prometheus-adapter',
      'RoleBinding/resource-metrics-auth-reader',
      'Service/prometheus-adapter',
      'ServiceAccount/prometheus-adapter',
      'ServiceMonitor/prometheus-adapter',
    ]);
    expect(at(deployment, 'spec.replicas')).toBe(2);
    expect(objectsOf(render({ prometheusAdapter: { enabled: true, replicas: 1 } }), 'prometheus-adapter').some((o) => o.manifest.kind === 'PodDisruptionBudget')).toBe(false);
  });

  test('serves on 6443 behind a Service on 443, querying the stack\'s Prometheus', () => {
    expect(container.args).toEqual(expect.arrayContaining([
      '--cert-dir=/var/run/serving-cert',
      '--config=/etc/adapter/config.yaml',
      '--metrics-relist-interval=1m',
      '--prometheus-url=http://prometheus-k8s.monitoring.svc:9090',
      '--secure-port=6443',
    ]));
    expect(at(find(stack, 'Service', 'prometheus-adapter'), 'spec.ports')).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const other = render({ prometheusAdapter: { enabled: true, prometheusUrl: 'http://thanos-query.thanos.svc:9090', metricsRelistInterval: '30s' } });
    const args = argsOf(find(other, 'Deployment', 'prometheus-adapter'));
    expect(args).toEqual(expect.arrayContaining(['--prometheus-url=http://thanos-query.thanos.svc:9090', '--metrics-relist-interval=30s']));
  });

  test('RBAC: reads the objects it maps series to, delegates auth, and lets viewers read metrics.k8s.io; no wildcards', () => {
    expect(at(find(stack, 'ClusterRole', 'prometheus-adapter'), 'rules')).toEqual([{ apiGroups: [''], resources: ['namespaces', 'nodes', 'pods', 'services'], verbs: ['get', 'list', 'watch'] }]);
    const subject = [{ kind: 'ServiceAccount', name: 'prometheus-adapter', namespace: 'monitoring' }];
    expect(find(stack, 'ClusterRoleBinding', 'resource-metrics:system:auth-delegator')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: subject });
    expect(find(stack, 'RoleBinding', 'resource-metrics-auth-reader')).toMatchObject({ metadata: { namespace: 'kube-system' }, roleRef: { kind: 'Role', name: 'extension-apiserver-authentication-reader' }, subjects: subject });
    expect(find(stack, 'ClusterRoleBinding', 'prometheus-adapter')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'prometheus-adapter' }, subjects: subject });
    const reader = find(stack, 'ClusterRole', 'system:aggregated-metrics-reader');
    expect(reader.metadata.labels).toMatchObject({ 'rbac.authorization.k8s.io/aggregate-to-view': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' });
    expect(at(reader, 'rules')).toEqual([{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }]);
    const rules = adapter.filter((o) => o.kind === 'ClusterRole').flatMap((o) => o.rules as Array<Record<string, string[]>>);
    expect(rules.flatMap((r) => Object.values(r).flat()).filter((v) => v.includes('*'))).toEqual([]);
    // The built-in Role in kube-system is not a missing role; no policy finding on the adapter at all.
    expect(stack.warnings.filter((w) => /prometheus-adapter|resource-metrics/.test(w.where))).toEqual([]);
  });

  test('registers v1beta1.metrics.k8s.io, and v1beta1.custom.metrics.k8s.io only with custom metrics', () => {
    expect(at(find(stack, 'APIService', 'v1beta1.metrics.k8s.io'), 'spec')).toEqual({
      group: 'metrics.k8s.io', version: 'v1beta1', service: { name: 'prometheus-adapter', namespace: 'monitoring', port: 443 },
      insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100,
    });
    const custom = render(withCustom);
    expect(at(find(custom, 'APIService', 'v1beta1.custom.metrics.k8s.io'), 'spec.group')).toBe('custom.metrics.k8s.io');
    const onlyCustom = render({ ...withCustom, prometheusAdapter: { ...withCustom.prometheusAdapter, resourceMetrics: false } });
    expect(kinds(objectsOf(onlyCustom, 'prometheus-adapter').map((o) => o.manifest)).filter((k) => k.startsWith('APIService') || k.includes('aggregated'))).toEqual(['APIService/v1beta1.custom.metrics.k8s.io']);
    expect(configOf(onlyCustom).resourceRules).toBeUndefined();
    expect(configOf(onlyCustom).rules).toEqual([{ ...REQUESTS_PER_SECOND }]);
  });

  test('with cert-manager, the API server verifies the adapter: a Certificate, cainjector, no insecureSkipTLSVerify', () => {
    const tls = render({ prometheusAdapter: { enabled: true, certManager: { issuer: { name: 'ca', kind: 'ClusterIssuer' } } } });
    const api = find(tls, 'APIService', 'v1beta1.metrics.k8s.io');
    expect(api.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'monitoring/prometheus-adapter' });
    expect(at(api, 'spec.insecureSkipTLSVerify')).toBe(false);
    expect(at(find(tls, 'Certificate', 'prometheus-adapter'), 'spec.secretName')).toBe('prometheus-adapter-tls');
    const pod = podTemplate(find(tls, 'Deployment', 'prometheus-adapter'));
    expect(argsOf(find(tls, 'Deployment', 'prometheus-adapter'))).toEqual(expect.arrayContaining(['--tls-cert-file=/etc/tls/private/tls.crt', '--tls-private-key-file=/etc/tls/private/tls.key']));
    expect(pod.spec.volumes).toContainEqual({ name: 'tls', secret: { secretName: 'prometheus-adapter-tls' } });
    expect(at(find(tls, 'ServiceMonitor', 'prometheus-adapter'), 'spec.endpoints.0.tlsConfig')).toEqual({ ca: { secret: { name: 'prometheus-adapter-tls', key: 'ca.crt' } }, serverName: 'prometheus-adapter.monitoring.svc' });
  });

  test('resource rules read cAdvisor and node-exporter series the stack scrapes, with 4 scrape intervals of irate', () => {
    const rules = configOf(stack).resourceRules;
    const queries = [rules.cpu.containerQuery, rules.cpu.nodeQuery, rules.memory.containerQuery, rules.memory.nodeQuery] as string[];
    const metrics = queries.flatMap((q) => parsePromQL(renderAdapterQuery(q, 'x').query).metrics.map((m) => m.name));
    expect([...new Set(metrics)].sort()).toEqual(['container_cpu_usage_seconds_total', 'container_memory_working_set_bytes', 'node_cpu_seconds_total', 'node_memory_MemAvailable_bytes', 'node_memory_MemTotal_bytes']);
    for (const m of metrics) expect([m, stack.model.metrics.has(m)]).toEqual([m, true]);
    expect(rules.cpu.containerQuery).toContain('job="kubelet", metrics_path="/metrics/cadvisor"');
    expect(rules.cpu.containerQuery).toContain('[120s]');
    // node-exporter's instance is the node's name in this stack.
    expect(rules.cpu.resources.overrides).toEqual({ instance: { resource: 'node' }, namespace: { resource: 'namespace' }, pod: { resource: 'pod' } });
    expect(rules.memory.containerLabel).toBe('container');
    // Without node-exporter, the nodes' figures are cAdvisor's root cgroup, by its node label.
    const noNodeExporter = configOf(render({ prometheusAdapter: { enabled: true }, nodeExporter: { enabled: false } })).resourceRules;
    expect(noNodeExporter.cpu.nodeQuery).toContain('container_cpu_usage_seconds_total{job="kubelet", metrics_path="/metrics/cadvisor", id="/"');
    expect(noNodeExporter.memory.resources.overrides.node).toEqual({ resource: 'node' });
  });

  test('a custom metric on a metric no component produces is an error naming its field; rules.knownMetrics admits it', () => {
    const unknown = renderError({ prometheusAdapter: withCustom.prometheusAdapter });
    expect(unknown).toContain('prometheusAdapter.customMetrics[0].seriesQuery');
    expect(unknown).toContain("reads metric 'http_requests_total'");
    expect(unknown).toContain('rules.knownMetrics');
    const typo = renderError({ ...withCustom, prometheusAdapter: { enabled: true, customMetrics: [{ ...REQUESTS_PER_SECOND, metricsQuery: 'sum by (<<.GroupBy>>) (rate(http_request_total{<<.LabelMatchers>>}[2m]))' }] } });
    expect(typo).toContain('prometheusAdapter.customMetrics[0].metricsQuery');
    expect(typo).toContain("did you mean 'http_requests_total'");
  });

  test('a custom query that is not PromQL, an unknown template or a rule naming no object is refused at construction', () => {
    const bad = renderError({
      ...withCustom,
      prometheusAdapter: {
        enabled: true,
        customMetrics: [
          { ...REQUESTS_PER_SECOND, metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m]) by (<<.GroupBy>>)' },
          { ...REQUESTS_PER_SECOND, metricsQuery: 'sum(<<.Series>>{<<.LabelValues>>})' },
          { ...REQUESTS_PER_SECOND, resources: {} },
        ],
      },
    });
    expect(bad).toMatch(/prometheusAdapter\.customMetrics\[0\]\.metricsQuery.*not valid PromQL/);
    expect(bad).toMatch(/prometheusAdapter\.customMetrics\[1\]\.metricsQuery.*<<\.LabelValues>>/);
    expect(bad).toMatch(/prometheusAdapter\.customMetrics\[2\]\.resources.*names no Kubernetes object/);
    expect(renderError({ prometheusAdapter: { enabled: true, resourceMetrics: false } })).toContain('prometheusAdapter.resourceMetrics');
    expect(renderError({ prometheusAdapter: { enabled: true }, prometheus: { enabled: false } })).toContain('prometheusAdapter.prometheusUrl');
  });

  test('NetworkPolicies let the API server in on 6443 and the adapter out to Prometheus on 9090', () => {
    const { flows, diagnostics } = analyzeNetworkFlows(stack.model);
    const toAdapter = flows.filter((f) => f.need === 'aggregated-api');
    expect(toAdapter.map((f) => [f.from.kind, f.to.name, f.port, f.verdict.allowed])).toEqual([['address', 'Deployment monitoring/prometheus-adapter', 6443, true]]);
    const queries = flows.filter((f) => f.need === 'query');
    expect(queries.map((f) => [f.from.name, f.to.name, f.port, f.verdict.allowed])).toEqual([['Deployment monitoring/prometheus-adapter', 'Prometheus monitoring/k8s', 9090, true]]);
    expect(flows.filter((f) => f.need === 'scrape' && f.to.name === 'Deployment monitoring/prometheus-adapter').map((f) => [f.port, f.verdict.allowed])).toEqual([[6443, true]]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // Prometheus admits the adapter's pods; without them the query flow is blocked.
    const prometheusIngress = at(find(stack, 'NetworkPolicy', 'prometheus-k8s'), 'spec.ingress.0.from') as unknown[];
    expect(prometheusIngress).toContainEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus-adapter', 'app.kubernetes.io/instance': 'test' } } });
    const blocked = renderError({ prometheusAdapter: { enabled: true }, patches: [{ kind: 'NetworkPolicy', name: 'prometheus-adapter', ops: [{ op: 'remove', path: '/spec/ingress/0' }] }] });
    expect(blocked).toMatch(/APIService v1beta1\.metrics\.k8s\.io.*6443/);
    const noQueries = renderError({ prometheusAdapter: { enabled: true }, patches: [{ kind: 'NetworkPolicy', name: 'prometheus-adapter', ops: [{ op: 'remove', path: '/spec/egress/2' }] }] });
    expect(noQueries).toMatch(/queries Prometheus at http:\/\/prometheus-k8s\.monitoring\.svc:9090.*9090\/TCP, denied by the egress/);
  });

  test('its pods meet Pod Security restricted: non-root, read-only root filesystem with an emptyDir /tmp, no capabilities', () => {
    const sources = podSources(stack.objects).filter((s) => s.where === 'Deployment monitoring/prometheus-adapter');
    expect(sources.map((s) => podSecurityLevel(admittedPod(s).pod))).toEqual(['restricted']);
    expect(at(podTemplate(deployment), 'spec.containers.0.securityContext')).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(podTemplate(deployment).spec.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(at(podTemplate(deployment), 'spec.containers.0.resources.requests')).toEqual({ cpu: '100m', memory: '180Mi' });
  });
});
