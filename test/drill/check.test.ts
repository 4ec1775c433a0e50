// Drill scenarios a stack declares are checked at synth, like every other value.
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { buildModel } from '../../src/model/build';
import { planDrill } from '../../src/drill/plan';
import { ObservabilityStack } from '../../src/stack/observability-stack';
import type { StackValues } from '../../src/values/stack-values';
import { renderError } from '../helpers';
import { HEALTHY_STEPS } from '../../src/simulation/simulate';

/** The drill plan of a stack with these values. */
const planOf = (values: StackValues) => planDrill(buildModel(new ObservabilityStack(new App(), 'shop', values), 'stacks/shop.ts'), 60);

const scenario = { name: 'rollout', series: [{ series: 'up{job="api"}', values: '1x5 0x20' }], expect: [{ alert: 'TargetDown' }] };

describe('drill scenarios of a stack', () => {
  test('a chaos schedule that does not exist is named, with the closest one', () => {
    const message = renderError({
      chaos: { schedules: [{ name: 'api-pod-kill', schedule: '@daily', experiment: { kind: 'PodChaos', action: 'pod-kill' }, selector: { namespaces: ['shop'] }, mode: { mode: 'one' } }] },
      drill: { scenarios: [{ ...scenario, chaos: 'api-pod-kil' }] },
    });
    expect(message).toContain("drill.scenarios[0].chaos: no chaos schedule is named 'api-pod-kil'");
    expect(message).toContain("did you mean 'api-pod-kill'?");
  });

  test('series that are not promtool notation, unknown receivers and empty expectations are rejected', () => {
    const message = renderError({
      drill: {
        scenarios: [
          { ...scenario, series: [{ series: 'up{job="api"}', values: '1x5 zero' }] },
          { ...scenario, name: 'two', expect: [{ alert: 'TargetDown', receivers: ['pagerdty'] }] },
          { ...scenario, name: 'three', expect: [] },
          { ...scenario, name: 'three', expect: [{ alert: 'KubeQuotaAlmostFull', inhibited: true, receivers: ['null'] }] },
        ],
      },
    });
    expect(message).toContain("drill.scenarios[0].series[0]: 'zero' is not promtool series notation");
    expect(message).toContain("drill.scenarios[1].expect[0].receivers: no receiver is named 'pagerdty'");
    expect(message).toContain('drill.scenarios[2].expect: the scenario expects nothing');
    expect(message).toContain("drill.scenarios[3].name: 'three' is used by two scenarios");
    expect(message).toContain('drill.scenarios[3].expect[0]: an inhibited alert reaches no receiver');
  });
});

describe('planning a drill', () => {
  const plan = (drill: StackValues['drill']) => planOf({ drill });

  test('an expected alert that does not exist, or that a simulation cannot set off, is a stack error', () => {
    expect(() => plan({ scenarios: [{ name: 'a', series: [{ series: 'up{job="a"}', values: '0x10' }], expect: [{ alert: 'TargetDwn' }] }] }))
      .toThrow(/drill\.scenarios\[0\]\.expect\[0\]\.alert: no alert of the stack is named 'TargetDwn'\n\s+fix: did you mean 'TargetDown'\?/);
    expect(() => plan({ scenarios: [{ name: 'a', simulate: { kind: 'latency', namespace: 'shop', app: 'api' }, expect: [{ alert: 'KubePodCrashLooping' }] }] }))
      .toThrow(/drill\.scenarios\[0\]\.expect\[0\]\.alert: KubePodCrashLooping reads no metric that a latency simulation changes/);
  });

  test('built-in scenarios expect the receivers the routing names; a simulated scenario plays 1m steps scaled', () => {
    const { scenarios, setup } = plan({ scenarios: [{ name: 'crash', simulate: { kind: 'crash-loop', namespace: 'shop', app: 'api' }, expect: [{ alert: 'KubePodCrashLooping' }] }] });
    expect(scenarios.map((s: { name: string }) => s.name)).toEqual(['node_exporter stopped', 'Watchdog heartbeat', 'crash']);
    expect(scenarios[0].expect).toEqual([{ alert: 'TargetDown', receivers: ['null'] }]);
    expect(scenarios[2]).toMatchObject({ stepMs: 1000, origin: expect.stringContaining('stack: simulated 1 of 4 api pods in shop crash-loop') });
    expect(scenarios[2].series.map((s: { series: string }) => s.series)).toContainEqual(expect.stringMatching(/^kube_pod_container_status_waiting_reason\{.*reason="CrashLoopBackOff"/));
    expect(setup).toMatchObject({ interval: '1s', resendDelay: '1s', externalLabels: { cluster: 'shop', prometheus: 'monitoring/k8s' } });
  });
});

describe('when a drill counts from', () => {
  const pods = { namespaces: ['shop'], labels: { 'app.kubernetes.io/name': 'api' } };
  const values: StackValues = {
    chaos: {
      schedules: [
        { name: 'api-pod-failure', schedule: '0 4 * * 2', experiment: { kind: 'PodChaos', action: 'pod-failure' }, selector: pods, mode: { mode: 'one' }, duration: '20m', expects: [{ alert: 'KubeDeploymentReplicasMismatch', within: '25m' }] },
        { name: 'api-dns', schedule: '0 5 * * 2', experiment: { kind: 'DNSChaos', action: 'error' }, selector: pods, mode: { mode: 'one' }, duration: '20m', expects: [{ alert: 'TargetDown', within: '20m' }] },
      ],
    },
    drill: {
      scenarios: [
        { ...scenario, name: 'from zero', expect: [{ alert: 'TargetDown', within: '15m' }] },
        { name: 'dns', chaos: 'api-dns', startsAt: '5m', series: scenario.series },
      ],
    },
  };
  const plan = planOf(values);
  const named = (name: string) => plan.scenarios.find((s: { name: string }) => s.name === name)!;

  test('a simulated experiment starts after the healthy stretch; its deadline counts from there, as firedAfter does', () => {
    expect(named('api-pod-failure (PodChaos)')).toMatchObject({ startsAt: (HEALTHY_STEPS * 60) / 60, expect: [{ alert: 'KubeDeploymentReplicasMismatch', deadline: 25 }] });
  });

  test('a declared scenario of a schedule starts at its startsAt; one of no experiment counts from time zero', () => {
    expect(named('dns')).toMatchObject({ startsAt: 5, expect: [{ alert: 'TargetDown', deadline: 20 }] });
    expect(named('from zero').startsAt).toBeUndefined();
    expect(named('from zero').expect).toEqual([{ alert: 'TargetDown', within: '15m', deadline: 15 }]);
    expect(named('node_exporter stopped').startsAt).toBeUndefined();
  });
});

describe('the rules a drill loads', () => {

  test('come from the PrometheusRule objects, patches applied, every duration scaled', () => {
    const values: StackValues = {
      patches: [{
        kind: 'PrometheusRule',
        name: 'prometheus-k8s-rules',
        ops: [
          { op: 'replace', path: '/spec/groups/0/rules/0/for', value: '30m' },
          { op: 'add', path: '/spec/groups/0/rules/0/keep_firing_for', value: '5m' },
          { op: 'add', path: '/spec/groups/0/partial_response_strategy', value: 'warn' },
        ],
      }],
    };
    const { setup } = planOf(values);
    const groups = parse(setup.rulesYaml).groups;
    const targetDown = groups.flatMap((g: { rules: Array<{ alert?: string }> }) => g.rules).find((r: { alert?: string }) => r.alert === 'TargetDown');
    expect(targetDown).toMatchObject({ for: '30s', keep_firing_for: '5s', labels: { severity: 'warning' } });
    expect(targetDown.expr).toContain('count by (job, namespace, service) (up == 0)');
    // Thanos Ruler's field: the operator leaves it out of Prometheus' rule files.
    expect(groups.find((g: { name: string }) => g.name === 'general.rules')).not.toHaveProperty('partial_response_strategy');
  });
});
