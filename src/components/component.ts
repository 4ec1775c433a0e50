import { Construct } from 'constructs';
import type { ResolvedValues } from '../stack/defaults';
import type { ImageRef } from '../stack/values';

/** What every component reads from its stack. */
export interface StackContext {
  readonly values: ResolvedValues;
  readonly namespace: string;
}

/**
 * One part of the stack that owns its whole slice (workload, RBAC, Service, monitors, policies).
 * Its id is its folder under dist/<stack>/, so ids are a public contract.
 */
export abstract class Component extends Construct {
  readonly componentName: string;
  protected readonly values: ResolvedValues;
  protected readonly namespace: string;

  constructor(scope: Construct, componentName: string, context: StackContext) {
    super(scope, componentName);
    this.componentName = componentName;
    this.values = context.values;
    this.namespace = context.namespace;
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
}

/** Finds the component an object belongs to: its nearest Component ancestor. */
export function componentOf(construct: Construct): Component | undefined {
  for (let node: Construct | undefined = construct; node; node = node.node.scope) {
    if (node instanceof Component) return node;
  }
  return undefined;
}
