import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import { Alertmanager } from '../components/alertmanager';
import { Applications, type ApplicationMonitor } from '../components/applications';
import { ScrapeConfigs, type ScrapeConfigValues } from '../components/scrape-configs';
import { Chaos } from '../components/chaos';
import { Component, componentOf, type ComponentProps } from '../components/component';
import { ControlPlane, KUBE_CONTROLLER_MANAGER_PORT, KUBE_PROXY_PORT, KUBE_SCHEDULER_PORT, KUBELET_PORT } from '../components/control-plane';
import { ControlPlaneTracing } from '../components/control-plane-tracing';
import { Crds } from '../components/crds';
import { Grafana } from '../components/grafana';
import { KubeStateMetrics } from '../components/kube-state-metrics';
import { BlackboxExporter, blackboxExporterEnabled, checkBlackboxExporter, type ProbeValues } from '../components/blackbox-exporter';
import { Namespace } from '../components/namespace';
import { NodeExporter } from '../components/node-exporter';
import { OtelCollector, OTEL_COLLECTOR_NAME } from '../components/otel-collector';
import { Prometheus } from '../components/prometheus';
import { PrometheusOperator } from '../components/prometheus-operator';
import { PrometheusAdapter, PROMETHEUS_ADAPTER_NAME } from '../components/prometheus-adapter';
import { UserRules } from '../components/user-rules';
import { Slos } from '../components/slos';
import { SLO_COMPONENT } from '../rules/slo';
import { DashboardSet } from '../dashboards/dashboard-set';
import { deliverDashboard, type DashboardDelivery } from '../dashboards/delivery';
import type { Dashboard } from '../dashboards/model';
import { RuleSet } from '../rules/rule-set';
import type { PodMonitor, Probe, ScrapeConfig, ServiceMonitor } from '../k8s/monitoring';
import { addRuleObjects } from './rule-objects';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import type { ResolvedValues } from '../values/defaults';
import { StackError, type StackProblem } from '../core/problems';
import { resolveValues } from '../values/resolve';
import { checkSemantics, checkShape } from '../values/validate';
import type { StackValues } from '../values/stack-values';
import { applyJsonPatch, JsonPatchError, type JsonPatchOp } from '../core/json-patch';
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

/**
 * Checks a plain cdk8s app runs at `app.synth()`, returning error messages. The package entry installs the model
 * analyzers here: they live in layers above the stack, which may not import them.
 */
const APP_SYNTH_CHECKS: Array<(stack: ObservabilityStack) => string[]> = [];

export function addAppSynthCheck(check: (stack: ObservabilityStack) => string[]): void {
  APP_SYNTH_CHECKS.push(check);
}

/** What Prometheus scrapes on the nodes' addresses: kubelets, node-exporter's proxy, static control-plane pods. */
function nodeScrapePorts(values: ResolvedValues, exportersScrapedByCollector: boolean): number[] {
  const cp = values.controlPlane;
  return [
    ...(cp.kubelet.enabled ? [KUBELET_PORT] : []),
    ...(values.nodeExporter.enabled && !exportersScrapedByCollector ? [values.nodeExporter.port] : []),
    ...(cp.kubeScheduler.enabled ? [KUBE_SCHEDULER_PORT] : []),
    ...(cp.kubeControllerManager.enabled ? [KUBE_CONTROLLER_MANAGER_PORT] : []),
    ...(cp.kubeProxy.enabled ? [KUBE_PROXY_PORT] : []),
  ];
}

/** Holds the objects added with `addObject` and `extraObjects`. */
class ExtraObjects extends Component {}

/** What is wrong with the shape of an object given as an escape hatch, if anything. */
function shapeProblem(object: unknown): string | undefined {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return `is ${object === null ? 'null' : Array.isArray(object) ? 'an array' : typeof object}, not a Kubernetes object`;
  const o = object as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } };
  if (typeof o.apiVersion !== 'string' || !o.apiVersion) return 'has no apiVersion';
  if (typeof o.kind !== 'string' || !o.kind) return 'has no kind';
  if (typeof o.metadata !== 'object' || o.metadata === null) return `${o.kind} has no metadata`;
  if (typeof o.metadata.name !== 'string' || !o.metadata.name) return `${o.kind} has no metadata.name`;
  return undefined;
}

/** Two objects are the same object in the cluster when API group, kind, namespace and name agree (not the version). */
function identity(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${group}\0${kind}\0${namespace ?? ''}\0${name}`;
}

function toCdk8sPatch(op: JsonPatchOp): JsonPatch {
  switch (op.op) {
    case 'add': return JsonPatch.add(op.path, op.value);
    case 'replace': return JsonPatch.replace(op.path, op.value);
    case 'remove': return JsonPatch.remove(op.path);
    case 'test': return JsonPatch.test(op.path, op.value);
    case 'copy': return JsonPatch.copy(op.from!, op.path);
    case 'move': return JsonPatch.move(op.from!, op.path);
  }
}

interface ExtraObject {
  readonly id: string;
  readonly object: ApiObject;
  readonly replaces: boolean;
  readonly origin: string;
}

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
  /** The components, as typed fields; a disabled component's is undefined. */
  readonly prometheusOperator?: PrometheusOperator;
  readonly prometheus?: Prometheus;
  readonly alertmanager?: Alertmanager;
  readonly nodeExporter?: NodeExporter;
  readonly kubeStateMetrics?: KubeStateMetrics;
  readonly grafana?: Grafana;
  readonly otelCollector?: OtelCollector;
  /** The resource and custom metrics APIs; undefined unless `prometheusAdapter.enabled`. */
  readonly prometheusAdapter?: PrometheusAdapter;
  /** The monitors of kubelet, API server, scheduler, controller manager and CoreDNS. */
  readonly controlPlane: ControlPlane;
  /** Kelemetry and its Jaeger; undefined unless `controlPlaneTracing.enabled`. */
  readonly controlPlaneTracing?: ControlPlaneTracing;
  /** Chaos Mesh schedules; undefined without any. */
  readonly chaos?: Chaos;
  /** The SLOs' rules and dashboard; undefined without any SLO. */
  readonly slos?: Slos;
  /** The CRDs of `crds.paths`; undefined without any. */
  readonly crds?: Crds;
  private applicationsComponent?: Applications;
  private scrapeConfigsComponent?: ScrapeConfigs;
  private blackboxExporterComponent?: BlackboxExporter;
  private readonly delivery: DashboardDelivery;
  private finalized = false;
  private readonly patchList: RegisteredPatch[] = [];
  private readonly context: ComponentProps;
  private extra?: ExtraObjects;
  /** Set when `o11y synth` (or renderStack) analyzes the model itself: cdk8s' validation need not do it again. */
  private analyzedByPipeline = false;
  private readonly extraList: ExtraObject[] = [];

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
    // In a plain cdk8s app, `app.synth()` validates before it writes: the same model checks as `o11y synth`.
    this.node.addValidation({ validate: () => (this.analyzedByPipeline ? [] : APP_SYNTH_CHECKS.flatMap((check) => check(this))) });
    this.values = values;
    this.rules = new RuleSet(values.rules);
    this.context = {
      common: {
        namespace: values.common.namespace, instance: values.name, imagePullPolicy: values.common.imagePullPolicy,
        network: values.common.network, scrapeTls: values.common.scrapeTls,
        ingressController: values.common.ingressController, gatewayController: values.common.gatewayController,
      },
      rules: this.rules,
      dashboards: this.dashboardSet,
    };
    this.delivery = {
      namespace: values.common.namespace,
      method: values.grafana.dashboardDelivery,
      sidecarLabel: values.grafana.dashboardLabel,
      instanceSelector: values.grafana.grafanaOperatorInstanceSelector,
    };
    const { images } = values.common;

    // Wiring only: each component gets its slice of the values and the components it refers to. Ids are the dist/
    // folder names, and the order of construction is the order of dist/<stack>/SUMMARY.md.
    const nodeNamespace = values.nodeExporter.enabled ? values.nodeExporter.namespace ?? `${values.common.namespace}-node` : undefined;
    new Namespace(this, 'namespace', { ...this.context, nodeNamespace });
    if (values.prometheusOperator.enabled) {
      this.prometheusOperator = new PrometheusOperator(this, 'prometheus-operator', {
        ...this.context, ...values.prometheusOperator, image: images.prometheusOperator, rbacProxyImage: images.kubeRbacProxy, configReloaderImage: images.prometheusConfigReloader,
      });
    }
    // The Collector's pods, known before it is built: Prometheus and the exporters it scrapes let them in.
    const collector = values.otelCollector;
    const collectorPods = collector.enabled ? { 'app.kubernetes.io/name': OTEL_COLLECTOR_NAME, 'app.kubernetes.io/instance': values.name } : undefined;
    const scrapedByCollector = collector.enabled && collector.scrapeExporters ? collectorPods : undefined;
    if (values.prometheus.enabled) {
      this.prometheus = new Prometheus(this, 'prometheus', {
        ...this.context, ...values.prometheus, image: images.prometheus, thanosImage: images.thanos, clusterName: values.common.clusterName,
        pushedBy: collectorPods && { protocol: collector.metricsTo, pods: collectorPods },
        nodePorts: nodeScrapePorts(values, scrapedByCollector !== undefined),
        // The adapter's pods, known before it is built: it queries the stack's Prometheus unless told another.
        queriedBy: values.prometheusAdapter.enabled && values.prometheusAdapter.prometheusUrl === undefined
          ? [{ 'app.kubernetes.io/name': PROMETHEUS_ADAPTER_NAME, 'app.kubernetes.io/instance': values.name }] : [],
      });
    }
    if (values.alertmanager.enabled) {
      this.alertmanager = new Alertmanager(this, 'alertmanager', {
        ...this.context, ...values.alertmanager, image: images.alertmanager,
        // Grafana's Alertmanager datasource (added below): known before Grafana is built.
        queriedBy: values.grafana.enabled ? [{ 'app.kubernetes.io/name': NAMES.grafana, 'app.kubernetes.io/instance': values.name }] : [],
      });
      // Built after Prometheus (the order of SUMMARY.md), so Prometheus is told where its alerts go once it exists.
      this.prometheus?.sendAlertsTo(this.alertmanager);
    }
    if (nodeNamespace) {
      const { namespace: _, ...nodeExporter } = values.nodeExporter;
      this.nodeExporter = new NodeExporter(this, 'node-exporter', {
        ...this.context, common: { ...this.context.common, namespace: nodeNamespace }, ...nodeExporter,
        image: images.nodeExporter, rbacProxyImage: images.kubeRbacProxy, scrapedByCollector, scraperNamespace: values.common.namespace,
      });
    }
    if (values.kubeStateMetrics.enabled) {
      this.kubeStateMetrics = new KubeStateMetrics(this, 'kube-state-metrics', {
        ...this.context, ...values.kubeStateMetrics, image: images.kubeStateMetrics, rbacProxyImage: images.kubeRbacProxy, chaosSchedules: values.chaos.schedules, scrapedByCollector,
      });
    }
    if (blackboxExporterEnabled(values)) this.blackboxExporterComponent = this.newBlackboxExporter(values.probes);
    if (collector.enabled && this.prometheus) {
      this.otelCollector = new OtelCollector(this, 'otel-collector', {
        ...this.context, ...collector, image: images.otelCollector, clusterName: values.common.clusterName,
        prometheusUrl: this.prometheus.url, scrapeInterval: this.prometheus.scrapeInterval,
        exporters: { nodeExporter: nodeNamespace ? { namespace: nodeNamespace, port: values.nodeExporter.port } : undefined, kubeStateMetrics: values.kubeStateMetrics.enabled },
      });
    }
    if (values.grafana.enabled) {
      this.grafana = new Grafana(this, 'grafana', {
        ...this.context, ...values.grafana, image: images.grafana, sidecarImage: images.grafanaSidecar, prometheus: this.prometheus, prometheusOperator: this.prometheusOperator,
      });
      for (const json of files.dashboards) {
        this.dashboardSet.add({ json, folder: values.grafana.dashboardFolder, component: 'grafana', origin: 'grafana.dashboardFiles' });
      }
      const query = this.otelCollector && collector.traces?.query;
      if (query) this.grafana.addDatasource({ name: 'Traces', uid: 'traces', type: query.type, url: query.url });
      if (this.alertmanager) {
        const am = this.alertmanager;
        this.grafana.addDatasource({
          name: 'Alertmanager', uid: 'alertmanager', type: 'alertmanager',
          url: `http://${am.serviceName}.${am.serviceNamespace}.svc:9093${am.routePrefix === '/' ? '' : am.routePrefix}`,
          jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
          reachedAt: { pods: [OPERATOR_POD_SELECTORS.alertmanager], ports: [{ port: 9093 }] },
        });
      }
      // Thanos Query answers the Prometheus API over every sidecar (and the bucket): long-range and global queries.
      const thanosQuery = values.prometheus.thanos?.queryUrl;
      if (thanosQuery) this.grafana.addDatasource({ name: 'Thanos', uid: 'thanos', type: 'prometheus', url: thanosQuery });
    }
    if (values.prometheusAdapter.enabled) {
      const { enabled: _, ...adapter } = values.prometheusAdapter;
      this.prometheusAdapter = new PrometheusAdapter(this, 'prometheus-adapter', {
        ...this.context, ...adapter, image: images.prometheusAdapter, prometheus: this.prometheus,
        nodeSource: values.nodeExporter.enabled ? 'node-exporter' : 'cadvisor',
      });
    }
    this.controlPlane = new ControlPlane(this, 'control-plane', { ...this.context, ...values.controlPlane, prometheus: this.prometheus, kubeStateMetrics: this.kubeStateMetrics });
    if (values.controlPlaneTracing.enabled) {
      const { enabled: _, ...tracing } = values.controlPlaneTracing;
      this.controlPlaneTracing = new ControlPlaneTracing(this, 'control-plane-tracing', {
        ...this.context, ...tracing, clusterName: values.common.clusterName,
        images: { kelemetry: images.kelemetry, jaegerCollector: images.jaegerCollector, jaegerQuery: images.jaegerQuery, jaegerRemoteStorage: images.jaegerRemoteStorage },
        grafanaPods: values.grafana.enabled ? { 'app.kubernetes.io/name': NAMES.grafana, 'app.kubernetes.io/instance': values.name } : undefined,
        collectorPods,
      });
      this.grafana?.addDatasource({ name: 'Kelemetry', uid: 'kelemetry', type: 'jaeger', url: this.controlPlaneTracing.queryUrl, reachedAt: this.controlPlaneTracing.queryReachedAt });
    }
    if (values.applications.length) this.applicationsComponent = new Applications(this, 'applications', { ...this.context, applications: values.applications });
    if (values.scrapeConfigs.length) this.scrapeConfigsComponent = this.newScrapeConfigs(values.scrapeConfigs);
    if (values.chaos.schedules.length) this.chaos = new Chaos(this, 'chaos', { ...this.context, ...values.chaos });
    if (values.slos.length) this.slos = new Slos(this, SLO_COMPONENT, { ...this.context, slos: values.slos });
    // Always there, so that `rules.addGroup` has a PrometheusRule to land in; without groups it writes nothing.
    new UserRules(this, 'rules', { ...this.context, groups: [...values.rules.groups, ...files.ruleGroups] });
    if (files.crds.length) {
      this.crds = new Crds(this, 'crds', { ...this.context, crds: files.crds });
      checkPluralsAgainstCrds(values, this.crds.plurals);
    }

    values.extraObjects.forEach((object, i) => this.addObject(object, { origin: `extraObjects[${i}]` }));
    values.replacementObjects.forEach((object, i) => this.addObject(object, { replaces: true, origin: `replacementObjects[${i}]` }));
    values.patches.forEach((patch, i) => this.patch(patch.kind, patch.name, patch.ops, { component: patch.component, origin: `patches[${i}]` }));
  }

  /** The user's applications (`applications` and `monitor()`); undefined while there is none. */
  get applications(): Applications | undefined {
    return this.applicationsComponent;
  }

  /**
   * Scrapes an application, as job `<name>`: a ServiceMonitor selecting its Service, or with `kind: 'PodMonitor'`
   * a PodMonitor selecting its pods; its alerts and records become its PrometheusRule. Like `applications` in the
   * values, in the customize hook.
   */
  monitor(app: ApplicationMonitor): ServiceMonitor | PodMonitor {
    this.applicationsComponent ??= new Applications(this, 'applications', this.context);
    return this.applicationsComponent.monitor(app);
  }

  /** The blackbox exporter; undefined while the stack has no probe (unless `blackboxExporter.enabled`). */
  get blackboxExporter(): BlackboxExporter | undefined {
    return this.blackboxExporterComponent;
  }

  /**
   * Probes endpoints through the blackbox exporter (started by the first probe): a Probe object Prometheus selects,
   * and the exporter's egress to its targets. Like `probes` in the values, in the customize hook.
   */
  probe(probe: ProbeValues): Probe {
    const field = `probe(${probe.name})`;
    if (this.finalized) throw new StackError(this.values.name, [{ field, message: 'comes after the stack was finalized', fix: 'add probes in the stack file\'s customize function' }]);
    if (!this.blackboxExporterComponent) {
      const problems = checkBlackboxExporter(this.values.blackboxExporter, [probe], this.values.common.namespace)
        .map((p) => (p.field === 'probes[0]' || p.field.startsWith('probes[0].') ? { ...p, field: field + p.field.slice('probes[0]'.length) } : p));
      if (problems.length) throw new StackError(this.values.name, problems);
      this.blackboxExporterComponent = this.newBlackboxExporter([]);
    }
    return this.blackboxExporterComponent.addProbe(probe, field);
  }

  private newBlackboxExporter(probes: readonly ProbeValues[]): BlackboxExporter {
    return new BlackboxExporter(this, 'blackbox-exporter', { ...this.context, ...this.values.blackboxExporter, image: this.values.common.images.blackboxExporter, probes });
  }

  /** The static scrape configs (`scrapeConfigs` and `scrapeConfig()`); undefined while there is none. */
  get scrapeConfigs(): ScrapeConfigs | undefined {
    return this.scrapeConfigsComponent;
  }

  /**
   * Scrapes static `host:port` targets as job `<name>`: a ScrapeConfig, and the stack's Prometheus' egress to each
   * target. Like `scrapeConfigs` in the values, in the customize hook.
   */
  scrapeConfig(sc: ScrapeConfigValues): ScrapeConfig {
    this.scrapeConfigsComponent ??= this.newScrapeConfigs([]);
    return this.scrapeConfigsComponent.scrapeConfig(sc);
  }

  private newScrapeConfigs(scrapeConfigs: readonly ScrapeConfigValues[]): ScrapeConfigs {
    const prometheusPods = this.prometheus ? { ...OPERATOR_POD_SELECTORS.prometheus } : undefined;
    return new ScrapeConfigs(this, 'scrape-configs', { ...this.context, scrapeConfigs, prometheusPods });
  }

  /** The components of this stack, in the order they were added. */
  get components(): Component[] {
    return this.node.children.filter((c): c is Component => c instanceof Component);
  }

  /**
   * Escape hatch: an object written as it is, to `extra/`, checked like every generated object. An object of the
   * same kind, namespace and name as a generated one is an error, unless `replaces` says it takes that one's place.
   */
  addObject(object: KubernetesObject, options: { replaces?: boolean; origin?: string } = {}): ApiObject {
    const origin = options.origin ?? 'addObject()';
    const problem = shapeProblem(object);
    if (problem) throw new StackError(this.values.name, [{ field: origin, message: problem, fix: 'give it apiVersion, kind and metadata.name, e.g. { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "monitoring" } }' }]);
    this.extra ??= new ExtraObjects(this, 'extra', this.context);
    const id = `${object.kind}-${object.metadata.namespace ?? ''}-${object.metadata.name}`;
    const first = this.extraList.find((e) => e.id === id);
    if (first) {
      throw new StackError(this.values.name, [{ field: origin, message: `${object.kind} ${object.metadata.name} is also added by ${first.origin}`, fix: 'add each extra object once' }]);
    }
    const added = new ApiObject(this.extra, id, object);
    this.extraList.push({ id, object: added, replaces: options.replaces ?? false, origin });
    return added;
  }

  /**
   * Escape hatch: a JSON patch (RFC 6902) on the generated object of this kind and name, applied strictly (a
   * `replace` or `remove` of a missing path, a failing `test` are errors). Applied after everything else; a patch
   * that matches no object or cannot apply fails the synth, naming `origin`.
   */
  patch(kind: string, name: string, ops: readonly JsonPatchOp[], options: { component?: string; origin?: string } = {}): void {
    if (this.finalized) throw new StackError(this.values.name, [{ field: options.origin ?? `patch(${kind}, ${name})`, message: 'comes after the stack was finalized', fix: 'patch in the stack file\'s customize function' }]);
    this.patchList.push({ kind, name, ops, component: options.component, origin: options.origin ?? `patch(${kind}, ${name})` });
  }

  /** The dashboards Grafana gets (none when Grafana is disabled). */
  dashboards(): Dashboard[] {
    return this.values.grafana.enabled ? this.dashboardSet.all() : [];
  }

  /**
   * Last step before the model is read: rules into PrometheusRule objects, dashboards into their delivery objects,
   * extra objects checked against the generated ones, then every patch. Idempotent.
   */
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
    // An agent evaluates no rules: they belong to the Prometheus it writes to.
    if (this.values.prometheus.mode !== 'agent') addRuleObjects(this.components, this.rules, this.values);
    for (const dashboard of this.dashboards()) {
      const owner = this.components.find((c) => c.componentName === dashboard.component)!;
      problems.push(...deliverDashboard(owner, dashboard, this.delivery, {
        'app.kubernetes.io/name': 'grafana-dashboard',
        'app.kubernetes.io/instance': this.values.name,
        'app.kubernetes.io/component': 'dashboard',
        'app.kubernetes.io/part-of': 'cdk8s-o11y',
        'app.kubernetes.io/managed-by': 'cdk8s-o11y',
      }));
    }
    problems.push(...this.placeExtraObjects(), ...this.applyPatches());
    if (problems.length) throw new StackError(this.values.name, problems);
    this.finalized = true;
  }

  /** An extra object may not silently sit beside a generated one of the same identity: it replaces it, or it is an error. */
  private placeExtraObjects(): StackProblem[] {
    const generated = new Map<string, ApiObject>();
    for (const o of this.node.findAll()) {
      if (o instanceof ApiObject && componentOf(o) !== this.extra) generated.set(identity(o.apiVersion, o.kind, o.metadata.namespace, o.name), o);
    }
    const problems: StackProblem[] = [];
    for (const extra of this.extraList) {
      const { apiVersion, kind, metadata } = extra.object;
      const clash = generated.get(identity(apiVersion, kind, metadata.namespace, extra.object.name));
      const what = `${kind} ${metadata.namespace ? `${metadata.namespace}/` : ''}${extra.object.name}`;
      if (clash && extra.replaces) clash.node.scope!.node.tryRemoveChild(clash.node.id);
      else if (clash) problems.push({ field: extra.origin, message: `${what} is also generated by component ${componentOf(clash)?.componentName ?? 'stack'}`, fix: 'patch the generated object instead, or say that yours replaces it (replacementObjects in the values, or addObject(object, { replaces: true }))' });
      else if (extra.replaces) problems.push({ field: extra.origin, message: `replaces ${what}, but the stack generates no such object`, fix: 'add it as an extra object, or fix its kind, namespace or name' });
    }
    return problems;
  }

  /** Every patch, in order, checked strictly on the object as it then is, and handed to cdk8s so every synth path applies it. */
  private applyPatches(): StackProblem[] {
    const objects = this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const problems: StackProblem[] = [];
    for (const patch of this.patchList) {
      const targets = objects.filter((o) => o.kind === patch.kind && o.name === patch.name && (patch.component === undefined || componentOf(o)?.componentName === patch.component));
      if (targets.length !== 1) {
        const sameKind = objects.filter((o) => o.kind === patch.kind).map((o) => `${componentOf(o)?.componentName ?? 'stack'}/${o.name}`);
        problems.push(targets.length === 0
          ? { field: patch.origin, message: `no generated ${patch.kind} is named '${patch.name}'${patch.component ? ` in component ${patch.component}` : ''}`, fix: sameKind.length ? `objects of kind ${patch.kind}: ${sameKind.join(', ')}` : `the stack generates no ${patch.kind}` }
          : { field: patch.origin, message: `${targets.length} generated objects are ${patch.kind} '${patch.name}' (components ${targets.map((t) => componentOf(t)?.componentName).join(', ')})`, fix: 'add `component` to say which one to patch' });
        continue;
      }
      try {
        applyJsonPatch(targets[0].toJson(), patch.ops);
      } catch (error) {
        const at = error instanceof JsonPatchError ? `${patch.origin}.ops[${error.op}]` : patch.origin;
        problems.push({ field: at, message: `cannot apply to ${patch.kind} '${patch.name}': ${(error as Error).message}`, fix: 'check the JSON pointer against the generated file in dist/' });
        continue;
      }
      targets[0].addJsonPatch(...patch.ops.map(toCdk8sPatch));
    }
    return problems;
  }

  /** @internal the pipeline analyzes this stack's model itself. */
  _analyzedByPipeline(): void {
    this.analyzedByPipeline = true;
  }

  /** The registered patches, in order. */
  get patches(): readonly RegisteredPatch[] {
    return [...this.patchList];
  }
}
