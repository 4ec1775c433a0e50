// Dashboards about compute resources of the cluster, namespaces, pods, workloads and persistent volumes.
import type { DashboardBuilder } from '../house';
import type { DashboardContext } from './context';

export function kubernetesDashboards(_context: DashboardContext): DashboardBuilder[] {
  return [];
}
