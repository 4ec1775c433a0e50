import type { Dashboard } from './model';

/** Every dashboard of the stack, gathered from the components (and the user's files) by the stack. */
export class DashboardSet {
  private readonly list: Dashboard[] = [];

  add(dashboard: Dashboard): void {
    this.list.push(dashboard);
  }

  all(): Dashboard[] {
    return [...this.list];
  }
}
