// Built-in simulations of chaos experiments, proven with the real promtool: each alert fires near the end of the
// experiment and stays silent (even without its `for`) at the end of the healthy stretch.
import * as path from 'path';
import { comparisonThreshold, vectorSelectors } from '../../src/promql/parse';
import type { ChaosExperiment, ChaosSchedule } from '../../src/chaos/types';
import { HEALTHY_STEPS, simulateContract, simulateKind, simulationOf, type Simulation } from '../../src/drill/simulate';
import { expandSeries } from '../../src/promql/series';
import { renderGroups } from '../../src/rules/render';
import { isAlert, type AlertDefinition } from '../../src/rules/types';
import { loadStackFile } from '../../src/load/stack-file';
import { buildStack } from '../../src/synth/pipeline';
import { runTool, testWithTool } from '../tools';
import { toYaml } from '../../src/core/yaml';

const stack = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/chaos.ts')));
stack.finalize();
const alerts = stack.rules.effective().flatMap((s) => s.groups).flatMap((g) => g.rules).filter(isAlert);
const alertNamed = (name: string): AlertDefinition => alerts.find((a) => a.alert === name)!;
const contract = (name: string) => stack.values.chaos.schedules.find((s) => s.name === name)!;

const checkout = { namespaces: ['shop'], labels: { 'app.kubernetes.io/name': 'checkout' } };
const web = { namespaces: ['web'], labels: { 'app.kubernetes.io/name': 'web' } };
function schedule(experiment: ChaosExperiment, extra: Partial<ChaosSchedule> = {}): ChaosSchedule {
  return { name: 'drill', schedule: '0 4 * * *', experiment, selector: checkout, mode: { mode: 'one' }, duration: '10m', ...extra };
}

function played(simulation: Simulation): Exclude<Simulation, { skip: string }> {
  if ('skip' in simulation) throw new Error(`skipped: ${simulation.skip}`);
  return simulation;
}

/** The minute of the last sample: the end of the experiment. */
const lastMinute = (s: Exclude<Simulation, { skip: string }>) => expandSeries(s.series[0].values).length - 1;

/**
 * Runs promtool on the alert and the simulation: at the end of the experiment the alert fires with exactly
 * `firing` (its series labels), and at the end of the healthy stretch it is silent, also as a copy without `for`.
 */
function expectPromtool(alert: AlertDefinition, simulation: Simulation, firing: Record<string, string>[]): void {
  const sim = played(simulation);
  const instant: AlertDefinition = { ...alert, alert: `${alert.alert}Instant`, for: undefined };
  const rules = renderGroups([{ name: 'simulated', rules: [alert, instant] }], 'https://runbooks.invalid');
  for (const rule of rules.groups[0].rules) delete (rule as { annotations?: unknown }).annotations;
  const check = (name: string, minute: number, expected: Record<string, string>[]) => ({
    eval_time: `${minute}m`,
    alertname: name,
    exp_alerts: expected.map((labels) => ({ exp_labels: { ...labels, ...alert.labels, severity: alert.severity } })),
  });
  const healthyEnd = HEALTHY_STEPS - 1;
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: sim.series,
      alert_rule_test: [
        check(alert.alert, lastMinute(sim), firing),
        check(alert.alert, healthyEnd, []),
        check(instant.alert, healthyEnd, []),
      ],
    }],
  };
  const result = runTool('promtool', ['test', 'rules', 'tests.yaml'], { 'rules.yaml': toYaml(rules), 'tests.yaml': toYaml(tests) });
  if (result.status !== 0) throw new Error(`promtool failed:\n${result.output}\nseries:\n${toYaml(sim.series)}`);
  expect(result.output).toContain('SUCCESS');
}

describe('vectorSelectors', () => {
  test('lists every selector with its matchers, inside functions, ranges and joins', () => {
    expect(vectorSelectors('sum(rate(a{x="1", y=~"b|c"}[5m])) / on (x) b and {__name__="c", d!=""}')).toEqual([
      { name: 'a', matchers: [{ label: 'x', op: '=', value: '1' }, { label: 'y', op: '=~', value: 'b|c' }] },
      { name: 'b', matchers: [] },
      { name: 'c', matchers: [{ label: 'd', op: '!=', value: '' }] },
    ]);
  });
});

describe('comparisonThreshold', () => {
  test.each([
    ['max(x) > 500 * 1024 * 1024', { op: '>', value: 524288000 }],
    ['x <= (1 - 0.5)', { op: '<=', value: 0.5 }],
    ['x == -1', { op: '==', value: -1 }],
    ['0.5 < x', { op: '>', value: 0.5 }],
    ['a - b > 0 and on (n) changes(c[10m]) == 0', { op: '>', value: 0 }],
    ['((x >= 2 ^ 3) unless y)', { op: '>=', value: 8 }],
  ])('%s', (expr, threshold) => expect(comparisonThreshold(expr)).toEqual(threshold));

  test.each(['rate(x[5m])', 'x > y', 'x > bool 1', 'x or y > 1'])('none for %s', (expr) => expect(comparisonThreshold(expr)).toBeUndefined());
});

describe('simulationOf', () => {
  test.each<[ChaosExperiment, ReturnType<typeof simulationOf>]>([
    [{ kind: 'PodChaos', action: 'pod-failure' }, { kind: 'pod-failure' }],
    [{ kind: 'PodChaos', action: 'container-kill' }, { kind: 'crash-loop' }],
    [{ kind: 'NetworkChaos', action: 'partition', externalTargets: [] }, { kind: 'target-down' }],
    [{ kind: 'NetworkChaos', action: 'loss', lossPercent: 100 }, { kind: 'target-down' }],
    [{ kind: 'NetworkChaos', action: 'loss', lossPercent: 30 }, undefined],
    [{ kind: 'NetworkChaos', action: 'delay', latency: '500ms' }, { kind: 'latency', latencySeconds: 0.5 }],
    [{ kind: 'HTTPChaos', target: 'Response', port: 80, delay: '2s' }, { kind: 'latency', latencySeconds: 2 }],
    [{ kind: 'HTTPChaos', target: 'Response', port: 80, abort: true }, undefined],
    [{ kind: 'IOChaos', action: 'latency', volumePath: '/data', delay: '100ms' }, { kind: 'latency', latencySeconds: 0.1 }],
    [{ kind: 'StressChaos', cpu: { workers: 1 } }, { kind: 'latency' }],
    [{ kind: 'StressChaos', memory: { workers: 1, size: '256MB' } }, { kind: 'memory-growth' }],
    [{ kind: 'DNSChaos', action: 'error' }, undefined],
    [{ kind: 'TimeChaos', timeOffset: '-10m' }, undefined],
  ])('%j', (experiment, expected) => expect(simulationOf(schedule(experiment))).toEqual(expected));
});

describe('simulated series', () => {
  test('pod-failure of half the checkout pods: available replicas drop, every series covers the same minutes', () => {
    const sim = played(simulateContract(contract('checkout-pod-failure'), alertNamed('KubeDeploymentReplicasMismatch')));
    expect(sim.kind).toBe('pod-failure');
    expect(sim.series).toContainEqual({
      series: 'kube_deployment_status_replicas_available{job="kube-state-metrics", namespace="shop", deployment="checkout"}',
      values: '4x9 2x30',
    });
    expect(new Set(sim.series.map((s) => expandSeries(s.values).length))).toEqual(new Set([HEALTHY_STEPS + 30 + 1]));
    expect(sim.description).toBe('2 of 4 checkout pods in shop fail: not ready, their targets down, from minute 10 for 30 minutes');
  });

  test('crash-loop restarts count up on the hit pod only', () => {
    const restarts: AlertDefinition = { alert: 'Restarts', expr: 'increase(kube_pod_container_status_restarts_total{namespace="shop"}[10m]) > 3', severity: 'warning', summary: 's', description: 'd' };
    const sim = played(simulateContract(schedule({ kind: 'PodChaos', action: 'pod-kill' }), restarts));
    expect(sim.series.map((s) => s.values)).toEqual(['0x9 1+1x30', '0x9 0x30', '0x9 0x30', '0x9 0x30']);
  });

  test('skips experiments without a simulation, alerts reading nothing it changes, and matchers it cannot satisfy', () => {
    expect(simulateContract(contract('checkout-dns-errors'), alertNamed('CheckoutMemoryHigh'))).toEqual({
      skip: expect.stringContaining('DNSChaos error has no built-in simulation'),
    });
    expect(simulateContract(contract('checkout-pod-failure'), alertNamed('WebLatencyHigh'))).toEqual({
      skip: 'WebLatencyHigh reads no metric that a pod-failure simulation changes (it reads http_request_duration_seconds_bucket)',
    });
    const odd: AlertDefinition = { alert: 'Odd', expr: 'up{job=~"[0-9]+"} == 0', severity: 'warning', summary: 's', description: 'd' };
    expect(simulateContract(contract('checkout-pod-failure'), odd)).toEqual({
      skip: 'Odd: no pod-failure series can satisfy the matchers of up{job=~"[0-9]+"}',
    });
  });

  test('a StressChaos with memory and cpu plays latency for a latency alert, memory growth for a memory alert', () => {
    expect(played(simulateContract(contract('web-stress'), alertNamed('WebLatencyHigh'))).kind).toBe('latency');
    const onCheckout = { ...contract('web-stress'), selector: checkout };
    expect(played(simulateContract(onCheckout, alertNamed('CheckoutMemoryHigh'))).kind).toBe('memory-growth');
  });
});

describe('simulations played in promtool', () => {
  testWithTool('promtool', 'the chaos example: checkout-pod-failure sets off KubeDeploymentReplicasMismatch', () => {
    expectPromtool(alertNamed('KubeDeploymentReplicasMismatch'), simulateContract(contract('checkout-pod-failure'), alertNamed('KubeDeploymentReplicasMismatch')), [
      { job: 'kube-state-metrics', namespace: 'shop', deployment: 'checkout' },
    ]);
  });

  testWithTool('promtool', 'the chaos example: web-stress (CPU saturation) sets off WebLatencyHigh', () => {
    expectPromtool(alertNamed('WebLatencyHigh'), simulateContract(contract('web-stress'), alertNamed('WebLatencyHigh')), [{ namespace: 'web' }]);
  });

  testWithTool('promtool', 'a PodChaos pod-kill sets off KubePodCrashLooping', () => {
    const alert = alertNamed('KubePodCrashLooping');
    expectPromtool(alert, simulateContract(schedule({ kind: 'PodChaos', action: 'pod-kill' }), alert), [
      { namespace: 'shop', pod: 'checkout-6d5f8b7c9-0', container: 'checkout' },
    ]);
  });

  testWithTool('promtool', 'a NetworkChaos partition sets off TargetDown', () => {
    const alert = alertNamed('TargetDown');
    expectPromtool(alert, simulateContract(schedule({ kind: 'NetworkChaos', action: 'partition', externalTargets: [] }), alert), [
      { job: 'checkout', namespace: 'shop', service: 'checkout' },
    ]);
  });

  testWithTool('promtool', 'a StressChaos on memory sets off CheckoutMemoryHigh (> 500 * 1024 * 1024)', () => {
    const alert = alertNamed('CheckoutMemoryHigh');
    const sim = simulateContract(schedule({ kind: 'StressChaos', memory: { workers: 1, size: '256MB' } }), alert);
    expectPromtool(alert, sim, [{ namespace: 'shop', pod: 'checkout-6d5f8b7c9-0' }]);
  });

  testWithTool('promtool', 'a 2s NetworkChaos delay sets off WebLatencyHigh (p99 > 1s), a 100ms delay does not', () => {
    const alert = alertNamed('WebLatencyHigh');
    const delay = (latency: string) => simulateContract(schedule({ kind: 'NetworkChaos', action: 'delay', latency }, { selector: web }), alert);
    expectPromtool(alert, delay('2s'), [{ namespace: 'web' }]);
    expectPromtool(alert, delay('100ms'), []);
  });

  testWithTool('promtool', 'node-down, by kind: the node turns NotReady (KubeNodeNotReady fires) and its node-exporter goes down', () => {
    const target = { namespace: 'monitoring', app: 'node-exporter', replicas: 3, affected: 1 };
    // The catalogue's KubeNodeNotReady also reads kube_node_spec_unschedulable: a cordoned node is not a surprise.
    const notReady = alertNamed('KubeNodeNotReady');
    const exporterDown: AlertDefinition = { alert: 'NodeExporterDown', expr: 'up{job="node-exporter"} == 0', for: '5m', severity: 'warning', summary: 's', description: 'd' };
    expectPromtool(notReady, simulateKind('node-down', target, notReady), [
      { job: 'kube-state-metrics', node: 'node-0', condition: 'Ready', status: 'true' },
    ]);
    expectPromtool(exporterDown, simulateKind('node-down', target, exporterDown), [
      { job: 'node-exporter', namespace: 'monitoring', service: 'node-exporter', instance: 'node-0:9100', node: 'node-0' },
    ]);
  });
});
