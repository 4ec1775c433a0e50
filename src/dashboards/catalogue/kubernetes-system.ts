// Dashboards about kubelet, API server and CoreDNS.
import type { DashboardBuilder } from '../house';
import type { DashboardContext } from './context';

export function kubernetesSystemDashboards(_context: DashboardContext): DashboardBuilder[] {
  return [];
}
