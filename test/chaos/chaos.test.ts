import { fireMinutes, shortestIntervalMinutes } from '../../src/chaos/cron';
import type { ChaosExperiment, ChaosSchedule } from '../../src/chaos/types';
import { describeWithSharedCrds } from '../crd-schemas';
import { at, render, renderError } from '../helpers';

const base: ChaosSchedule = {
  name: 'checkout-pod-failure',
  schedule: '0 4 * * 2',
  experiment: { kind: 'PodChaos', action: 'pod-failure' },
  selector: { namespaces: ['shop'], labels: { app: 'checkout' } },
  mode: { mode: 'one' },
  duration: '20m',
};
const schedulesOf = (schedules: ChaosSchedule[], pauseAll = false) =>
  render({ chaos: { schedules, pauseAll } }).objects.filter((o) => o.manifest.kind === 'Schedule').map((o) => o.manifest);

const EVERY_KIND: ChaosExperiment[] = [
  { kind: 'PodChaos', action: 'pod-kill', gracePeriod: 0 },
  { kind: 'PodChaos', action: 'container-kill', containerNames: ['app'] },
  { kind: 'NetworkChaos', action: 'delay', latency: '200ms', jitter: '20ms' },
  { kind: 'NetworkChaos', action: 'loss', lossPercent: 10 },
  { kind: 'NetworkChaos', action: 'duplicate', duplicatePercent: 5 },
  { kind: 'NetworkChaos', action: 'corrupt', corruptPercent: 5 },
  { kind: 'NetworkChaos', action: 'partition', externalTargets: ['payments.example.com'] },
  { kind: 'NetworkChaos', action: 'bandwidth', rate: '1mbps', limit: 20971520, buffer: 10000 },
  { kind: 'DNSChaos', action: 'random', patterns: ['*.example.com'] },
  { kind: 'StressChaos', cpu: { workers: 1, load: 50 } },
  { kind: 'HTTPChaos', target: 'Request', port: 8080, path: '/api/*', delay: '2s' },
  { kind: 'IOChaos', action: 'fault', volumePath: '/data', errno: 5, percent: 50 },
  { kind: 'TimeChaos', timeOffset: '-10m' },
];
const everyKind = EVERY_KIND.map((experiment, i): ChaosSchedule => ({ ...base, name: `experiment-${i}`, schedule: `${i * 4} 1 * * *`, experiment, duration: '2m' }));

describe('chaos schedules', () => {
  test('a schedule renders with Forbid, a history limit, a starting deadline and the experiment under its key', () => {
    const [schedule] = schedulesOf([base]);
    expect(schedule.metadata).toMatchObject({ name: 'checkout-pod-failure', namespace: 'shop', annotations: { 'experiment.chaos-mesh.org/pause': 'false' } });
    expect(at(schedule, 'spec')).toEqual({
      schedule: '0 4 * * 2', type: 'PodChaos', concurrencyPolicy: 'Forbid', historyLimit: 3, startingDeadlineSeconds: 120,
      podChaos: { action: 'pod-failure', duration: '20m', mode: 'one', selector: { labelSelectors: { app: 'checkout' }, namespaces: ['shop'] } },
    });
  });

  test('each schedule can be paused, and one switch pauses them all', () => {
    expect(at(schedulesOf([{ ...base, paused: true }])[0], 'metadata.annotations')).toEqual({ 'experiment.chaos-mesh.org/pause': 'true' });
    expect(schedulesOf(everyKind, true).map((s) => at(s, 'metadata.annotations'))).toEqual(everyKind.map(() => ({ 'experiment.chaos-mesh.org/pause': 'true' })));
  });

  describeWithSharedCrds('every experiment kind', (schemas) => {
    test('renders a Schedule that is valid against the Chaos Mesh CRD', () => {
      const schedules = schedulesOf(everyKind);
      expect(schedules.map((s) => at(s, 'spec.type'))).toEqual(EVERY_KIND.map((e) => e.kind));
      for (const s of schedules) expect([s.metadata.name, schemas().validate(s)]).toEqual([s.metadata.name, []]);
    });
  });
});

describe('safety rules', () => {
  test('targeting kube-system or the monitoring namespace is an error unless allowed', () => {
    const message = renderError({ chaos: { schedules: [{ ...base, selector: { namespaces: ['kube-system', 'monitoring'] } }] } });
    expect(message).toContain('chaos.schedules[0] (checkout-pod-failure): targets kube-system and monitoring');
    expect(schedulesOf([{ ...base, selector: { namespaces: ['kube-system'] }, allow: { protectedNamespaces: true } }])).toHaveLength(1);
  });

  test('targeting no namespace is an error', () => {
    expect(renderError({ chaos: { schedules: [{ ...base, namespace: 'shop', selector: { namespaces: [] } }] } })).toContain('targets no namespace');
  });

  test('a missing duration, or one longer than the time between runs, is an error; one-shot kills need none', () => {
    expect(renderError({ chaos: { schedules: [{ ...base, duration: undefined }] } })).toContain('a PodChaos without duration stays injected until deleted');
    expect(renderError({ chaos: { schedules: [{ ...base, schedule: '*/15 * * * *', duration: '20m' }] } })).toContain('duration 20m is longer than the 15 minutes between two runs');
    expect(schedulesOf([{ ...base, experiment: { kind: 'PodChaos', action: 'pod-kill' }, duration: undefined }])).toHaveLength(1);
  });

  test('mode all needs an acknowledgement', () => {
    expect(renderError({ chaos: { schedules: [{ ...base, mode: { mode: 'all' } }] } })).toContain('mode all hits every matching pod at once');
    expect(schedulesOf([{ ...base, mode: { mode: 'all' }, allow: { modeAll: true } }])).toHaveLength(1);
  });

  test('two schedules on the same pods at overlapping times are an error that says when', () => {
    const message = renderError({ chaos: { schedules: [base, { ...base, name: 'checkout-latency', schedule: '10 4 * * 2', experiment: { kind: 'NetworkChaos', action: 'delay', latency: '1s' } }] } });
    expect(message).toContain('chaos.schedules[1] (checkout-latency): hits the same pods as chaos.schedules[0] (checkout-pod-failure) at the same time (first on Tuesday 04:10 UTC of a week)');
    expect(schedulesOf([base, { ...base, name: 'other-pods', schedule: '10 4 * * 2', selector: { namespaces: ['shop'], labels: { app: 'cart' } } }])).toHaveLength(2);
  });

  test('a schedule that is not cron is an error', () => {
    expect(renderError({ chaos: { schedules: [{ ...base, schedule: 'every tuesday' }] } })).toContain("'every tuesday' is not a schedule");
  });

  test('cron schedules are understood with lists, ranges, steps and descriptors', () => {
    expect(shortestIntervalMinutes(fireMinutes('*/15 * * * *')!)).toBe(15);
    expect(shortestIntervalMinutes(fireMinutes('@every 2h')!)).toBe(120);
    expect(fireMinutes('0 3 * * 1-5')!.map((m) => Math.floor(m / 1440))).toEqual([1, 2, 3, 4, 5]);
    expect(shortestIntervalMinutes(fireMinutes('@daily')!)).toBe(1440);
  });
});

describe('chaos contracts', () => {
  const routed = {
    alertmanager: {
      receivers: [{ name: 'null', type: 'null' as const }, { name: 'incident', type: 'webhook' as const, url: 'https://incidents.example.com/hook' }],
      route: { receiver: 'incident', routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }] },
    },
  };

  test('an expected alert the stack does not define is an error with the closest names', () => {
    const message = renderError({ ...routed, chaos: { schedules: [{ ...base, expects: [{ alert: 'KubeDeploymentReplicaMismatch', within: '25m' }] }] } });
    expect(message).toContain('chaos.schedules[0] (checkout-pod-failure) › expects[0] (KubeDeploymentReplicaMismatch): the stack defines no such alert');
    expect(message).toContain("did you mean 'KubeDeploymentReplicasMismatch'");
  });

  test('an alert whose for, scrape and evaluation take longer than the experiment is an error that shows the sum', () => {
    const message = renderError({ ...routed, chaos: { schedules: [{ ...base, duration: '10m', expects: [{ alert: 'KubeDeploymentReplicasMismatch', within: '25m' }] }] } });
    expect(message).toContain("cannot fire in time: for 900s + scrape interval 30s + evaluation interval 30s = 960s, more than the experiment's duration 10m");
  });

  test('an alert that only looks at other namespaces can never match the target', () => {
    const values = {
      ...routed,
      applications: [{ name: 'cart', namespace: 'cart', selector: { app: 'cart' }, port: 'http', alerts: [{ alert: 'CartDown', expr: 'up{namespace="cart"} == 0', severity: 'critical' as const, summary: 'down' }] }],
      chaos: { schedules: [{ ...base, expects: [{ alert: 'CartDown', within: '5m' }] }] },
    };
    expect(renderError(values)).toContain("its expression only looks at other namespaces than the experiment's target (shop)");
  });

  test('an alert that does not reach the declared receivers is an error saying where it goes', () => {
    const message = renderError({ ...routed, chaos: { schedules: [{ ...base, expects: [{ alert: 'KubeDeploymentReplicasMismatch', within: '25m', receivers: ['pagerduty'] }] }] } });
    expect(message).toContain("reaches [incident], not 'pagerduty'");
  });

  test('a contract that holds passes', () => {
    expect(render({ ...routed, chaos: { schedules: [{ ...base, expects: [{ alert: 'KubeDeploymentReplicasMismatch', within: '25m', receivers: ['incident'] }] }] } }).warnings).toEqual([]);
  });
});

describe('in-cluster verification', () => {
  const path = require('path');
  const { loadStackFile } = require('../../src/load/stack-file');
  const { buildStack, renderStack } = require('../../src/synth/pipeline');
  const { promtoolTestFiles, testCasesOf, TESTS_FILE } = require('../../src/rules/unit-tests');
  const { runTool, testWithTool } = require('../tools');
  const file = path.resolve(__dirname, '../../stacks/chaos.ts');
  const example = renderStack(loadStackFile(file), { strict: true });

  test('the example stack synthesizes with every analyzer satisfied, in strict mode', () => {
    // Strict mode also asks for image digests, which the default images do not carry (a user pins them).
    expect(example.warnings.filter((w: { code: string }) => w.code !== 'policy/image-digest')).toEqual([]);
    expect(example.warnings.length).toBeGreaterThan(0);
  });

  test('kube-state-metrics watches the scheduled chaos kinds and exports when each experiment is injected', () => {
    const config = require('yaml').parse(at(example.objects.find((o: { manifest: { metadata: { name: string } } }) => o.manifest.metadata.name === 'kube-state-metrics-custom-resources')!.manifest, 'data')!['config.yaml' as never] as string);
    const kinds = config.spec.resources.map((r: { groupVersionKind: { kind: string } }) => r.groupVersionKind.kind);
    expect(kinds).toEqual(['DNSChaos', 'PodChaos', 'StressChaos']);
    expect(config.spec.resources[1].metrics[0]).toMatchObject({ name: 'chaos_podchaos_injected', each: { type: 'Gauge', gauge: { path: ['status', 'conditions', '[type=AllInjected]'], valueFrom: ['status'] } } });
    expect(config.spec.resources[1].labelsFromPath.schedule).toEqual(['metadata', 'ownerReferences', '0', 'name']);
  });

  test('one verification alert per expectation, and a dashboard of experiment windows next to alerts', () => {
    const rules = at(example.objects.find((o: { manifest: { metadata: { name: string } } }) => o.manifest.metadata.name === 'chaos-verification-rules')!.manifest, 'spec.groups.0.rules') as Array<{ alert: string; labels: Record<string, string> }>;
    expect(rules.map((r) => r.labels.expected_alert)).toEqual(['CheckoutMemoryHigh', 'KubeDeploymentReplicasMismatch', 'WebLatencyHigh']);
    expect(example.dashboards.map((d: { json: { uid: string } }) => d.json.uid)).toContain('o11y-chaos');
  });

  testWithTool('promtool', 'the verification alert fires when an experiment ran and the expected alert did not, and not otherwise', () => {
    const stack = buildStack(loadStackFile(file));
    stack.finalize();
    const sources = stack.rules.effective();
    const cases = testCasesOf(sources.find((s: { objectName: string }) => s.objectName === 'chaos-verification-rules').groups);
    expect(cases).toHaveLength(6);
    const result = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, '30s'));
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });
});
