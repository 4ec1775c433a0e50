// Catalogue defects found by trying the default stack as a user would; each case fails on the rule as it was.
// Run with promtool at the version the stack deploys, against every rule of the default stack.
import { defineStack } from '../../src';
import type { RuleSource } from '../../src/rules/rule-set';
import { isAlert, type SeriesInput } from '../../src/rules/types';
import { parsePromtoolOutput, promtoolTestFiles, TESTS_FILE, type PromtoolTestCase } from '../../src/rules/unit-tests';
import { buildStack } from '../../src/synth/pipeline';
import { runTool, testWithTool } from '../tools';

const stack = buildStack({ definition: defineStack({ controlPlane: { kubeScheduler: { enabled: true } } }), name: 'default', source: 'stacks/default.ts' });
stack.finalize();
const sources: RuleSource[] = stack.rules.effective();
/** The alert of that name, of that severity and those static labels when given (their labels are expected). */
const rule = (alert: string, severity?: string, labels: Record<string, string> = {}) =>
  sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert)))
    .find((r) => r.alert === alert && (!severity || r.severity === severity) && Object.entries(labels).every(([k, v]) => r.labels?.[k] === v))!;

const KSM = { job: 'kube-state-metrics', namespace: 'monitoring', instance: '10.0.0.9:8080' };
const series = (name: string, labels: Record<string, string>, values: string): SeriesInput =>
  ({ series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`, values });

function check(name: string, alert: string, input: SeriesInput[], at: string, firing: Array<Record<string, string>>, severity?: string, labels?: Record<string, string>): void {
  testWithTool('promtool', name, () => {
    const cases: PromtoolTestCase[] = [{ name, input, checks: [{ at, alert, expect: firing, rule: rule(alert, severity, labels) }] }];
    const run = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, stack.values.prometheus.evaluationInterval));
    const [result] = parsePromtoolOutput(run.output, cases);
    expect(result.detail).toBe('');
    expect(result.passed).toBe(true);
  });
}

describe('catalogue defects stay fixed', () => {
  check('KubeCPUOvercommit fires on a single-node cluster whose pods request more than it has', 'KubeCPUOvercommit', [
    series('kube_node_status_allocatable', { ...KSM, node: 'only', resource: 'cpu', unit: 'core' }, '4x40'),
    series('kube_pod_container_resource_requests', { ...KSM, namespace: 'shop', pod: 'app-0', container: 'app', node: 'only', resource: 'cpu', unit: 'core' }, '5x40'),
    series('kube_pod_status_phase', { ...KSM, namespace: 'shop', pod: 'app-0', phase: 'Running' }, '1x40'),
  ], '20m', [{}]);

  check('KubeMemoryOvercommit stays quiet on a single node with room to spare', 'KubeMemoryOvercommit', [
    series('kube_node_status_allocatable', { ...KSM, node: 'only', resource: 'memory', unit: 'byte' }, '8000000000x40'),
    series('kube_pod_container_resource_requests', { ...KSM, namespace: 'shop', pod: 'app-0', container: 'app', node: 'only', resource: 'memory', unit: 'byte' }, '2000000000x40'),
    series('kube_pod_status_phase', { ...KSM, namespace: 'shop', pod: 'app-0', phase: 'Running' }, '1x40'),
  ], '20m', []);

  // cAdvisor still reports an earlier cgroup of the container (another `id`), unthrottled: the container's own
  // share is 30%; summing both series, as the rule did, made it 15% and the alert never fired.
  const CADVISOR = { job: 'kubelet', metrics_path: '/metrics/cadvisor', namespace: 'shop', pod: 'api-0', container: 'api' };
  check('CPUThrottlingHigh fires on a container that cAdvisor reports twice', 'CPUThrottlingHigh', [
    series('container_cpu_cfs_periods_total', { ...CADVISOR, id: '/kubepods/pod1/new' }, '0+600x40'),
    series('container_cpu_cfs_throttled_periods_total', { ...CADVISOR, id: '/kubepods/pod1/new' }, '0+180x40'),
    series('container_cpu_cfs_periods_total', { ...CADVISOR, id: '/kubepods/pod1/old' }, '0+600x40'),
    series('container_cpu_cfs_throttled_periods_total', { ...CADVISOR, id: '/kubepods/pod1/old' }, '0x40'),
  ], '25m', [{ job: 'kubelet', namespace: 'shop', pod: 'api-0', container: 'api' }]);

  // 10% of writes fail: ten times the budget, under the 1h window's 14.4 but over the 6h window's 6. Its 30m
  // confirmation window needs 15 minutes, not the 2 minutes of the 1h window it shared an alert with.
  const APISERVER = { job: 'apiserver', instance: '10.0.0.1:6443', resource: 'pods' };
  const tenPercentFailingWrites = [
    series('apiserver_request_total', { ...APISERVER, verb: 'POST', code: '201', scope: 'namespace' }, '0+90x40'),
    series('apiserver_request_total', { ...APISERVER, verb: 'POST', code: '500', scope: 'namespace' }, '0+10x40'),
    series('apiserver_request_sli_duration_seconds_count', { ...APISERVER, verb: 'POST', scope: 'namespace' }, '0+100x40'),
    series('apiserver_request_sli_duration_seconds_bucket', { ...APISERVER, verb: 'POST', scope: 'namespace', le: '1' }, '0+100x40'),
    series('apiserver_request_sli_duration_seconds_bucket', { ...APISERVER, verb: 'POST', scope: 'namespace', le: '+Inf' }, '0+100x40'),
  ];
  check('KubeAPIErrorBudgetBurn over 6h and 30m does not page after minutes', 'KubeAPIErrorBudgetBurn', tenPercentFailingWrites, '10m', [], 'critical');
  check('KubeAPIErrorBudgetBurn over 6h and 30m pages after its 15 minutes', 'KubeAPIErrorBudgetBurn', tenPercentFailingWrites, '25m',
    [{ verb: 'write' }], 'critical', { long: '6h', short: '30m' });
});
