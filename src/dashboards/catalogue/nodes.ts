// Dashboards about nodes, from node-exporter: an overview of every node, and the USE method (utilisation,
// saturation, errors) of one node. They read the node-exporter recording rules where those exist.
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, TableSortByFieldStateBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, table, timeseries } from '../house';
import type { NodeExporterThresholds } from '../../rules/catalogue/node-exporter';

const JOB = 'job="node-exporter"';
/** Every node of the cluster. */
const ALL = `${CLUSTER}, ${JOB}`;
/** The node the `instance` variable selects (node-exporter's instance is the node's name). */
const NODE = `${ALL}, instance="$instance"`;
/** Real filesystems only, as the node-exporter alerts select them. */
const fs = (selector: string): string => `${selector}, fstype!="", mountpoint!=""`;

/** One column of a table: an instant query, the column's name and unit. */
interface Column {
  readonly expr: string;
  readonly name: string;
  readonly unit: string;
  /** Shows the value as a gauge from 0 to 1 (for ratios). */
  readonly gauge?: boolean;
}

/**
 * A table with one row per label set and one column per query: the instant queries are merged on their labels
 * (every query must aggregate to the same labels), the time column is hidden and the value columns named.
 */
function mergedTable(title: string, columns: Column[], sortBy?: string): TablePanel {
  const panel = table(title, ...columns.map((c) => query(c.expr)))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, renameByName: {} } });
  columns.forEach((c, i) => {
    const field = `Value #${String.fromCharCode(65 + i)}`;
    panel.overrideByName(field, [
      { id: 'displayName', value: c.name },
      { id: 'unit', value: c.unit },
      ...(c.gauge
        ? [
            { id: 'min', value: 0 },
            { id: 'max', value: 1 },
            { id: 'custom.cellOptions', value: { type: 'gauge', mode: 'basic' } },
            { id: 'thresholds', value: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 0.9, color: 'red' }] } },
          ]
        : []),
    ]);
  });
  if (sortBy) panel.sortBy([new TableSortByFieldStateBuilder().displayName(sortBy).desc(true)]);
  return panel;
}

/** Green below 80%, orange from 80%, red from `red` (a ratio). */
const ratioThresholds = (red = 0.9): Array<[number, string]> => [[0.8, 'orange'], [red, 'red']];

/** Thresholds of a value where low is good: green, orange from `orange`, red from `red`. */
function rising(orange: number, red: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' }, { value: orange, color: 'orange' }, { value: red, color: 'red' },
  ]);
}

/** @param t the node-exporter alert thresholds the panels colour by */
export function nodesDashboards(t: NodeExporterThresholds): DashboardBuilder[] {
  return [nodesOverview(t.memoryHighUtilizationPercent / 100, t.systemSaturationLoadPerCpu), nodeUse(t.memoryHighUtilizationPercent / 100, t.systemSaturationLoadPerCpu)];
}

/** Every node at a glance: cluster totals, then one line per node for CPU, memory, disk and network. */
function nodesOverview(memoryRed: number, loadRed: number): DashboardBuilder {
  const builder = dashboard({
    uid: 'o11y-nodes-overview',
    title: 'Node Exporter / Nodes Overview',
    tags: ['nodes', 'node-exporter'],
    description: 'Every node of the cluster from node-exporter: CPU, load, memory, disk I/O, network and filesystems per node.',
  });
  const cpus = `instance:node_num_cpu:sum{${ALL}}`;

  builder.withRow(new RowBuilder('Cluster'));
  builder.withPanel(stat('Nodes', 'short', query(`count(node_uname_info{${ALL}})`)));
  builder.withPanel(stat('CPUs', 'short', query(`sum(${cpus})`)));
  builder.withPanel(stat('CPU utilisation', 'percentunit',
    query(`sum(instance:node_cpu_utilisation:rate5m{${ALL}} * ${cpus}) / sum(${cpus})`), ratioThresholds()).decimals(1));
  builder.withPanel(stat('Memory', 'bytes', query(`sum(node_memory_MemTotal_bytes{${ALL}})`)));
  builder.withPanel(stat('Memory utilisation', 'percentunit',
    query(`1 - sum(node_memory_MemAvailable_bytes{${ALL}}) / sum(node_memory_MemTotal_bytes{${ALL}})`), ratioThresholds(memoryRed)).decimals(1));
  builder.withPanel(stat('Fullest filesystem', 'percentunit',
    query(`max(1 - node_filesystem_avail_bytes{${fs(ALL)}} / node_filesystem_size_bytes{${fs(ALL)}})`), ratioThresholds()).decimals(1)
    .description('Space used on the fullest filesystem of any node (see the table below).'));

  builder.withRow(new RowBuilder('CPU'));
  builder.withPanel(timeseries('CPU utilisation', 'percentunit',
    query(`instance:node_cpu_utilisation:rate5m{${ALL}}`, '{{instance}}')).min(0).max(1)
    .description('Busy share of all the CPUs of each node (everything but idle, iowait and steal).'));
  builder.withPanel(timeseries('Load per CPU', 'short',
    query(`instance:node_load1_per_cpu:ratio{${ALL}}`, '{{instance}}')).min(0)
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)).thresholds(rising(1, loadRed))
    .description('1-minute load average divided by the number of CPUs: above 1, work waits for a CPU.'));

  builder.withRow(new RowBuilder('Memory'));
  builder.withPanel(timeseries('Memory utilisation', 'percentunit',
    query(`instance:node_memory_utilisation:ratio{${ALL}}`, '{{instance}}')).min(0).max(1)
    .description('Share of memory not available to new work (1 - MemAvailable / MemTotal).'));
  builder.withPanel(timeseries('Major page faults', 'short',
    query(`instance:node_vmstat_pgmajfault:rate5m{${ALL}}`, '{{instance}}')).min(0)
    .description('Major page faults per second: pages read back from disk, a sign of memory pressure.'));

  builder.withRow(new RowBuilder('Disk I/O'));
  builder.withPanel(timeseries('Disk I/O utilisation', 'percentunit',
    query(`instance_device:node_disk_io_time_seconds:rate5m{${ALL}}`, '{{instance}} {{device}}')).min(0).max(1)
    .description('Share of time each disk was busy with I/O.'));
  builder.withPanel(timeseries('Disk I/O saturation', 'short',
    query(`instance_device:node_disk_io_time_weighted_seconds:rate5m{${ALL}}`, '{{instance}} {{device}}')).min(0)
    .description('Average number of I/O requests in flight or waiting (weighted I/O seconds per second).'));

  builder.withRow(new RowBuilder('Network'));
  builder.withPanel(timeseries('Network received', 'Bps',
    query(`instance:node_network_receive_bytes_excluding_lo:rate5m{${ALL}}`, '{{instance}}')).min(0)
    .description('Bytes received per second on every interface but loopback.'));
  builder.withPanel(timeseries('Network transmitted', 'Bps',
    query(`instance:node_network_transmit_bytes_excluding_lo:rate5m{${ALL}}`, '{{instance}}')).min(0)
    .description('Bytes sent per second on every interface but loopback.'));

  builder.withRow(new RowBuilder('Nodes and filesystems'));
  builder.withPanel(mergedTable('Nodes', [
    { expr: `max by (instance) (${cpus})`, name: 'CPUs', unit: 'short' },
    { expr: `max by (instance) (instance:node_cpu_utilisation:rate5m{${ALL}})`, name: 'CPU used', unit: 'percentunit', gauge: true },
    { expr: `max by (instance) (instance:node_load1_per_cpu:ratio{${ALL}})`, name: 'Load per CPU', unit: 'short' },
    { expr: `max by (instance) (node_memory_MemTotal_bytes{${ALL}})`, name: 'Memory', unit: 'bytes' },
    { expr: `max by (instance) (instance:node_memory_utilisation:ratio{${ALL}})`, name: 'Memory used', unit: 'percentunit', gauge: true },
    { expr: `max by (instance) (time() - node_boot_time_seconds{${ALL}})`, name: 'Uptime', unit: 's' },
  ], 'CPU used'));
  const byMount = 'max by (instance, device, mountpoint, fstype)';
  builder.withPanel(mergedTable('Filesystem usage', [
    { expr: `${byMount} (node_filesystem_size_bytes{${fs(ALL)}})`, name: 'Size', unit: 'bytes' },
    { expr: `${byMount} (node_filesystem_size_bytes{${fs(ALL)}} - node_filesystem_avail_bytes{${fs(ALL)}})`, name: 'Used', unit: 'bytes' },
    { expr: `${byMount} (node_filesystem_avail_bytes{${fs(ALL)}})`, name: 'Available', unit: 'bytes' },
    { expr: `${byMount} (1 - node_filesystem_avail_bytes{${fs(ALL)}} / node_filesystem_size_bytes{${fs(ALL)}})`, name: 'Used %', unit: 'percentunit', gauge: true },
    { expr: `${byMount} (1 - node_filesystem_files_free{${fs(ALL)}} / node_filesystem_files{${fs(ALL)}})`, name: 'Inodes used %', unit: 'percentunit', gauge: true },
  ], 'Used %').height(12));
  return builder;
}

/** One node by the USE method: utilisation, saturation and errors of CPU, memory, network, disks and filesystems. */
function nodeUse(memoryRed: number, loadRed: number): DashboardBuilder {
  const builder = dashboard({
    uid: 'o11y-node-use',
    title: 'Node Exporter / USE Method / Node',
    tags: ['nodes', 'node-exporter'],
    description: 'The USE method for one node: utilisation, saturation and errors of its CPU, memory, network, disks and filesystems.',
    variables: [labelVariable('instance', 'node_uname_info', 'Instance', true, JOB)],
  });

  builder.withRow(new RowBuilder('Summary'));
  builder.withPanel(stat('CPU utilisation', 'percentunit', query(`instance:node_cpu_utilisation:rate5m{${NODE}}`), ratioThresholds()).decimals(1).span(6));
  builder.withPanel(stat('Load per CPU', 'short', query(`instance:node_load1_per_cpu:ratio{${NODE}}`), [[1, 'orange'], [loadRed, 'red']]).decimals(2).span(6));
  builder.withPanel(stat('Memory utilisation', 'percentunit', query(`instance:node_memory_utilisation:ratio{${NODE}}`), ratioThresholds(memoryRed)).decimals(1).span(6));
  builder.withPanel(stat('Fullest filesystem', 'percentunit',
    query(`max(1 - node_filesystem_avail_bytes{${fs(NODE)}} / node_filesystem_size_bytes{${fs(NODE)}})`), ratioThresholds()).decimals(1).span(6));

  builder.withRow(new RowBuilder('CPU'));
  builder.withPanel(timeseries('CPU utilisation', 'percentunit',
    query(`instance:node_cpu_utilisation:rate5m{${NODE}}`, 'Utilisation'),
    query(`sum by (mode) (rate(node_cpu_seconds_total{${NODE}, mode!~"idle|iowait|steal"}[$__rate_interval])) / scalar(instance:node_num_cpu:sum{${NODE}})`, '{{mode}}'),
  ).min(0).max(1).description('Busy share of all CPUs, and its parts by mode.'));
  builder.withPanel(timeseries('CPU saturation', 'short',
    query(`instance:node_load1_per_cpu:ratio{${NODE}}`, 'Load per CPU'),
    query(`rate(node_pressure_cpu_waiting_seconds_total{${NODE}}[$__rate_interval])`, 'Share of time some task waited for a CPU (PSI)'),
  ).min(0).description('Load average per CPU (above 1, work waits), and CPU pressure stall information where the kernel has it.'));

  builder.withRow(new RowBuilder('Memory'));
  builder.withPanel(timeseries('Memory utilisation', 'percentunit',
    query(`instance:node_memory_utilisation:ratio{${NODE}}`, 'Utilisation')).min(0).max(1).span(8)
    .description('Share of memory not available to new work (1 - MemAvailable / MemTotal).'));
  builder.withPanel(timeseries('Memory saturation', 'short',
    query(`instance:node_vmstat_pgmajfault:rate5m{${NODE}}`, 'Major page faults/s'),
    query(`rate(node_vmstat_pswpin{${NODE}}[$__rate_interval])`, 'Pages swapped in/s'),
    query(`rate(node_vmstat_pswpout{${NODE}}[$__rate_interval])`, 'Pages swapped out/s'),
  ).min(0).span(8).description('Pages read back from disk: major page faults and swapping.'));
  builder.withPanel(timeseries('Memory errors', 'short',
    query(`increase(node_vmstat_oom_kill{${NODE}}[$__rate_interval])`, 'OOM kills')).min(0).span(8)
    .description('Processes the kernel killed because the node ran out of memory.'));

  builder.withRow(new RowBuilder('Network'));
  builder.withPanel(timeseries('Network utilisation', 'Bps',
    query(`instance:node_network_receive_bytes_excluding_lo:rate5m{${NODE}}`, 'Received'),
    query(`instance:node_network_transmit_bytes_excluding_lo:rate5m{${NODE}}`, 'Transmitted'),
  ).min(0).span(8).description('Bytes per second on every interface but loopback.'));
  builder.withPanel(timeseries('Network saturation', 'pps',
    query(`instance:node_network_receive_drop_excluding_lo:rate5m{${NODE}}`, 'Received, dropped'),
    query(`instance:node_network_transmit_drop_excluding_lo:rate5m{${NODE}}`, 'Transmitted, dropped'),
  ).min(0).span(8).description('Packets dropped per second on every interface but loopback.'));
  builder.withPanel(timeseries('Network errors', 'pps',
    query(`sum by (device) (rate(node_network_receive_errs_total{${NODE}, device!="lo"}[$__rate_interval]))`, '{{device}} receive'),
    query(`sum by (device) (rate(node_network_transmit_errs_total{${NODE}, device!="lo"}[$__rate_interval]))`, '{{device}} transmit'),
  ).min(0).span(8).description('Packets with errors per second, by interface.'));

  builder.withRow(new RowBuilder('Disk I/O'));
  builder.withPanel(timeseries('Disk I/O utilisation', 'percentunit',
    query(`instance_device:node_disk_io_time_seconds:rate5m{${NODE}}`, '{{device}}')).min(0).max(1)
    .description('Share of time each disk was busy with I/O.'));
  builder.withPanel(timeseries('Disk I/O saturation', 'short',
    query(`instance_device:node_disk_io_time_weighted_seconds:rate5m{${NODE}}`, '{{device}}')).min(0)
    .description('Average number of I/O requests in flight or waiting on each disk (weighted I/O seconds per second).'));

  builder.withRow(new RowBuilder('Filesystems'));
  builder.withPanel(timeseries('Filesystem utilisation', 'percentunit',
    query(`max by (mountpoint) (1 - node_filesystem_avail_bytes{${fs(NODE)}} / node_filesystem_size_bytes{${fs(NODE)}})`, '{{mountpoint}}'),
  ).min(0).max(1).description('Space used on each filesystem (reserved blocks count as used).'));
  builder.withPanel(timeseries('Filesystem errors', 'short',
    query(`max by (mountpoint) (node_filesystem_device_error{${fs(NODE)}})`, '{{mountpoint}} device error'),
    query(`max by (mountpoint) (node_filesystem_readonly{${fs(NODE)}})`, '{{mountpoint}} read-only'),
  ).min(0).description('1 while node-exporter cannot read a filesystem (device error) or the filesystem is mounted read-only, as after I/O errors.'));
  return builder;
}
