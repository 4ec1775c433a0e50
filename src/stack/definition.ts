import type { ObservabilityStack } from './observability-stack';
import type { StackValues } from '../values/stack-values';

const MARKER = 'cdk8s-o11y/stack-definition';

/** What a stack file exports (as its default export): values, and optionally construct-level changes. */
export interface StackDefinition {
  readonly [MARKER]: true;
  readonly values: StackValues;
  /** Runs after the stack is built: add objects, patch, or reach into any component's constructs. */
  readonly customize?: (stack: ObservabilityStack) => void;
}

/**
 * Declares a stack. A stack file is `export default defineStack({ ... })`.
 * @param values the stack's values; everything left out takes its default
 * @param customize optional changes to the built construct tree
 */
export function defineStack(values: StackValues, customize?: (stack: ObservabilityStack) => void): StackDefinition {
  return { [MARKER]: true, values, customize };
}

/** Duck-typed, so that a stack file compiled against another copy of the library still loads. */
export function isStackDefinition(value: unknown): value is StackDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[MARKER] === true;
}
