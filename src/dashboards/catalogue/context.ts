import type { ResolvedValues } from '../../values/defaults';

/** What a dashboard module may read: the stack's resolved values (namespace, which components are on). */
export interface DashboardContext {
  readonly values: ResolvedValues;
}
