// Alerts and recording rules about Prometheus' own health (kube-prometheus' prometheus rules).
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PrometheusThresholds {}

export const DEFAULT_PROMETHEUS_THRESHOLDS: PrometheusThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const PROMETHEUS_METRICS: readonly string[] = [];

export function prometheusRules(_thresholds: PrometheusThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
