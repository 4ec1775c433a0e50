import { ApiObject, App, JsonPatch } from 'cdk8s';
import type { Diagnostic } from '../core/diagnostic';
import { analyzeRouting, alertProfiles } from '../analyze/routing';
import { analyzeChaosContracts } from '../analyze/chaos';
import { analyzeDashboards } from '../analyze/dashboards';
import { analyzeRules } from '../analyze/rules';
import type { Dashboard } from '../dashboards/model';
import { NAMES } from '../k8s/names';
import type { ResolvedValues } from '../values/defaults';
import { operatorRouting } from '../alerting/operator-routing';
import { componentOf } from '../components/component';
import type { StackDefinition } from '../stack/definition';
import { StackError, type StackProblem } from '../core/problems';
import { loadReferencedFiles } from '../load/referenced-files';
import { ObservabilityStack, type RegisteredPatch } from '../stack/observability-stack';

export type Manifest = Record<string, unknown> & {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
};

/** One object of the model: its component (output folder) and its final manifest. */
export interface RenderedObject {
  readonly component: string;
  readonly manifest: Manifest;
}

export interface RenderedStack {
  readonly name: string;
  readonly source: string;
  readonly objects: RenderedObject[];
  /** What the analyzers found that does not stop the synth. */
  readonly warnings: Diagnostic[];
  /** Markdown sections the analyzers wrote for the reviewer. */
  readonly reports: string[];
  /** Dashboards, also written to dist/ as readable JSON. */
  readonly dashboards: Dashboard[];
}

export interface RenderOptions {
  /** Unknown metric names are errors, not warnings. @default false */
  readonly strict?: boolean;
}

export interface RenderInput {
  readonly definition: StackDefinition;
  readonly name: string;
  readonly source: string;
  readonly baseDir?: string;
}

/** Builds the construct tree of a stack. */
export function buildStack(input: RenderInput, app: App = new App({ outdir: 'unused' })): ObservabilityStack {
  const values = input.definition.values;
  const files = loadReferencedFiles(values, input.baseDir ?? process.cwd(), values.name ?? input.name);
  const stack = new ObservabilityStack(app, input.name, values, { files });
  input.definition.customize?.(stack);
  return stack;
}

/** Builds a stack, analyzes it, and turns it into manifests with every patch applied. Throws on any error. */
export function renderStack(input: RenderInput, options: RenderOptions = {}): RenderedStack {
  const stack = buildStack(input);
  const objects = renderObjects(stack);
  const { diagnostics, reports } = analyzeStack(stack, options);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new StackError(stack.values.name, errors.map((d) => ({ field: d.where, message: d.message, fix: d.fix })));
  return { name: stack.values.name, source: input.source, objects, warnings: diagnostics, reports, dashboards: stack.dashboards() };
}

export interface StackAnalysis {
  readonly diagnostics: Diagnostic[];
  /** Markdown sections for SUMMARY.md (e.g. where every alert goes). */
  readonly reports: string[];
}

/** Prometheus adds its external labels to every alert it sends (the user's win over `cluster`), the operator a `prometheus` label. */
export function labelsPrometheusAdds(v: ResolvedValues): Record<string, string> {
  return { cluster: v.common.clusterName, ...v.prometheus.externalLabels, prometheus: `${v.common.namespace}/${NAMES.prometheusCr}` };
}

/** Every analyzer over the stack's model (never over YAML). */
export function analyzeStack(stack: ObservabilityStack, options: RenderOptions = {}): StackAnalysis {
  stack.finalize();
  const v = stack.values;
  const sources = stack.rules.effective();
  const diagnostics = [
    ...analyzeRules(sources, {
      knownMetrics: stack.knownMetrics(),
      scrapeInterval: v.prometheus.scrapeInterval,
      evaluationInterval: v.prometheus.evaluationInterval,
      strict: options.strict ?? false,
    }),
    ...dashboardDiagnostics(stack, options),
    // Allowed on request, and said in the summary: a wildcard widens kube-state-metrics' RBAC to a whole group.
    ...v.kubeStateMetrics.customResources
      .filter((r) => r.kind === '*' || r.version === '*')
      .map((r): Diagnostic => ({
        severity: 'warning',
        code: 'ksm/wildcard-resource',
        where: `kubeStateMetrics.customResources › ${r.group}/${r.version}/${r.kind}`,
        message: `kube-state-metrics may list and watch ${r.kind === '*' ? `every kind of ${r.group}` : `every version of ${r.group}/${r.kind}`}`,
        fix: 'name the kind and version to narrow it',
      })),
  ];
  const externalLabels = labelsPrometheusAdds(v);
  diagnostics.push(...analyzeChaosContracts({
    schedules: v.chaos.schedules,
    sources,
    scrapeInterval: v.prometheus.scrapeInterval,
    evaluationInterval: v.prometheus.evaluationInterval,
    route: v.alertmanager.enabled ? operatorRouting(v.alertmanager, v.common.namespace).route : undefined,
    externalLabels,
  }));
  if (!v.alertmanager.enabled) return { diagnostics, reports: [] };
  const routing = analyzeRouting(v.alertmanager, alertProfiles(sources, externalLabels), v.common.namespace);
  return { diagnostics: [...diagnostics, ...routing.diagnostics], reports: [routing.report] };
}

function dashboardDiagnostics(stack: ObservabilityStack, options: RenderOptions): Diagnostic[] {
  return analyzeDashboards(stack.dashboards(), stack.knownMetrics(), options.strict ?? false);
}

export function renderObjects(stack: ObservabilityStack): RenderedObject[] {
  stack.finalize();
  const validationErrors = stack.node.validate();
  if (validationErrors.length) {
    throw new StackError(stack.values.name, validationErrors.map((message) => ({ field: 'construct tree', message })));
  }
  const objects = stack.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => ({ component: componentOf(o)?.componentName ?? 'stack', manifest: o.toJson() as Manifest }));
  return applyPatches(stack.values.name, objects, stack.patches);
}

function applyPatches(stackName: string, objects: RenderedObject[], patches: readonly RegisteredPatch[]): RenderedObject[] {
  const problems: StackProblem[] = [];
  const result = [...objects];
  for (const patch of patches) {
    const targets = result
      .map((o, index) => ({ o, index }))
      .filter(({ o }) => o.manifest.kind === patch.kind && o.manifest.metadata.name === patch.name)
      .filter(({ o }) => patch.component === undefined || o.component === patch.component);
    if (targets.length !== 1) {
      const sameKind = result.filter((o) => o.manifest.kind === patch.kind).map((o) => `${o.component}/${o.manifest.metadata.name}`);
      problems.push(
        targets.length === 0
          ? {
              field: patch.origin,
              message: `no generated ${patch.kind} is named '${patch.name}'${patch.component ? ` in component ${patch.component}` : ''}`,
              fix: sameKind.length ? `objects of kind ${patch.kind}: ${sameKind.join(', ')}` : `the stack generates no ${patch.kind}`,
            }
          : {
              field: patch.origin,
              message: `${targets.length} generated objects are ${patch.kind} '${patch.name}' (components ${targets.map((t) => t.o.component).join(', ')})`,
              fix: 'add `component` to say which one to patch',
            },
      );
      continue;
    }
    const { o, index } = targets[0];
    try {
      const ops = patch.ops.map((op) => toJsonPatch(op));
      result[index] = { component: o.component, manifest: JsonPatch.apply(o.manifest, ...ops) as Manifest };
    } catch (error) {
      problems.push({
        field: patch.origin,
        message: `cannot apply to ${patch.kind} '${patch.name}': ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        fix: 'check the JSON pointers against the generated file in dist/',
      });
    }
  }
  if (problems.length) throw new StackError(stackName, problems);
  return result;
}

function toJsonPatch(op: RegisteredPatch['ops'][number]): JsonPatch {
  switch (op.op) {
    case 'add': return JsonPatch.add(op.path, op.value);
    case 'replace': return JsonPatch.replace(op.path, op.value);
    case 'remove': return JsonPatch.remove(op.path);
    case 'test': return JsonPatch.test(op.path, op.value);
    case 'copy': return JsonPatch.copy(requireFrom(op), op.path);
    case 'move': return JsonPatch.move(requireFrom(op), op.path);
  }
}

function requireFrom(op: RegisteredPatch['ops'][number]): string {
  if (op.from === undefined) throw new Error(`'${op.op}' needs 'from'`);
  return op.from;
}
