// Recording rules that dashboards and users join on, evaluated by promtool at the version the stack deploys:
// every pod has a workload, every node its CPU count, the scheduler its cluster-wide quantiles.
import { defineStack } from '../../src';
import { renderGroups } from '../../src/rules/render';
import { buildStack } from '../../src/synth/pipeline';
import { toYaml } from '../../src/core/yaml';
import { runTool, testWithTool } from '../tools';

const stack = buildStack({ definition: defineStack({ controlPlane: { kubeScheduler: { enabled: true } } }), name: 'default', source: 'stacks/default.ts' });
stack.finalize();
const groups = stack.rules.effective().flatMap((s) => s.groups);

type Labels = Record<string, string>;
const selector = (name: string, labels: Labels) => `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;

/** Runs one promql_expr_test: `expr` at `at` must give exactly `expected` (labels, value). */
function expectRecorded(title: string, input: Array<{ series: string; values: string }>, expr: string, expected: Array<{ labels: string; value: number }>): void {
  testWithTool('promtool', title, () => {
    const rules = renderGroups(groups, 'https://runbooks.invalid');
    for (const group of rules.groups) for (const rule of group.rules) delete (rule as { annotations?: unknown }).annotations;
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{ interval: '1m', input_series: input, promql_expr_test: [{ expr, eval_time: '10m', exp_samples: expected }] }],
    };
    const run = runTool('promtool', ['test', 'rules', 'tests.yaml'], { 'rules.yaml': toYaml(rules), 'tests.yaml': toYaml(tests) });
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  }, 60000);
}

const KSM = { job: 'kube-state-metrics', instance: '10.0.0.9:8080', namespace: 'shop' };
const owner = (pod: string, kind: string, name: string, controller = 'true') =>
  ({ series: selector('kube_pod_owner', { ...KSM, pod, owner_kind: kind, owner_name: name, owner_is_controller: controller }), values: '1x20' });
const RECORD = 'namespace_workload_pod:kube_pod_owner:relabel';
const workload = (pod: string, name: string, type: string) =>
  ({ labels: selector(RECORD, { namespace: 'shop', pod, workload: name, workload_type: type }), value: 1 });

describe('recording rules', () => {
  expectRecorded('every pod has a workload: controllers, bare and static pods, custom owners', [
    owner('web-5d8f-a', 'ReplicaSet', 'web-5d8f'),
    { series: selector('kube_replicaset_owner', { ...KSM, replicaset: 'web-5d8f', owner_kind: 'Deployment', owner_name: 'web', owner_is_controller: 'true' }), values: '1x20' },
    owner('canary-7c9-a', 'ReplicaSet', 'canary-7c9'),
    { series: selector('kube_replicaset_owner', { ...KSM, replicaset: 'canary-7c9', owner_kind: 'Rollout', owner_name: 'canary', owner_is_controller: 'true' }), values: '1x20' },
    owner('loose-a', 'ReplicaSet', 'loose'),
    { series: selector('kube_replicaset_owner', { ...KSM, replicaset: 'loose', owner_kind: '<none>', owner_name: '<none>', owner_is_controller: '<none>' }), values: '1x20' },
    owner('agent-x', 'DaemonSet', 'agent'),
    owner('db-0', 'StatefulSet', 'db'),
    owner('report-123-a', 'Job', 'report-123'),
    { series: selector('kube_job_owner', { ...KSM, job_name: 'report-123', owner_kind: 'CronJob', owner_name: 'report', owner_is_controller: 'true' }), values: '1x20' },
    owner('migrate-a', 'Job', 'migrate'),
    { series: selector('kube_job_owner', { ...KSM, job_name: 'migrate', owner_kind: '<none>', owner_name: '<none>', owner_is_controller: '<none>' }), values: '1x20' },
    owner('etcd-node-a', 'Node', 'node-a'),
    owner('debug', '<none>', '<none>', '<none>'),
    owner('etl-driver', 'SparkApplication', 'etl'),
  ], RECORD, [
    workload('web-5d8f-a', 'web', 'deployment'),
    workload('canary-7c9-a', 'canary', 'Rollout'),
    workload('loose-a', 'loose', 'replicaset'),
    workload('agent-x', 'agent', 'daemonset'),
    workload('db-0', 'db', 'statefulset'),
    workload('report-123-a', 'report', 'cronjob'),
    workload('migrate-a', 'migrate', 'job'),
    workload('etcd-node-a', 'etcd-node-a', 'staticpod'),
    workload('debug', 'debug', 'barepod'),
    workload('etl-driver', 'etl', 'SparkApplication'),
  ]);

  const cpu = (node: string, n: number, mode: string) =>
    ({ series: selector('node_cpu_seconds_total', { job: 'node-exporter', instance: node, cpu: String(n), mode }), values: '0+60x20' });
  expectRecorded('node:node_num_cpu:sum counts the CPUs of each node', [
    cpu('node-a', 0, 'idle'), cpu('node-a', 1, 'idle'), cpu('node-a', 0, 'user'), cpu('node-a', 1, 'user'), cpu('node-b', 0, 'idle'),
  ], 'node:node_num_cpu:sum', [
    { labels: 'node:node_num_cpu:sum{node="node-a"}', value: 2 },
    { labels: 'node:node_num_cpu:sum{node="node-b"}', value: 1 },
  ]);

  // 100 attempts a minute on each of two schedulers: 90 within 10ms, 9 within 100ms, 1 within a second.
  const bucket = (instance: string, le: string, perMinute: number) => ({
    series: selector('scheduler_scheduling_attempt_duration_seconds_bucket', { job: 'kube-scheduler', instance, result: 'scheduled', profile: 'default-scheduler', le }),
    values: `0+${perMinute}x20`,
  });
  const histogram = (instance: string) => [bucket(instance, '0.01', 90), bucket(instance, '0.1', 99), bucket(instance, '1', 100), bucket(instance, '+Inf', 100)];
  // In units of 0.1ms: rate()'s extrapolation leaves float noise past promtool's tolerance.
  const quantile = (q: string, tenthsOfMs: number) => ({
    labels: selector('', { job: 'kube-scheduler', result: 'scheduled', profile: 'default-scheduler', quantile: q }),
    value: tenthsOfMs,
  });
  expectRecorded('the scheduler quantiles are cluster-wide', [...histogram('10.0.0.1:10259'), ...histogram('10.0.0.2:10259')],
    'round(10000 * cluster_quantile:scheduler_scheduling_attempt_duration_seconds:histogram_quantile)', [
      quantile('0.99', 1000), quantile('0.9', 100), quantile('0.5', 56),
    ]);
});
