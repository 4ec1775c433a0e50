// The USE method (utilisation, saturation, errors) for the whole cluster, from node-exporter: each node's part
// of the cluster's CPU, memory, network, disks and filesystems, stacked, with a link to the node's own dashboard.
import { StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import type { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, query, stat, timeseries } from '../house';
import { drillDown, mergedTable } from './tables';

const ALL = `${CLUSTER}, job="node-exporter"`;
/** Real filesystems only, as the node-exporter alerts select them. */
const FS = `${ALL}, fstype!="", mountpoint!=""`;
const CPUS = `instance:node_num_cpu:sum{${ALL}}`;
const NODE_USE_UID = 'o11y-node-use';

/** `expr` per node divided by the number of nodes: stacked, the nodes add up to the cluster's average. */
const perNodeShare = (expr: string) => `${expr}\n/ scalar(count(${CPUS}))`;

/** A timeseries whose series (one per node) are stacked, so that the stack is the cluster's total. */
function stacked(title: string, unit: string, expr: string, legend = '{{instance}}'): TimeseriesPanel {
  return timeseries(title, unit, query(expr, legend)).stacking(new StackingConfigBuilder().mode(StackingMode.Normal)).fillOpacity(40).min(0);
}

/** @param memoryRed the memory utilisation (a ratio) the node-exporter alerts fire at */
export function nodeUseClusterDashboard(memoryRed: number): DashboardBuilder {
  const d = dashboard({
    uid: 'o11y-node-use-cluster',
    title: 'Node Exporter / USE Method / Cluster',
    tags: ['nodes', 'node-exporter'],
    description: 'The USE method for the whole cluster: utilisation, saturation and errors of every node\'s CPU, memory, network, disks and filesystems, each node\'s part stacked.',
  });
  const utilisation: Array<[number, string]> = [[0.8, 'orange'], [0.9, 'red']];

  d.withRow(new RowBuilder('Summary'))
    .withPanel(stat('CPU utilisation', 'percentunit', query(`sum(instance:node_cpu_utilisation:rate5m{${ALL}} * ${CPUS})\n/ sum(${CPUS})`), utilisation).decimals(1).span(6))
    .withPanel(stat('Memory utilisation', 'percentunit', query(`1 - sum(node_memory_MemAvailable_bytes{${ALL}})\n/ sum(node_memory_MemTotal_bytes{${ALL}})`), [[0.8, 'orange'], [memoryRed, 'red']]).decimals(1).span(6))
    .withPanel(stat('Filesystem space used', 'percentunit', query(`1 - sum(node_filesystem_avail_bytes{${FS}})\n/ sum(node_filesystem_size_bytes{${FS}})`), utilisation).decimals(1).span(6)
      .description('Space used on all real filesystems of all nodes together.'))
    .withPanel(stat('Network errors', 'pps', query(
      `sum(rate(node_network_receive_errs_total{${ALL}, device!="lo"}[$__rate_interval]))\n+ sum(rate(node_network_transmit_errs_total{${ALL}, device!="lo"}[$__rate_interval]))`,
    ), [[1, 'orange']]).span(6));

  d.withRow(new RowBuilder('CPU'))
    .withPanel(stacked('CPU utilisation', 'percentunit', `instance:node_cpu_utilisation:rate5m{${ALL}} * ${CPUS}\n/ scalar(sum(${CPUS}))`).max(1)
      .description('Each node\'s busy CPUs as a share of all the cluster\'s CPUs: the stack is the cluster\'s utilisation.'))
    .withPanel(stacked('CPU saturation (load per CPU)', 'short', perNodeShare(`instance:node_load1_per_cpu:ratio{${ALL}}`))
      .description('Each node\'s load per CPU, divided by the number of nodes: the stack is the cluster\'s average (above 1, work waits).'));

  d.withRow(new RowBuilder('Memory'))
    .withPanel(stacked('Memory utilisation', 'percentunit', perNodeShare(`instance:node_memory_utilisation:ratio{${ALL}}`)).max(1)
      .description('Each node\'s memory utilisation divided by the number of nodes: the stack is the cluster\'s average.'))
    .withPanel(stacked('Memory saturation (major page faults)', 'short', `instance:node_vmstat_pgmajfault:rate5m{${ALL}}`)
      .description('Major page faults per second of each node: pages read back from disk, a sign of memory pressure.'));

  d.withRow(new RowBuilder('Network'))
    .withPanel(stacked('Network utilisation (received)', 'Bps', `instance:node_network_receive_bytes_excluding_lo:rate5m{${ALL}}`))
    .withPanel(stacked('Network utilisation (transmitted)', 'Bps', `instance:node_network_transmit_bytes_excluding_lo:rate5m{${ALL}}`))
    .withPanel(stacked('Network saturation (dropped, received)', 'pps', `instance:node_network_receive_drop_excluding_lo:rate5m{${ALL}}`))
    .withPanel(stacked('Network saturation (dropped, transmitted)', 'pps', `instance:node_network_transmit_drop_excluding_lo:rate5m{${ALL}}`));

  d.withRow(new RowBuilder('Disk I/O'))
    .withPanel(stacked('Disk I/O utilisation', 'percentunit', perNodeShare(`sum by (instance) (instance_device:node_disk_io_time_seconds:rate5m{${ALL}})`))
      .description('Busy share of each node\'s disks (summed over its disks), divided by the number of nodes.'))
    .withPanel(stacked('Disk I/O saturation', 'short', perNodeShare(`sum by (instance) (instance_device:node_disk_io_time_weighted_seconds:rate5m{${ALL}})`))
      .description('I/O requests in flight or waiting on each node\'s disks, divided by the number of nodes.'));

  d.withRow(new RowBuilder('Filesystems'))
    .withPanel(stacked('Filesystem space utilisation', 'percentunit',
      `sum by (instance) (node_filesystem_size_bytes{${FS}} - node_filesystem_avail_bytes{${FS}})\n/ scalar(sum(node_filesystem_size_bytes{${FS}}))`).max(1)
      .description('Space used on each node\'s filesystems, as a share of the space of all nodes: the stack is the cluster\'s utilisation.'));

  const max = (expr: string) => `max by (instance) (${expr})`;
  d.withRow(new RowBuilder('Nodes'))
    .withPanel(mergedTable('Nodes', [['instance', 'Node']], [
      { header: 'CPU utilisation', expr: max(`instance:node_cpu_utilisation:rate5m{${ALL}}`), unit: 'percentunit' },
      { header: 'Load per CPU', expr: max(`instance:node_load1_per_cpu:ratio{${ALL}}`), unit: 'short' },
      { header: 'Memory utilisation', expr: max(`instance:node_memory_utilisation:ratio{${ALL}}`), unit: 'percentunit' },
      { header: 'Major page faults', expr: max(`instance:node_vmstat_pgmajfault:rate5m{${ALL}}`), unit: 'short' },
      { header: 'Network dropped', expr: `${max(`instance:node_network_receive_drop_excluding_lo:rate5m{${ALL}}`)}\n+ ${max(`instance:node_network_transmit_drop_excluding_lo:rate5m{${ALL}}`)}`, unit: 'pps' },
      { header: 'Fullest filesystem', expr: max(`1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}}`), unit: 'percentunit' },
    ], { Node: drillDown('USE Method / Node', NODE_USE_UID, 'var-instance=${__value.raw}') })
      .description('Every node now: follow one to its USE Method / Node dashboard.'));
  return d;
}
