// Alerts and recording rules about Grafana.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GrafanaThresholds {}

export const DEFAULT_GRAFANA_THRESHOLDS: GrafanaThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const GRAFANA_METRICS: readonly string[] = [];

export function grafanaRules(_thresholds: GrafanaThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
