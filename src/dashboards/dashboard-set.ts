import type { Dashboard } from './model';

/** Every dashboard of the stack, gathered from the components (and the user's files) by the stack. */
export class DashboardSet {
  private readonly list: Array<Dashboard | (() => Dashboard)> = [];

  /**
   * A dashboard, or a function that builds it when the dashboards are read (at synth): for a dashboard that shows
   * wiring done after its component's constructor.
   */
  add(dashboard: Dashboard | (() => Dashboard)): void {
    this.list.push(dashboard);
  }

  all(): Dashboard[] {
    return this.list.map((d) => (typeof d === 'function' ? d() : d));
  }
}
