// Dashboards about pod network traffic, from cAdvisor's container_network_* counters: the cluster by namespace,
// a namespace by pod or by workload, one pod by interface, and one workload by pod.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import { POD_OWNER } from './k8s-recordings';
import { drillDown, mergedTable, type TableColumn } from './tables';

const CADVISOR = `job="kubelet", metrics_path="/metrics/cadvisor", ${CLUSTER}`;
const NODE_EXPORTER = `job="node-exporter", ${CLUSTER}`;
const NS = 'namespace="$namespace"';

const UID = {
  cluster: 'o11y-k8s-networking-cluster',
  namespacePods: 'o11y-k8s-networking-namespace-pods',
  namespaceWorkloads: 'o11y-k8s-networking-namespace-workloads',
  pod: 'o11y-k8s-networking-pod',
  workload: 'o11y-k8s-networking-workload',
};
const TAGS = ['kubernetes', 'kubernetes-networking'];

type Direction = 'receive' | 'transmit';
type Measure = 'bytes' | 'packets' | 'packets_dropped' | 'errors';

const MEASURES: ReadonlyArray<{ measure: Measure; row: string; unit: string }> = [
  { measure: 'bytes', row: 'Bandwidth', unit: 'Bps' },
  { measure: 'packets', row: 'Packets', unit: 'pps' },
  { measure: 'packets_dropped', row: 'Packets dropped', unit: 'pps' },
  { measure: 'errors', row: 'Errors', unit: 'pps' },
];
/** A panel's or column's title: `Received bandwidth`, `Transmitted packets dropped`... */
const titleOf = (name: string, row: string) => `${name} ${row.toLowerCase()}`;
const DIRECTIONS: ReadonlyArray<{ direction: Direction; name: string }> = [
  { direction: 'receive', name: 'Received' },
  { direction: 'transmit', name: 'Transmitted' },
];
/** The per-pod rates the kubernetes-apps recording rules keep (the others are computed from cAdvisor here). */
const RECORDED = new Set<Measure>(['bytes', 'packets_dropped']);

const counter = (direction: Direction, measure: Measure) => `container_network_${direction}_${measure}_total`;

/** The rate of one counter per namespace and pod, `selector` narrowing it (e.g. to a namespace). */
function podRate(direction: Direction, measure: Measure, selector: string): string {
  const narrowed = selector ? `, ${selector}` : '';
  return RECORDED.has(measure)
    ? `namespace_pod:${counter(direction, measure)}:sum_rate5m{${CLUSTER}${narrowed}}`
    : `sum by (namespace, pod) (rate(${counter(direction, measure)}{${CADVISOR}, namespace!="", pod!=""${narrowed}}[$__rate_interval]))`;
}

/** How per-pod rates become the series of a panel: summed by namespace, by pod, or joined to workloads. */
type Aggregate = (perPod: string) => string;

/** One row per measure, with a received and a transmitted panel, aggregated by `aggregate`. */
function addTrafficRows(d: DashboardBuilder, aggregate: Aggregate, selector: string, legend: string): void {
  for (const { measure, row, unit } of MEASURES) {
    d.withRow(new RowBuilder(row));
    for (const { direction, name } of DIRECTIONS) {
      d.withPanel(timeseries(titleOf(name, row), unit, query(aggregate(podRate(direction, measure, selector)), legend)).min(0));
    }
  }
}

/** The current rate of every counter, one column each, aggregated by `aggregate`. */
function trafficColumns(aggregate: Aggregate, selector: string): TableColumn[] {
  return MEASURES.flatMap(({ measure, row, unit }) =>
    DIRECTIONS.map(({ direction, name }) => ({ header: titleOf(name, row), expr: aggregate(podRate(direction, measure, selector)), unit })));
}

/** Total received and transmitted bandwidth and drops, as stats. */
function addHeadlines(d: DashboardBuilder, total: Aggregate, selector: string): void {
  d.withRow(new RowBuilder('Headlines'));
  for (const measure of ['bytes', 'packets_dropped'] as const) {
    const { row, unit } = MEASURES.find((m) => m.measure === measure)!;
    for (const { direction, name } of DIRECTIONS) {
      const panel = stat(titleOf(name, row), unit, query(total(podRate(direction, measure, selector)))).span(6);
      d.withPanel(measure === 'packets_dropped' ? panel.description('Packets the pods\' network interfaces dropped, per second.') : panel);
    }
  }
}

const sumBy = (labels: string): Aggregate => (expr) => `sum by (${labels}) (${expr})`;
const total: Aggregate = (expr) => `sum(${expr})`;

/** Per-pod rates joined with the workload of each pod (the pod owner recording rule), summed by `by`. */
function byWorkload(ownerFilter: string, by: string): Aggregate {
  return (expr) => `${by ? `sum by (${by})` : 'sum'} (\n  ${expr}\n  * on (namespace, pod) group_left (workload, workload_type)\n  ${POD_OWNER}{${CLUSTER}, ${ownerFilter}}\n)`;
}

const namespaceVariable = () => labelVariable('namespace', 'kube_namespace_status_phase', 'Namespace', true, 'job="kube-state-metrics"');
/** `$type` lists the `workload_type` label. */
const typeVariable = () =>
  labelVariable('type', POD_OWNER, 'Workload type', true, NS, true).query(`label_values(${POD_OWNER}{${CLUSTER}, ${NS}}, workload_type)`);

function clusterDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.cluster,
    title: 'Kubernetes / Networking / Cluster',
    tags: TAGS,
    description: 'Network traffic of every pod of the cluster, by namespace: bandwidth, packets, drops and errors, and TCP retransmits per node.',
  });
  addHeadlines(d, total, '');
  d.withRow(new RowBuilder('Namespaces'))
    .withPanel(mergedTable('Current traffic by namespace', [['namespace', 'Namespace']], trafficColumns(sumBy('namespace'), ''), {
      Namespace: drillDown('Namespace (Pods)', UID.namespacePods, 'var-namespace=${__value.raw}'),
    }).description('Rates now, per namespace: follow a namespace to its pods.'));
  addTrafficRows(d, sumBy('namespace'), '', '{{namespace}}');

  const tcp = (metric: string) => `sum by (instance) (rate(${metric}{${NODE_EXPORTER}}[$__rate_interval]))`;
  d.withRow(new RowBuilder('TCP'))
    .withPanel(timeseries('TCP retransmits by node', 'percentunit',
      query(`${tcp('node_netstat_Tcp_RetransSegs')}\n/ ${tcp('node_netstat_Tcp_OutSegs')}`, '{{instance}}')).min(0).span(24)
      .description('Share of the TCP segments each node sent that were retransmissions (node-exporter): lost packets or an overloaded peer.'));
  return d;
}

function namespacePodsDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.namespacePods,
    title: 'Kubernetes / Networking / Namespace (Pods)',
    tags: TAGS,
    description: 'Network traffic of the pods of one namespace: bandwidth, packets, drops and errors per pod.',
    variables: [namespaceVariable()],
  });
  addHeadlines(d, total, NS);
  d.withRow(new RowBuilder('Pods'))
    .withPanel(mergedTable('Current traffic by pod', [['pod', 'Pod']], trafficColumns(sumBy('pod'), NS), {
      Pod: drillDown('Pod', UID.pod, '${namespace:queryparam}&var-pod=${__value.raw}'),
    }));
  addTrafficRows(d, sumBy('pod'), NS, '{{pod}}');
  return d;
}

function namespaceWorkloadsDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.namespaceWorkloads,
    title: 'Kubernetes / Networking / Namespace (Workload)',
    tags: TAGS,
    description: 'Network traffic of the workloads (Deployments, StatefulSets, DaemonSets, Jobs...) of one namespace.',
    variables: [namespaceVariable(), typeVariable()],
  });
  const owners = `${NS}, workload_type=~"$type"`;
  addHeadlines(d, byWorkload(owners, ''), NS);
  d.withRow(new RowBuilder('Workloads'))
    .withPanel(mergedTable('Current traffic by workload', [['workload', 'Workload'], ['workload_type', 'Type']],
      trafficColumns(byWorkload(owners, 'workload, workload_type'), NS), {
        Workload: drillDown('Workload', UID.workload, '${namespace:queryparam}&${type:queryparam}&var-workload=${__value.raw}'),
      }));
  addTrafficRows(d, byWorkload(owners, 'workload, workload_type'), NS, '{{workload}} ({{workload_type}})');
  return d;
}

function podDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.pod,
    title: 'Kubernetes / Networking / Pod',
    tags: TAGS,
    description: 'Network traffic of one pod, per network interface: bandwidth, packets, drops and errors.',
    variables: [namespaceVariable(), labelVariable('pod', 'kube_pod_info', 'Pod', true, NS)],
  });
  const byInterface = (direction: Direction, measure: Measure) =>
    `sum by (interface) (rate(${counter(direction, measure)}{${CADVISOR}, ${NS}, pod="$pod"}[$__rate_interval]))`;
  addHeadlines(d, total, `${NS}, pod="$pod"`);
  for (const { measure, row, unit } of MEASURES) {
    d.withRow(new RowBuilder(row));
    for (const { direction, name } of DIRECTIONS) {
      d.withPanel(timeseries(titleOf(name, row), unit, query(byInterface(direction, measure), '{{interface}}')).min(0));
    }
  }
  return d;
}

function workloadDashboard(): DashboardBuilder {
  const owners = `${NS}, workload_type=~"$type", workload="$workload"`;
  const d = dashboard({
    uid: UID.workload,
    title: 'Kubernetes / Networking / Workload',
    tags: TAGS,
    description: 'Network traffic of the pods of one workload: bandwidth, packets, drops and errors per pod.',
    variables: [namespaceVariable(), typeVariable(), labelVariable('workload', POD_OWNER, 'Workload', true, `${NS}, workload_type=~"$type"`)],
  });
  addHeadlines(d, byWorkload(owners, ''), NS);
  d.withRow(new RowBuilder('Pods'))
    .withPanel(mergedTable('Current traffic by pod', [['pod', 'Pod']], trafficColumns(byWorkload(owners, 'pod'), NS), {
      Pod: drillDown('Pod', UID.pod, '${namespace:queryparam}&var-pod=${__value.raw}'),
    }));
  addTrafficRows(d, byWorkload(owners, 'pod'), NS, '{{pod}}');
  return d;
}

export function networkingDashboards(): DashboardBuilder[] {
  return [clusterDashboard(), namespacePodsDashboard(), namespaceWorkloadsDashboard(), podDashboard(), workloadDashboard()];
}
