import { DEFAULT_VALUES, type ResolvedValues } from './defaults';
import type { StackValues } from './stack-values';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Objects merge key by key; arrays and scalars from `override` replace; `undefined` keeps the default. Every key is
 * an own property of the result, `__proto__` and `constructor` included (assignment would set the prototype and
 * lose the key): a label named `__proto__` must reach the checks, which reject it.
 */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? base : override) as T;
  }
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = Object.prototype.hasOwnProperty.call(merged, key) ? merged[key] : undefined;
    Object.defineProperty(merged, key, { value: deepMerge(current, value), enumerable: true, writable: true, configurable: true });
  }
  return merged as T;
}

/** Fills every default into a stack's values. */
export function resolveValues(values: StackValues, stackName: string): ResolvedValues {
  const merged = deepMerge(DEFAULT_VALUES, values) as ResolvedValues;
  return {
    ...merged,
    name: stackName,
    common: { ...merged.common, clusterName: values.common?.clusterName ?? stackName },
    // A routing tree is replaced as a whole: merging it into the default tree would keep routes to receivers
    // the stack may not even define.
    alertmanager: { ...merged.alertmanager, route: values.alertmanager?.route ?? DEFAULT_VALUES.alertmanager.route },
  };
}
