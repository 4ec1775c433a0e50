// Dashboards about compute resources across clusters (by the `cluster` label) and of the pods of one node.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import { CPU_USAGE, MEMORY_WORKING_SET, NAMESPACE_CPU_USAGE, NAMESPACE_MEMORY_USAGE, active, activeUsageColumns, perNamespace } from './k8s-recordings';
import { drillDown, mergedTable, usageColumns } from './tables';

const KSM = `job="kube-state-metrics", ${CLUSTER}`;
const NODE = 'node="$node"';
/** The clusters the multi-cluster variable selects (several, or All). */
const CLUSTERS = 'cluster=~"$cluster"';

export const COMPUTE_UID = {
  multiCluster: 'o11y-k8s-resources-multicluster',
  node: 'o11y-k8s-resources-node',
  /** The dashboards of kubernetes.ts these link to. */
  cluster: 'o11y-k8s-resources-cluster',
  pod: 'o11y-k8s-resources-pod',
};
const TAGS = ['kubernetes', 'kubernetes-resources'];
const UTILISATION: Array<[number, string]> = [[0.8, 'orange'], [0.9, 'red']];

function multiClusterDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: COMPUTE_UID.multiCluster,
    title: 'Kubernetes / Compute Resources / Multi-Cluster',
    tags: TAGS,
    description: 'CPU and memory of several clusters side by side (by their `cluster` label): usage against requests, limits and allocatable resources.',
    multiCluster: true,
  });
  const byCluster = (expr: string) => `sum by (cluster) (${expr})`;
  const allocatable = (resource: string) => byCluster(`kube_node_status_allocatable{job="kube-state-metrics", ${CLUSTERS}, resource="${resource}"}`);
  const cpuUsage = byCluster(`${NAMESPACE_CPU_USAGE}{${CLUSTERS}}`);
  const memoryUsage = byCluster(`${NAMESPACE_MEMORY_USAGE}{${CLUSTERS}}`);

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Clusters', 'short', query(`count(count by (cluster) (up{${CLUSTERS}}))`)).span(6))
    .withPanel(stat('CPU utilisation', 'percentunit', query(`sum(${cpuUsage})\n/ sum(${allocatable('cpu')})`), UTILISATION).span(6)
      .description('CPU used by the containers of all selected clusters, as a share of their allocatable CPU.'))
    .withPanel(stat('Memory utilisation', 'percentunit', query(`sum(${memoryUsage})\n/ sum(${allocatable('memory')})`), UTILISATION).span(6)
      .description('Working set memory of the containers of all selected clusters, as a share of their allocatable memory.'))
    .withPanel(stat('CPU requests commitment', 'percentunit', query(
      `sum(${perNamespace('cpu', 'requests')}{${CLUSTERS}})\n/ sum(${allocatable('cpu')})`), UTILISATION).span(6));

  d.withRow(new RowBuilder('CPU and memory'))
    .withPanel(timeseries('CPU usage by cluster', 'short', query(cpuUsage, '{{cluster}}')).min(0))
    .withPanel(timeseries('Memory usage (working set) by cluster', 'bytes', query(memoryUsage, '{{cluster}}')).min(0));

  // The link leaves this dashboard's multi-value cluster behind: the target shows the one cluster of the row.
  const clusterLink = { Cluster: drillDown('Compute resources of the cluster', COMPUTE_UID.cluster, 'var-cluster=${__value.raw}', ['datasource']) };
  d.withRow(new RowBuilder('Clusters'))
    .withPanel(mergedTable('CPU by cluster', [['cluster', 'Cluster']], [
      ...usageColumns('CPU', 'short', cpuUsage, byCluster(`${perNamespace('cpu', 'requests')}{${CLUSTERS}}`), byCluster(`${perNamespace('cpu', 'limits')}{${CLUSTERS}}`)),
      { header: 'CPU allocatable', expr: allocatable('cpu'), unit: 'short' },
    ], clusterLink))
    .withPanel(mergedTable('Memory by cluster', [['cluster', 'Cluster']], [
      ...usageColumns('Memory', 'bytes', memoryUsage, byCluster(`${perNamespace('memory', 'requests')}{${CLUSTERS}}`), byCluster(`${perNamespace('memory', 'limits')}{${CLUSTERS}}`)),
      { header: 'Memory allocatable', expr: allocatable('memory'), unit: 'bytes' },
    ], clusterLink));
  return d;
}

function nodePodsDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: COMPUTE_UID.node,
    title: 'Kubernetes / Compute Resources / Node (Pods)',
    tags: TAGS,
    description: 'CPU and memory of the pods of one node, against their requests and limits and the node\'s allocatable resources.',
    variables: [labelVariable('node', 'kube_node_info', 'Node', true, 'job="kube-state-metrics"')],
  });
  const sel = `${CLUSTER}, ${NODE}`;
  const allocatable = (resource: string) => `sum(kube_node_status_allocatable{${KSM}, ${NODE}, resource="${resource}"})`;
  const byPod = (expr: string) => `sum by (namespace, pod) (${expr})`;
  const spec = (resource: 'cpu' | 'memory', kind: 'requests' | 'limits') => `sum(${active(resource, kind)}{${sel}})`;
  const share = (resource: 'cpu' | 'memory', kind: 'requests' | 'limits') => `${spec(resource, kind)}\n/ ${allocatable(resource)}`;
  const commitment: Array<[number, string]> = [[0.8, 'orange'], [1, 'red']];

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Pods', 'short', query(`count(kube_pod_info{${KSM}, ${NODE}})`)).span(4))
    .withPanel(stat('CPU requests commitment', 'percentunit', query(share('cpu', 'requests')), commitment).span(4)
      .description('CPU requested by the node\'s Pending and Running pods, as a share of its allocatable CPU.'))
    .withPanel(stat('CPU limits commitment', 'percentunit', query(share('cpu', 'limits')), [[1, 'orange']]).span(4)
      .description('CPU limits of the node\'s pods, as a share of its allocatable CPU (above 100%: overcommitted).'))
    .withPanel(stat('CPU utilisation', 'percentunit', query(`sum(${CPU_USAGE}{${sel}})\n/ ${allocatable('cpu')}`), UTILISATION).span(4))
    .withPanel(stat('Memory requests commitment', 'percentunit', query(share('memory', 'requests')), commitment).span(4))
    .withPanel(stat('Memory limits commitment', 'percentunit', query(share('memory', 'limits')), [[1, 'orange']]).span(4));

  const podColumns: Array<[string, string]> = [['namespace', 'Namespace'], ['pod', 'Pod']];
  const podLink = { Pod: drillDown('Pod', COMPUTE_UID.pod, 'var-namespace=${__data.fields.namespace}&var-pod=${__value.raw}') };
  d.withRow(new RowBuilder('CPU'))
    .withPanel(timeseries('CPU usage', 'short',
      query(`sum by (pod) (${CPU_USAGE}{${sel}})`, '{{pod}}'),
      query(allocatable('cpu'), 'allocatable'),
    ).min(0).span(24).description('CPU cores used by each pod of the node, and what the node can give its pods.'))
    .withPanel(mergedTable('CPU quota', podColumns, activeUsageColumns('cpu', byPod, sel), podLink));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(timeseries('Memory usage (working set)', 'bytes',
      query(`sum by (pod) (${MEMORY_WORKING_SET}{${sel}})`, '{{pod}}'),
      query(allocatable('memory'), 'allocatable'),
    ).min(0).span(24).description('Working set memory of each pod of the node, and what the node can give its pods.'))
    .withPanel(mergedTable('Memory quota', podColumns, activeUsageColumns('memory', byPod, sel), podLink));
  return d;
}

export function kubernetesComputeDashboards(): DashboardBuilder[] {
  return [multiClusterDashboard(), nodePodsDashboard()];
}
