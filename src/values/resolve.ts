import { DEFAULT_VALUES, type ResolvedValues } from './defaults';
import type { StackValues } from './stack-values';
import { imagesFromRegistry } from '../core/images';

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
  const agent = merged.prometheus.enabled && merged.prometheus.mode === 'agent';
  return {
    ...merged,
    name: stackName,
    common: {
      ...merged.common,
      clusterName: values.common?.clusterName ?? stackName,
      images: imagesFromRegistry(merged.common.images, merged.common.imageRegistry),
    },
    // A routing tree is replaced as a whole: merging it into the default tree would keep routes to receivers
    // the stack may not even define.
    // An agent answers no queries and evaluates no rules: Alertmanager and Grafana are off unless asked for
    // (which the checks then reject, saying why).
    alertmanager: {
      ...merged.alertmanager,
      route: values.alertmanager?.route ?? DEFAULT_VALUES.alertmanager.route,
      enabled: (agent ? values.alertmanager?.enabled ?? false : merged.alertmanager.enabled) as true,
    },
    grafana: { ...merged.grafana, enabled: (agent ? values.grafana?.enabled ?? false : merged.grafana.enabled) as true },
  };
}
