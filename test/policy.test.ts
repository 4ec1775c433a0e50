// Secure defaults and wiring, checked across every stack file and a stack with every option on. The secure defaults
// themselves are the policy analyzer's rules (src/analyze/policy.ts; each rule is tested in test/analyze/policy.test.ts):
// here every stack must meet all of them, and keep the defaults and wiring the analyzer does not judge.
import * as path from 'path';
import { analyzePolicy } from '../src/analyze/policy';
import { OPERATOR_POD_SELECTORS } from '../src/k8s/names';
import { defaultStackFiles, loadStackFile } from '../src/load/stack-file';
import { renderStack, type Manifest, type RenderedStack } from '../src/synth/pipeline';
import { at, podTemplate, render } from './helpers';

const stacks: RenderedStack[] = [
  ...defaultStackFiles(path.resolve(__dirname, '..', 'stacks')).map((f) => renderStack(loadStackFile(f))),
  render({ name: 'all-options', grafana: { replicas: 2, dashboardNamespaces: 'all' }, prometheusOperator: { watchNamespaces: ['x'] } }),
];
const WORKLOADS = ['Deployment', 'DaemonSet', 'StatefulSet'];

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The pods of a stack as [name, labels]: workloads' templates, and what the operator makes of the CRs. */
function podsOf(stack: RenderedStack): Array<[string, Record<string, string>]> {
  const pods: Array<[string, Record<string, string>]> = stack.objects
    .filter((o) => WORKLOADS.includes(o.manifest.kind))
    .map((o) => [o.manifest.metadata.name, podTemplate(o.manifest).metadata.labels]);
  if (stack.objects.some((o) => o.manifest.kind === 'Prometheus')) pods.push(['prometheus', { ...OPERATOR_POD_SELECTORS.prometheus }]);
  if (stack.objects.some((o) => o.manifest.kind === 'Alertmanager')) pods.push(['alertmanager', { ...OPERATOR_POD_SELECTORS.alertmanager }]);
  return pods;
}

describe.each(stacks.map((s) => [s.name, s] as const))('stack %s', (_name, stack) => {
  const kind = (k: string) => stack.objects.filter((o) => o.manifest.kind === k).map((o) => o.manifest);
  const workloads = stack.objects.filter((o) => WORKLOADS.includes(o.manifest.kind)).map((o) => o.manifest);

  test('meets every secure default: non-root, seccomp, locked-down containers, requests and limits, pinned images, probes, NetworkPolicies, PDBs, RBAC without wildcards, no literal credential', () => {
    expect(analyzePolicy(stack.objects)).toEqual([]);
  });

  test('limits memory only, never CPU (CPU limits throttle)', () => {
    for (const w of workloads) {
      for (const c of podTemplate(w).spec.containers) expect([w.metadata.name, c.name, Object.keys(c.resources?.limits ?? {})]).toEqual([w.metadata.name, c.name, ['memory']]);
    }
    for (const cr of [...kind('Prometheus'), ...kind('Alertmanager')]) expect(Object.keys(at(cr, 'spec.resources.limits') as object)).toEqual(['memory']);
  });

  test('the policy rules have something to check: replicated workloads, NetworkPolicies, roles', () => {
    const replicated = [...workloads, ...kind('Prometheus'), ...kind('Alertmanager')].filter((w) => w.kind !== 'DaemonSet' && ((at(w, 'spec.replicas') as number | undefined) ?? 1) > 1);
    expect(replicated.length).toBeGreaterThan(1);
    expect(kind('NetworkPolicy').length).toBeGreaterThan(0);
    expect(kind('ClusterRole').length).toBeGreaterThan(0);
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
    expect(kind('Service').map((s) => s.metadata.name).sort()).toEqual(
      ['alertmanager-main', 'grafana', 'kube-state-metrics', 'node-exporter', 'prometheus-k8s', 'prometheus-operator'],
    );
  });

  test('namespaced objects sit in the stack namespace; cluster-scoped ones have none', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
    const namespace = (at(stack.objects.find((o) => o.manifest.kind === 'Namespace')!.manifest, 'metadata.name')) as string;
    // Extra objects go where the user says; team routing and chaos schedules live in the namespaces they concern.
    for (const { manifest } of stack.objects.filter((o) => o.component !== 'extra' && !['AlertmanagerConfig', 'Schedule'].includes(o.manifest.kind))) {
      const m = manifest as Manifest;
      expect([m.kind, m.metadata.name, m.metadata.namespace]).toEqual([m.kind, m.metadata.name, clusterScoped.has(m.kind) ? undefined : namespace]);
    }
  });
});
