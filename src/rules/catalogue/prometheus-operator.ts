// Alerts and recording rules about the Prometheus Operator and its config reloaders.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PrometheusOperatorThresholds {}

export const DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS: PrometheusOperatorThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const PROMETHEUS_OPERATOR_METRICS: readonly string[] = [];

export function prometheusOperatorRules(_thresholds: PrometheusOperatorThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
