// Alerts and recording rules about the API server, kubelets, nodes, scheduler and controller manager.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KubernetesSystemThresholds {}

export const DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS: KubernetesSystemThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const KUBERNETES_SYSTEM_METRICS: readonly string[] = [];

export function kubernetesSystemRules(_thresholds: KubernetesSystemThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
