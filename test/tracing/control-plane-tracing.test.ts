// Control-plane tracing (Kelemetry + Jaeger) as the stack writes it: what runs, with which flags and RBAC, who may
// reach what, and the files and steps for the kube-apiserver.
import { parse } from 'yaml';
import type { StackValues } from '../../src';
import { AUDIT_POLICY_FILE, AUDIT_WEBHOOK_KUBECONFIG_FILE } from '../../src/components/control-plane-tracing';
import { stackFiles } from '../../src/synth/layout';
import { at, find, objectsOf, podTemplate, render, renderError } from '../helpers';

const TRACING: StackValues = {
  common: { clusterName: 'lab' },
  controlPlaneTracing: { enabled: true, webhook: { clusterIP: '10.96.0.50', apiServerCidrs: ['10.0.0.0/24'] } },
};
const withTracing = (more: NonNullable<StackValues['controlPlaneTracing']> = {}, top: StackValues = {}): StackValues => ({
  ...TRACING, ...top, controlPlaneTracing: { ...TRACING.controlPlaneTracing, ...more, webhook: { ...TRACING.controlPlaneTracing!.webhook, ...more.webhook } },
});

type Container = { name: string; args?: string[]; env?: Array<{ name: string; value: string }>; image: string; ports?: Array<{ name: string }> };
const containers = (manifest: Parameters<typeof podTemplate>[0]) => podTemplate(manifest).spec.containers as unknown as Container[];
const container = (manifest: Parameters<typeof podTemplate>[0], name: string) => containers(manifest).find((c) => c.name === name)!;
type Ingress = Array<{ from: Array<Record<string, unknown>>; ports: Array<{ port: number }> }>;

describe('control-plane tracing', () => {
  const stack = render(TRACING);
  const objects = objectsOf(stack, 'control-plane-tracing');
  const kelemetry = container(find(stack, 'Deployment', 'kelemetry'), 'kelemetry');

  test('is off by default: no object, no file, no SUMMARY section', () => {
    const plain = render();
    expect(objectsOf(plain, 'control-plane-tracing')).toEqual([]);
    expect(plain.model.files).toEqual([]);
    expect(plain.reports.join('\n')).not.toContain('Control-plane tracing');
  });

  test('runs Kelemetry, Jaeger collector, remote storage and query at the pinned versions', () => {
    const images = objects.flatMap((o) => (o.manifest.spec as { template?: unknown } | undefined)?.template ? containers(o.manifest).map((c) => c.image) : []).sort();
    expect(images).toEqual([
      'docker.io/jaegertracing/jaeger-collector:1.75.0',
      'docker.io/jaegertracing/jaeger-query:1.75.0',
      'docker.io/jaegertracing/jaeger-remote-storage:1.75.0',
      'ghcr.io/kubewharf/kelemetry:v0.2.7',
      'ghcr.io/kubewharf/kelemetry:v0.2.7',
    ]);
  });

  test('one Kelemetry process runs every part of the pipeline, with in-memory caches and no leader election', () => {
    expect(at(find(stack, 'Deployment', 'kelemetry'), 'spec.replicas')).toBe(1);
    expect(at(find(stack, 'Deployment', 'kelemetry'), 'spec.strategy.type')).toBe('Recreate');
    expect(kelemetry.args).toEqual(expect.arrayContaining([
      '--audit-webhook-enable', '--audit-producer-enable', '--audit-consumer-enable', '--mq=local',
      '--event-informer-enable', '--diff-controller-enable', '--diff-decorator-enable', '--diff-cache=local', '--span-cache=local',
      '--owner-linker-enable', '--kube-target-cluster=lab', '--tracer-otel-endpoint=jaeger-collector.monitoring.svc:4317',
      '--diff-controller-leader-election-enable=false', '--diff-writer-leader-election-enable=false', '--event-informer-leader-election-enable=false',
    ]));
    // Secrets are filtered out in Kelemetry itself too, whatever the RBAC says.
    expect(kelemetry.args).toContain('--filter-exclude-types=events,events.k8s.io/events,coordination.k8s.io/leases,secrets');
  });

  test('reads exactly the traced resources and Events, no wildcard, never Secrets', () => {
    const rules = at(find(stack, 'ClusterRole', 'kelemetry'), 'rules') as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    for (const rule of rules) {
      expect(rule.verbs).toEqual(['get', 'list', 'watch']);
      expect([...rule.apiGroups, ...rule.resources]).not.toContain('*');
    }
    expect(rules.find((r) => r.apiGroups[0] === 'apps')!.resources).toEqual(['deployments', 'replicasets', 'statefulsets', 'daemonsets']);
    expect(rules.flatMap((r) => r.resources)).toContain('events');
    expect(rules.flatMap((r) => r.resources)).not.toContain('secrets');
    expect(renderError(withTracing({ traceResources: [{ group: '', resources: ['secrets'] }] }))).toContain('Kelemetry would record the data of every Secret');
    expect(renderError(withTracing({ traceResources: [{ group: 'apps', resources: ['*'] }] }))).toContain("'*' is not a plural resource name");
  });

  test('may write only its event-position ConfigMap by name, and read only the filter ConfigMap in default', () => {
    const own = find(stack, 'Role', 'kelemetry');
    expect(at(own, 'metadata.namespace')).toBe('monitoring');
    expect(at(own, 'rules')).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kelemetry-event-controller'], verbs: ['get', 'update'] },
    ]);
    expect(kelemetry.args).toEqual(expect.arrayContaining(['--event-informer-configmap-name=kelemetry-event-controller', '--event-informer-configmap-namespace=monitoring']));
    const filter = find(stack, 'Role', 'kelemetry-filter-config');
    expect(at(filter, 'metadata.namespace')).toBe('default');
    expect(at(filter, 'rules')).toEqual([{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kelemetry-filter-config'], verbs: ['get', 'list', 'watch'] }]);
    expect(at(find(stack, 'RoleBinding', 'kelemetry-filter-config'), 'subjects')).toEqual([{ kind: 'ServiceAccount', name: 'kelemetry', namespace: 'monitoring' }]);
  });

  test('every container is locked down, sized and probed; only Kelemetry gets an API token', () => {
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet'].includes(x.manifest.kind))) {
      const pod = podTemplate(o.manifest);
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(at(pod, 'spec.automountServiceAccountToken')).toBe(o.manifest.metadata.name === 'kelemetry');
      for (const c of pod.spec.containers) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(Object.keys(c.resources!.requests!).sort()).toEqual(['cpu', 'memory']);
        expect(c.resources!.limits!.memory).toBeDefined();
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
      }
    }
    expect(stack.warnings.filter((w) => w.code.startsWith('policy/') || w.code.startsWith('tracing/'))).toEqual([]);
  });

  test('lets in only who needs each port: the API server to the webhook, Kelemetry to the collector, Grafana to the UI', () => {
    const ingress = (name: string) => at(find(stack, 'NetworkPolicy', name), 'spec.ingress') as Ingress;
    expect(ingress('kelemetry')[0]).toEqual({ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ port: 8080, protocol: 'TCP' }] });
    expect(ingress('jaeger-collector')[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kelemetry', 'app.kubernetes.io/instance': 'test' } } }]);
    expect(ingress('jaeger-storage')[0].from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'jaeger-collector', 'app.kubernetes.io/instance': 'test' } } },
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'jaeger-query', 'app.kubernetes.io/instance': 'test' } } },
    ]);
    expect(ingress('jaeger-query')[0]).toEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'test' } } }], ports: [{ port: 16686, protocol: 'TCP' }] });
    // Without Grafana and without UI namespaces, nobody but Prometheus (metrics) gets in.
    const alone = render(withTracing({}, { grafana: { enabled: false } }));
    expect((at(find(alone, 'NetworkPolicy', 'jaeger-query'), 'spec.ingress') as Ingress).map((r) => r.ports.map((p) => p.port))).toEqual([[16687, 9090]]);
  });

  test('jaeger-query reads through the Kelemetry storage plugin on the pod loopback, which reads the remote storage', () => {
    const query = find(stack, 'Deployment', 'jaeger-query');
    expect(container(query, 'jaeger-query').env).toEqual([{ name: 'SPAN_STORAGE_TYPE', value: 'grpc' }]);
    expect(container(query, 'jaeger-query').args).toContain('--grpc-storage.server=127.0.0.1:17271');
    expect(container(query, 'kelemetry-storage-plugin').args).toEqual(expect.arrayContaining([
      '--jaeger-storage-plugin-enable', '--jaeger-storage-plugin-address=127.0.0.1:17271', '--jaeger-backend=jaeger-storage',
      '--jaeger-storage.span-storage.type=grpc-plugin', '--jaeger-storage.grpc-storage.server=jaeger-storage.monitoring.svc:17271', '--jaeger-cluster-names=lab',
    ]));
    expect(container(find(stack, 'Deployment', 'jaeger-collector'), 'jaeger-collector').args).toContain('--grpc-storage.server=jaeger-storage.monitoring.svc:17271');
  });

  test('stores spans in Badger on a volume by default, or in memory with a bound', () => {
    const badger = find(stack, 'StatefulSet', 'jaeger-storage');
    expect(container(badger, 'jaeger-storage').env).toEqual([{ name: 'SPAN_STORAGE_TYPE', value: 'badger' }]);
    expect(container(badger, 'jaeger-storage').args).toEqual(expect.arrayContaining(['--badger.ephemeral=false', '--badger.span-store-ttl=72h']));
    expect(at(badger, 'spec.volumeClaimTemplates.0.spec.resources.requests.storage')).toBe('10Gi');
    const memory = find(render(withTracing({ storage: { type: 'memory', maxTraces: 5000 } })), 'StatefulSet', 'jaeger-storage');
    expect(container(memory, 'jaeger-storage').env).toEqual([{ name: 'SPAN_STORAGE_TYPE', value: 'memory' }]);
    expect(container(memory, 'jaeger-storage').args).toContain('--memory.max-traces=5000');
    expect(at(memory, 'spec.volumeClaimTemplates')).toBeUndefined();
  });

  test('viaCollector sends Kelemetry\'s spans to that OTLP endpoint, and lets the stack\'s Collector into jaeger-collector instead', () => {
    const via = render(withTracing({ viaCollector: { endpoint: 'otel-collector.monitoring.svc:4317' } }, { otelCollector: { enabled: true, traces: { endpoint: 'jaeger-collector.monitoring.svc:4317', insecure: true } } }));
    expect(container(find(via, 'Deployment', 'kelemetry'), 'kelemetry').args).toContain('--tracer-otel-endpoint=otel-collector.monitoring.svc:4317');
    const from = (at(find(via, 'NetworkPolicy', 'jaeger-collector'), 'spec.ingress') as Ingress)[0].from;
    expect(from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/instance': 'test' } } }]);
    expect(renderError(withTracing({ viaCollector: { endpoint: 'http://otel:4317' } }))).toContain("controlPlaneTracing.viaCollector.endpoint: 'http://otel:4317' is not host:port");
  });

  test('Grafana gets a Jaeger datasource on jaeger-query', () => {
    const datasources = parse((find(stack, 'ConfigMap', 'grafana-datasources').data as Record<string, string>)['datasources.yaml']) as { datasources: Array<Record<string, unknown>> };
    expect(datasources.datasources.map((d) => d.type)).toEqual(['prometheus', 'alertmanager', 'jaeger']);
    expect(datasources.datasources[2]).toMatchObject({ name: 'Kelemetry', uid: 'kelemetry', url: 'http://jaeger-query.monitoring.svc:16686', access: 'proxy', editable: false });
    // Without tracing, Grafana's datasources are as before.
    const plain = parse((find(render(), 'ConfigMap', 'grafana-datasources').data as Record<string, string>)['datasources.yaml']) as { datasources: unknown[] };
    expect(plain.datasources).toHaveLength(2);
  });

  test('writes the audit policy and webhook kubeconfig to control-plane-config/, with the generated header', () => {
    const files = stackFiles(stack).filter((f) => f.path.startsWith('test/control-plane-config/'));
    expect(files.map((f) => f.path)).toEqual(['test/control-plane-config/audit-policy.yaml', 'test/control-plane-config/audit-webhook-kubeconfig.yaml']);
    for (const f of files) expect(f.content.split('\n')[0]).toBe('# Generated by cdk8s-o11y from stacks/test.ts. Do not edit: change the stack file and run `o11y synth`.');
    const kubeconfig = parse(stack.model.files.find((f) => f.path === AUDIT_WEBHOOK_KUBECONFIG_FILE)!.content) as Record<string, unknown>;
    expect(at(kubeconfig, 'clusters.0.cluster')).toEqual({ server: 'http://10.96.0.50:8080/audit/lab' });
    expect(at(find(stack, 'Service', 'kelemetry'), 'spec.clusterIP')).toBe('10.96.0.50');
    const policy = parse(stack.model.files.find((f) => f.path === AUDIT_POLICY_FILE)!.content) as { rules: Array<{ level: string; resources?: Array<{ resources: string[] }> }> };
    // Bodies only of writes to traced resources; Secrets never.
    expect(policy.rules.map((r) => r.level)).toEqual(['None', 'None', 'None', 'RequestResponse', 'None']);
    expect(policy.rules[0].resources!.flatMap((r) => r.resources)).toContain('secrets');
  });

  test('with TLS the webhook serves the Secret\'s certificate and the kubeconfig names the CA and https', () => {
    const tls = render(withTracing({ webhook: { tls: { secretName: 'kelemetry-webhook-tls' } } }));
    const args = container(find(tls, 'Deployment', 'kelemetry'), 'kelemetry').args!;
    expect(args).toEqual(expect.arrayContaining(['--http-tls-cert=/etc/kelemetry/tls/tls.crt', '--http-tls-key=/etc/kelemetry/tls/tls.key']));
    const kubeconfig = parse(tls.model.files.find((f) => f.path === AUDIT_WEBHOOK_KUBECONFIG_FILE)!.content) as Record<string, unknown>;
    expect(at(kubeconfig, 'clusters.0.cluster')).toEqual({ server: 'https://10.96.0.50:8080/audit/lab', 'certificate-authority': '/etc/kubernetes/audit/kelemetry-ca.crt' });
    // The Secret is a prerequisite, in SUMMARY.md's checklist.
    expect(tls.reports.join('\n')).toContain('| `monitoring` | `kelemetry-webhook-tls` | any keys (mounted whole) |');
    expect(renderError(withTracing({ webhook: { url: 'http://audit.example.com:8080', tls: { secretName: 'x' } } }))).toContain('controlPlaneTracing.webhook.url: is plain http, but the webhook serves TLS');
  });

  test('SUMMARY.md says what to install on the kube-apiserver, read from the written files', () => {
    const section = stack.reports.find((r) => r.startsWith('## Control-plane tracing'))!;
    expect(section).toContain('--audit-policy-file=/etc/kubernetes/audit/audit-policy.yaml');
    expect(section).toContain('--audit-webhook-config-file=/etc/kubernetes/audit/audit-webhook-kubeconfig.yaml');
    expect(section).toContain('posts to `http://10.96.0.50:8080/audit/lab`; the webhook lets in `10.0.0.0/24` only');
    expect(section).toContain("Grafana's Kelemetry (Jaeger) datasource");
  });

  test('refuses values that cannot work, naming the field and the fix', () => {
    const missing = renderError({ controlPlaneTracing: { enabled: true } });
    expect(missing).toContain('controlPlaneTracing.webhook: the kube-apiserver needs an address to send audit events to');
    expect(missing).toContain('controlPlaneTracing.webhook.apiServerCidrs: is empty');
    expect(renderError(withTracing({ webhook: { apiServerCidrs: ['10.0.0.0'] } }))).toContain("apiServerCidrs[0]: '10.0.0.0' is not a CIDR");
    expect(renderError(withTracing({ storage: { retention: '3 days' } }))).toContain("controlPlaneTracing.storage.retention: '3 days' is not a Go duration");
    expect(renderError(withTracing({}, { common: { clusterName: 'lab_1' } }))).toContain("common.clusterName: 'lab_1' cannot name a Kelemetry cluster");
    expect(renderError(withTracing({ webhook: { url: 'http://user:pw@audit.example.com' } }))).toContain('controlPlaneTracing.webhook.url');
    expect(renderError({ ...TRACING, controlPlaneTracing: { ...TRACING.controlPlaneTracing, storge: {} } as never })).toContain("controlPlaneTracing.storge: unknown option 'storge'");
  });

  test('a patch that passes a flag Kelemetry does not have fails the synth, like the values path would', () => {
    const error = renderError(TRACING, (s) => s.patch('Deployment', 'kelemetry', [{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--audit-webhook-port=9000' }]));
    expect(error).toContain('--audit-webhook-port is not an option of kelemetry v0.2.7');
  });
});
