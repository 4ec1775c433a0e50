// Alerts and recording rules about nodes, from node-exporter.
import type { RuleGroupDefinition } from '../types';
import type { RuleContext } from './context';

/** Thresholds of these alerts; every field documents its @default. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NodeExporterThresholds {}

export const DEFAULT_NODE_EXPORTER_THRESHOLDS: NodeExporterThresholds = {};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const NODE_EXPORTER_METRICS: readonly string[] = [];

export function nodeExporterRules(_thresholds: NodeExporterThresholds, _context: RuleContext): RuleGroupDefinition[] {
  return [];
}
