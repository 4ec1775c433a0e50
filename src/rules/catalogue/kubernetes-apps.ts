// Alerts and recording rules about workloads, resources and storage, from kube-state-metrics, cAdvisor and kubelet.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KubernetesAppsThresholds {}

export const DEFAULT_KUBERNETES_APPS_THRESHOLDS: KubernetesAppsThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const KUBERNETES_APPS_METRICS: readonly string[] = [];

export function kubernetesAppsRules(_thresholds: KubernetesAppsThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
