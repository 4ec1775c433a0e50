import type { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { containerResources, containerSecurityContext, podSecurityContext } from '../k8s/pod';
import { DashboardSet } from '../dashboards/dashboard-set';
import { buildDashboard, type Dashboard } from '../dashboards/model';
import type { DashboardBuilder } from '../dashboards/house';
import { RuleSet, type RuleSource } from '../rules/rule-set';
import type { RuleGroupDefinition } from '../rules/types';
import type { ImageRef, ResourceValues } from '../core/primitives';
import { NETWORK_DEFAULTS, type ResolvedNetwork } from '../k8s/network';
import type { ScrapeTlsValues } from '../k8s/rbac-proxy';
import type { TrafficSource } from '../k8s/exposure';
import { schedulingFields, type Affinity, type SchedulingFields, type SchedulingValues, type Toleration } from '../k8s/scheduling';

/** An image with repository and tag known, as the stack resolves every image; a digest when the stack gives one. */
export type Image = Required<Pick<ImageRef, 'repository' | 'tag'>> & Pick<ImageRef, 'digest'>;

/** `true` and `false` of a defaults object read as boolean: a default is not the only value a prop may take. */
type WidenBooleans<T> = T extends boolean ? boolean : T extends object ? { [K in keyof T]: WidenBooleans<T[K]> } : T;

/** A component's values type with its defaults filled in (what the stack resolves): `Values & typeof DEFAULTS`. */
export type WithDefaults<Values, Defaults> = Values & WidenBooleans<Defaults>;

/** The facts of the stack every component shares: kube-prometheus' `common` block, as far as components read it. */
export interface StackCommon {
  /** Namespace of the stack: every namespaced object of a component is in it. */
  readonly namespace: string;
  /** Name of the stack: the `app.kubernetes.io/instance` label of every object, and the stack named in errors. */
  readonly instance: string;
  /** @default "IfNotPresent" */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** What the stack knows of the cluster's network: every component's egress is built from it. @default NETWORK_DEFAULTS */
  readonly network?: ResolvedNetwork;
  /** How the exporters' proxies serve TLS. @default their self-signed certificates */
  readonly scrapeTls?: ScrapeTlsValues;
  /** The ingress controller's pods, let in where a component has an Ingress. @default none */
  readonly ingressController?: TrafficSource;
  /** The Gateway's proxy pods, let in where a component has an HTTPRoute. @default none */
  readonly gatewayController?: TrafficSource;
}

/** What every component gets, besides its own values and the constructs it wires to. */
export interface ComponentProps {
  readonly common: StackCommon;
  /**
   * Where the component puts its rules; the stack renders them into PrometheusRule objects at synth.
   * @default a RuleSet of this component alone
   */
  readonly rules?: RuleSet;
  /**
   * Where the component puts its dashboards; the stack delivers them to Grafana at synth.
   * @default a DashboardSet of this component alone
   */
  readonly dashboards?: DashboardSet;
  /** Where its pods run: node selector, tolerations, affinity, topology spread, priority class. */
  readonly scheduling?: SchedulingValues;
}

/** A plain file a component writes beside its objects (see `Component.addFile`). */
export interface ComponentFile {
  readonly component: string;
  /** Relative to dist/<stack>/, with forward slashes. */
  readonly path: string;
  readonly content: string;
}

/** A container as components describe it; the secure defaults are added by `Component.container`. */
export type ContainerProps = Omit<k8s.Container, 'imagePullPolicy' | 'securityContext' | 'resources'> & {
  readonly resources: ResourceValues;
};

export interface PodProps {
  readonly labels: Record<string, string>;
  readonly serviceAccountName: string;
  /** Only pods that talk to the API server get a token. */
  readonly automountToken: boolean;
  readonly containers: k8s.Container[];
  readonly volumes?: k8s.Volume[];
  /** Further pod fields, e.g. host namespaces. */
  readonly spec?: Omit<k8s.PodSpec, 'containers'>;
}

/**
 * One part of the stack that owns its whole slice (workload, RBAC, Service, monitors, policies, rules, dashboards,
 * the metric names it produces). Its id is its folder under dist/<stack>/, so ids are a public contract.
 */
export abstract class Component extends Construct {
  /** The component's id: its folder under dist/<stack>/. */
  readonly componentName: string;
  protected readonly namespace: string;
  /** Name of the stack (the `app.kubernetes.io/instance` label). */
  protected readonly instance: string;
  /** The cluster's network, as `common.network` describes it. */
  protected readonly network: ResolvedNetwork;
  protected readonly scrapeTls: ScrapeTlsValues;
  private readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  private readonly ruleSet: RuleSet;
  private readonly dashboardSet: DashboardSet;
  private readonly metricNames = new Set<string>();
  private readonly plainFiles = new Map<string, string>();
  private readonly scheduling?: SchedulingValues;

  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id);
    this.componentName = id;
    this.namespace = props.common.namespace;
    this.instance = props.common.instance;
    this.imagePullPolicy = props.common.imagePullPolicy ?? 'IfNotPresent';
    this.network = props.common.network ?? NETWORK_DEFAULTS;
    this.scrapeTls = props.common.scrapeTls ?? {};
    this.ruleSet = props.rules ?? new RuleSet({ disable: [], overrides: {}, extraLabels: {} });
    this.dashboardSet = props.dashboards ?? new DashboardSet();
    this.scheduling = props.scheduling;
  }

  /**
   * Plain files (not Kubernetes objects) this component writes for an administrator to install by hand, e.g. the
   * kube-apiserver's audit policy: path (relative to dist/<stack>/) -> content.
   */
  get files(): ComponentFile[] {
    return [...this.plainFiles.entries()].map(([path, content]) => ({ component: this.componentName, path, content }));
  }

  /** A plain YAML file under dist/<stack>/ (e.g. `control-plane-config/audit-policy.yaml`); each path once. */
  protected addFile(path: string, content: string): void {
    if (this.plainFiles.has(path)) throw new Error(`component ${this.componentName} adds the file ${path} twice`);
    this.plainFiles.set(path, content);
  }

  /** The metric names this component's targets expose: its entry in the stack's metric catalogue. */
  get metrics(): string[] {
    return [...this.metricNames].sort();
  }

  /** The rule sources this component brings, with the rule set's disables and overrides applied. */
  get ruleSources(): RuleSource[] {
    return this.ruleSet.effective().filter((s) => s.component === this.componentName);
  }

  /** The dashboards this component brings. */
  get dashboards(): Dashboard[] {
    return this.dashboardSet.all().filter((d) => d.component === this.componentName);
  }

  /** Dashboards this component brings, into a Grafana folder. */
  protected addDashboards(folder: string, builders: DashboardBuilder[]): void {
    for (const builder of builders) this.dashboardSet.add({ json: buildDashboard(builder), folder, component: this.componentName, origin: 'built-in' });
  }

  /** A dashboard built at synth, for one that shows wiring done after the constructor (e.g. `sendAlertsTo`). */
  protected addDashboardAtSynth(folder: string, build: () => DashboardBuilder): void {
    this.dashboardSet.add(() => ({ json: buildDashboard(build()), folder, component: this.componentName, origin: 'built-in' }));
  }

  protected declareMetrics(names: readonly string[]): void {
    names.forEach((name) => this.metricNames.add(name));
  }

  /** Rule groups this component brings, rendered into the PrometheusRule `objectName` of this component. */
  protected addRules(objectName: string, groups: RuleGroupDefinition[]): void {
    if (groups.length) this.ruleSet.add({ component: this.componentName, objectName, groups });
  }

  /** The labels that select the pods of `name`: stable across upgrades, so never the version. */
  protected selectorLabels(name: string): Record<string, string> {
    return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': this.instance };
  }

  /** The conventional `app.kubernetes.io/*` labels of an object of this component. */
  protected labels(name: string, role: string, image?: ImageRef): Record<string, string> {
    return {
      ...this.selectorLabels(name),
      'app.kubernetes.io/component': role,
      'app.kubernetes.io/part-of': 'cdk8s-o11y',
      'app.kubernetes.io/managed-by': 'cdk8s-o11y',
      ...(image?.tag ? { 'app.kubernetes.io/version': image.tag.replace(/^v/, '') } : {}),
    };
  }

  protected image(ref: Image): string {
    return `${ref.repository}:${ref.tag}${ref.digest ? `@${ref.digest}` : ''}`;
  }

  /** A container with the stack's pull policy, a locked-down security context and its resources. */
  protected container(props: ContainerProps): k8s.Container {
    return {
      ...props,
      imagePullPolicy: this.imagePullPolicy,
      resources: containerResources(props.resources),
      securityContext: containerSecurityContext(),
    };
  }

  /**
   * The scheduling fields of this component's pods that `podSelector` selects: its own tolerations, affinity and
   * priority class, with the stack's `scheduling` values over them. For the operator's custom resources too.
   */
  protected schedulingOf(podSelector: Record<string, string>, own: { tolerations?: readonly Toleration[]; affinity?: Affinity; priorityClassName?: string } = {}): SchedulingFields {
    return schedulingFields(this.scheduling, podSelector, own);
  }

  /** A pod template that runs as non-root on Linux nodes, scheduled as the component's `scheduling` says. */
  protected podTemplate(props: PodProps): k8s.PodTemplateSpec {
    const { tolerations, affinity, priorityClassName, ...spec } = props.spec ?? {};
    const selector = Object.fromEntries(Object.entries(props.labels).filter(([key]) => key === 'app.kubernetes.io/name' || key === 'app.kubernetes.io/instance'));
    const { nodeSelector, ...placement } = this.schedulingOf(selector, { tolerations: tolerations as Toleration[] | undefined, affinity: affinity as Affinity | undefined, priorityClassName });
    return {
      metadata: { labels: props.labels },
      spec: {
        serviceAccountName: props.serviceAccountName,
        automountServiceAccountToken: props.automountToken,
        securityContext: podSecurityContext(),
        nodeSelector,
        ...spec,
        ...(placement as Omit<k8s.PodSpec, 'containers'>),
        containers: props.containers,
        ...(props.volumes?.length ? { volumes: props.volumes } : {}),
      },
    };
  }
}

/** Finds the component an object belongs to: its nearest Component ancestor. */
export function componentOf(construct: Construct): Component | undefined {
  for (let node: Construct | undefined = construct; node; node = node.node.scope) {
    if (node instanceof Component) return node;
  }
  return undefined;
}
