// Grafana's dashboard sidecar (k8s-sidecar) as written, after patches: where it reads ConfigMaps, and whether what the
// stack writes there makes it fetch URLs. k8s-sidecar replaces a key ending `.url` (in data or binaryData) by what it
// downloads from that URL (resources.py, _get_file_data_and_name) and has no setting to turn that off (1.30.x).
import type { Diagnostic } from '../core/diagnostic';
import { DASHBOARD_SIDECAR } from '../components/grafana';
import type { ModelObject } from '../model/stack-model';
import { objectName } from './object-name';
import { podSources } from './policy';

export interface DashboardSidecarOptions {
  /** `grafana.allowDashboardUrls`: keys ending `.url` are allowed. */
  readonly allowUrls: boolean;
}

interface WrittenSidecar {
  readonly where: string;
  /** The namespaces it watches; undefined: every namespace (`ALL`). */
  readonly namespaces: ReadonlySet<string> | undefined;
  readonly label: string;
  readonly labelValue: string | undefined;
  readonly kinds: ReadonlySet<string>;
}

/** Every dashboard sidecar container of the written workloads, read as k8s-sidecar reads its environment. */
function sidecarsOf(objects: readonly ModelObject[]): WrittenSidecar[] {
  return podSources(objects).flatMap((pod) => (pod.spec.containers ?? []).filter((c) => c.name === DASHBOARD_SIDECAR).flatMap((c) => {
    const env = new Map((c.env ?? []).filter((e) => typeof e.value === 'string').map((e) => [e.name, e.value as string]));
    const label = env.get('LABEL');
    if (label === undefined) return [];
    // sidecar.py: NAMESPACE defaults to the pod's own namespace and is split on ',', each entry `ALL` or one namespace.
    const namespaces = (env.get('NAMESPACE') ?? pod.namespace ?? '').split(',');
    const resource = env.get('RESOURCE') ?? 'configmap';
    return [{
      where: `${pod.where} › ${c.name} › env NAMESPACE`,
      namespaces: namespaces.includes('ALL') ? undefined : new Set(namespaces),
      label,
      labelValue: env.get('LABEL_VALUE') || undefined,
      kinds: new Set(resource === 'both' ? ['ConfigMap', 'Secret'] : resource === 'secret' ? ['Secret'] : ['ConfigMap']),
    }];
  }));
}

export function analyzeDashboardSidecar(objects: readonly ModelObject[], options: DashboardSidecarOptions): Diagnostic[] {
  const sidecars = sidecarsOf(objects);
  const diagnostics: Diagnostic[] = sidecars.filter((s) => s.namespaces === undefined).map((s) => ({
    severity: 'warning',
    code: 'grafana/dashboards-from-all-namespaces',
    where: s.where,
    message: `the dashboard sidecar loads ConfigMaps labeled ${s.label}${s.labelValue ? `=${s.labelValue}` : ''} from every namespace: whoever may create one anywhere adds dashboards to Grafana, and a key ending .url makes its pod fetch that URL`,
    fix: 'name the namespaces dashboards come from in grafana.dashboardNamespaces',
  }));
  if (options.allowUrls) return diagnostics;
  for (const { manifest } of objects) {
    const loadedBy = sidecars.find((s) => s.kinds.has(manifest.kind) && manifest.apiVersion === 'v1' &&
      (s.namespaces === undefined || manifest.metadata.namespace === undefined || s.namespaces.has(manifest.metadata.namespace)) &&
      manifest.metadata.labels?.[s.label] !== undefined && (s.labelValue === undefined || manifest.metadata.labels[s.label] === s.labelValue));
    if (!loadedBy) continue;
    for (const field of ['data', 'binaryData'] as const) {
      for (const key of Object.keys(((manifest as unknown as Record<string, unknown>)[field] ?? {}) as object).filter((k) => k.endsWith('.url'))) {
        diagnostics.push({
          severity: 'error',
          code: 'grafana/dashboard-url',
          where: `${objectName(manifest)} › ${field}.${key}`,
          message: 'the dashboard sidecar would download this key\'s content from the URL it holds, from inside the cluster (k8s-sidecar cannot turn that off)',
          fix: 'put the dashboard JSON itself in the ConfigMap (grafana.dashboardFiles), or set grafana.allowDashboardUrls: true',
        });
      }
    }
  }
  return diagnostics;
}
