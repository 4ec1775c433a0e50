// Alerts and recording rules about kube-state-metrics itself.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KubeStateMetricsThresholds {}

export const DEFAULT_KUBE_STATE_METRICS_THRESHOLDS: KubeStateMetricsThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const KUBE_STATE_METRICS_METRICS: readonly string[] = [];

export function kubeStateMetricsRules(_thresholds: KubeStateMetricsThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
