import type { KubernetesObject } from '../core/primitives';

/** How diagnostics name an object: `Deployment monitoring/grafana`, `ClusterRole grafana`. */
export function objectName(manifest: KubernetesObject): string {
  const { name, namespace } = manifest.metadata ?? { name: '?' };
  return `${manifest.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}
