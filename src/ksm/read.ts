// kube-state-metrics' custom-resource-state config as written (the ConfigMap it mounts): the metric names it will
// export and the resources it will watch, whatever patches did to it.
import { DEFAULT_PREFIX } from './config';

export interface WrittenCustomResource {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly metricNames: string[];
}

type Raw = Record<string, unknown>;

/** The resources of a CustomResourceStateMetrics document (`config.yaml` of the ConfigMap). */
export function customResourcesFromConfig(config: unknown): WrittenCustomResource[] {
  const resources = ((config as { spec?: { resources?: unknown } } | undefined)?.spec?.resources);
  if (!Array.isArray(resources)) return [];
  return resources.map((r: Raw) => {
    const gvk = (r.groupVersionKind ?? {}) as Raw;
    const prefix = r.metricNamePrefix === undefined ? DEFAULT_PREFIX : String(r.metricNamePrefix);
    const metrics = Array.isArray(r.metrics) ? (r.metrics as Raw[]) : [];
    return {
      group: String(gvk.group ?? ''),
      version: String(gvk.version ?? ''),
      kind: String(gvk.kind ?? ''),
      metricNames: metrics.map((m) => (prefix ? `${prefix}_${String(m.name)}` : String(m.name))),
    };
  });
}
