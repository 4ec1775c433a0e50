// Built-in simulations of chaos experiments, proven with the real promtool: each alert fires before the experiment
// is over, is silent (even without its `for`) at the end of the healthy stretch, and silent again once the
// experiment is over and its windows have passed. And each experiment does what it does in a cluster, no more.
import * as path from 'path';
import { comparisonThreshold, vectorSelectors } from '../../src/promql/parse';
import type { ChaosExperiment, ChaosSchedule } from '../../src/chaos/types';
import { HEALTHY_STEPS, simulateContract, simulateKind, simulationOf, type PlayedSimulation, type Simulation } from '../../src/simulation/simulate';
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
const podKill = (extra: Partial<ChaosSchedule> = {}) => schedule({ kind: 'PodChaos', action: 'pod-kill' }, { duration: undefined, ...extra });
const containerKill = (extra: Partial<ChaosSchedule> = {}) => schedule({ kind: 'PodChaos', action: 'container-kill' }, { duration: undefined, ...extra });
const alert = (name: string, expr: string, extra: Partial<AlertDefinition> = {}): AlertDefinition => ({ alert: name, expr, severity: 'warning', summary: 's', description: 'd', ...extra });

function played(simulation: Simulation): PlayedSimulation {
  if ('skip' in simulation) throw new Error(`skipped: ${simulation.skip}`);
  return simulation;
}

/** The minute of the last sample. */
const lastMinute = (s: PlayedSimulation) => expandSeries(s.series[0].values).length - 1;
const valuesOf = (s: PlayedSimulation, series: RegExp) => s.series.filter((x) => series.test(x.series)).map((x) => x.values);

/** Runs promtool on the alert (and a copy without `for`) over the simulation: `checks` are (alert, minute, firing) triples. */
function promtool(alert: AlertDefinition, sim: PlayedSimulation, checks: Array<[name: string, minute: number, firing: Record<string, string>[]]>): void {
  const instant: AlertDefinition = { ...alert, alert: `${alert.alert}Instant`, for: undefined };
  const rules = renderGroups([{ name: 'simulated', rules: [alert, instant] }], 'https://runbooks.invalid');
  for (const rule of rules.groups[0].rules) delete (rule as { annotations?: unknown }).annotations;
  const tests = {
    rule_files: ['rules.yaml'],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: sim.series,
      alert_rule_test: checks.map(([name, minute, firing]) => ({
        eval_time: `${minute}m`,
        alertname: name,
        exp_alerts: firing.map((labels) => ({ exp_labels: { ...labels, ...alert.labels, severity: alert.severity } })),
      })),
    }],
  };
  const result = runTool('promtool', ['test', 'rules', 'tests.yaml'], { 'rules.yaml': toYaml(rules), 'tests.yaml': toYaml(tests) });
  if (result.status !== 0) throw new Error(`promtool failed:\n${result.output}\nseries:\n${toYaml(sim.series)}`);
  expect(result.output).toContain('SUCCESS');
}

/**
 * The alert fires with exactly `firing` in the experiment's last minute; it is silent at the end of the healthy
 * stretch, also without `for`, and silent at the last sample, when the experiment is over.
 */
function expectPromtool(alert: AlertDefinition, simulation: Simulation, firing: Record<string, string>[]): void {
  const sim = played(simulation);
  const healthyEnd = HEALTHY_STEPS - 1;
  promtool(alert, sim, [
    [alert.alert, sim.endsAt - 1, firing],
    [alert.alert, healthyEnd, []],
    [`${alert.alert}Instant`, healthyEnd, []],
    [alert.alert, lastMinute(sim), []],
  ]);
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
    [{ kind: 'PodChaos', action: 'pod-kill' }, { kind: 'pod-kill' }],
    [{ kind: 'PodChaos', action: 'container-kill' }, { kind: 'container-kill' }],
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
  test('pod-failure of half the checkout pods for 20m: available replicas drop for 20 minutes, then recover', () => {
    const sim = played(simulateContract(contract('checkout-pod-failure'), alertNamed('KubeDeploymentReplicasMismatch')));
    expect(sim.kind).toBe('pod-failure');
    expect(sim.series).toContainEqual({
      series: 'kube_deployment_status_replicas_available{job="kube-state-metrics", namespace="shop", deployment="checkout"}',
      values: '4x9 2x19 4x10',
    });
    expect(new Set(sim.series.map((s) => expandSeries(s.values).length))).toEqual(new Set([HEALTHY_STEPS + 30 + 1]));
    expect(sim).toMatchObject({ startsAt: HEALTHY_STEPS, endsAt: HEALTHY_STEPS + 20 });
    expect(sim.description).toBe('2 of 4 checkout pods in shop fail (the pause image: Running, not ready, their targets down), from minute 10 for 20 minutes');
  });

  test('each failure lasts the duration of the experiment, whatever its kind; at least 30 minutes are played', () => {
    const readsUp = alert('Down', 'up{namespace="shop"} == 0');
    const lost = (experiment: ChaosExperiment, duration: string) => {
      const sim = played(simulateContract(schedule(experiment, { duration }), readsUp));
      const hit = expandSeries(sim.series[0].values);
      return { down: hit.filter((v) => v === 0).length, played: hit.length };
    };
    expect(lost({ kind: 'PodChaos', action: 'pod-failure' }, '10m')).toEqual({ down: 10, played: 41 });
    expect(lost({ kind: 'NetworkChaos', action: 'partition', externalTargets: [] }, '7m')).toEqual({ down: 7, played: 41 });
    // A long one plays longer, and ends healthy: the drill's exporter serves the last values on.
    expect(lost({ kind: 'NetworkChaos', action: 'loss', lossPercent: 100 }, '45m')).toEqual({ down: 45, played: HEALTHY_STEPS + 45 + 5 + 1 });
    const latency = played(simulateContract(schedule({ kind: 'NetworkChaos', action: 'delay', latency: '2s' }, { duration: '5m' }), alert('Slow', 'http_request_duration_seconds{namespace="shop"} > 1')));
    expect(latency.series[0].values).toBe('0.05x9 2.05x4 0.05x25');
    const memory = played(simulateContract(schedule({ kind: 'StressChaos', memory: { workers: 1, size: '256MB' } }, { duration: '5m' }), alertNamed('CheckoutMemoryHigh')));
    // StressChaos allocates at once and frees it when it ends.
    expect(memory.series[0].values).toBe('262144000x9 1048576000x4 262144000x25');
  });

  test('a pod-kill replaces the pod: its series end, a new pod is Pending for a minute, available replicas dip once; no restarts, no CrashLoopBackOff', () => {
    const phase = played(simulateContract(podKill(), alert('Pending', 'kube_pod_status_phase{namespace="shop", phase="Pending"} == 1')));
    expect(phase.description).toBe('1 of 4 checkout pods in shop killed and replaced by their Deployment (new pods, ready 1 minute later; no restarts, no CrashLoopBackOff), at minute 10');
    const blanks = (n: number) => Array(n).fill('_').join(' ');
    expect(valuesOf(phase, /pod="checkout-6d5f8b7c9-0"/)).toEqual([`0x9 ${blanks(31)}`]);
    expect(valuesOf(phase, /pod="checkout-6d5f8b7c9-0r1"/)).toEqual([`${blanks(10)} 1 0x29`]);
    expect(valuesOf(phase, /pod="checkout-6d5f8b7c9-[123]"/)).toEqual(['0x40', '0x40', '0x40']);
    const available = played(simulateContract(podKill(), alertNamed('KubeDeploymentReplicasMismatch')));
    expect(valuesOf(available, /replicas_available/)).toEqual(['4x9 3 4x29']);
    const restarts = played(simulateContract(podKill(), alert('Restarts', 'increase(kube_pod_container_status_restarts_total{namespace="shop"}[10m]) > 0')));
    expect(restarts.series.flatMap((s) => expandSeries(s.values)).every((v) => v === undefined || v === 0)).toBe(true);
    const waiting = played(simulateContract(podKill(), alertNamed('KubePodCrashLooping')));
    expect(waiting.series.flatMap((s) => expandSeries(s.values)).some((v) => v === 1)).toBe(false);
  });

  test('a pod-kill schedule kills again at each run of its cron that fits the played stretch', () => {
    const sim = played(simulateContract(podKill({ schedule: '*/5 * * * *' }), alertNamed('KubeDeploymentReplicasMismatch')));
    expect(sim.description).toMatch(/at minutes 10, 15, 20, 25 and 30$/);
    expect(valuesOf(sim, /replicas_available/)).toEqual(['4x9 3 4x3 3 4x3 3 4x3 3 4x3 3 4x10']);
  });

  test('a container-kill restarts the container once in place; only kills within its back-off make it CrashLoopBackOff', () => {
    const restarts = alert('Restarted', 'increase(kube_pod_container_status_restarts_total{namespace="shop"}[15m]) > 0');
    const once = played(simulateContract(containerKill(), restarts));
    expect(once.series.map((s) => s.values)).toEqual(['0x9 1x30', '0x40', '0x40', '0x40']);
    expect(once.description).toBe('the checkout container of 1 of 4 checkout pods in shop killed and restarted in place (1 restart, no CrashLoopBackOff), at minute 10');
    expect(simulateContract(containerKill(), alertNamed('KubePodCrashLooping'))).toMatchObject({ cause: 'unchanged' });
    // Every 5 minutes: within the 10 minutes the kubelet remembers its back-off, so from the second kill on it waits.
    const repeated = played(simulateContract(containerKill({ schedule: '*/5 * * * *' }), alertNamed('KubePodCrashLooping')));
    expect(valuesOf(repeated, /pod="checkout-6d5f8b7c9-0"/)).toEqual(['0x14 1 0x3 1 0x3 1 0x3 1x1 0x13']);
    expect(repeated.description).toContain('5 restarts, waiting in CrashLoopBackOff as kills come within its back-off');
    // Every 15 minutes the back-off is forgotten in between: no CrashLoopBackOff.
    expect(simulateContract(containerKill({ schedule: '*/15 * * * *' }), alertNamed('KubePodCrashLooping'))).toMatchObject({ cause: 'unchanged' });
  });

  test('a pod-failure keeps the pod Running (the pause image): the catalogue\'s KubePodNotReady (Pending or Unknown) reads nothing it changes', () => {
    expect(simulateContract(contract('checkout-pod-failure'), alertNamed('KubePodNotReady'))).toMatchObject({
      cause: 'unchanged',
      skip: 'KubePodNotReady reads no metric that a pod-failure simulation changes (it reads kube_pod_status_phase, kube_pod_owner)',
    });
  });

  test('skips experiments without a simulation, alerts reading nothing it changes, and matchers it cannot satisfy', () => {
    expect(simulateContract(contract('checkout-dns-errors'), alertNamed('CheckoutMemoryHigh'))).toEqual({
      skip: expect.stringContaining('DNSChaos error has no built-in simulation'), cause: 'no-simulation',
    });
    expect(simulateContract(contract('checkout-pod-failure'), alertNamed('WebLatencyHigh'))).toMatchObject({
      skip: 'WebLatencyHigh reads no metric that a pod-failure simulation changes (it reads http_request_duration_seconds_bucket)', cause: 'unchanged',
    });
    const odd = alert('Odd', 'up{job=~"[0-9]+"} == 0');
    expect(simulateContract(contract('checkout-pod-failure'), odd)).toEqual({
      skip: 'Odd: no pod-failure series can satisfy the matchers of up{job=~"[0-9]+"}', cause: 'unmatched',
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

  testWithTool('promtool', 'a pod-kill never sets off KubePodCrashLooping, nor a replicas alert with a `for` longer than the replacement takes', () => {
    // The simulation of a replicas alert shows the dip; the crash-loop alert is played on a pod-kill of that alert's series.
    const mismatch = alertNamed('KubeDeploymentReplicasMismatch');
    const sim = played(simulateContract(podKill({ schedule: '*/5 * * * *' }), mismatch));
    const instant = { ...mismatch, alert: 'MismatchInstant', for: undefined };
    promtool(mismatch, sim, [10, 11, 20, 30, 40].map((m) => [mismatch.alert, m, []] as [string, number, Record<string, string>[]]));
    // Without `for`, the dip shows: each kill's replacement is not ready for that minute.
    promtool(instant, sim, [[instant.alert, 15, [{ job: 'kube-state-metrics', namespace: 'shop', deployment: 'checkout' }]], [instant.alert, 16, []]]);
  });

  testWithTool('promtool', 'a container-kill every 5 minutes sets off KubePodCrashLooping (the back-off), and restarts count once per kill', () => {
    const crashLooping = alertNamed('KubePodCrashLooping');
    expectPromtool(crashLooping, simulateContract(containerKill({ schedule: '*/5 * * * *' }), crashLooping), [
      { namespace: 'shop', pod: 'checkout-6d5f8b7c9-0', container: 'checkout' },
    ]);
    const restarted = alert('Restarted', 'increase(kube_pod_container_status_restarts_total{namespace="shop"}[20m]) > 0.5');
    const restartedTwice = alert('RestartedTwice', 'increase(kube_pod_container_status_restarts_total{namespace="shop"}[20m]) > 1.5');
    const once = played(simulateContract(containerKill(), restarted));
    promtool(restarted, once, [['Restarted', 15, [{ job: 'kube-state-metrics', namespace: 'shop', pod: 'checkout-6d5f8b7c9-0', container: 'checkout' }]]]);
    promtool(restartedTwice, once, [['RestartedTwice', 15, []], ['RestartedTwice', 25, []]]);
  });

  testWithTool('promtool', 'a pod-failure sets off a 15m not-ready alert only when it lasts long enough: 20m yes, 10m no', () => {
    const notReady = alert('PodNotReady15m', 'max by (namespace, pod) (kube_pod_status_ready{namespace="shop", condition="false"}) == 1', { for: '15m' });
    const failure = (duration: string) => played(simulateContract(schedule({ kind: 'PodChaos', action: 'pod-failure' }, { duration }), notReady));
    expectPromtool(notReady, failure('20m'), [{ namespace: 'shop', pod: 'checkout-6d5f8b7c9-0' }]);
    const short = failure('10m');
    expect(short.endsAt).toBe(HEALTHY_STEPS + 10);
    promtool(notReady, short, [19, 20, 25, 30, 40].map((m) => [notReady.alert, m, []] as [string, number, Record<string, string>[]]));
  });

  testWithTool('promtool', 'a NetworkChaos partition sets off TargetDown', () => {
    const targetDown = alertNamed('TargetDown');
    expectPromtool(targetDown, simulateContract(schedule({ kind: 'NetworkChaos', action: 'partition', externalTargets: [] }, { duration: '20m' }), targetDown), [
      { job: 'checkout', namespace: 'shop', service: 'checkout' },
    ]);
  });

  testWithTool('promtool', 'a StressChaos on memory sets off CheckoutMemoryHigh (> 500 * 1024 * 1024)', () => {
    const memoryHigh = alertNamed('CheckoutMemoryHigh');
    const sim = simulateContract(schedule({ kind: 'StressChaos', memory: { workers: 1, size: '256MB' } }), memoryHigh);
    expectPromtool(memoryHigh, sim, [{ namespace: 'shop', pod: 'checkout-6d5f8b7c9-0' }]);
  });

  testWithTool('promtool', 'a 2s NetworkChaos delay sets off WebLatencyHigh (p99 > 1s), a 100ms delay does not', () => {
    const latencyHigh = alertNamed('WebLatencyHigh');
    const delay = (latency: string) => simulateContract(schedule({ kind: 'NetworkChaos', action: 'delay', latency }, { selector: web }), latencyHigh);
    expectPromtool(latencyHigh, delay('2s'), [{ namespace: 'web' }]);
    expectPromtool(latencyHigh, delay('100ms'), []);
  });

  testWithTool('promtool', 'node-down, by kind: the node turns NotReady (KubeNodeNotReady fires) and its node-exporter goes down', () => {
    const target = { namespace: 'monitoring', app: 'node-exporter', replicas: 3, affected: 1 };
    // The catalogue's KubeNodeNotReady also reads kube_node_spec_unschedulable: a cordoned node is not a surprise.
    const notReady = alertNamed('KubeNodeNotReady');
    const exporterDown = alert('NodeExporterDown', 'up{job="node-exporter"} == 0', { for: '5m' });
    expectPromtool(notReady, simulateKind('node-down', target, notReady), [
      { job: 'kube-state-metrics', node: 'node-0', condition: 'Ready', status: 'true' },
    ]);
    expectPromtool(exporterDown, simulateKind('node-down', target, exporterDown), [
      { job: 'node-exporter', namespace: 'monitoring', service: 'node-exporter', instance: 'node-0:9100', node: 'node-0' },
    ]);
  });
});
