// Catalogue defects found by trying the default stack as a user would; each case fails on the rule as it was.
// Run with promtool at the version the stack deploys, against every rule of the default stack.
import { defineStack } from '../../src';
import type { RuleSource } from '../../src/rules/rule-set';
import { isAlert, type SeriesInput } from '../../src/rules/types';
import { parsePromtoolOutput, promtoolTestFiles, TESTS_FILE, type PromtoolTestCase } from '../../src/rules/unit-tests';
import { buildStack } from '../../src/synth/pipeline';
import { runTool, testWithTool } from '../tools';

const stack = buildStack({ definition: defineStack({}), name: 'default', source: 'stacks/default.ts' });
stack.finalize();
const sources: RuleSource[] = stack.rules.effective();
const rule = (alert: string, severity?: string) =>
  sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert))).find((r) => r.alert === alert && (!severity || r.severity === severity))!;

const KSM = { job: 'kube-state-metrics', namespace: 'monitoring', instance: '10.0.0.9:8080' };
const series = (name: string, labels: Record<string, string>, values: string): SeriesInput =>
  ({ series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`, values });

function check(name: string, alert: string, input: SeriesInput[], at: string, firing: Array<Record<string, string>>, severity?: string): void {
  testWithTool('promtool', name, () => {
    const cases: PromtoolTestCase[] = [{ name, input, checks: [{ at, alert, expect: firing, rule: rule(alert, severity) }] }];
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
});
