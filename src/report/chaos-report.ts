// What the chaos runs of a window did, read from the stack's Prometheus (and Alertmanager): each experiment's runs
// (from the injected series kube-state-metrics exports for Chaos Mesh), its parameters (from the stack's schedule),
// the pods of its target namespaces it took down and whether they came back, the alerts that fired, the contract
// verdicts, and what the cluster looked like. The JSON form follows chaos-report.schema.json (versioned).
import { injectedMetrics } from '../chaos/verification';
import { scheduleNamespace } from '../chaos/schedule';
import type { ChaosSchedule } from '../chaos/types';
import { durationSeconds } from '../core/durations';
import type { HeldAlert, PrometheusApi, RangeSeries } from './prometheus-api';

export const CHAOS_REPORT_SCHEMA_VERSION = 'o11y.chaos-report/v1';

export interface ContractVerdict {
  readonly alert: string;
  readonly within: string;
  /** When it first fired after the run started; null when it did not within the window. */
  readonly firedAt: string | null;
  readonly firedAfterSeconds: number | null;
  readonly receivers: { readonly expected: string[] | null; readonly reached: string[] | null };
  readonly passed: boolean;
  readonly problems: string[];
}

export interface ExperimentRun {
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly contracts: ContractVerdict[];
}

export interface ExperimentReport {
  readonly schedule: string;
  readonly namespace: string;
  readonly kind: string;
  readonly parameters: Record<string, unknown>;
  readonly runs: ExperimentRun[];
  readonly pods: { readonly affected: string[]; readonly recovered: string[]; readonly replaced: string[]; readonly notRecovered: string[] };
  readonly recovered: boolean;
}

export interface FiredAlert {
  readonly alertname: string;
  readonly severity: string | null;
  readonly labels: Record<string, string>;
  readonly firstFiring: string;
  readonly lastFiring: string;
}

export interface ChaosReport {
  readonly schemaVersion: typeof CHAOS_REPORT_SCHEMA_VERSION;
  readonly stack: string;
  readonly window: { readonly from: string; readonly to: string };
  readonly sources: { readonly prometheus: string; readonly alertmanager: string | null };
  readonly cluster: {
    readonly nodes: number;
    readonly nodesByRole: Record<string, number>;
    readonly kubeletVersions: Record<string, number>;
    readonly objects: Record<string, number>;
  };
  readonly experiments: ExperimentReport[];
  readonly alerts: FiredAlert[];
  readonly criticalStillFiring: FiredAlert[];
  readonly passed: boolean;
}

export interface ReportInput {
  readonly stack: string;
  readonly schedules: readonly ChaosSchedule[];
  readonly prometheus: PrometheusApi;
  readonly alertmanager?: { readonly url: string; readonly alerts: () => Promise<HeldAlert[]> };
  /** Unix seconds. */
  readonly from: number;
  readonly to: number;
  /**
   * How often the series were written (the stack's scrape and evaluation interval): the range queries step by at
   * least this, so that every step sees a sample. @default 30
   */
  readonly sampleSeconds?: number;
  /** Durations of the stack (contracts' `within`) are divided by this: a drill's time runs faster. @default 1 */
  readonly timeFactor?: number;
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();

/** Spans of consecutive samples where a series is above 0: [start, end] in unix seconds. */
function spans(series: RangeSeries, step: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [t, v] of series.values) {
    const last = out[out.length - 1];
    if (v <= 0) continue;
    if (last && t - last[1] <= step * 1.5) last[1] = t;
    else out.push([t, t]);
  }
  return out;
}

const selector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ');
const countBy = (samples: Array<{ metric: Record<string, string>; value: number }>, label: string) =>
  Object.fromEntries(samples.map((s) => [s.metric[label] ?? '', s.value]).sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)));

/** Objects of each kind at the end of the window, from kube-state-metrics' `*_created` series. */
const OBJECT_KINDS: Record<string, string> = {
  Namespace: 'kube_namespace_created', Pod: 'kube_pod_created', Deployment: 'kube_deployment_created',
  StatefulSet: 'kube_statefulset_created', DaemonSet: 'kube_daemonset_created', Job: 'kube_job_created',
  Service: 'kube_service_created', PersistentVolumeClaim: 'kube_persistentvolumeclaim_created',
};

function parametersOf(s: ChaosSchedule): Record<string, unknown> {
  return { schedule: s.schedule, experiment: s.experiment, selector: s.selector, mode: s.mode, ...(s.duration ? { duration: s.duration } : {}) };
}

export async function chaosReport(input: ReportInput): Promise<ChaosReport> {
  const { prometheus, from, to } = input;
  // At most 10000 steps (Prometheus answers up to 11000 points a series).
  const step = Math.max(input.sampleSeconds ?? 30, Math.ceil((to - from) / 10000));
  const window = `${Math.round(step * 1000)}ms`;
  const factor = input.timeFactor ?? 1;

  // Every alert that fired in the window, with when.
  const alertSeries = await prometheus.queryRange(`max_over_time(ALERTS{alertstate="firing"}[${window}])`, from, to, step);
  const alerts: FiredAlert[] = alertSeries
    .flatMap((s): FiredAlert[] => {
      const times = s.values.filter(([, v]) => v > 0).map(([t]) => t);
      const { alertstate: _state, __name__: _name, ...labels } = s.metric;
      return times.length ? [{ alertname: labels.alertname, severity: labels.severity ?? null, labels, firstFiring: iso(times[0]), lastFiring: iso(times[times.length - 1]) }] : [];
    })
    .sort((a, b) => (a.firstFiring === b.firstFiring ? (a.alertname < b.alertname ? -1 : 1) : a.firstFiring < b.firstFiring ? -1 : 1));
  const stillFiring = new Set((await prometheus.query('ALERTS{alertstate="firing", severity="critical"}', to)).map((s) => JSON.stringify({ ...s.metric, __name__: undefined, alertstate: undefined })));
  const criticalStillFiring = alerts.filter((a) => stillFiring.has(JSON.stringify({ ...a.labels, __name__: undefined, alertstate: undefined })));
  const held = input.alertmanager ? await input.alertmanager.alerts() : undefined;

  const experiments: ExperimentReport[] = [];
  for (const s of input.schedules) {
    const namespace = scheduleNamespace(s);
    const metric = injectedMetrics([s])[0];
    const injected = await prometheus.queryRange(`max by (name) (max_over_time(${metric}{${selector({ namespace, schedule: s.name })}}[${window}]))`, from, to, step);
    const runs = injected.flatMap((series) => spans(series, step).map(([start, end]) => ({ name: series.metric.name ?? s.name, start, end })))
      .sort((a, b) => a.start - b.start);
    const contracts = (run: { start: number; end: number }): ContractVerdict[] => (s.expects ?? []).map((e) => {
      const deadline = run.start + durationSeconds(e.within) / factor;
      const firing = alertSeries.filter((a) => a.metric.alertname === e.alert).flatMap((a) => a.values.filter(([, v]) => v > 0).map(([t]) => t));
      const fired = firing.filter((t) => t >= run.start).sort((a, b) => a - b)[0];
      const problems: string[] = [];
      if (firing.some((t) => t < run.start && t >= run.start - step * 2)) problems.push(`${e.alert} was firing already when the run started: the run cannot be told to have set it off`);
      if (fired === undefined) problems.push(`${e.alert} did not fire`);
      else if (fired > deadline) problems.push(`${e.alert} fired ${Math.round(fired - run.start)}s after the start, later than ${e.within}`);
      const reached = held ? [...new Set(held.filter((h) => h.labels.alertname === e.alert).flatMap((h) => h.receivers))].sort() : null;
      const missing = e.receivers && reached ? e.receivers.filter((r) => !reached.includes(r)) : [];
      if (missing.length) problems.push(`did not reach ${missing.join(', ')} (reached ${reached!.join(', ') || 'none'})`);
      return {
        alert: e.alert, within: e.within,
        firedAt: fired === undefined ? null : iso(fired),
        firedAfterSeconds: fired === undefined ? null : Math.round(fired - run.start),
        receivers: { expected: e.receivers ? [...e.receivers] : null, reached },
        passed: problems.length === 0,
        problems,
      };
    });

    // Pods of the target namespaces: not ready at some point of a run, and where they are at the end.
    const namespaces = s.selector.namespaces.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
    const first = runs[0]?.start ?? from;
    const notReady = runs.length ? await prometheus.queryRange(`kube_pod_status_ready{condition="true", namespace=~"${namespaces}"} == 0`, first, to, step) : [];
    const readyAtEnd = new Set((await prometheus.query(`kube_pod_status_ready{condition="true", namespace=~"${namespaces}"} == 1`, to)).map((p) => `${p.metric.namespace}/${p.metric.pod}`));
    const existedAtEnd = new Set((await prometheus.query(`kube_pod_info{namespace=~"${namespaces}"}`, to)).map((p) => `${p.metric.namespace}/${p.metric.pod}`));
    const atStart = runs.length ? (await prometheus.query(`kube_pod_info{namespace=~"${namespaces}"}`, first)).map((p) => `${p.metric.namespace}/${p.metric.pod}`) : [];
    const gone = atStart.filter((p) => !existedAtEnd.has(p));
    const affected = [...new Set([...notReady.map((p) => `${p.metric.namespace}/${p.metric.pod}`), ...gone])].sort();
    const replaced = affected.filter((p) => !existedAtEnd.has(p));
    const recovered = affected.filter((p) => readyAtEnd.has(p));
    const notRecovered = affected.filter((p) => existedAtEnd.has(p) && !readyAtEnd.has(p));
    // A replaced pod counts as recovered when its namespace has as many ready pods at the end as at the start.
    const readyAt = async (t: number) => (await prometheus.query(`sum(kube_pod_status_ready{condition="true", namespace=~"${namespaces}"})`, t))[0]?.value ?? 0;
    const capacityBack = !runs.length || (await readyAt(to)) >= (await readyAt(first - step));
    experiments.push({
      schedule: s.name,
      namespace,
      kind: s.experiment.kind,
      parameters: parametersOf(s),
      runs: runs.map((r) => ({ name: r.name, start: iso(r.start), end: iso(r.end), contracts: contracts(r) })),
      pods: { affected, recovered, replaced, notRecovered },
      recovered: notRecovered.length === 0 && capacityBack,
    });
  }

  const at = (expr: string) => prometheus.query(expr, to);
  const objects: Record<string, number> = {};
  for (const [kind, created] of Object.entries(OBJECT_KINDS)) objects[kind] = (await at(`count(${created})`))[0]?.value ?? 0;
  const cluster = {
    nodes: (await at('count(kube_node_info)'))[0]?.value ?? 0,
    nodesByRole: countBy(await at('count by (role) (kube_node_role)'), 'role'),
    kubeletVersions: countBy(await at('count by (kubelet_version) (kube_node_info)'), 'kubelet_version'),
    objects,
  };
  // A schedule that did not run in the window breaks nothing; one that ran must have kept its contracts and let its
  // pods come back.
  const passed = experiments.every((e) => e.recovered && e.runs.every((r) => r.contracts.every((c) => c.passed)));
  return {
    schemaVersion: CHAOS_REPORT_SCHEMA_VERSION,
    stack: input.stack,
    window: { from: iso(from), to: iso(to) },
    sources: { prometheus: prometheus.client.baseUrl, alertmanager: input.alertmanager?.url ?? null },
    cluster,
    experiments,
    alerts,
    criticalStillFiring,
    passed,
  };
}

/** The report for humans. */
export function chaosReportMarkdown(r: ChaosReport): string {
  const lines = [
    `# Chaos report: stack \`${r.stack}\``,
    '',
    `${r.window.from} to ${r.window.to}, from ${r.sources.prometheus}${r.sources.alertmanager ? ` and ${r.sources.alertmanager}` : ''}. **${r.passed ? 'Passed' : 'Failed'}.**`,
    '',
    '## Cluster',
    '',
    `${r.cluster.nodes} nodes (${Object.entries(r.cluster.nodesByRole).map(([k, v]) => `${v} ${k || 'without role'}`).join(', ') || 'no roles'}); kubelets ${Object.entries(r.cluster.kubeletVersions).map(([k, v]) => `${k} ×${v}`).join(', ') || 'unknown'}.`,
    '',
    `| kind | objects |`, '|---|---|',
    ...Object.entries(r.cluster.objects).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Experiments',
    '',
  ];
  for (const e of r.experiments) {
    lines.push(`### ${e.namespace}/${e.schedule} (${e.kind}) — ${e.recovered ? 'recovered' : 'NOT recovered'}`, '');
    lines.push(`Parameters: \`${JSON.stringify(e.parameters)}\``, '');
    if (!e.runs.length) lines.push('No run in the window.', '');
    for (const run of e.runs) {
      lines.push(`- run \`${run.name}\`: ${run.start} to ${run.end}`);
      for (const c of run.contracts) lines.push(`  - ${c.passed ? 'PASS' : 'FAIL'} ${c.alert} within ${c.within}: ${c.firedAfterSeconds === null ? 'did not fire' : `fired after ${c.firedAfterSeconds}s`}${c.receivers.reached ? `, reached ${c.receivers.reached.join(', ') || 'no receiver'}` : ''}${c.problems.length ? ` (${c.problems.join('; ')})` : ''}`);
    }
    lines.push('', `Pods affected: ${e.pods.affected.join(', ') || 'none'}; recovered: ${e.pods.recovered.join(', ') || 'none'}; replaced: ${e.pods.replaced.join(', ') || 'none'}; not recovered: ${e.pods.notRecovered.join(', ') || 'none'}.`, '');
  }
  lines.push('## Alerts that fired', '', '| alert | severity | first firing | last firing |', '|---|---|---|---|');
  lines.push(...r.alerts.map((a) => `| ${a.alertname} | ${a.severity ?? ''} | ${a.firstFiring} | ${a.lastFiring} |`));
  lines.push('', `Critical alerts still firing at the end: ${r.criticalStillFiring.map((a) => a.alertname).join(', ') || 'none'}.`, '');
  return lines.join('\n');
}
