import type { ResolvedValues } from '../../values/defaults';

/** What a rule module may read to shape its rules: the stack's resolved values. */
export interface RuleContext {
  readonly values: ResolvedValues;
}
