// Schedules (chaos-mesh.org/v1alpha1) from typed experiments.
import type { ChaosExperiment, ChaosSchedule } from './types';

/** The key under which a Schedule holds the spec of its kind. */
export const TEMPLATE_KEY: Record<ChaosExperiment['kind'], string> = {
  PodChaos: 'podChaos', NetworkChaos: 'networkChaos', DNSChaos: 'dnsChaos', StressChaos: 'stressChaos',
  HTTPChaos: 'httpChaos', IOChaos: 'ioChaos', TimeChaos: 'timeChaos',
};

export const PAUSE_ANNOTATION = 'experiment.chaos-mesh.org/pause';

/** Actions that happen once (a kill) and ignore `duration`. */
export function isOneShot(experiment: ChaosExperiment): boolean {
  return experiment.kind === 'PodChaos' && (experiment.action === 'pod-kill' || experiment.action === 'container-kill');
}

function experimentSpec(e: ChaosExperiment): Record<string, unknown> {
  switch (e.kind) {
    case 'PodChaos':
      return { action: e.action, ...(e.containerNames ? { containerNames: e.containerNames } : {}), ...(e.gracePeriod !== undefined ? { gracePeriod: e.gracePeriod } : {}) };
    case 'NetworkChaos':
      switch (e.action) {
        case 'delay': return { action: 'delay', delay: { latency: e.latency, ...(e.jitter ? { jitter: e.jitter } : {}), ...(e.correlation ? { correlation: e.correlation } : {}) } };
        case 'loss': return { action: 'loss', loss: { loss: String(e.lossPercent) } };
        case 'duplicate': return { action: 'duplicate', duplicate: { duplicate: String(e.duplicatePercent) } };
        case 'corrupt': return { action: 'corrupt', corrupt: { corrupt: String(e.corruptPercent) } };
        case 'partition': return { action: 'partition', direction: 'to', externalTargets: e.externalTargets };
        case 'bandwidth': return { action: 'bandwidth', bandwidth: { rate: e.rate, limit: e.limit, buffer: e.buffer } };
      }
      break;
    case 'DNSChaos':
      return { action: e.action, ...(e.patterns ? { patterns: e.patterns } : {}) };
    case 'StressChaos':
      return { stressors: { ...(e.cpu ? { cpu: e.cpu } : {}), ...(e.memory ? { memory: e.memory } : {}) } };
    case 'HTTPChaos':
      return { target: e.target, port: e.port, ...(e.path ? { path: e.path } : {}), ...(e.method ? { method: e.method } : {}), ...(e.abort ? { abort: true } : {}), ...(e.delay ? { delay: e.delay } : {}) };
    case 'IOChaos':
      return { action: e.action, volumePath: e.volumePath, ...(e.path ? { path: e.path } : {}), ...(e.delay ? { delay: e.delay } : {}), ...(e.errno !== undefined ? { errno: e.errno } : {}), percent: e.percent ?? 100 };
    case 'TimeChaos':
      return { timeOffset: e.timeOffset };
  }
  return {};
}

/** The Schedule's namespace: its own, or that of the first namespace it targets. */
export function scheduleNamespace(s: ChaosSchedule): string {
  return s.namespace ?? s.selector.namespaces[0];
}

export function renderSchedule(s: ChaosSchedule, pauseAll: boolean): { metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  const target = {
    selector: {
      namespaces: s.selector.namespaces,
      ...(s.selector.labels ? { labelSelectors: s.selector.labels } : {}),
      ...(s.selector.pods ? { pods: s.selector.pods } : {}),
    },
    mode: s.mode.mode,
    ...('value' in s.mode ? { value: String(s.mode.value) } : {}),
    ...(s.duration && !isOneShot(s.experiment) ? { duration: s.duration } : {}),
  };
  return {
    metadata: { name: s.name, namespace: scheduleNamespace(s), annotations: { [PAUSE_ANNOTATION]: String(pauseAll || (s.paused ?? false)) } },
    spec: {
      schedule: s.schedule,
      type: s.experiment.kind,
      concurrencyPolicy: s.concurrencyPolicy ?? 'Forbid',
      historyLimit: s.historyLimit ?? 3,
      startingDeadlineSeconds: s.startingDeadlineSeconds ?? 120,
      [TEMPLATE_KEY[s.experiment.kind]]: { ...experimentSpec(s.experiment), ...target },
    },
  };
}
