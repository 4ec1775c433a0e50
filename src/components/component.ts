import type { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { containerResources, containerSecurityContext, podSecurityContext } from '../k8s/pod';
import type { DashboardSet } from '../dashboards/dashboard-set';
import { buildDashboard } from '../dashboards/model';
import type { DashboardBuilder } from '../dashboards/house';
import type { RuleSet } from '../rules/rule-set';
import type { RuleGroupDefinition } from '../rules/types';
import type { ResolvedValues } from '../values/defaults';
import type { ImageRef, ResourceValues } from '../core/primitives';

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

/** What every component reads from its stack. */
export interface StackContext {
  readonly values: ResolvedValues;
  readonly namespace: string;
  /** Where components put their rules; the stack renders them into PrometheusRule objects. */
  readonly rules: RuleSet;
  /** Where components put their dashboards; the stack delivers them to Grafana. */
  readonly dashboards: DashboardSet;
}

/**
 * One part of the stack that owns its whole slice (workload, RBAC, Service, monitors, policies).
 * Its id is its folder under dist/<stack>/, so ids are a public contract.
 */
export abstract class Component extends Construct {
  readonly componentName: string;
  protected readonly values: ResolvedValues;
  protected readonly namespace: string;
  private readonly ruleSet: RuleSet;
  private readonly dashboardSet: DashboardSet;
  private readonly metricNames = new Set<string>();

  constructor(scope: Construct, componentName: string, context: StackContext) {
    super(scope, componentName);
    this.componentName = componentName;
    this.values = context.values;
    this.namespace = context.namespace;
    this.ruleSet = context.rules;
    this.dashboardSet = context.dashboards;
  }

  /** Dashboards this component brings, into a Grafana folder. */
  protected addDashboards(folder: string, builders: DashboardBuilder[]): void {
    for (const builder of builders) this.dashboardSet.add({ json: buildDashboard(builder), folder, component: this.componentName, origin: 'built-in' });
  }

  /** The metric names this component's targets expose: its entry in the stack's metric catalogue. */
  get metrics(): string[] {
    return [...this.metricNames].sort();
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
    return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': this.values.name };
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

  protected image(ref: ImageRef): string {
    return `${ref.repository}:${ref.tag}`;
  }

  /** A container with the stack's pull policy, a locked-down security context and its resources. */
  protected container(props: ContainerProps): k8s.Container {
    return {
      ...props,
      imagePullPolicy: this.values.common.imagePullPolicy,
      resources: containerResources(props.resources),
      securityContext: containerSecurityContext(),
    };
  }

  /** A pod template that runs as non-root on Linux nodes. */
  protected podTemplate(props: PodProps): k8s.PodTemplateSpec {
    return {
      metadata: { labels: props.labels },
      spec: {
        serviceAccountName: props.serviceAccountName,
        automountServiceAccountToken: props.automountToken,
        securityContext: podSecurityContext(),
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        ...props.spec,
        containers: props.containers,
        ...(props.volumes ? { volumes: props.volumes } : {}),
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
