import { ApiObject, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { Alertmanager } from '../components/alertmanager';
import { Applications } from '../components/applications';
import { Chaos } from '../components/chaos';
import { Component, type StackContext } from '../components/component';
import { ControlPlane } from '../components/control-plane';
import { Crds } from '../components/crds';
import { Grafana } from '../components/grafana';
import { KubeStateMetrics } from '../components/kube-state-metrics';
import { Namespace } from '../components/namespace';
import { NodeExporter } from '../components/node-exporter';
import { Prometheus } from '../components/prometheus';
import { PrometheusOperator } from '../components/prometheus-operator';
import { UserRules } from '../components/user-rules';
import { DashboardSet } from '../dashboards/dashboard-set';
import { deliverDashboard } from '../dashboards/delivery';
import type { Dashboard } from '../dashboards/model';
import { RuleSet } from '../rules/rule-set';
import { addRuleObjects } from './rule-objects';
import type { ResolvedValues } from '../values/defaults';
import { StackError } from '../core/problems';
import { resolveValues } from '../values/resolve';
import { checkSemantics, checkShape } from '../values/validate';
import type { StackValues } from '../values/stack-values';
import type { JsonPatchOp } from '../core/json-patch';
import type { KubernetesObject } from '../core/primitives';
import { NO_REFERENCED_FILES, type ReferencedFiles } from '../values/referenced-files';

export interface ObservabilityStackOptions {
  /**
   * The files the values name (`rules.files`, `grafana.dashboardFiles`, `crds.paths`), read beforehand with
   * `loadReferencedFiles` (the `o11y` CLI does this): constructors never touch the disk.
   * @default none; values that name files are then an error
   */
  readonly files?: ReferencedFiles;
}

/** A patch registered on the stack, with where it came from for error messages. */
export interface RegisteredPatch {
  readonly kind: string;
  readonly name: string;
  readonly component?: string;
  readonly ops: readonly JsonPatchOp[];
  /** e.g. `patches[2]`: named in errors when the patch cannot apply. */
  readonly origin: string;
}

/** When the stack carries a CRD, a custom resource's plural must be the CRD's: RBAC names exactly it. */
function checkPluralsAgainstCrds(values: ResolvedValues, plurals: ReadonlyMap<string, string>): void {
  const resources = [...values.kubeStateMetrics.customResources, ...values.kubeStateMetrics.crStatusMonitors];
  const problems = resources.flatMap((r, i) => {
    const plural = plurals.get(`${r.group}/${r.kind}`);
    return plural && plural !== r.plural
      ? [{ field: `kubeStateMetrics (${r.group}/${r.kind}, entry ${i})`, message: `plural '${r.plural}' is not the CRD's ('${plural}')`, fix: `use plural: '${plural}'` }]
      : [];
  });
  if (problems.length) throw new StackError(values.name, problems);
}

/** Holds the objects added with `addObject` and `extraObjects`. */
class ExtraObjects extends Component {}

/**
 * A complete observability stack: one chart, one construct per component, each owning its slice.
 * Throws a StackError (naming every bad field) when the values are invalid.
 */
export class ObservabilityStack extends Chart {
  readonly values: ResolvedValues;
  /** Every rule of the stack; `rules.disable(name)` and `rules.override(name, ...)` change the catalogue. */
  readonly rules: RuleSet;
  /** Every dashboard of the stack. */
  readonly dashboardSet = new DashboardSet();
  private finalized = false;
  private readonly patchList: RegisteredPatch[] = [];
  private readonly context: StackContext;
  private extra?: ExtraObjects;

  constructor(scope: Construct, name: string, input: StackValues = {}, options: ObservabilityStackOptions = {}) {
    const shape = checkShape(input);
    if (!shape.wellTyped) throw new StackError(name, shape.problems);
    const values = resolveValues(input, input.name ?? name);
    const files = options.files ?? NO_REFERENCED_FILES;
    const problems = [...shape.problems, ...checkSemantics(values)];
    if (!options.files) {
      const named = { 'rules.files': values.rules.files, 'grafana.dashboardFiles': values.grafana.dashboardFiles, 'crds.paths': values.crds.paths };
      for (const [field, list] of Object.entries(named)) {
        if (list.length) problems.push({ field, message: 'names files, but none were loaded', fix: 'pass { files: loadReferencedFiles(values, stackFileFolder, name) } as the options, or synthesize with `o11y synth`' });
      }
    }
    if (problems.length) throw new StackError(values.name, problems);

    super(scope, values.name, { disableResourceNameHashes: true, labels: values.common.labels });
    this.values = values;
    this.rules = new RuleSet(values.rules);
    this.context = { values, namespace: values.common.namespace, rules: this.rules, dashboards: this.dashboardSet };

    new Namespace(this, this.context);
    if (values.prometheusOperator.enabled) new PrometheusOperator(this, this.context);
    if (values.prometheus.enabled) new Prometheus(this, this.context);
    if (values.alertmanager.enabled) new Alertmanager(this, this.context);
    if (values.nodeExporter.enabled) new NodeExporter(this, this.context);
    if (values.kubeStateMetrics.enabled) new KubeStateMetrics(this, this.context);
    if (values.grafana.enabled) {
      new Grafana(this, this.context);
      for (const json of files.dashboards) {
        this.dashboardSet.add({ json, folder: values.grafana.dashboardFolder, component: 'grafana', origin: 'grafana.dashboardFiles' });
      }
    }
    new ControlPlane(this, this.context);
    if (values.applications.length) new Applications(this, this.context);
    if (values.chaos.schedules.length) new Chaos(this, this.context);
    const userGroups = [...values.rules.groups, ...files.ruleGroups];
    if (userGroups.length) new UserRules(this, this.context, userGroups);
    if (files.crds.length) {
      const crds = new Crds(this, this.context, files.crds);
      checkPluralsAgainstCrds(values, crds.plurals);
    }

    values.extraObjects.forEach((object) => this.addObject(object));
    values.patches.forEach((patch, i) => this.patch(patch.kind, patch.name, patch.ops, { component: patch.component, origin: `patches[${i}]` }));
  }

  /** The components of this stack, in the order they were added. */
  get components(): Component[] {
    return this.node.children.filter((c): c is Component => c instanceof Component);
  }

  /** Escape hatch: an object written as it is, to `extra/`. */
  addObject(object: KubernetesObject): ApiObject {
    this.extra ??= new ExtraObjects(this, 'extra', this.context);
    const id = `${object.kind}-${object.metadata.namespace ?? ''}-${object.metadata.name}`;
    if (this.extra.node.tryFindChild(id)) {
      throw new StackError(this.values.name, [{
        field: 'extraObjects',
        message: `${object.kind} ${object.metadata.name} is added twice`,
        fix: 'add each extra object once',
      }]);
    }
    return new ApiObject(this.extra, id, object);
  }

  /**
   * Escape hatch: a JSON patch (RFC 6902) on the generated object of this kind and name.
   * Applied after everything else; a patch that matches no object or cannot apply fails the synth.
   */
  patch(kind: string, name: string, ops: readonly JsonPatchOp[], options: { component?: string; origin?: string } = {}): void {
    this.patchList.push({ kind, name, ops, component: options.component, origin: options.origin ?? `patch(${kind}, ${name})` });
  }

  /**
   * Every metric name the stack's rules and dashboards may use: what its components' targets expose, what its
   * recording rules produce, and what the user declared.
   */
  knownMetrics(): Set<string> {
    const records = this.rules.effective().flatMap((s) => s.groups.flatMap((g) => g.rules.flatMap((r) => ('record' in r ? [r.record] : []))));
    return new Set([...this.components.flatMap((c) => c.metrics), ...records, ...this.values.rules.knownMetrics]);
  }

  /** The dashboards Grafana gets (none when Grafana is disabled). */
  dashboards(): Dashboard[] {
    return this.values.grafana.enabled ? this.dashboardSet.all() : [];
  }

  /** Last step before rendering: rules into PrometheusRule objects, dashboards into their delivery objects. Idempotent. */
  finalize(): void {
    if (this.finalized) return;
    const problems = this.rules.problems();
    const byUid = new Map<string, Dashboard>();
    for (const dashboard of this.dashboards()) {
      const first = byUid.get(dashboard.json.uid);
      if (first) problems.push({ field: `dashboard '${dashboard.json.title}' (${dashboard.origin})`, message: `uid '${dashboard.json.uid}' is also the uid of '${first.json.title}' (${first.origin})`, fix: 'give every dashboard its own uid' });
      byUid.set(dashboard.json.uid, dashboard);
    }
    if (problems.length) throw new StackError(this.values.name, problems);
    addRuleObjects(this.components, this.rules, this.values);
    for (const dashboard of this.dashboards()) {
      const owner = this.components.find((c) => c.componentName === dashboard.component)!;
      problems.push(...deliverDashboard(owner, dashboard, this.values, {
        'app.kubernetes.io/name': 'grafana-dashboard',
        'app.kubernetes.io/instance': this.values.name,
        'app.kubernetes.io/component': 'dashboard',
        'app.kubernetes.io/part-of': 'cdk8s-o11y',
        'app.kubernetes.io/managed-by': 'cdk8s-o11y',
      }));
    }
    if (problems.length) throw new StackError(this.values.name, problems);
    this.finalized = true;
  }

  /** The registered patches, in order. */
  get patches(): readonly RegisteredPatch[] {
    return [...this.patchList];
  }
}
