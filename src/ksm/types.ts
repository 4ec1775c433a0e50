import type { PromDuration, Severity } from '../core/primitives';
// kube-state-metrics custom-resource-state configuration as typed values, and the CR status monitor built on it.

/** Path segments into an object: `['status', 'conditions']`, `'[type=Ready]'` picks a list element by field. */
export type ObjectPath = string[];

interface CrMetricBase {
  /** Metric name after the prefix (`kube_customresource_` by default). */
  readonly name: string;
  readonly help: string;
  /** Labels read from the object (paths from its root). */
  readonly labelsFromPath?: Record<string, ObjectPath>;
  /** Labels read from each element when `path` is a list or map (paths relative to the element). */
  readonly labelsFromElement?: Record<string, ObjectPath>;
  readonly commonLabels?: Record<string, string>;
}

export interface CrGaugeMetric extends CrMetricBase {
  readonly type: 'Gauge';
  readonly path: ObjectPath;
  readonly valueFrom?: ObjectPath;
  readonly labelFromKey?: string;
  /** A missing value counts as 0 instead of an error. */
  readonly nilIsZero?: boolean;
}

export interface CrStateSetMetric extends CrMetricBase {
  readonly type: 'StateSet';
  readonly path: ObjectPath;
  readonly valueFrom?: ObjectPath;
  /** Label holding each state. */
  readonly labelName: string;
  /** Every state the field can have: one sample each, 1 for the current one. */
  readonly list: string[];
}

export interface CrInfoMetric extends CrMetricBase {
  readonly type: 'Info';
  readonly path?: ObjectPath;
  readonly labelFromKey?: string;
}

export type CrMetric = CrGaugeMetric | CrStateSetMetric | CrInfoMetric;

/** One watched custom resource kind and the metrics kube-state-metrics makes of it. */
export interface CustomResourceState {
  readonly group: string;
  /** `*` means every served version (needs kubeStateMetrics.allowWildcardResources). */
  readonly version: string;
  /** `*` means every kind of the group (needs kubeStateMetrics.allowWildcardResources). */
  readonly kind: string;
  /** The resource's plural as its CustomResourceDefinition says (`spec.names.plural`): RBAC grants exactly it. */
  readonly plural: string;
  /** @default "kube_customresource" */
  readonly metricNamePrefix?: string;
  readonly commonLabels?: Record<string, string>;
  readonly labelsFromPath?: Record<string, ObjectPath>;
  readonly metrics: CrMetric[];
}

/** A list inside the status whose elements have their own state, e.g. `status.modules[].state`. */
export interface CrStatusList {
  /** Path to the list, e.g. `['status', 'modules']`. */
  readonly path: ObjectPath;
  /** Label for each element, and the field that names it. @default label "item", field ["name"] */
  readonly label: string;
  readonly nameField?: ObjectPath;
  /** Field of each element holding its state. @default ["state"] */
  readonly stateField?: ObjectPath;
}

/**
 * One declaration per custom resource kind: kube-state-metrics config, metric catalogue entries, alerts with their
 * tests, and a dashboard.
 */
export interface CrStatusMonitor {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  /** @default true */
  readonly namespaced?: boolean;
  /** Path to the state field. @default ["status", "state"] */
  readonly statePath?: ObjectPath;
  /** Every value the state can take. */
  readonly states: string[];
  /** The state that means healthy. */
  readonly healthy: string;
  /** Also export `status.conditions` and alert on a condition that is False. @default false */
  readonly conditions?: boolean;
  /** Lists in the status whose elements have a state of their own (same states, same healthy value). */
  readonly lists?: CrStatusList[];
  /** How long a bad state or condition lasts before the alert fires. @default "15m" */
  readonly alertAfter?: PromDuration;
  /** @default "warning" */
  readonly severity?: Severity;
}
