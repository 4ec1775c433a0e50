// Chaos contracts are checked at synth against what the experiment really does: its built-in simulation, played
// as Prometheus would. An alert the experiment cannot set off is refused, saying why, with alerts it does set off.
import type { ChaosSchedule } from '../../src/chaos/types';
import type { AlertDefinition } from '../../src/rules/types';
import type { StackValues } from '../../src/values/stack-values';
import { render, renderError } from '../helpers';

const routed: StackValues = {
  alertmanager: {
    receivers: [{ name: 'null', type: 'null' }, { name: 'incident', type: 'webhook', url: 'https://incidents.example.com/hook' }],
    route: { receiver: 'incident', routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }] },
  },
};
const podKill: ChaosSchedule = {
  name: 'checkout-pod-kill',
  schedule: '0 4 * * 2',
  experiment: { kind: 'PodChaos', action: 'pod-kill' },
  selector: { namespaces: ['shop'], labels: { app: 'checkout' } },
  mode: { mode: 'one' },
};
const podFailure: ChaosSchedule = { ...podKill, name: 'checkout-pod-failure', experiment: { kind: 'PodChaos', action: 'pod-failure' }, duration: '20m' };
const containerKill: ChaosSchedule = { ...podKill, name: 'checkout-container-kill', experiment: { kind: 'PodChaos', action: 'container-kill' } };

/** Stack values with one schedule expecting one alert, and the checkout application's own alerts. */
function contract(schedule: ChaosSchedule, alert: string, alerts: AlertDefinition[] = []): StackValues {
  return {
    ...routed,
    applications: [{ name: 'checkout', namespace: 'shop', selector: { app: 'checkout' }, port: 'http', alerts }],
    chaos: { schedules: [{ ...schedule, expects: [{ alert, within: '30m' }] }] },
  };
}
const userAlert = (alert: string, expr: string, extra: Partial<AlertDefinition> = {}): AlertDefinition => ({ alert, expr, severity: 'warning', summary: 's', description: 'd', ...extra });
const replicasShort = 'kube_deployment_spec_replicas{namespace="shop"} - kube_deployment_status_replicas_available{namespace="shop"} > 0';

describe('a pod-kill', () => {
  test('cannot set off KubePodCrashLooping: the killed pod is replaced, it never crash-loops', () => {
    const message = renderError(contract(podKill, 'KubePodCrashLooping'));
    expect(message).toContain(
      'chaos.schedules[0] (checkout-pod-kill) › expects[0] (KubePodCrashLooping): cannot fire from this experiment: in its simulation ' +
      '(1 of 4 checkout pods in shop killed and replaced by their Deployment (new pods, ready 1 minute later; no restarts, no CrashLoopBackOff), at minute 10), ' +
      'KubePodCrashLooping never fires: what it reads (kube_pod_container_status_waiting_reason) never holds for 15m',
    );
    expect(message).toContain('fix: expect an alert the experiment sets off');
  });

  test('cannot set off a replicas alert whose `for` outlasts the replacement; one without `for` sees the dip', () => {
    expect(renderError(contract(podKill, 'KubeDeploymentReplicasMismatch'))).toContain(
      'KubeDeploymentReplicasMismatch never fires: what it reads (kube_deployment_spec_replicas, kube_deployment_status_replicas_available, kube_deployment_status_replicas_updated) never holds for 15m',
    );
    const slow = userAlert('CheckoutShort', replicasShort, { for: '5m' });
    expect(renderError(contract(podKill, 'CheckoutShort', [slow]))).toContain('CheckoutShort never fires');
    const instant = userAlert('CheckoutShort', replicasShort);
    expect(render(contract(podKill, 'CheckoutShort', [instant])).warnings).toEqual([]);
  });
});

describe('a container-kill', () => {
  test('once a day restarts the container once: KubePodCrashLooping is refused; every 5 minutes the back-off sets it off', () => {
    expect(renderError(contract(containerKill, 'KubePodCrashLooping'))).toContain(
      'expects[0] (KubePodCrashLooping): cannot fire from this experiment: in its simulation (the checkout container of 1 of 4 checkout pods in shop ' +
      'killed and restarted in place (1 restart, no CrashLoopBackOff), at minute 10), nothing KubePodCrashLooping reads changes (kube_pod_container_status_waiting_reason)',
    );
    expect(render(contract({ ...containerKill, schedule: '*/5 * * * *' }, 'KubePodCrashLooping')).warnings).toEqual([]);
  });
});

describe('a pod-failure', () => {
  test('keeps its pods Running: the catalogue\'s KubePodNotReady (Pending or Unknown) is refused, naming alerts it does set off', () => {
    const message = renderError(contract(podFailure, 'KubePodNotReady'));
    expect(message).toContain('nothing KubePodNotReady reads changes (kube_pod_status_phase, kube_pod_owner)');
    expect(message).toMatch(/fix: expect an alert the experiment sets off \(in the simulation: [^)]*KubeDeploymentReplicasMismatch[^)]*\), or run an experiment that sets KubePodNotReady off/);
  });

  test('sets off a not-ready alert only when it lasts longer than its `for`', () => {
    const notReady = userAlert('CheckoutNotReady', 'max by (namespace, pod) (kube_pod_status_ready{namespace="shop", condition="false"}) == 1', { for: '15m' });
    expect(render(contract(podFailure, 'CheckoutNotReady', [notReady])).warnings).toEqual([]);
    // 10 minutes of failure: too short for 15m, said once, as the time it takes.
    const message = renderError(contract({ ...podFailure, duration: '10m' }, 'CheckoutNotReady', [notReady]));
    expect(message).toContain("cannot fire in time: for 900s + scrape interval 30s + evaluation interval 30s = 960s, more than the experiment's duration 10m");
    expect(message).not.toContain('cannot fire from this experiment');
  });

  test('does not change what an alert on other metrics reads: refused', () => {
    const memory = userAlert('CheckoutMemoryHigh', 'max by (namespace, pod) (container_memory_working_set_bytes{namespace="shop", container!=""}) > 500 * 1024 * 1024');
    expect(renderError(contract(podFailure, 'CheckoutMemoryHigh', [memory]))).toContain('nothing CheckoutMemoryHigh reads changes (container_memory_working_set_bytes)');
  });
});

describe('what the simulation cannot tell is left to the drill', () => {
  test('an experiment without a simulation (DNSChaos), and an alert on recorded series', () => {
    const dns: ChaosSchedule = { ...podFailure, name: 'checkout-dns', experiment: { kind: 'DNSChaos', action: 'error' } };
    expect(render(contract(dns, 'KubePodCrashLooping')).warnings).toEqual([]);
    expect(render(contract(podFailure, 'KubeCPUOvercommit')).warnings).toEqual([]);
  });
});
