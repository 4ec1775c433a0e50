// Secure defaults and wiring, checked across every stack file and a stack with every option on.
import * as path from 'path';
import { OPERATOR_POD_SELECTORS } from '../src/k8s/names';
import { defaultStackFiles, loadStacks } from '../src/load/stack-file';
import { renderStack, type Manifest, type RenderedStack } from '../src/synth/pipeline';
import { admittedPod, podSources } from '../src/analyze/policy';
import { podSecurityLevel } from '../src/analyze/pod-security';
import { at, podTemplate, render, type PodTemplate } from './helpers';

const stacks: RenderedStack[] = [
  // A fleet file (stacks/fleet.ts) is a stack per cluster.
  ...defaultStackFiles(path.resolve(__dirname, '..', 'stacks')).flatMap((f) => loadStacks(f)).map((l) => renderStack(l)),
  render({ name: 'all-options', grafana: { replicas: 2, dashboardNamespaces: 'all', allowDashboardsFromAllNamespaces: true }, prometheusOperator: { watchNamespaces: ['x'] } }),
];
const WORKLOADS = ['Deployment', 'DaemonSet', 'StatefulSet'];
/** k8s-sidecar has no health endpoint; Grafana's own probes cover the pod. */
const WITHOUT_PROBES = new Set(['dashboard-sidecar']);

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The pods of a stack as [name, labels]: workloads' templates, and what the operator makes of the CRs. */
function podsOf(stack: RenderedStack): Array<[string, Record<string, string>]> {
  const pods: Array<[string, Record<string, string>]> = stack.objects
    .filter((o) => WORKLOADS.includes(o.manifest.kind))
    .map((o) => [o.manifest.metadata.name, podTemplate(o.manifest).metadata.labels]);
  if (stack.objects.some((o) => o.manifest.kind === 'Prometheus' || o.manifest.kind === 'PrometheusAgent')) pods.push(['prometheus', { ...OPERATOR_POD_SELECTORS.prometheus }]);
  if (stack.objects.some((o) => o.manifest.kind === 'Alertmanager')) pods.push(['alertmanager', { ...OPERATOR_POD_SELECTORS.alertmanager }]);
  return pods;
}

describe.each(stacks.map((s) => [s.name, s] as const))('stack %s', (_name, stack) => {
  const kind = (k: string) => stack.objects.filter((o) => o.manifest.kind === k).map((o) => o.manifest);

  test('every pod meets Pod Security restricted, but node-exporter, which needs privileged', () => {
    const levels = podSources(stack.objects).map((source) => [source.where, podSecurityLevel(admittedPod(source).pod)]);
    expect(levels.length).toBeGreaterThan(3);
    for (const [where, level] of levels) {
      expect([where, level]).toEqual([where, /^DaemonSet [a-z-]+\/node-exporter$/.test(where) ? 'privileged' : 'restricted']);
    }
  });
  const workloads = stack.objects.filter((o) => WORKLOADS.includes(o.manifest.kind)).map((o) => o.manifest);

  test('every pod runs as non-root with the RuntimeDefault seccomp profile', () => {
    for (const w of workloads) expect([w.metadata.name, podTemplate(w).spec.securityContext]).toEqual([w.metadata.name, expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })]);
    for (const cr of [...kind('Prometheus'), ...kind('Alertmanager')]) expect(at(cr, 'spec.securityContext.runAsNonRoot')).toBe(true);
  });

  test('every container: read-only root, no privilege escalation, no capabilities, requests and a memory limit', () => {
    for (const w of workloads) {
      for (const c of podTemplate(w).spec.containers) {
        const where = `${w.metadata.name}/${c.name}`;
        expect([where, c.securityContext]).toEqual([where, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }]);
        expect([where, Object.keys(c.resources?.requests ?? {}).sort()]).toEqual([where, ['cpu', 'memory']]);
        expect([where, Object.keys(c.resources?.limits ?? {})]).toEqual([where, ['memory']]);
        expect([where, c.image]).toEqual([where, expect.stringMatching(/^[^:@]+(:\d+)?\/[^:@]+:[\w.-]+(@sha256:[0-9a-f]{64})?$/)]);
        expect(c.image).not.toMatch(/:latest$/);
        if (!WITHOUT_PROBES.has(c.name)) expect([where, Boolean(c.readinessProbe && c.livenessProbe)]).toEqual([where, true]);
      }
    }
    for (const cr of [...kind('Prometheus'), ...kind('Alertmanager')]) expect(Object.keys(at(cr, 'spec.resources.requests') as object).sort()).toEqual(['cpu', 'memory']);
  });

  test('RBAC lists what it grants: no wildcard in any role', () => {
    for (const role of [...kind('ClusterRole'), ...kind('Role')]) {
      const rules = at(role, 'rules') as Array<Record<string, string[]>>;
      for (const rule of rules) {
        for (const field of ['apiGroups', 'resources', 'verbs', 'nonResourceURLs']) expect([role.metadata.name, field, rule[field] ?? []]).not.toContainEqual(expect.arrayContaining(['*']));
      }
    }
    // The API server's own roles, which the aggregated-API pattern (prometheus-adapter) binds to.
    const builtIn = ['ClusterRole/system:auth-delegator', 'Role/extension-apiserver-authentication-reader'];
    const roleNames = new Set([...builtIn, ...[...kind('ClusterRole'), ...kind('Role')].map((r) => `${r.kind}/${r.metadata.name}`)]);
    for (const binding of [...kind('ClusterRoleBinding'), ...kind('RoleBinding')]) {
      expect(roleNames).toContain(`${at(binding, 'roleRef.kind')}/${at(binding, 'roleRef.name')}`);
    }
  });

  test('every pod is covered by a NetworkPolicy', () => {
    const policies = kind('NetworkPolicy').map((p) => at(p, 'spec.podSelector.matchLabels') as Record<string, string>);
    for (const [name, labels] of podsOf(stack)) expect([name, policies.some((s) => matches(s, labels))]).toEqual([name, true]);
  });

  test('every Service selects pods of the stack, and every stack ServiceMonitor selects a Service and its ports', () => {
    const pods = podsOf(stack);
    const services = kind('Service');
    for (const s of services) {
      const selector = at(s, 'spec.selector') as Record<string, string>;
      expect([s.metadata.name, pods.some(([, labels]) => matches(selector, labels))]).toEqual([s.metadata.name, true]);
    }
    for (const m of stack.objects.filter((o) => o.manifest.kind === 'ServiceMonitor' && !['control-plane', 'applications'].includes(o.component)).map((o) => o.manifest)) {
      const selector = at(m, 'spec.selector.matchLabels') as Record<string, string>;
      const targets = services.filter((s) => matches(selector, at(s, "metadata.labels") as Record<string, string>));
      expect([m.metadata.name, targets.map((t) => t.metadata.name)]).toEqual([m.metadata.name, [m.metadata.name]]);
      const ports = (at(targets[0], 'spec.ports') as Array<{ name: string }>).map((p) => p.name);
      for (const endpoint of at(m, 'spec.endpoints') as Array<{ port: string }>) expect(ports).toContain(endpoint.port);
    }
  });

  test('the Services carry the job names the community rules and dashboards expect', () => {
    // Control-plane tracing (opt-in) adds its own, named as Kelemetry's chart names them.
    const tracing = stack.objects.some((o) => o.component === 'control-plane-tracing') ? ['jaeger-collector', 'jaeger-query', 'jaeger-storage', 'kelemetry'] : [];
    const optional: Record<string, string[]> = {
      'otel-collector': ['otel-collector'], alertmanager: ['alertmanager-main'], grafana: ['grafana'],
      'blackbox-exporter': ['blackbox-exporter'], 'prometheus-adapter': ['prometheus-adapter'],
    };
    const present = Object.entries(optional).flatMap(([component, names]) => (stack.objects.some((o) => o.component === component) ? names : []));
    const thanos = kind('Prometheus').some((p) => at(p, 'spec.thanos')) ? ['prometheus-k8s-thanos-sidecar'] : [];
    expect(kind('Service').map((s) => s.metadata.name).sort()).toEqual(
      [...present, ...tracing, ...thanos, 'kube-state-metrics', 'node-exporter', 'prometheus-k8s', 'prometheus-operator'].sort(),
    );
  });

  test('every replicated workload keeps a replica through voluntary disruptions', () => {
    const budgets = kind('PodDisruptionBudget').map((p) => at(p, 'spec.selector.matchLabels') as Record<string, string>);
    const replicated: Array<[string, Record<string, string>]> = workloads
      .filter((w) => w.kind === 'Deployment' && (at(w, 'spec.replicas') as number) > 1)
      .map((w) => [w.metadata.name, podTemplate(w).metadata.labels]);
    for (const cr of kind('Prometheus')) if ((at(cr, 'spec.replicas') as number) > 1) replicated.push(['prometheus', { ...OPERATOR_POD_SELECTORS.prometheus }]);
    for (const cr of kind('Alertmanager')) if ((at(cr, 'spec.replicas') as number) > 1) replicated.push(['alertmanager', { ...OPERATOR_POD_SELECTORS.alertmanager }]);
    // Every stack with Alertmanager replicates it and Prometheus (an agent of one replica has nothing to keep).
    if (kind('Alertmanager').length) expect(replicated.length).toBeGreaterThan(1);
    for (const [name, labels] of replicated) expect([name, budgets.some((b) => matches(b, labels))]).toEqual([name, true]);
  });

  test('every ServiceAccount a pod uses exists', () => {
    const accounts = new Set(kind('ServiceAccount').map((s) => s.metadata.name));
    const used = [
      ...workloads.map((w) => (podTemplate(w) as PodTemplate).spec.serviceAccountName),
      ...[...kind('Prometheus'), ...kind('PrometheusAgent'), ...kind('Alertmanager')].map((cr) => at(cr, 'spec.serviceAccountName') as string),
    ];
    for (const name of used) expect(accounts).toContain(name);
  });

  test('namespaced objects sit in the stack namespace (node-exporter\'s in its own); cluster-scoped ones have none', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService']);
    const stackNamespace = stack.model.values.common.namespace;
    // Extra objects go where the user says; team routing and chaos schedules live in the namespaces they concern.
    for (const o of stack.objects.filter((o) => o.component !== 'extra' && !['AlertmanagerConfig', 'Schedule'].includes(o.manifest.kind))) {
      const m = o.manifest as Manifest;
      // Kelemetry 0.2.7 reads one ConfigMap of `default`, by a name its source fixes: its Role and binding live there.
      // Grafana's dashboard sidecar reads ConfigMaps of the namespaces grafana.dashboardNamespaces names, by a Role in each.
      const dashboards = /^grafana-dashboards-(.+)$/.exec(m.metadata.name)?.[1];
      // prometheus-adapter reads the API server's client CA from kube-system's extension-apiserver-authentication.
      const elsewhere = !['Role', 'RoleBinding'].includes(m.kind) ? undefined
        : m.metadata.name === 'kelemetry-filter-config' ? 'default' : m.metadata.name === 'resource-metrics-auth-reader' ? 'kube-system' : dashboards;
      // node-exporter needs Pod Security `privileged`, which only its own namespace allows; its rules and dashboards
      // go where Prometheus and Grafana read them.
      const delivered = m.kind === 'PrometheusRule' || m.kind === 'GrafanaDashboard' || m.metadata.name.startsWith('grafana-dashboard-');
      const namespace = o.component === 'node-exporter' && !delivered ? `${stackNamespace}-node` : stackNamespace;
      expect([m.kind, m.metadata.name, m.metadata.namespace]).toEqual([m.kind, m.metadata.name, clusterScoped.has(m.kind) ? undefined : elsewhere ?? namespace]);
    }
  });
});
