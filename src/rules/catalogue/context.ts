import type { ResolvedValues } from '../../stack/defaults';

/** What a rule module may read to shape its rules: the stack's resolved values. */
export interface RuleContext {
  readonly values: ResolvedValues;
}
