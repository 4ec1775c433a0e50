// Built-in simulations of chaos experiments: series, in promtool's notation with 1m steps, that show what an
// experiment really does to the metrics an alert reads. The drill plays them for alerts that have no firing test
// case of their own (users' alerts), and the chaos contracts play them at synth to tell which alerts can fire at all:
// a healthy stretch, then the experiment, at each run of its schedule, each run lasting its duration, then recovery.
// - pod-kill: the pod is deleted and its controller starts a replacement under a new name (the old pod's series end,
//   the new one's begin), Pending and not ready for a step; no restarts, never CrashLoopBackOff.
// - container-kill: the container restarts in place (restarts +1, down for a step); CrashLoopBackOff only when kills
//   come again within the kubelet's back-off.
// - pod-failure: Chaos Mesh swaps the image for `pause`: the pod stays Running but is not ready and its target is
//   down for the duration (a restart when it starts, one when it ends).
// - target-down, latency, memory-growth, node-down, crash-loop: the fault holds for the duration of each run.
// Workloads are Deployments' pods (PodChaos hits only pods a controller replaces); anything the simulation knows
// nothing about stays healthy.
import { comparisonThreshold, parsePromQL, vectorSelectors, type SelectorMatcher } from '../promql/parse';
import { fireMinutes } from '../chaos/cron';
import { isOneShot } from '../chaos/schedule';
import type { ChaosMode, ChaosSchedule } from '../chaos/types';
import type { AlertDefinition, SeriesInput } from '../rules/types';
import type { DrillSimulation } from '../scenarios/types';
import { durationSeconds } from '../core/durations';

/** What a simulation plays: the kinds a drill scenario may declare, and the kills only an experiment brings. */
export type SimulationKind = DrillSimulation['kind'] | 'pod-kill' | 'container-kill';

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
  /** How long each run lasts (not kills: they happen at once). @default 30 */
  readonly minutes?: number;
  /** Minutes after the first run at which it runs again (a Schedule's cron); those that fit are played. @default [0] */
  readonly runs?: readonly number[];
  /** latency: the delay it adds. @default twice the alert's threshold (CPU saturation) */
  readonly latencySeconds?: number;
  /** memory-growth: the memory it allocates (StressChaos memory size). */
  readonly memoryBytes?: number;
  /** memory-growth: minutes memory takes to reach its peak. @default the whole run (a leak) */
  readonly growthMinutes?: number;
}

export type SkipCause =
  /** The experiment has no built-in simulation (DNSChaos, TimeChaos, ...). */
  | 'no-simulation'
  /** The simulation changes none of the series the alert reads. */
  | 'unchanged'
  /** The alert's matchers ask for series the simulation cannot make. */
  | 'unmatched';

export type PlayedSimulation = {
  readonly kind: SimulationKind;
  readonly series: SeriesInput[];
  readonly description: string;
  /** Minute the experiment starts (HEALTHY_STEPS), and minute its last run is over. */
  readonly startsAt: number;
  readonly endsAt: number;
};
/** Why there is nothing to play; `description` says what the experiment does where it was simulated. */
export type SkippedSimulation = { readonly skip: string; readonly cause: SkipCause; readonly description?: string };
export type Simulation = PlayedSimulation | SkippedSimulation;

/** Steps (minutes) before the experiment starts: its first run is at minute HEALTHY_STEPS. */
export const HEALTHY_STEPS = 10;
const MIN_CHAOS_STEPS = 30;
/** Healthy steps after the last run: the drill's exporter serves the last values on, so they must be the recovered ones. */
const RECOVERY_STEPS = 5;
const DEFAULT_MINUTES = 30;
/** A killed pod's replacement is scheduled, pulls, starts and passes its probes: Pending and not ready this long. */
const REPLACEMENT_STEPS = 1;
/** The kubelet's restart back-off: none for the first restart, then 10s doubling up to 5m, forgotten after 10m. */
const BACKOFF_INITIAL_SECONDS = 10;
const BACKOFF_MAX_SECONDS = 300;
const BACKOFF_RESET_SECONDS = 600;
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
      return [{ kind: e.action }];
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

const runsOfCron = new Map<string, number[]>();

/** Minutes after its first run at which a schedule runs again, over two weeks; [0] for a cron this cannot read. */
function runMinutes(cron: string): number[] {
  let runs = runsOfCron.get(cron);
  if (!runs) {
    const fires = fireMinutes(cron, 2);
    runsOfCron.set(cron, (runs = fires?.length ? fires.map((m) => m - fires[0]) : [0]));
  }
  return runs;
}

/** The workload a schedule hits, as its simulations name it. */
function targetOf(schedule: ChaosSchedule): SimulationTarget {
  const labels = schedule.selector.labels ?? {};
  const mode = schedule.mode;
  const replicas = Math.max(DEFAULT_REPLICAS, mode.mode === 'fixed' ? mode.value : 0);
  return {
    namespace: schedule.selector.namespaces[0],
    app: labels['app.kubernetes.io/name'] ?? labels.app ?? schedule.name,
    replicas,
    affected: affectedBy(mode, replicas),
  };
}

/** The scrape job of a metric's series in a simulation of `app`: the one that exports it in a cluster. */
function jobOf(name: string, app: string, kind: SimulationKind): string {
  if (name.startsWith('kube_')) return 'kube-state-metrics';
  if (name.startsWith('container_')) return 'kubelet';
  if (name.startsWith('node_') || (name === 'up' && kind === 'node-down')) return 'node-exporter';
  return app;
}

/**
 * Whether the alert's `job` matchers hold for the jobs a simulation of the schedule plays. The simulation gives its
 * series the job an alert asks for (the workload's real job is not known), so this tells an alert about the
 * workload from one about something else (`up{job="apiserver"}`).
 */
export function readsSimulatedJobs(schedule: ChaosSchedule, alert: AlertDefinition): boolean {
  const { app } = targetOf(schedule);
  const kind = simulationOf(schedule)?.kind ?? 'pod-failure';
  return vectorSelectors(alert.expr).every(({ name, matchers }) => {
    const job = jobOf(name, app, kind);
    return matchers.filter((m) => m.label === 'job').every((m) => satisfies(m, job));
  });
}

/**
 * Every simulation of the experiment against the metrics `alert` reads (a StressChaos with memory and cpu has two),
 * or why there is none. Runs of the schedule are played as its cron repeats them; each run of the same pods (a
 * mode `one` experiment may pick another pod in a real cluster: this is the case where it picks the same one).
 */
export function contractSimulations(schedule: ChaosSchedule, alert: AlertDefinition): Simulation[] {
  const candidates = candidatesOf(schedule);
  if (!candidates.length) {
    const action = 'action' in schedule.experiment ? ` ${schedule.experiment.action}` : '';
    return [{ skip: `${schedule.experiment.kind}${action} has no built-in simulation: give ${alert.alert} a firing test case to play`, cause: 'no-simulation' }];
  }
  const target = targetOf(schedule);
  // A StressChaos allocates its memory at once; a kill has no duration (Chaos Mesh ignores it).
  const stress = schedule.experiment.kind === 'StressChaos' ? schedule.experiment : undefined;
  const minutes = schedule.duration && !isOneShot(schedule.experiment) ? Math.ceil(durationSeconds(schedule.duration) / 60) : undefined;
  const runs = runMinutes(schedule.schedule);
  return candidates.map((c) => simulateKind(c.kind, target, alert, {
    minutes, runs, latencySeconds: c.latencySeconds, memoryBytes: sizeBytes(stress?.memory?.size), growthMinutes: stress ? 1 : undefined,
  }));
}

/**
 * Series (1m steps) that play the experiment against the metrics `alert` reads, or why it cannot be simulated.
 * Of several simulations (StressChaos with memory and cpu), the first that changes a metric the alert reads wins.
 */
export function simulateContract(schedule: ChaosSchedule, alert: AlertDefinition): Simulation {
  const results = contractSimulations(schedule, alert);
  return results.find((r) => !('skip' in r)) ?? results[0];
}

// ---- what happens to each pod (or node), step by step ----

type Labels = Record<string, string>;

/** One pod at one step. */
interface PodStep {
  readonly phase: 'Pending' | 'Running';
  readonly ready: boolean;
  readonly running: boolean;
  readonly waiting?: 'ContainerCreating' | 'CrashLoopBackOff';
  /** Container restarts in this step. */
  readonly restarts: number;
  /** Its scrape target answers. */
  readonly serving: boolean;
  readonly slow: boolean;
  readonly memory: number;
}

/** A pod under one name: from the step it was created; a replacement is a new life of the same slot. */
interface PodLife {
  readonly name: string;
  readonly instance: string;
  readonly from: number;
  readonly steps: PodStep[];
}

/** One replica (or node, for node-down) over the whole play. */
interface Slot {
  readonly index: number;
  readonly lives: PodLife[];
  readonly nodeReady: boolean[];
}

interface Scene {
  readonly kind: SimulationKind;
  readonly target: SimulationTarget;
  readonly latency: number;
  readonly memory: { readonly base: number; readonly peak: number; readonly limit: number };
  /** Samples every series has. */
  readonly steps: number;
  /** Steps at which runs start. */
  readonly runs: readonly number[];
  /** Steps each run lasts; 0 for kills. */
  readonly runSteps: number;
  readonly growthSteps: number;
}

const KILLS: ReadonlySet<SimulationKind> = new Set(['pod-kill', 'container-kill']);

/** The run whose fault holds at step k, if any. */
function runAt(scene: Scene, k: number): number | undefined {
  return scene.runs.find((r) => k >= r && k < r + scene.runSteps);
}

/** What each slot goes through; `faulty` false plays the same stretch without the experiment. */
function slotsOf(scene: Scene, faulty: boolean): Slot[] {
  const { app, replicas, affected } = scene.target;
  return Array.from({ length: replicas }, (_, index) => {
    const hit = faulty && index < affected;
    const podName = (generation: number) => `${app}-${POD_HASH}-${index}${generation ? `r${generation}` : ''}`;
    const life = (generation: number, from: number): PodLife => ({ name: podName(generation), instance: `10.0.${generation}.${index + 1}:8080`, from, steps: [] });
    const lives = [life(0, 0)];
    const nodeReady: boolean[] = [];
    const kills = new Set(hit && KILLS.has(scene.kind) ? scene.runs : []);
    // The kubelet's back-off entry of the container, and until when it is down.
    let backoff: { seconds: number; lastRestart: number } | undefined;
    let downUntil = -1;
    let restartAt = -1;
    let waiting: PodStep['waiting'];
    for (let k = 0; k < scene.steps; k++) {
      const run = hit ? runAt(scene, k) : undefined;
      const healthy: PodStep = { phase: 'Running', ready: true, running: true, restarts: 0, serving: true, slow: false, memory: scene.memory.base };
      let step = healthy;
      if (scene.kind === 'pod-kill' && kills.has(k)) {
        lives.push(life(lives.length, k));
        downUntil = k + REPLACEMENT_STEPS;
      }
      if (scene.kind === 'pod-kill' && k < downUntil) {
        step = { ...healthy, phase: 'Pending', ready: false, running: false, waiting: 'ContainerCreating', serving: false };
      }
      if (scene.kind === 'container-kill') {
        if (kills.has(k) && k >= downUntil) {
          const seconds = k * 60;
          const forgotten = !backoff || seconds - backoff.lastRestart > BACKOFF_RESET_SECONDS;
          const wait = forgotten ? 0 : backoff!.seconds;
          const downSteps = Math.max(1, Math.ceil(wait / 60));
          downUntil = k + downSteps;
          restartAt = k + Math.min(downSteps - 1, Math.floor(wait / 60));
          waiting = wait > 0 ? 'CrashLoopBackOff' : undefined;
          backoff = { seconds: forgotten ? BACKOFF_INITIAL_SECONDS : Math.min(BACKOFF_MAX_SECONDS, 2 * backoff!.seconds), lastRestart: seconds + wait };
        }
        if (k < downUntil) step = { ...healthy, ready: false, running: false, serving: false, waiting };
        if (k === restartAt) step = { ...step, restarts: 1 };
      }
      if (run !== undefined) {
        switch (scene.kind) {
          case 'pod-failure':
            // The pause image runs but serves nothing; swapping the image in restarts the container.
            step = { ...healthy, ready: false, serving: false, restarts: Number(k === run) };
            break;
          case 'crash-loop':
            step = { ...healthy, ready: false, running: false, waiting: 'CrashLoopBackOff', serving: false, restarts: 1 };
            break;
          case 'target-down':
            step = { ...healthy, serving: false };
            break;
          case 'latency':
            step = { ...healthy, slow: true };
            break;
          case 'memory-growth': {
            const { base, peak } = scene.memory;
            step = { ...healthy, memory: base + ((peak - base) * Math.min(1, (k - run + 1) / scene.growthSteps)) };
            break;
          }
        }
      } else if (hit && scene.kind === 'pod-failure' && runAt(scene, k - 1) !== undefined) {
        // Recovery swaps the original image back in: one more restart.
        step = { ...healthy, restarts: 1 };
      }
      lives[lives.length - 1].steps.push(step);
      nodeReady.push(!(run !== undefined && scene.kind === 'node-down'));
    }
    return { index, lives, nodeReady };
  });
}

// ---- series of one simulation ----

/** Labels a metric's series always carry, before the alert's matchers are applied. */
const METRIC_LABELS: Record<string, Labels> = {
  kube_pod_status_phase: { phase: 'Running' },
  kube_pod_status_ready: { condition: 'true' },
  kube_pod_container_status_waiting_reason: { reason: 'CrashLoopBackOff' },
  kube_node_status_condition: { condition: 'Ready', status: 'true' },
  kube_pod_container_resource_limits: { resource: 'memory', unit: 'byte' },
  kube_pod_container_resource_requests: { resource: 'memory', unit: 'byte' },
  kube_pod_owner: { owner_kind: 'ReplicaSet', owner_is_controller: 'true' },
};

/**
 * Labels that state facts of the workload, with the values they can have: matchers may pick one, and where they ask
 * for another, that series does not exist (PodChaos hits only pods a ReplicaSet, StatefulSet or DaemonSet replaces).
 */
const FACTS: Record<string, Record<string, readonly string[]>> = {
  kube_pod_owner: { owner_kind: ['ReplicaSet', 'StatefulSet', 'DaemonSet'], owner_is_controller: ['true'] },
};

/** A series of the simulation before matchers, and how to read its value at a step. */
interface Base {
  readonly labels: Labels;
  /** The steps it exists; all of them when absent. */
  readonly life?: PodLife;
  readonly slot?: Slot;
}

/** The series of one metric before matchers: one per pod (or node), or one for the whole workload. */
function baseSeries(scene: Scene, slots: Slot[], name: string): Base[] {
  const { namespace, app } = scene.target;
  const job = jobOf(name, app, scene.kind);
  const extra = { ...METRIC_LABELS[name], ...(name === 'kube_pod_owner' ? { owner_name: `${app}-${POD_HASH}` } : {}) };
  const perLife = (labels: (life: PodLife) => Labels) =>
    slots.flatMap((slot) => slot.lives.map((life) => ({ labels: { ...labels(life), ...extra }, life, slot })));
  const perNode = (labels: (i: number) => Labels) => slots.map((slot) => ({ labels: { ...labels(slot.index), ...extra }, slot }));
  const controller = /^kube_(deployment|statefulset|daemonset|replicaset|horizontalpodautoscaler|poddisruptionbudget)_/.exec(name)?.[1];
  if (controller) {
    const object = controller === 'replicaset' ? `${app}-${POD_HASH}` : app;
    return [{ labels: { job, namespace, [controller]: object, ...extra } }];
  }
  if (name.startsWith('kube_pod_container_')) return perLife((life) => ({ job, namespace, pod: life.name, container: app }));
  if (name.startsWith('kube_pod_')) return perLife((life) => ({ job, namespace, pod: life.name }));
  if (name.startsWith('kube_node_')) return perNode((i) => ({ job, node: `node-${i}` }));
  if (name.startsWith('kube_')) return [{ labels: { job, namespace, ...extra } }];
  if (name.startsWith('container_')) {
    return perLife((life) => ({ job, metrics_path: '/metrics/cadvisor', namespace, pod: life.name, container: app }));
  }
  if (name.startsWith('node_') || (name === 'up' && scene.kind === 'node-down')) {
    return perNode((i) => ({ job, namespace, service: 'node-exporter', instance: `node-${i}:9100`, node: `node-${i}` }));
  }
  // The workload's own scrape targets: `up` and its application metrics.
  return perLife((life) => ({ job, namespace, service: app, pod: life.name, instance: life.instance }));
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

/**
 * The labels with the selector's matchers applied: undefined when they cannot all hold, 'absent' when they ask for a
 * fact the workload does not have (that series does not exist).
 */
function applyMatchers(labels: Labels, matchers: readonly SelectorMatcher[], facts: Record<string, readonly string[]> = {}): Labels | 'absent' | undefined {
  const out: Labels = { ...labels };
  const set = (label: string, value: string) => {
    if (value === '') delete out[label];
    else out[label] = value;
  };
  for (const [label, values] of Object.entries(facts)) {
    const on = matchers.filter((m) => m.label === label);
    const possible = values.filter((v) => on.every((m) => satisfies(m, v)));
    if (!possible.length) return 'absent';
    if (!possible.includes(out[label])) out[label] = possible[0];
  }
  for (const m of matchers.filter((x) => !(x.label in facts))) {
    if (m.op === '=') set(m.label, m.value);
    // `a|b|c` of plain words: take the first, unless the label's value already matches.
    const words = /^(?:[\w:/-]|\\.)*(?:\|(?:[\w:/-]|\\.)*)*$/.test(m.value);
    if (m.op === '=~' && words && !satisfies(m, out[m.label] ?? '')) set(m.label, m.value.split('|')[0].replace(/\\(.)/g, '$1'));
  }
  return matchers.every((m) => satisfies(m, out[m.label] ?? '')) ? out : undefined;
}

/** A value at a step: a gauge, or a counter's increase since the step before. */
type Reading = { readonly gauge: number } | { readonly increase: number };
const gauge = (value: number | boolean): Reading => ({ gauge: Number(value) });

/** A condition series: 1 for the status that holds, `true`/`false` by whether the pod (or node) is healthy. */
const condition = (status: string | undefined, healthy: boolean) => Number(status === String(healthy));

/** Deployments, StatefulSets, DaemonSets, ReplicaSets: pods that are not ready are not available. */
function controllerReading(scene: Scene, name: string, available: number): Reading {
  const { replicas } = scene.target;
  if (/unavailable/.test(name)) return gauge(replicas - available);
  if (/available|ready/.test(name)) return gauge(available);
  if (/misscheduled/.test(name)) return gauge(0);
  return gauge(/replicas|scheduled/.test(name) ? replicas : 1);
}

/** Pods and containers of kube-state-metrics; undefined for metrics it has no rule for. */
function podReading(name: string, labels: Labels, s: PodStep): Reading | undefined {
  if (name === 'kube_pod_status_ready') return gauge(condition(labels.condition, s.ready));
  if (name === 'kube_pod_container_status_ready') return gauge(s.ready);
  if (name === 'kube_pod_status_phase') return gauge(labels.phase === s.phase);
  if (name === 'kube_pod_container_status_restarts_total') return { increase: s.restarts };
  if (name === 'kube_pod_container_status_waiting') return gauge(s.waiting !== undefined);
  if (name === 'kube_pod_container_status_waiting_reason') return gauge(s.waiting === (labels.reason ?? 'CrashLoopBackOff'));
  if (name === 'kube_pod_container_status_running') return gauge(s.running);
  return undefined;
}

/** Classic histograms and latency gauges: healthy traffic, slowed down while a latency experiment holds. */
function latencyReading(scene: Scene, name: string, labels: Labels, s: PodStep): Reading | undefined {
  const latency = s.slow ? scene.latency + BASE_LATENCY : BASE_LATENCY;
  if (name.endsWith('_bucket')) {
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    return { increase: le >= latency ? REQUESTS_PER_STEP : 0 };
  }
  if (!/seconds|duration|latency/.test(name)) return undefined;
  if (name.endsWith('_count')) return { increase: REQUESTS_PER_STEP };
  if (name.endsWith('_sum')) return { increase: REQUESTS_PER_STEP * latency };
  return name.endsWith('_total') ? undefined : gauge(latency);
}

/** Memory in use, as the pod's step says; limits and requests stay put. */
function memoryReading(scene: Scene, name: string, labels: Labels, s: PodStep): Reading | undefined {
  if (/limit|request/.test(name) && (/memory/.test(name) || labels.resource === 'memory')) return gauge(scene.memory.limit);
  if (!/memory/.test(name) || !name.endsWith('_bytes') || /^(node|kube)_/.test(name)) return undefined;
  return gauge(s.memory);
}

/** The values of one series, step by step; undefined where it does not exist (before or after its pod's life). */
function valuesOf(scene: Scene, slots: Slot[], name: string, base: Base, labels: Labels): Array<number | undefined> {
  const node = /^kube_node_/.test(name) || (base.slot && !base.life);
  const read = (k: number): Reading | undefined => {
    if (/^kube_(deployment|statefulset|daemonset|replicaset)_/.test(name)) {
      const available = slots.filter((slot) => {
        const life = [...slot.lives].reverse().find((l) => l.from <= k)!;
        return life.steps[k - life.from].ready;
      }).length;
      return controllerReading(scene, name, available);
    }
    if (node && base.slot) {
      const ready = base.slot.nodeReady[k];
      if (name === 'kube_node_status_condition') return gauge(labels.condition === 'Ready' ? condition(labels.status, ready) : condition(labels.status, false));
      if (name === 'up') return gauge(ready);
      return undefined;
    }
    if (!base.life) return undefined;
    const s = base.life.steps[k - base.life.from];
    if (s === undefined) return undefined;
    const known = podReading(name, labels, s) ?? memoryReading(scene, name, labels, s) ?? latencyReading(scene, name, labels, s);
    if (known) return known;
    if (name === 'up') return gauge(s.serving);
    return undefined;
  };
  const values: Array<number | undefined> = [];
  for (let k = 0; k < scene.steps; k++) {
    const alive = !base.life || (k >= base.life.from && k - base.life.from < base.life.steps.length);
    if (!alive) {
      values.push(undefined);
      continue;
    }
    // Anything else: steady; counters flat (no errors), waiting, terminated, failed and unschedulable states off.
    const reading = read(k) ?? gauge(/_total$|waiting|terminated|failed|error|unschedulable/.test(name) ? 0 : 1);
    if ('gauge' in reading) values.push(reading.gauge);
    else values.push(k === (base.life?.from ?? 0) ? 0 : (values[k - 1] ?? 0) + reading.increase);
  }
  return values;
}

/** The last step a slot's pod was not ready. */
function lastUnready(slot: Slot): number {
  let last = -1;
  for (const life of slot.lives) life.steps.forEach((s, i) => { if (!s.ready) last = life.from + i; });
  return last;
}

/** A number as promtool reads it. */
const num = (n: number) => String(Number(n.toPrecision(12)));
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Values in promtool's notation: runs of equal values or of equal steps as `a+bxn`. Missing values are written one
 * `_` each: promtool reads `_xn` as n of them, and the drill's series parser reads it as n + 1.
 */
function notation(values: ReadonlyArray<number | undefined>): string {
  const tokens: string[] = [];
  for (let i = 0; i < values.length;) {
    const v = values[i];
    if (v === undefined) {
      tokens.push('_');
      i++;
      continue;
    }
    const next = values[i + 1];
    const slope = next === undefined ? 0 : next - v;
    let j = i;
    while (j + 1 < values.length && values[j + 1] !== undefined && close(values[j + 1]! - values[j]!, slope)) j++;
    // A slope over two values only is better written as the first of them alone.
    if (slope !== 0 && j === i + 1) j = i;
    const n = j - i;
    if (n === 0) tokens.push(num(v));
    else if (slope === 0 || close(slope, 0)) tokens.push(`${num(v)}x${n}`);
    else tokens.push(`${num(v)}${slope < 0 ? '-' : '+'}${num(Math.abs(slope))}x${n}`);
    i = j + 1;
  }
  return tokens.join(' ');
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

/** `10`, `10 and 20`, `10, 20 and 30`. */
function list(items: readonly number[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function describeScene(scene: Scene, slots: Slot[]): string {
  const { namespace, app, replicas, affected } = scene.target;
  const pods = `${affected} of ${replicas} ${app} pods in ${namespace}`;
  const runs = scene.runs.length > 1 ? `minutes ${list(scene.runs)}` : `minute ${scene.runs[0]}`;
  const when = KILLS.has(scene.kind) ? `at ${runs}` : `from ${runs} for ${scene.runSteps} minutes${scene.runs.length > 1 ? ' each' : ''}`;
  const hit = slots[0];
  const restarts = hit.lives.flatMap((l) => l.steps).reduce((n, s) => n + s.restarts, 0);
  const backedOff = hit.lives.some((l) => l.steps.some((s) => s.waiting === 'CrashLoopBackOff'));
  switch (scene.kind) {
    case 'pod-kill':
      return `${pods} killed and replaced by their Deployment (new pods, ready ${REPLACEMENT_STEPS} minute later; no restarts, no CrashLoopBackOff), ${when}`;
    case 'container-kill':
      return `the ${app} container of ${pods} killed and restarted in place (${restarts} restart${restarts === 1 ? '' : 's'}`
        + `${backedOff ? ', waiting in CrashLoopBackOff as kills come within its back-off' : ', no CrashLoopBackOff'}), ${when}`;
    case 'pod-failure': return `${pods} fail (the pause image: Running, not ready, their targets down), ${when}`;
    case 'crash-loop': return `${pods} crash-loop (restarting every minute, waiting in CrashLoopBackOff, their targets down), ${when}`;
    case 'target-down': return `${affected} of ${replicas} ${app} targets in ${namespace} unreachable, ${when}`;
    case 'node-down': return `${affected} of ${replicas} nodes NotReady and their node-exporter down, ${when}`;
    case 'memory-growth': {
      const how = scene.growthSteps === 1 ? 'rises at once' : `climbs over ${scene.growthSteps} minutes`;
      return `memory of ${pods} ${how} from ${num(scene.memory.base / MiB)} MiB to ${num(scene.memory.peak / MiB)} MiB, ${when}`;
    }
    case 'latency': return `${pods} answer in ${num(scene.latency + BASE_LATENCY)}s instead of ${BASE_LATENCY}s, ${when}`;
  }
}

/** A simulation by kind, for contracts and for scenarios declared without an experiment (node-down). */
export function simulateKind(kind: SimulationKind, target: SimulationTarget, alert: AlertDefinition, effect: SimulationEffect = {}): Simulation {
  const threshold = comparisonThreshold(alert.expr);
  const latency = effect.latencySeconds ?? (threshold && threshold.value > 0 ? 2 * threshold.value : 1);
  const kill = KILLS.has(kind);
  const runSteps = kill ? 0 : Math.max(1, effect.minutes ?? DEFAULT_MINUTES);
  const played = Math.max(MIN_CHAOS_STEPS, runSteps + RECOVERY_STEPS);
  // The runs that are over before the recovery stretch. They never overlap: a Schedule's duration may not be longer
  // than the time between its runs (a safety rule).
  const offsets = (effect.runs ?? [0]).filter((m, i) => i === 0 || m + Math.max(runSteps, 1) <= played - RECOVERY_STEPS);
  // After the last run, healthy steps until the alert's windows no longer see it (a kill's effects last a few steps).
  const lastEffect = offsets[offsets.length - 1] + (kind === 'pod-kill' ? REPLACEMENT_STEPS : kind === 'container-kill' ? BACKOFF_MAX_SECONDS / 60 : runSteps);
  const reach = Math.ceil(Math.max(0, ...parsePromQL(alert.expr).ranges.map((r) => r.seconds)) / 60);
  const chaosSteps = Math.max(played, lastEffect + Math.max(RECOVERY_STEPS, reach));
  const scene: Scene = {
    kind, target, latency,
    memory: memoryLevels(alert, effect.memoryBytes),
    steps: HEALTHY_STEPS + chaosSteps + 1,
    runs: offsets.map((m) => HEALTHY_STEPS + m),
    runSteps,
    growthSteps: Math.max(1, Math.min(runSteps, effect.growthMinutes ?? runSteps)),
  };
  const faulty = slotsOf(scene, true);
  const healthy = slotsOf(scene, false);
  const series = new Map<string, string>();
  const healthySeries = new Map<string, string>();
  const selectors = vectorSelectors(alert.expr).filter((s) => s.name !== '');
  for (const { name, matchers } of selectors) {
    const shown = `${name}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`;
    for (const [slots, into] of [[faulty, series], [healthy, healthySeries]] as const) {
      const bases = baseSeries(scene, slots, name).flatMap((b) => (name.endsWith('_bucket') ? LE.map((le) => ({ ...b, labels: { ...b.labels, le } })) : [b]));
      for (const base of bases) {
        const matched = applyMatchers(base.labels, matchers, FACTS[name]);
        if (matched === 'absent') continue;
        if (!matched) return { skip: `${alert.alert}: no ${kind} series can satisfy the matchers of ${shown}`, cause: 'unmatched' };
        into.set(seriesText(name, matched), notation(valuesOf(scene, slots, name, base, matched)));
      }
    }
  }
  const changes = series.size !== healthySeries.size || [...series].some(([s, values]) => healthySeries.get(s) !== values);
  if (!changes) {
    const read = [...new Set(selectors.map((s) => s.name))].join(', ') || 'no metric';
    return { skip: `${alert.alert} reads no metric that a ${kind} simulation changes (it reads ${read})`, cause: 'unchanged', description: describeScene(scene, faulty) };
  }
  return {
    kind,
    series: [...series].map(([s, values]) => ({ series: s, values })),
    description: describeScene(scene, faulty),
    startsAt: HEALTHY_STEPS,
    endsAt: kill ? lastUnready(faulty[0]) + 1 : scene.runs[scene.runs.length - 1] + runSteps,
  };
}
