// Dashboards about nodes, from node-exporter.
import type { DashboardBuilder } from '../house';
import type { DashboardContext } from './context';

export function nodesDashboards(_context: DashboardContext): DashboardBuilder[] {
  return [];
}
