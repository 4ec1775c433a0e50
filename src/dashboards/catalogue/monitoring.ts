// Dashboards about Prometheus, Alertmanager, the operator and Grafana, and the alerts overview.
import type { DashboardBuilder } from '../house';
import type { DashboardContext } from './context';

export function monitoringDashboards(_context: DashboardContext): DashboardBuilder[] {
  return [];
}
