// Dashboards about compute resources of the cluster, namespaces, pods, workloads and persistent volumes.
import { BigValueTextMode } from '@grafana/grafana-foundation-sdk/common';
import { MappingType, type QueryVariableBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import type { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import {
  CPU_USAGE, MEMORY_CACHE, MEMORY_RSS, MEMORY_SWAP, MEMORY_WORKING_SET, NAMESPACE_CPU_USAGE, NAMESPACE_MEMORY_USAGE, POD_OWNER,
  activeUsageColumns, perNamespace, podNetwork,
} from './k8s-recordings';
import { drillDown, mergedTable, type TableColumn, usageColumns } from './tables';

// ---- selectors ----
const KSM = `job="kube-state-metrics", ${CLUSTER}`;
const CADVISOR = `job="kubelet", metrics_path="/metrics/cadvisor", ${CLUSTER}`;
const KUBELET = `job="kubelet", metrics_path="/metrics", ${CLUSTER}`;
const NODE = `job="node-exporter", ${CLUSTER}`;
const NS = 'namespace="$namespace"';
const POD = 'pod="$pod"';
/** Block devices whose I/O cAdvisor reports per container (not loop devices, not overlay filesystems). */
const DISK_DEVICES = 'device=~"(/dev/)?(mmcblk.p.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|md.+|dasd.+)"';

const UID = {
  cluster: 'o11y-k8s-resources-cluster',
  namespace: 'o11y-k8s-resources-namespace',
  workloads: 'o11y-k8s-resources-workloads-namespace',
  pod: 'o11y-k8s-resources-pod',
  workload: 'o11y-k8s-resources-workload',
  volumes: 'o11y-k8s-persistentvolumes',
};
const TAGS = ['kubernetes', 'kubernetes-resources'];

// ---- small presets of this file ----

/** A variable whose name differs from the label it lists (e.g. `$type` lists `workload_type`). */
function renamedLabelVariable(name: string, display: string, metric: string, label: string, filter: string, includeAll = false): QueryVariableBuilder {
  return labelVariable(name, metric, display, true, filter, includeAll).query(`label_values(${metric}{${CLUSTER}, ${filter}}, ${label})`);
}

const namespaceVariable = () => labelVariable('namespace', 'kube_namespace_status_phase', 'Namespace', true, 'job="kube-state-metrics"');
const typeVariable = () => renamedLabelVariable('type', 'Workload type', POD_OWNER, 'workload_type', NS, true);

/** A stat showing the name of the series (e.g. a phase) rather than its value. */
function nameStat(title: string, expr: string, legend: string): StatPanel {
  return stat(title, 'none', query(expr, legend)).textMode(BigValueTextMode.Name).noValue('unknown');
}

// ---- dashboards ----

/** A Network row: bandwidth and dropped packets, received and transmitted, aggregated by `aggregate`. */
function addNetworkRow(d: DashboardBuilder, aggregate: (expr: string) => string, selector: string, legend: string, titleSuffix = ''): void {
  d.withRow(new RowBuilder('Network'));
  for (const panel of networkPanels(aggregate, selector, legend, titleSuffix)) d.withPanel(panel);
}

function networkPanels(aggregate: (expr: string) => string, selector: string, legend: string, titleSuffix: string): TimeseriesPanel[] {
  const panel = (title: string, unit: string, direction: 'receive' | 'transmit', what: 'bytes' | 'packets_dropped') =>
    timeseries(`${title}${titleSuffix}`, unit, query(aggregate(`${podNetwork(direction, what)}{${selector}}`), legend));
  return [
    panel('Receive bandwidth', 'Bps', 'receive', 'bytes'),
    panel('Transmit bandwidth', 'Bps', 'transmit', 'bytes'),
    panel('Received packets dropped', 'pps', 'receive', 'packets_dropped'),
    panel('Transmitted packets dropped', 'pps', 'transmit', 'packets_dropped'),
  ];
}

function clusterDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.cluster,
    title: 'Kubernetes / Compute Resources / Cluster',
    tags: TAGS,
    description: 'CPU, memory and network of the whole cluster, by namespace: usage against requests, limits and allocatable resources.',
  });
  const allocatable = (resource: string) => `sum(kube_node_status_allocatable{${KSM}, resource="${resource}"})`;
  const commitment = (resource: 'cpu' | 'memory', kind: 'requests' | 'limits') =>
    `sum(${perNamespace(resource, kind)}{${CLUSTER}})\n/ ${allocatable(resource)}`;
  const utilisation: Array<[number, string]> = [[0.8, 'orange'], [0.9, 'red']];

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('CPU utilisation', 'percentunit', query(
      `sum(instance:node_cpu_utilisation:rate5m{${NODE}} * instance:node_num_cpu:sum{${NODE}})\n/ sum(instance:node_num_cpu:sum{${NODE}})`,
    ), utilisation).description('Busy share of all nodes\' CPUs (node-exporter).'))
    .withPanel(stat('CPU requests commitment', 'percentunit', query(commitment('cpu', 'requests')), utilisation)
      .description('CPU requested by Pending and Running pods, as a share of the allocatable CPU of all nodes.'))
    .withPanel(stat('CPU limits commitment', 'percentunit', query(commitment('cpu', 'limits')), [[1, 'orange']])
      .description('CPU limits of Pending and Running pods, as a share of the allocatable CPU of all nodes (above 100%: overcommitted).'))
    .withPanel(stat('Memory utilisation', 'percentunit', query(
      `1 - sum(node_memory_MemAvailable_bytes{${NODE}})\n/ sum(node_memory_MemTotal_bytes{${NODE}})`,
    ), utilisation).description('Share of all nodes\' memory not available to new processes (node-exporter).'))
    .withPanel(stat('Memory requests commitment', 'percentunit', query(commitment('memory', 'requests')), utilisation)
      .description('Memory requested by Pending and Running pods, as a share of the allocatable memory of all nodes.'))
    .withPanel(stat('Memory limits commitment', 'percentunit', query(commitment('memory', 'limits')), [[1, 'orange']])
      .description('Memory limits of Pending and Running pods, as a share of the allocatable memory of all nodes (above 100%: overcommitted).'));

  d.withRow(new RowBuilder('CPU and memory'))
    .withPanel(timeseries('CPU usage by namespace', 'short', query(`sum by (namespace) (${NAMESPACE_CPU_USAGE}{${CLUSTER}})`, '{{namespace}}'))
      .description('CPU cores used by the containers of each namespace.'))
    .withPanel(timeseries('Memory usage (working set) by namespace', 'bytes', query(`sum by (namespace) (${NAMESPACE_MEMORY_USAGE}{${CLUSTER}})`, '{{namespace}}'))
      .description('Working set memory of the containers of each namespace.'));

  const byNs = (expr: string) => `sum by (namespace) (${expr})`;
  d.withRow(new RowBuilder('Namespaces'))
    .withPanel(mergedTable('Resources by namespace', [['namespace', 'Namespace']], [
      { header: 'Pods', expr: `count by (namespace) (kube_pod_info{${KSM}})`, unit: 'short' },
      { header: 'Workloads', expr: `count by (namespace) (count by (namespace, workload, workload_type) (${POD_OWNER}{${CLUSTER}}))`, unit: 'short' },
      { header: 'CPU usage', expr: byNs(`${NAMESPACE_CPU_USAGE}{${CLUSTER}}`), unit: 'short' },
      { header: 'CPU requests', expr: byNs(`${perNamespace('cpu', 'requests')}{${CLUSTER}}`), unit: 'short' },
      { header: 'CPU limits', expr: byNs(`${perNamespace('cpu', 'limits')}{${CLUSTER}}`), unit: 'short' },
      { header: 'Memory usage', expr: byNs(`${NAMESPACE_MEMORY_USAGE}{${CLUSTER}}`), unit: 'bytes' },
      { header: 'Memory requests', expr: byNs(`${perNamespace('memory', 'requests')}{${CLUSTER}}`), unit: 'bytes' },
      { header: 'Memory limits', expr: byNs(`${perNamespace('memory', 'limits')}{${CLUSTER}}`), unit: 'bytes' },
    ], { Namespace: drillDown('Namespace (Pods)', UID.namespace, 'var-namespace=${__value.raw}') })
      .description('Pods, workloads, and CPU and memory usage, requests and limits of Pending and Running pods, per namespace.'));

  addNetworkRow(d, byNs, CLUSTER, '{{namespace}}', ' by namespace');
  return d;
}

function namespaceDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.namespace,
    title: 'Kubernetes / Compute Resources / Namespace (Pods)',
    tags: TAGS,
    description: 'CPU, memory, network and storage I/O of the pods of one namespace, against their requests, limits and the namespace\'s quotas.',
    variables: [namespaceVariable()],
  });
  const sel = `${CLUSTER}, ${NS}`;
  const quota = (resource: string) => `min(kube_resourcequota{${KSM}, ${NS}, type="hard", resource=~"${resource}"})`;
  const byPod = (expr: string) => `sum by (pod) (${expr})`;
  const ratio: Array<[number, string]> = [[0.8, 'orange'], [1, 'red']];

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('CPU utilisation (of requests)', 'percentunit', query(`sum(${CPU_USAGE}{${sel}})\n/ sum(${perNamespace('cpu', 'requests')}{${sel}})`), ratio).span(6))
    .withPanel(stat('CPU utilisation (of limits)', 'percentunit', query(`sum(${CPU_USAGE}{${sel}})\n/ sum(${perNamespace('cpu', 'limits')}{${sel}})`), ratio).span(6))
    .withPanel(stat('Memory utilisation (of requests)', 'percentunit', query(`sum(${MEMORY_WORKING_SET}{${sel}})\n/ sum(${perNamespace('memory', 'requests')}{${sel}})`), ratio).span(6))
    .withPanel(stat('Memory utilisation (of limits)', 'percentunit', query(`sum(${MEMORY_WORKING_SET}{${sel}})\n/ sum(${perNamespace('memory', 'limits')}{${sel}})`), ratio).span(6));

  const podLink = { Pod: drillDown('Pod', UID.pod, '${namespace:queryparam}&var-pod=${__value.raw}') };
  d.withRow(new RowBuilder('CPU'))
    .withPanel(timeseries('CPU usage', 'short',
      query(byPod(`${CPU_USAGE}{${sel}}`), '{{pod}}'),
      query(quota('requests.cpu|cpu'), 'quota - requests'),
      query(quota('limits.cpu'), 'quota - limits'),
    ).span(24).description('CPU cores used by each pod, and the namespace\'s ResourceQuota (if any).'))
    .withPanel(mergedTable('CPU quota', [['pod', 'Pod']], activeUsageColumns('cpu', byPod, sel), podLink));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(timeseries('Memory usage (working set)', 'bytes',
      query(byPod(`${MEMORY_WORKING_SET}{${sel}}`), '{{pod}}'),
      query(quota('requests.memory|memory'), 'quota - requests'),
      query(quota('limits.memory'), 'quota - limits'),
    ).span(24).description('Working set memory of each pod, and the namespace\'s ResourceQuota (if any).'))
    .withPanel(mergedTable('Memory quota', [['pod', 'Pod']], [
      ...activeUsageColumns('memory', byPod, sel),
      { header: 'Memory usage (RSS)', expr: byPod(`${MEMORY_RSS}{${sel}}`), unit: 'bytes' },
      { header: 'Memory usage (cache)', expr: byPod(`${MEMORY_CACHE}{${sel}}`), unit: 'bytes' },
    ], podLink));

  addNetworkRow(d, byPod, sel, '{{pod}}');

  const fs = (metric: string) => `rate(${metric}{${CADVISOR}, ${NS}, container!="", ${DISK_DEVICES}}[$__rate_interval])`;
  const storageNote = 'Block I/O of the containers, as cAdvisor reports it (empty where the container runtime or cgroup version does not expose it).';
  d.withRow(new RowBuilder('Storage I/O'))
    .withPanel(timeseries('IOPS (reads + writes)', 'iops',
      query(`sum by (pod) (${fs('container_fs_reads_total')})\n+ sum by (pod) (${fs('container_fs_writes_total')})`, '{{pod}}'),
    ).description(storageNote))
    .withPanel(timeseries('Throughput (read + write)', 'Bps',
      query(`sum by (pod) (${fs('container_fs_reads_bytes_total')})\n+ sum by (pod) (${fs('container_fs_writes_bytes_total')})`, '{{pod}}'),
    ).description(storageNote));
  return d;
}

/** `expr` (per namespace and pod) joined with the workload of each pod and summed by `by`. */
function joinWorkload(expr: string, ownerFilter: string, by: string): string {
  return `${by ? `sum by (${by})` : 'sum'} (\n  ${expr}\n  * on (namespace, pod) group_left (workload, workload_type)\n  ${POD_OWNER}{${CLUSTER}, ${ownerFilter}}\n)`;
}

function workloadsDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.workloads,
    title: 'Kubernetes / Compute Resources / Namespace (Workloads)',
    tags: TAGS,
    description: 'CPU, memory and network of the workloads (Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, bare ReplicaSets) of one namespace.',
    variables: [namespaceVariable(), typeVariable()],
  });
  const owners = `${NS}, workload_type=~"$type"`;
  const sel = `${CLUSTER}, ${NS}`;
  const by = 'workload, workload_type';
  const byWorkload = (expr: string) => joinWorkload(expr, owners, by);

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Workloads', 'short', query(`count(count by (workload, workload_type) (${POD_OWNER}{${CLUSTER}, ${owners}}))`)).span(6))
    .withPanel(stat('Pods', 'short', query(`count(${POD_OWNER}{${CLUSTER}, ${owners}})`)).span(6))
    .withPanel(stat('CPU usage', 'short', query(joinWorkload(`${CPU_USAGE}{${sel}}`, owners, ''))).span(6)
      .description('CPU cores used by the pods of the selected workload types.'))
    .withPanel(stat('Memory usage (working set)', 'bytes', query(joinWorkload(`${MEMORY_WORKING_SET}{${sel}}`, owners, ''))).span(6));

  const columns = [['workload', 'Workload'], ['workload_type', 'Type']] as Array<[string, string]>;
  const workloadLink = { Workload: drillDown('Workload', UID.workload, '${namespace:queryparam}&${type:queryparam}&var-workload=${__value.raw}') };
  const pods: TableColumn = { header: 'Pods', expr: `count by (${by}) (${POD_OWNER}{${CLUSTER}, ${owners}})`, unit: 'short' };

  d.withRow(new RowBuilder('CPU'))
    .withPanel(timeseries('CPU usage', 'short', query(byWorkload(`${CPU_USAGE}{${sel}}`), '{{workload}} ({{workload_type}})')).span(24))
    .withPanel(mergedTable('CPU quota', columns, [pods, ...activeUsageColumns('cpu', byWorkload, sel)], workloadLink));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(timeseries('Memory usage (working set)', 'bytes', query(byWorkload(`${MEMORY_WORKING_SET}{${sel}}`), '{{workload}} ({{workload_type}})')).span(24))
    .withPanel(mergedTable('Memory quota', columns, [pods, ...activeUsageColumns('memory', byWorkload, sel)], workloadLink));

  addNetworkRow(d, byWorkload, sel, '{{workload}} ({{workload_type}})');
  return d;
}

function podDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.pod,
    title: 'Kubernetes / Compute Resources / Pod',
    tags: TAGS,
    description: 'CPU, throttling, memory, network and restarts of the containers of one pod, against their requests and limits.',
    variables: [namespaceVariable(), labelVariable('pod', 'kube_pod_info', 'Pod', true, NS)],
  });
  const sel = `${CLUSTER}, ${NS}, ${POD}`;
  const ksm = `${KSM}, ${NS}, ${POD}`;
  const byContainer = (expr: string) => `sum by (container) (${expr})`;
  const spec = (kind: 'requests' | 'limits', resource: string) => `sum(kube_pod_container_resource_${kind}{${ksm}, resource="${resource}"})`;

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(nameStat('Phase', `max by (phase) (kube_pod_status_phase{${ksm}}) == 1`, '{{phase}}').span(6))
    .withPanel(stat('Ready containers', 'percentunit', query(`avg(kube_pod_container_status_ready{${ksm}})`))
      .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'red' }, { value: 1, color: 'green' }])).span(6).description('Share of the pod\'s containers that are ready.'))
    .withPanel(stat('Restarts', 'short', query(`sum(kube_pod_container_status_restarts_total{${ksm}})`), [[1, 'orange'], [5, 'red']]).span(6)
      .description('Container restarts since the pod was created.'))
    .withPanel(stat('Node', 'none', query(`max by (node) (kube_pod_info{${ksm}})`, '{{node}}')).textMode(BigValueTextMode.Name).span(6));

  d.withRow(new RowBuilder('CPU'))
    .withPanel(timeseries('CPU usage', 'short',
      query(byContainer(`${CPU_USAGE}{${sel}}`), '{{container}}'),
      query(spec('requests', 'cpu'), 'requests'),
      query(spec('limits', 'cpu'), 'limits'),
    ).description('CPU cores used by each container; requests and limits are the pod\'s totals.'))
    .withPanel(timeseries('CPU throttling', 'percentunit', query(
      `sum by (container) (increase(container_cpu_cfs_throttled_periods_total{${CADVISOR}, ${NS}, ${POD}, container!=""}[$__rate_interval]))\n` +
      `/ sum by (container) (increase(container_cpu_cfs_periods_total{${CADVISOR}, ${NS}, ${POD}, container!=""}[$__rate_interval]))`,
      '{{container}}',
    )).max(1).description('Share of CFS periods in which the container was throttled for hitting its CPU limit (CPUThrottlingHigh alerts above 25%).'))
    .withPanel(mergedTable('CPU quota', [['container', 'Container']], usageColumns('CPU', 'short',
      byContainer(`${CPU_USAGE}{${sel}}`),
      byContainer(`kube_pod_container_resource_requests{${ksm}, resource="cpu"}`),
      byContainer(`kube_pod_container_resource_limits{${ksm}, resource="cpu"}`),
    )));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(timeseries('Memory usage (working set)', 'bytes',
      query(byContainer(`${MEMORY_WORKING_SET}{${sel}}`), '{{container}}'),
      query(spec('requests', 'memory'), 'requests'),
      query(spec('limits', 'memory'), 'limits'),
    ).description('Working set memory of each container (what the OOM killer and evictions look at); requests and limits are the pod\'s totals.'))
    .withPanel(timeseries('Memory usage by kind', 'bytes',
      query(byContainer(`${MEMORY_WORKING_SET}{${sel}}`), '{{container}} working set'),
      query(byContainer(`${MEMORY_RSS}{${sel}}`), '{{container}} RSS'),
      query(byContainer(`${MEMORY_CACHE}{${sel}}`), '{{container}} cache'),
    ).description('Working set, resident set (anonymous memory) and page cache of each container.'))
    .withPanel(mergedTable('Memory quota', [['container', 'Container']], [
      ...usageColumns('Memory', 'bytes',
        byContainer(`${MEMORY_WORKING_SET}{${sel}}`),
        byContainer(`kube_pod_container_resource_requests{${ksm}, resource="memory"}`),
        byContainer(`kube_pod_container_resource_limits{${ksm}, resource="memory"}`),
      ),
      { header: 'Memory usage (RSS)', expr: byContainer(`${MEMORY_RSS}{${sel}}`), unit: 'bytes' },
      { header: 'Memory usage (cache)', expr: byContainer(`${MEMORY_CACHE}{${sel}}`), unit: 'bytes' },
      { header: 'Memory usage (swap)', expr: byContainer(`${MEMORY_SWAP}{${sel}}`), unit: 'bytes' },
    ]));

  const net = (metric: string) => `sum(rate(${metric}{${CADVISOR}, ${NS}, ${POD}}[$__rate_interval]))`;
  d.withRow(new RowBuilder('Network'))
    .withPanel(timeseries('Bandwidth', 'Bps',
      query(net('container_network_receive_bytes_total'), 'received'),
      query(net('container_network_transmit_bytes_total'), 'transmitted'),
    ).span(8))
    .withPanel(timeseries('Packets', 'pps',
      query(net('container_network_receive_packets_total'), 'received'),
      query(net('container_network_transmit_packets_total'), 'transmitted'),
    ).span(8))
    .withPanel(timeseries('Packets dropped', 'pps',
      query(net('container_network_receive_packets_dropped_total'), 'received'),
      query(net('container_network_transmit_packets_dropped_total'), 'transmitted'),
    ).span(8));

  d.withRow(new RowBuilder('Restarts'))
    .withPanel(timeseries('Container restarts', 'short',
      query(`max by (container) (kube_pod_container_status_restarts_total{${ksm}})`, '{{container}}'),
    ).description('Restarts of each container since the pod was created: every step is a restart.'))
    .withPanel(mergedTable('Last termination', [['container', 'Container'], ['reason', 'Reason']], [
      { header: 'Exit code', expr: `max by (container, reason) (\n  kube_pod_container_status_last_terminated_exitcode{${ksm}}\n  * on (namespace, pod, container) group_left (reason)\n  (kube_pod_container_status_last_terminated_reason{${ksm}} == 1)\n)`, unit: 'none' },
    ]).span(12).height(8).description('Why and with which exit code each container last terminated (OOMKilled, Error, Completed...).'));
  return d;
}

function workloadDashboard(): DashboardBuilder {
  const owners = `${NS}, workload_type=~"$type", workload="$workload"`;
  const d = dashboard({
    uid: UID.workload,
    title: 'Kubernetes / Compute Resources / Workload',
    tags: TAGS,
    description: 'CPU, memory and network of the pods of one workload, against their requests and limits.',
    variables: [
      namespaceVariable(),
      typeVariable(),
      labelVariable('workload', POD_OWNER, 'Workload', true, `${NS}, workload_type=~"$type"`),
    ],
  });
  const sel = `${CLUSTER}, ${NS}`;
  const byPod = (expr: string) => joinWorkload(expr, owners, 'pod');
  const podLink = { Pod: drillDown('Pod', UID.pod, '${namespace:queryparam}&var-pod=${__value.raw}') };

  d.withRow(new RowBuilder('Headlines'))
    .withPanel(stat('Pods', 'short', query(`count(${POD_OWNER}{${CLUSTER}, ${owners}})`)).span(6))
    .withPanel(stat('CPU usage', 'short', query(joinWorkload(`${CPU_USAGE}{${sel}}`, owners, ''))).span(6))
    .withPanel(stat('Memory usage (working set)', 'bytes', query(joinWorkload(`${MEMORY_WORKING_SET}{${sel}}`, owners, ''))).span(6))
    .withPanel(stat('Restarts (time range)', 'short', query(
      joinWorkload(`increase(kube_pod_container_status_restarts_total{${KSM}, ${NS}}[$__range])`, owners, ''),
    ), [[1, 'orange'], [5, 'red']]).span(6).description('Container restarts of the workload\'s pods within the dashboard\'s time range.'));

  d.withRow(new RowBuilder('CPU'))
    .withPanel(timeseries('CPU usage', 'short', query(byPod(`${CPU_USAGE}{${sel}}`), '{{pod}}')).span(24))
    .withPanel(mergedTable('CPU quota', [['pod', 'Pod']], activeUsageColumns('cpu', byPod, sel), podLink));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(timeseries('Memory usage (working set)', 'bytes', query(byPod(`${MEMORY_WORKING_SET}{${sel}}`), '{{pod}}')).span(24))
    .withPanel(mergedTable('Memory quota', [['pod', 'Pod']], activeUsageColumns('memory', byPod, sel), podLink));

  addNetworkRow(d, byPod, sel, '{{pod}}');
  return d;
}

function persistentVolumesDashboard(): DashboardBuilder {
  const d = dashboard({
    uid: UID.volumes,
    title: 'Kubernetes / Persistent Volumes',
    tags: ['kubernetes', 'kubernetes-storage'],
    description: 'Space and inodes used on one PersistentVolumeClaim\'s volume (kubelet), and the status of the claim and its volume (kube-state-metrics).',
    variables: [
      labelVariable('namespace', 'kube_persistentvolumeclaim_info', 'Namespace', true, 'job="kube-state-metrics"'),
      renamedLabelVariable('volume', 'PersistentVolumeClaim', 'kube_persistentvolumeclaim_info', 'persistentvolumeclaim', `job="kube-state-metrics", ${NS}`),
    ],
  });
  const claim = `${NS}, persistentvolumeclaim="$volume"`;
  const kubelet = (metric: string, by = '') => `max${by ? ` by (${by})` : ''} (${metric}{${KUBELET}, ${by ? NS : claim}})`;
  const used: Array<[number, string]> = [[0.85, 'orange'], [0.97, 'red']];

  d.withRow(new RowBuilder('Status'))
    .withPanel(nameStat('Claim phase', `max by (phase) (kube_persistentvolumeclaim_status_phase{${KSM}, ${claim}}) == 1`, '{{phase}}'))
    .withPanel(nameStat('Volume phase', `max by (persistentvolume, phase) (\n  kube_persistentvolume_status_phase{${KSM}}\n  and on (persistentvolume) kube_persistentvolume_claim_ref{${KSM}, claim_namespace="$namespace", name="$volume"}\n) == 1`, '{{persistentvolume}}: {{phase}}'))
    .withPanel(stat('Requested storage', 'bytes', query(`max(kube_persistentvolumeclaim_resource_requests_storage_bytes{${KSM}, ${claim}})`)))
    .withPanel(stat('Space used', 'percentunit', query(`${kubelet('kubelet_volume_stats_used_bytes')}\n/ ${kubelet('kubelet_volume_stats_capacity_bytes')}`), used)
      .description('Share of the volume\'s filesystem in use (KubePersistentVolumeFillingUp fires below 3% free, or below 15% when predicted to fill up).'))
    .withPanel(stat('Inodes used', 'percentunit', query(`${kubelet('kubelet_volume_stats_inodes_used')}\n/ ${kubelet('kubelet_volume_stats_inodes')}`), used))
    .withPanel(stat('Volume health', 'none', query(kubelet('kubelet_volume_stats_health_status_abnormal')), [[1, 'red']])
      .mappings([{ type: MappingType.ValueToText, options: { 0: { text: 'Healthy', color: 'green' }, 1: { text: 'Abnormal', color: 'red' } } }])
      .noValue('not reported')
      .description('Volume health from the CSI driver (only drivers with volume health monitoring report it).'));

  d.withRow(new RowBuilder('Usage'))
    .withPanel(timeseries('Space', 'bytes',
      query(kubelet('kubelet_volume_stats_used_bytes'), 'used'),
      query(kubelet('kubelet_volume_stats_available_bytes'), 'available'),
      query(kubelet('kubelet_volume_stats_capacity_bytes'), 'capacity'),
    ))
    .withPanel(timeseries('Inodes', 'short',
      query(kubelet('kubelet_volume_stats_inodes_used'), 'used'),
      query(kubelet('kubelet_volume_stats_inodes_free'), 'free'),
      query(kubelet('kubelet_volume_stats_inodes'), 'total'),
    ))
    .withPanel(timeseries('Space and inodes used', 'percentunit',
      query(`${kubelet('kubelet_volume_stats_used_bytes')}\n/ ${kubelet('kubelet_volume_stats_capacity_bytes')}`, 'space'),
      query(`${kubelet('kubelet_volume_stats_inodes_used')}\n/ ${kubelet('kubelet_volume_stats_inodes')}`, 'inodes'),
    ).min(0).max(1).span(24));

  const pvc = 'persistentvolumeclaim';
  d.withRow(new RowBuilder('Namespace'))
    .withPanel(mergedTable('Claims in the namespace', [[pvc, 'PersistentVolumeClaim']], [
      { header: 'Requested', expr: `max by (${pvc}) (kube_persistentvolumeclaim_resource_requests_storage_bytes{${KSM}, ${NS}})`, unit: 'bytes' },
      { header: 'Capacity', expr: kubelet('kubelet_volume_stats_capacity_bytes', pvc), unit: 'bytes' },
      { header: 'Used', expr: kubelet('kubelet_volume_stats_used_bytes', pvc), unit: 'bytes' },
      { header: 'Space used %', expr: `${kubelet('kubelet_volume_stats_used_bytes', pvc)}\n/ ${kubelet('kubelet_volume_stats_capacity_bytes', pvc)}`, unit: 'percentunit' },
      { header: 'Inodes used %', expr: `${kubelet('kubelet_volume_stats_inodes_used', pvc)}\n/ ${kubelet('kubelet_volume_stats_inodes', pvc)}`, unit: 'percentunit' },
    ], { PersistentVolumeClaim: drillDown('Persistent volume', UID.volumes, '${namespace:queryparam}&var-volume=${__value.raw}') })
      .description('Every claim of the namespace; capacity and usage appear only for volumes mounted by a running pod.'));
  return d;
}

export function kubernetesDashboards(): DashboardBuilder[] {
  return [
    clusterDashboard(),
    namespaceDashboard(),
    workloadsDashboard(),
    podDashboard(),
    workloadDashboard(),
    persistentVolumesDashboard(),
  ];
}
