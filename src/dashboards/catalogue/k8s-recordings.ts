// The recording rules (k8s.rules.*) that kubernetes.ts, kubernetes-compute.ts and networking.ts query: one spelling each.
import { type TableColumn, usageColumns } from './tables';

export const CPU_USAGE = 'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m';
export const MEMORY_WORKING_SET = 'node_namespace_pod_container:container_memory_working_set_bytes';
export const MEMORY_RSS = 'node_namespace_pod_container:container_memory_rss';
export const MEMORY_CACHE = 'node_namespace_pod_container:container_memory_cache';
export const MEMORY_SWAP = 'node_namespace_pod_container:container_memory_swap';
export const NAMESPACE_CPU_USAGE = 'namespace:container_cpu_usage_seconds_total:sum_rate5m';
export const NAMESPACE_MEMORY_USAGE = 'namespace:container_memory_working_set_bytes:sum';
export const POD_OWNER = 'namespace_workload_pod:kube_pod_owner:relabel';

type Resource = 'cpu' | 'memory';
type Kind = 'requests' | 'limits';

/** Requests or limits of the containers of Pending and Running pods (with the pod's `node`). */
export const active = (resource: Resource, kind: Kind) => `cluster:namespace:pod_${resource}:active:kube_pod_container_resource_${kind}`;
/** Requests or limits summed per namespace. */
export const perNamespace = (resource: Resource, kind: Kind) => `namespace_${resource}:kube_pod_container_resource_${kind}:sum`;
/** Pod network rates per pod (receive/transmit bytes or dropped packets). */
export const podNetwork = (direction: 'receive' | 'transmit', what: 'bytes' | 'packets_dropped') =>
  `namespace_pod:container_network_${direction}_${what}_total:sum_rate5m`;

/** usageColumns of the containers of active pods (working set for memory), each query aggregated by `aggregate`. */
export function activeUsageColumns(resource: Resource, aggregate: (expr: string) => string, selector: string): TableColumn[] {
  const [name, unit, usage] = resource === 'cpu' ? ['CPU', 'short', CPU_USAGE] : ['Memory', 'bytes', MEMORY_WORKING_SET];
  const of = (metric: string) => aggregate(`${metric}{${selector}}`);
  return usageColumns(name, unit, of(usage), of(active(resource, 'requests')), of(active(resource, 'limits')));
}
