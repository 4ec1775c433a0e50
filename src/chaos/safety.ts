// Safety rules for chaos schedules: errors unless the schedule allows the exception explicitly.
import type { StackProblem } from '../core/problems';
import { fireMinutes, shortestIntervalMinutes } from './cron';
import { isOneShot, scheduleNamespace } from './schedule';
import type { ChaosExperiment, ChaosSchedule } from './types';
import { checkGoDuration, checkPromDuration } from '../core/checks';
import { quoted } from '../core/redact';
import { durationSeconds } from '../core/durations';

/** Whether two selectors can pick the same pod: a shared namespace and no label with two different values. */
function mayOverlap(a: ChaosSchedule, b: ChaosSchedule): boolean {
  if (!a.selector.namespaces.some((ns) => b.selector.namespaces.includes(ns))) return false;
  const labels = { ...a.selector.labels };
  return Object.entries(b.selector.labels ?? {}).every(([k, v]) => labels[k] === undefined || labels[k] === v);
}

/** Minutes of the reference week during which a schedule injects (each run: start to start + duration). */
function injectedMinutes(s: ChaosSchedule): Array<[number, number]> {
  const length = s.duration ? Math.max(1, Math.ceil(durationSeconds(s.duration) / 60)) : 1;
  return (fireMinutes(s.schedule) ?? []).map((start) => [start, start + length]);
}

function overlapMinute(a: Array<[number, number]>, b: Array<[number, number]>): number | undefined {
  for (const [aStart, aEnd] of a) for (const [bStart, bEnd] of b) if (aStart < bEnd && bStart < aEnd) return Math.max(aStart, bStart);
  return undefined;
}

function weekTime(minute: number): string {
  const day = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][Math.floor(minute / 1440) % 7];
  const m = minute % 1440;
  return `${day} ${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')} UTC`;
}

const GO_DURATION_FIELDS = ['latency', 'jitter', 'delay'] as const;
/** Chaos Mesh's bandwidth rate: bytes per second with a unit. */
const RATE = /^[0-9]+(bps|kbps|mbps|gbps|tbps)$/i;
/** StressChaos memory size: bytes with a unit, or a percentage of the memory. */
const MEMORY_SIZE = /^([0-9]+(\.[0-9]+)?(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB|PB|PiB|EB|EiB)?|[0-9]+(\.[0-9]+)?%)$/;

/** The strings Chaos Mesh parses at injection time: durations (Go syntax), rates, sizes, percentages. */
function checkExperiment(experiment: ChaosExperiment, at: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const fields = experiment as unknown as Record<string, unknown>;
  for (const key of GO_DURATION_FIELDS) {
    const value = fields[key];
    const problem = typeof value === 'string' ? checkGoDuration(value, `${at}.${key}`) : undefined;
    if (problem) problems.push(problem);
  }
  if (experiment.kind === 'TimeChaos') {
    const problem = checkGoDuration(experiment.timeOffset, `${at}.timeOffset`, true);
    if (problem) problems.push(problem);
  }
  if (experiment.kind === 'NetworkChaos' && experiment.action === 'delay' && experiment.correlation !== undefined) {
    const c = Number(experiment.correlation);
    if (experiment.correlation.trim() === '' || !(c >= 0 && c <= 100)) problems.push({ field: `${at}.correlation`, message: `${quoted(experiment.correlation)} is not a percentage`, fix: "write a number from 0 to 100, e.g. '25'" });
  }
  if (experiment.kind === 'NetworkChaos' && experiment.action === 'bandwidth' && !RATE.test(experiment.rate)) {
    problems.push({ field: `${at}.rate`, message: `${quoted(experiment.rate)} is not a rate`, fix: 'write bytes per second with a unit, no space: bps, kbps, mbps, gbps or tbps, e.g. 1mbps' });
  }
  if (experiment.kind === 'StressChaos' && experiment.memory?.size !== undefined && !MEMORY_SIZE.test(experiment.memory.size)) {
    problems.push({ field: `${at}.memory.size`, message: `${quoted(experiment.memory.size)} is not a memory size`, fix: 'write a size like 256MB or 1GiB, or a share of the memory like 25%' });
  }
  return problems;
}

export function checkSchedules(schedules: readonly ChaosSchedule[], stackNamespace: string, field = 'chaos.schedules'): StackProblem[] {
  const problems: StackProblem[] = [];
  const protectedNamespaces = ['kube-system', stackNamespace];
  const names = new Map<string, number>();
  schedules.forEach((s, i) => {
    const at = `${field}[${i}] (${s.name})`;
    const problem = (message: string, fix: string) => problems.push({ field: at, message, fix });
    const key = `${scheduleNamespace(s)}/${s.name}`;
    if (names.has(key)) problem(`is defined twice (also ${field}[${names.get(key)}])`, 'give every schedule its own name');
    names.set(key, i);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s.name)) problem(`'${s.name}' is not a valid name`, 'use lowercase letters, digits and "-"');

    if (!s.selector.namespaces.length) {
      problem('targets no namespace: Chaos Mesh would use the Schedule\'s own namespace', 'list the namespaces to target in selector.namespaces');
    }
    const hit = s.selector.namespaces.filter((ns) => protectedNamespaces.includes(ns));
    if (hit.length && !s.allow?.protectedNamespaces) {
      problem(`targets ${hit.join(' and ')}, which keeps the cluster and its monitoring running`, 'target your application\'s namespace, or set allow.protectedNamespaces: true');
    }
    if (s.mode.mode === 'all' && !s.allow?.modeAll) problem('mode all hits every matching pod at once', 'use one, fixed or fixed-percent, or set allow.modeAll: true');
    if ('value' in s.mode) {
      const percent = s.mode.mode !== 'fixed';
      const ok = percent ? s.mode.value > 0 && s.mode.value <= 100 : Number.isInteger(s.mode.value) && s.mode.value >= 1;
      if (!ok) problem(`mode ${s.mode.mode} needs a value ${percent ? 'in (0, 100]' : 'of at least 1 pod'}, got ${s.mode.value}`, percent ? 'give a percentage' : 'give a number of pods');
    }

    problems.push(...checkExperiment(s.experiment, `${field}[${i}].experiment`));
    (s.expects ?? []).forEach((e, j) => {
      const within = checkPromDuration(e.within, `${field}[${i}].expects[${j}].within`);
      if (within) problems.push(within);
    });
    const durationProblem = checkPromDuration(s.duration, `${field}[${i}].duration`);
    if (durationProblem) problems.push(durationProblem);

    const fires = fireMinutes(s.schedule);
    if (!fires) {
      problems.push({ field: `${field}[${i}].schedule`, message: `${quoted(s.schedule)} is not a schedule`, fix: 'write 5 cron fields (minute hour day month weekday) or @every 30m, @hourly, @daily, @weekly' });
      return;
    }
    if (!isOneShot(s.experiment)) {
      if (!s.duration) problem(`a ${s.experiment.kind} without duration stays injected until deleted, and blocks later runs`, 'set duration, e.g. 5m');
      else if (!durationProblem) {
        const interval = shortestIntervalMinutes(fires);
        if (durationSeconds(s.duration) / 60 > interval) problem(`duration ${s.duration} is longer than the ${interval} minutes between two runs`, 'shorten the duration or run less often');
      }
    }
  });

  // Two schedules on the same pods at the same time make it impossible to tell which one caused what.
  schedules.forEach((a, i) => {
    schedules.slice(i + 1).forEach((b, k) => {
      const j = i + 1 + k;
      if (a.allow?.overlap || b.allow?.overlap || !mayOverlap(a, b)) return;
      const minute = overlapMinute(injectedMinutes(a), injectedMinutes(b));
      if (minute !== undefined) {
        problems.push({
          field: `${field}[${j}] (${b.name})`,
          message: `hits the same pods as ${field}[${i}] (${a.name}) at the same time (first on ${weekTime(minute)} of a week)`,
          fix: 'move one of them to another time, narrow the selectors, or set allow.overlap: true',
        });
      }
    });
  });
  return problems;
}
