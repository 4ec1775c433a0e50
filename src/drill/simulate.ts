// Built-in simulations of chaos experiments: series, in promtool's notation with 1m steps, that show what an
// experiment does to the metrics an alert reads. The drill plays them for alerts that have no firing test case
// of their own (users' alerts): a healthy stretch, then the experiment.
import { comparisonThreshold, vectorSelectors, type SelectorMatcher } from '../promql/parse';
import type { ChaosMode, ChaosSchedule } from '../chaos/types';
import type { AlertDefinition, SeriesInput } from '../rules/types';
import type { DrillSimulation } from '../scenarios/types';
import { durationSeconds } from '../core/durations';

export type SimulationKind = DrillSimulation['kind'];

/** The workload an experiment hits. For node-down, `replicas` and `affected` count nodes. */
export interface SimulationTarget {
  readonly namespace: string;
  /** Its pods, containers, Deployment and scrape job are named after it. */
  readonly app: string;
  /** How many pods (or nodes) there are, and how many of them the experiment hits. */
  readonly replicas: number;
  readonly affected: number;
}

/** What the experiment does beyond its kind. */
export interface SimulationEffect {
  /** How long the experiment lasts; at least 30 minutes are played (rate and changes windows need samples). */
  readonly minutes?: number;
  /** latency: the delay it adds. @default twice the alert's threshold (CPU saturation) */
  readonly latencySeconds?: number;
  /** memory-growth: the memory it allocates (StressChaos memory size). */
  readonly memoryBytes?: number;
}

export type Simulation = { kind: SimulationKind; series: SeriesInput[]; description: string } | { skip: string };

/** Steps (minutes) before the experiment starts; it runs from minute HEALTHY_STEPS to the last sample. */
export const HEALTHY_STEPS = 10;
const MIN_CHAOS_STEPS = 30;
const DEFAULT_REPLICAS = 4;
const MiB = 1024 * 1024;
const POD_HASH = '6d5f8b7c9';
const LE = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '+Inf'];
/** Healthy traffic: 10 requests a second (600 a step), each answered in BASE_LATENCY seconds. */
const REQUESTS_PER_STEP = 600;
const BASE_LATENCY = 0.05;

// ---- which simulation an experiment maps to ----

/** The simulations an experiment can map to, best first (a StressChaos with memory and cpu has two). */
function candidatesOf(schedule: ChaosSchedule): Array<{ kind: SimulationKind; latencySeconds?: number }> {
  const e = schedule.experiment;
  switch (e.kind) {
    case 'PodChaos':
      return [{ kind: e.action === 'pod-failure' ? 'pod-failure' : 'crash-loop' }];
    case 'NetworkChaos':
      if (e.action === 'partition' || (e.action === 'loss' && e.lossPercent >= 100)) return [{ kind: 'target-down' }];
      return e.action === 'delay' ? [{ kind: 'latency', latencySeconds: durationSeconds(e.latency) }] : [];
    case 'HTTPChaos':
      return e.delay ? [{ kind: 'latency', latencySeconds: durationSeconds(e.delay) }] : [];
    case 'IOChaos':
      return e.action === 'latency' && e.delay ? [{ kind: 'latency', latencySeconds: durationSeconds(e.delay) }] : [];
    case 'StressChaos':
      // CPU saturation slows answers down; by how much is unknown, so the latency is taken from the alert.
      return [...(e.memory ? [{ kind: 'memory-growth' as const }] : []), ...(e.cpu ? [{ kind: 'latency' as const }] : [])];
    default:
      return [];
  }
}

/** The simulation a chaos experiment maps to; undefined for experiments without one (DNSChaos, TimeChaos, ...). */
export function simulationOf(schedule: ChaosSchedule): { kind: SimulationKind; latencySeconds?: number } | undefined {
  return candidatesOf(schedule)[0];
}

/** How many of `replicas` pods a mode hits. */
function affectedBy(mode: ChaosMode, replicas: number): number {
  if (!('value' in mode)) return mode.mode === 'one' ? 1 : replicas;
  if (mode.mode === 'fixed') return Math.min(mode.value, replicas);
  return Math.max(1, Math.ceil((replicas * mode.value) / 100));
}

/** Bytes in a size like `256MB` or `1GiB`, both read as powers of 1024; undefined for percentages. */
function sizeBytes(size: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(size ?? '');
  return m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2].toUpperCase() || ' ') : undefined;
}

/**
 * Series (1m steps) that play the experiment against the metrics `alert` reads, or why it cannot be simulated.
 * Of several simulations (StressChaos with memory and cpu), the first that changes a metric the alert reads wins.
 */
export function simulateContract(schedule: ChaosSchedule, alert: AlertDefinition): Simulation {
  const candidates = candidatesOf(schedule);
  if (!candidates.length) {
    const action = 'action' in schedule.experiment ? ` ${schedule.experiment.action}` : '';
    return { skip: `${schedule.experiment.kind}${action} has no built-in simulation: give ${alert.alert} a firing test case to play` };
  }
  const labels = schedule.selector.labels ?? {};
  const mode = schedule.mode;
  const replicas = Math.max(DEFAULT_REPLICAS, mode.mode === 'fixed' ? mode.value : 0);
  const target: SimulationTarget = {
    namespace: schedule.selector.namespaces[0],
    app: labels['app.kubernetes.io/name'] ?? labels.app ?? schedule.name,
    replicas,
    affected: affectedBy(mode, replicas),
  };
  const memory = schedule.experiment.kind === 'StressChaos' ? sizeBytes(schedule.experiment.memory?.size) : undefined;
  const minutes = schedule.duration ? Math.ceil(durationSeconds(schedule.duration) / 60) : undefined;
  const results = candidates.map((c) => simulateKind(c.kind, target, alert, { minutes, latencySeconds: c.latencySeconds, memoryBytes: memory }));
  return results.find((r) => !('skip' in r)) ?? results[0];
}

// ---- series of one simulation ----

type Labels = Record<string, string>;

/** What one series does: a level (for counters: the increase per step) before and during the experiment. */
interface Course {
  readonly before: number;
  readonly during: number;
  /** `counter`: before/during are increases per step; `ramp`: a linear climb to `during` by the last step. */
  readonly shape?: 'counter' | 'ramp';
}

interface Scene {
  readonly kind: SimulationKind;
  readonly target: SimulationTarget;
  readonly latency: number;
  readonly memory: { readonly base: number; readonly peak: number; readonly limit: number };
}

/** Labels a metric's series always carry, before the alert's matchers are applied. */
const METRIC_LABELS: Record<string, Labels> = {
  kube_pod_status_phase: { phase: 'Running' },
  kube_pod_status_ready: { condition: 'true' },
  kube_pod_container_status_waiting_reason: { reason: 'CrashLoopBackOff' },
  kube_node_status_condition: { condition: 'Ready', status: 'true' },
  kube_pod_container_resource_limits: { resource: 'memory', unit: 'byte' },
  kube_pod_container_resource_requests: { resource: 'memory', unit: 'byte' },
};

/** The series of one metric before matchers: one per pod (or node), or one for the whole workload. */
function baseSeries(scene: Scene, name: string): Array<{ labels: Labels; hit: boolean }> {
  const { namespace, app, replicas, affected } = scene.target;
  const extra = METRIC_LABELS[name] ?? {};
  const each = (labels: (i: number) => Labels) =>
    Array.from({ length: replicas }, (_, i) => ({ labels: { ...labels(i), ...extra }, hit: i < affected }));
  const pod = (i: number) => `${app}-${POD_HASH}-${i}`;
  const controller = /^kube_(deployment|statefulset|daemonset|replicaset|horizontalpodautoscaler|poddisruptionbudget)_/.exec(name)?.[1];
  if (controller) {
    const object = controller === 'replicaset' ? `${app}-${POD_HASH}` : app;
    return [{ labels: { job: 'kube-state-metrics', namespace, [controller]: object, ...extra }, hit: false }];
  }
  if (name.startsWith('kube_pod_container_')) return each((i) => ({ job: 'kube-state-metrics', namespace, pod: pod(i), container: app }));
  if (name.startsWith('kube_pod_')) return each((i) => ({ job: 'kube-state-metrics', namespace, pod: pod(i) }));
  if (name.startsWith('kube_node_')) return each((i) => ({ job: 'kube-state-metrics', node: `node-${i}` }));
  if (name.startsWith('kube_')) return [{ labels: { job: 'kube-state-metrics', namespace, ...extra }, hit: false }];
  if (name.startsWith('container_')) {
    return each((i) => ({ job: 'kubelet', metrics_path: '/metrics/cadvisor', namespace, pod: pod(i), container: app }));
  }
  if (name.startsWith('node_') || (name === 'up' && scene.kind === 'node-down')) {
    return each((i) => ({ job: 'node-exporter', namespace, service: 'node-exporter', instance: `node-${i}:9100`, node: `node-${i}` }));
  }
  // The workload's own scrape targets: `up` and its application metrics.
  return each((i) => ({ job: app, namespace, service: app, pod: pod(i), instance: `10.0.0.${i + 1}:8080` }));
}

/** A JS RegExp for a PromQL regex matcher: anchored at both ends, like Prometheus. */
function fullMatch(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

function satisfies(m: SelectorMatcher, value: string): boolean {
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  const matched = fullMatch(m.value)?.test(value);
  return matched === undefined ? false : m.op === '=~' ? matched : !matched;
}

/** The labels with the selector's matchers applied; undefined when they cannot all hold. */
function applyMatchers(labels: Labels, matchers: readonly SelectorMatcher[]): Labels | undefined {
  const out: Labels = { ...labels };
  const set = (label: string, value: string) => {
    if (value === '') delete out[label];
    else out[label] = value;
  };
  for (const m of matchers) {
    if (m.op === '=') set(m.label, m.value);
    // `a|b|c` of plain words: take the first, unless the label's value already matches.
    const words = /^(?:[\w:/-]|\\.)*(?:\|(?:[\w:/-]|\\.)*)*$/.test(m.value);
    if (m.op === '=~' && words && !satisfies(m, out[m.label] ?? '')) set(m.label, m.value.split('|')[0].replace(/\\(.)/g, '$1'));
  }
  return matchers.every((m) => satisfies(m, out[m.label] ?? '')) ? out : undefined;
}

const steady = (value: number): Course => ({ before: value, during: value });

/** Deployments, StatefulSets, DaemonSets, ReplicaSets: pods that fail or crash are no longer available or ready. */
function controllerCourse(scene: Scene, name: string): Course {
  const { replicas, affected } = scene.target;
  const lost = scene.kind === 'pod-failure' || scene.kind === 'crash-loop' ? affected : 0;
  if (/unavailable/.test(name)) return { before: 0, during: lost };
  if (/available|ready/.test(name)) return { before: replicas, during: replicas - lost };
  if (/misscheduled/.test(name)) return steady(0);
  return /replicas|scheduled/.test(name) ? steady(replicas) : steady(1);
}

/** Pods and containers of kube-state-metrics; undefined for metrics it has no rule for. */
function podCourse(scene: Scene, name: string, labels: Labels, hit: boolean): Course | undefined {
  const failing = hit && (scene.kind === 'pod-failure' || scene.kind === 'crash-loop');
  const crashing = hit && scene.kind === 'crash-loop';
  // A condition series: 1 for the status that holds, `true`/`false` by whether the pod (or node) is healthy.
  const condition = (status: string | undefined, healthy: boolean) => Number(status === String(healthy));
  if (name === 'kube_pod_status_ready') return { before: condition(labels.condition, true), during: condition(labels.condition, !failing) };
  if (name === 'kube_pod_container_status_ready') return { before: 1, during: Number(!failing) };
  if (name === 'kube_pod_status_phase') return steady(Number(labels.phase === 'Running'));
  if (name === 'kube_pod_container_status_restarts_total') return { before: 0, during: Number(crashing), shape: 'counter' };
  if (name === 'kube_pod_container_status_waiting' || name === 'kube_pod_container_status_waiting_reason') {
    return { before: 0, during: Number(crashing && (labels.reason ?? 'CrashLoopBackOff') === 'CrashLoopBackOff') };
  }
  if (name === 'kube_pod_container_status_running') return { before: 1, during: Number(!crashing) };
  if (name === 'kube_node_status_condition') {
    if (labels.condition !== 'Ready') return steady(condition(labels.status, false));
    return { before: condition(labels.status, true), during: condition(labels.status, !(hit && scene.kind === 'node-down')) };
  }
  return undefined;
}

/** Classic histograms and latency gauges: healthy traffic, slowed down on the hit pods by a latency experiment. */
function latencyCourse(scene: Scene, name: string, labels: Labels, hit: boolean): Course | undefined {
  const slow = hit && scene.kind === 'latency' ? scene.latency + BASE_LATENCY : BASE_LATENCY;
  if (name.endsWith('_bucket')) {
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    return { before: le >= BASE_LATENCY ? REQUESTS_PER_STEP : 0, during: le >= slow ? REQUESTS_PER_STEP : 0, shape: 'counter' };
  }
  if (!/seconds|duration|latency/.test(name)) return undefined;
  if (name.endsWith('_count')) return { before: REQUESTS_PER_STEP, during: REQUESTS_PER_STEP, shape: 'counter' };
  if (name.endsWith('_sum')) return { before: REQUESTS_PER_STEP * BASE_LATENCY, during: REQUESTS_PER_STEP * slow, shape: 'counter' };
  return name.endsWith('_total') ? undefined : { before: BASE_LATENCY, during: slow };
}

/** Memory in use climbs on the hit pods under memory-growth; limits and requests stay put. */
function memoryCourse(scene: Scene, name: string, labels: Labels, hit: boolean): Course | undefined {
  const { base, peak, limit } = scene.memory;
  if (/limit|request/.test(name) && (/memory/.test(name) || labels.resource === 'memory')) return steady(limit);
  if (!/memory/.test(name) || !name.endsWith('_bytes') || /^(node|kube)_/.test(name)) return undefined;
  return { before: base, during: hit && scene.kind === 'memory-growth' ? peak : base, shape: 'ramp' };
}

/** What one series does in the scene: the metrics a kind affects change, the rest stay healthy. */
function courseOf(scene: Scene, name: string, labels: Labels, hit: boolean): Course {
  if (/^kube_(deployment|statefulset|daemonset|replicaset)_/.test(name)) return controllerCourse(scene, name);
  const known = podCourse(scene, name, labels, hit) ?? memoryCourse(scene, name, labels, hit) ?? latencyCourse(scene, name, labels, hit);
  if (known) return known;
  if (name === 'up') return { before: 1, during: Number(!(hit && scene.kind !== 'memory-growth' && scene.kind !== 'latency')) };
  // Anything else: steady; counters flat (no errors), waiting, terminated, failed and unschedulable states off.
  return steady(/_total$|waiting|terminated|failed|error|unschedulable/.test(name) ? 0 : 1);
}

/** A number as promtool reads it. */
const num = (n: number) => String(Number(n.toPrecision(12)));

/** `start+slope x n` in promtool's notation: n+1 samples. */
function ramp(start: number, slope: number, n: number): string {
  if (slope === 0) return `${num(start)}x${n}`;
  return `${num(start)}${slope < 0 ? '-' : '+'}${num(Math.abs(slope))}x${n}`;
}

/** The samples of a course: HEALTHY_STEPS before the experiment, then chaosSteps + 1 during it. */
function valuesOf(course: Course, chaosSteps: number): string {
  const last = HEALTHY_STEPS - 1;
  const { before, during } = course;
  if (course.shape === 'counter') return `${ramp(0, before, last)} ${ramp(before * last + during, during, chaosSteps)}`;
  if (course.shape === 'ramp') {
    const slope = (during - before) / (chaosSteps + 1);
    return `${ramp(before, 0, last)} ${ramp(before + slope, slope, chaosSteps)}`;
  }
  return before === during ? `${num(before)}x${last + chaosSteps + 1}` : `${num(before)}x${last} ${num(during)}x${chaosSteps}`;
}

const seriesText = (name: string, labels: Labels) =>
  `${name}{${Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;

/**
 * Memory levels around the alert's threshold T: from T/2 up to 2T (or T/2 plus what the experiment allocates). T is
 * in bytes, or below 1 MiB a ratio (<= 1) or percentage of the 1 GiB limit; without one, 100 MiB climbs to 400 MiB.
 */
function memoryLevels(alert: AlertDefinition, allocated: number | undefined): Scene['memory'] {
  const limit = 1024 * MiB;
  const threshold = comparisonThreshold(alert.expr);
  const t = threshold && (threshold.op === '>' || threshold.op === '>=') && threshold.value > 0 ? threshold.value : undefined;
  const bytes = t === undefined ? 200 * MiB : t >= MiB ? t : limit * (t <= 1 ? t : t / 100);
  const base = bytes / 2;
  return { base, peak: Math.max(bytes * 2, base + (allocated ?? 0)), limit };
}

function describeScene(scene: Scene): string {
  const { namespace, app, replicas, affected } = scene.target;
  const pods = `${affected} of ${replicas} ${app} pods in ${namespace}`;
  switch (scene.kind) {
    case 'pod-failure': return `${pods} fail: not ready, their targets down`;
    case 'crash-loop': return `${pods} crash-loop: restarting every minute, waiting in CrashLoopBackOff, their targets down`;
    case 'target-down': return `${affected} of ${replicas} ${app} targets in ${namespace} unreachable`;
    case 'node-down': return `${affected} of ${replicas} nodes NotReady, their node-exporter down`;
    case 'memory-growth': return `memory of ${pods} climbs from ${num(scene.memory.base / MiB)} MiB to ${num(scene.memory.peak / MiB)} MiB`;
    case 'latency': return `${pods} answer in ${num(scene.latency + BASE_LATENCY)}s instead of ${BASE_LATENCY}s`;
  }
}

/** A simulation by kind, for contracts and for scenarios declared without an experiment (node-down). */
export function simulateKind(kind: SimulationKind, target: SimulationTarget, alert: AlertDefinition, effect: SimulationEffect = {}): Simulation {
  const threshold = comparisonThreshold(alert.expr);
  const latency = effect.latencySeconds ?? (threshold && threshold.value > 0 ? 2 * threshold.value : 1);
  const scene: Scene = { kind, target, latency, memory: memoryLevels(alert, effect.memoryBytes) };
  const chaosSteps = Math.max(effect.minutes ?? 0, MIN_CHAOS_STEPS);
  const series = new Map<string, string>();
  let changes = false;
  const selectors = vectorSelectors(alert.expr).filter((s) => s.name !== '');
  for (const { name, matchers } of selectors) {
    const shown = `${name}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
    const bases = baseSeries(scene, name).flatMap((b) => (name.endsWith('_bucket') ? LE.map((le) => ({ ...b, labels: { ...b.labels, le } })) : [b]));
    for (const { labels, hit } of bases) {
      const matched = applyMatchers(labels, matchers);
      if (!matched) return { skip: `${alert.alert}: no ${kind} series can satisfy the matchers of ${shown}` };
      const course = courseOf(scene, name, matched, hit);
      changes ||= course.before !== course.during;
      series.set(seriesText(name, matched), valuesOf(course, chaosSteps));
    }
  }
  if (!changes) {
    const read = [...new Set(selectors.map((s) => s.name))].join(', ') || 'no metric';
    return { skip: `${alert.alert} reads no metric that a ${kind} simulation changes (it reads ${read})` };
  }
  const description = `${describeScene(scene)}, from minute ${HEALTHY_STEPS} for ${chaosSteps} minutes`;
  return { kind, series: [...series].map(([s, values]) => ({ series: s, values })), description };
}
