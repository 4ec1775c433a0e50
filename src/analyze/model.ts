// Every analyzer over one stack's model (the final objects), never over the values before patches or the YAML.
import { operatorRouting } from '../alerting/operator-routing';
import { checkSchedules } from '../chaos/safety';
import type { Diagnostic } from '../core/diagnostic';
import type { StackModel } from '../model/stack-model';
import { chaosContracts } from './chaos';
import { chaosReport } from './chaos-report';
import { analyzeDashboards } from './dashboards';
import { analyzeDashboardSidecar } from './dashboard-sidecar';
import { analyzePolicy } from './policy';
import { analyzeNetworkFlows } from './network-flows';
import { analyzeRules } from './rules';
import { analyzePrometheusAdapter } from './prometheus-adapter';
import { alertProfiles, analyzeRouting, type RoutingInput } from './routing';
import { analyzeSchemas } from './schemas';
import { prerequisitesReport } from './prerequisites';
import { securityReport } from './security-report';
import { analyzeControlPlaneTracing } from './control-plane-tracing';
import { checkCollectorConfig } from '../otel/config';
import { prometheusSizing } from '../components/prometheus-sizing';

export interface AnalysisOptions {
  /** Unknown metric names are errors, not warnings, and images without a digest are warnings. @default false */
  readonly strict?: boolean;
}

export interface StackAnalysis {
  readonly diagnostics: Diagnostic[];
  /** Markdown sections for SUMMARY.md (e.g. where every alert goes). */
  readonly reports: string[];
}

/** The routing analyzer's input: the written routing, plus what only the values say (expectations, unrouted alerts). */
export function routingInput(model: StackModel): RoutingInput | undefined {
  const a = model.alerting;
  if (!a) return undefined;
  return {
    ...a.global,
    teams: a.teams,
    teamMatcherStrategy: a.teamMatcherStrategy,
    intentionallyUnrouted: model.values.alertmanager.intentionallyUnrouted,
    expectations: model.values.alertmanager.expectations,
  };
}

export function analyzeModel(model: StackModel, options: AnalysisOptions = {}): StackAnalysis {
  const strict = options.strict ?? false;
  const prometheus = model.prometheus ?? { scrapeInterval: '30s', evaluationInterval: '30s', alertLabels: {} };
  const routing = routingInput(model);
  const contracts = chaosContracts({
    schedules: model.chaos,
    sources: model.rules,
    scrapeInterval: prometheus.scrapeInterval,
    evaluationInterval: prometheus.evaluationInterval,
    route: routing && model.alerting ? operatorRouting(routing, model.alerting.namespace).route : undefined,
    externalLabels: prometheus.alertLabels,
    scenarioSchedules: new Set(model.values.drill.scenarios.flatMap((s) => (s.chaos ? [s.chaos] : []))),
  });
  const chaos = chaosReport(model.chaos, contracts.outcomes);
  const diagnostics: Diagnostic[] = [
    ...model.unreadable,
    // Every object, whatever wrote it: Kubernetes' own schemas, the CRDs the stack ships, and the secure defaults.
    ...analyzeSchemas(model.objects),
    ...analyzePolicy(model.objects, { readAllOfGroups: model.customResources.filter((r) => r.kind === '*').map((r) => r.group), requireDigests: strict }),
    // Every flow the stack needs (scrapes, alerts, receivers, DNS, the API server), against the written NetworkPolicies.
    ...analyzeNetworkFlows(model).diagnostics,
    ...analyzeRules(model.rules, { knownMetrics: model.metrics, scrapeInterval: prometheus.scrapeInterval, evaluationInterval: prometheus.evaluationInterval, strict }),
    ...analyzeDashboards(model.dashboards, model.metrics, strict),
    // prometheus-adapter's queries as written: a metric no component produces is an HPA without its metric.
    ...analyzePrometheusAdapter(model),
    // The sidecar as written (after patches): every namespace is a warning, a dashboard key ending .url an error.
    ...analyzeDashboardSidecar(model.objects, { allowUrls: model.values.grafana.allowDashboardUrls }),
    // The Collector's configuration as written (after patches): the same checks as when it was built.
    ...(model.collector ? checkCollectorConfig(model.collector.config, model.collector.where) : []).map((p): Diagnostic => ({
      severity: 'error', code: 'otel/config', where: p.field, message: p.message, fix: p.fix,
    })),
    // Allowed on request, and said in the summary: a wildcard widens kube-state-metrics' RBAC to a whole group.
    ...model.customResources
      .filter((r) => r.kind === '*' || r.version === '*')
      .map((r): Diagnostic => ({
        severity: 'warning',
        code: 'ksm/wildcard-resource',
        where: `kubeStateMetrics.customResources › ${r.group}/${r.version}/${r.kind}`,
        message: `kube-state-metrics may list and watch ${r.kind === '*' ? `every kind of ${r.group}` : `every version of ${r.group}/${r.kind}`}`,
        fix: 'name the kind and version to narrow it',
      })),
    // The safety rules again, on the written Schedules: a patch must not point an experiment somewhere the values may not.
    ...checkSchedules(model.chaos, model.values.common.namespace).map((p): Diagnostic => ({ severity: 'error', code: 'chaos/safety', where: p.field, message: p.message, fix: p.fix })),
    ...contracts.diagnostics,
  ];
  const prerequisites = prerequisitesReport(model.objects, model.prometheus && sizingNote(model), model.collector?.config);
  const tracing = analyzeControlPlaneTracing(model);
  diagnostics.push(...tracing.diagnostics);
  // Security last: the review reads best once the reader knows what the stack runs.
  const laterReports = [...(tracing.report ? [tracing.report] : []), securityReport(model.objects, model.values.common.network)];
  const chaosReports = chaos ? [chaos] : [];
  if (!routing || !model.alerting) return { diagnostics, reports: [prerequisites, ...chaosReports, ...laterReports] };
  const analysis = analyzeRouting(routing, alertProfiles(model.rules, prometheus.alertLabels), model.alerting.namespace);
  return { diagnostics: [...diagnostics, ...analysis.diagnostics], reports: [prerequisites, analysis.report, ...chaosReports, ...laterReports] };
}

/** What the default memory, volume and retention size assume: the reviewer compares it with the real cluster. */
function sizingNote(model: StackModel): string {
  const p = model.values.prometheus;
  const sized = prometheusSizing(p.sizing, p.scrapeInterval, p.retention);
  const gb = (sized.diskBytes / 1e9).toFixed(1);
  return `Defaults sized for ${p.sizing.nodes} nodes and ${p.sizing.pods} pods (\`prometheus.sizing\`): about ${sized.series} active series, ` +
    `${gb} GB for ${p.retention} of samples every ${p.scrapeInterval}. Compare with \`prometheus_tsdb_head_series\` once it runs.`;
}
