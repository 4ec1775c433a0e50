// Alerts and recording rules about Alertmanager's own health.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AlertmanagerThresholds {}

export const DEFAULT_ALERTMANAGER_THRESHOLDS: AlertmanagerThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const ALERTMANAGER_METRICS: readonly string[] = [];

export function alertmanagerRules(_thresholds: AlertmanagerThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
