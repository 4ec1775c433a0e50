// Node-exporter dashboards on one resource each, for the node the `instance` variable selects: disks and
// filesystems, and network. The overview and USE dashboards (nodes.ts) summarise; these show every device.
import { CLUSTER, type DashboardBuilder, RowBuilder, dashboard, labelVariable, query, stat, timeseries } from '../house';
import type { NodeExporterThresholds } from '../../rules/catalogue/node-exporter';

const JOB = 'job="node-exporter"';
const NODE = `${CLUSTER}, ${JOB}, instance="$instance"`;
const instance = () => labelVariable('instance', 'node_uname_info', 'Instance', true, JOB);
const rate = (metric: string, selector: string) => `rate(${metric}{${selector}}[$__rate_interval])`;

/** @param t the node-exporter alert thresholds: which devices are disks, when a filesystem is nearly full */
export function nodeResourceDashboards(t: NodeExporterThresholds): DashboardBuilder[] {
  return [disksAndFilesystems(t), network(t)];
}

function disksAndFilesystems(t: NodeExporterThresholds): DashboardBuilder {
  // Whole disks only, as the alerts and recording rules select them (no partitions, loop or dm devices).
  const DISK = `${NODE}, device=~"${t.diskDevices}"`;
  const FS = `${NODE}, fstype!="", mountpoint!=""`;
  const byDevice = (metric: string) => `sum by (device) (${rate(metric, DISK)})`;
  const builder = dashboard({
    uid: 'o11y-node-disks',
    title: 'Node Exporter / Disks and filesystems',
    tags: ['nodes', 'node-exporter'],
    description: 'One node\'s disks (throughput, operations, latency, utilisation, queue) and filesystems (space, inodes, errors, time until full).',
    variables: [instance()],
  });

  builder.withRow(new RowBuilder('Summary'));
  builder.withPanel(stat('Busiest disk', 'percentunit', query(`max(instance_device:node_disk_io_time_seconds:rate5m{${DISK}})`), [[0.8, 'orange'], [0.9, 'red']])
    .decimals(1).span(6).description('Share of time the busiest disk of the node was busy with I/O over the last 5 minutes.'));
  builder.withPanel(stat('Disk throughput', 'Bps', query(`sum(${rate('node_disk_read_bytes_total', DISK)}) + sum(${rate('node_disk_written_bytes_total', DISK)})`))
    .span(6).description('Bytes read and written per second, over every disk.'));
  builder.withPanel(stat('Fullest filesystem', 'percentunit', query(`max(1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}})`), [[0.8, 'orange'], [0.9, 'red']])
    .decimals(1).span(6));
  builder.withPanel(stat('Filesystems read-only or failing', 'short', query(`count(max by (device, mountpoint) (node_filesystem_readonly{${FS}} == 1 or node_filesystem_device_error{${FS}} == 1)) or vector(0)`), [[1, 'red']])
    .span(6).description('Filesystems mounted read-only (as the kernel does after I/O errors) or that node-exporter could not read.'));

  builder.withRow(new RowBuilder('Disk I/O'));
  builder.withPanel(timeseries('Throughput', 'Bps',
    query(byDevice('node_disk_read_bytes_total'), '{{device}} read'),
    query(byDevice('node_disk_written_bytes_total'), '{{device}} written')).min(0).span(8));
  builder.withPanel(timeseries('Operations', 'iops',
    query(byDevice('node_disk_reads_completed_total'), '{{device}} reads'),
    query(byDevice('node_disk_writes_completed_total'), '{{device}} writes')).min(0).span(8));
  builder.withPanel(timeseries('Average latency', 's',
    query(`${byDevice('node_disk_read_time_seconds_total')} / ${byDevice('node_disk_reads_completed_total')}`, '{{device}} read'),
    query(`${byDevice('node_disk_write_time_seconds_total')} / ${byDevice('node_disk_writes_completed_total')}`, '{{device}} write'))
    .min(0).span(8).description('Time an operation took on average, queueing included: time spent on reads (writes) over the reads (writes) completed.'));
  builder.withPanel(timeseries('Utilisation', 'percentunit', query(`instance_device:node_disk_io_time_seconds:rate5m{${DISK}}`, '{{device}}'))
    .min(0).max(1).span(8).description('Share of time each disk was busy with I/O; near 100% a disk without parallelism is saturated.'));
  builder.withPanel(timeseries('Queue', 'short', query(`instance_device:node_disk_io_time_weighted_seconds:rate5m{${DISK}}`, '{{device}}'))
    .min(0).span(8).description(`Average number of requests in flight or waiting (NodeDiskIOSaturation warns above ${t.diskIOQueueDepth}).`));
  builder.withPanel(timeseries('In flight', 'short', query(`max by (device) (node_disk_io_now{${DISK}})`, '{{device}}'))
    .min(0).span(8).description('Requests issued to each disk and not yet completed, at the scrape.'));

  builder.withRow(new RowBuilder('Filesystems'));
  const byMount = 'max by (mountpoint)';
  builder.withPanel(timeseries('Space used', 'percentunit', query(`${byMount} (1 - node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}})`, '{{mountpoint}}'))
    .min(0).max(1).description(`Share of each filesystem not available to unprivileged users (reserved blocks count as used). NodeFilesystemSpaceFillingUp warns when less than ${t.filesystemSpaceFillingUpWarningPercent}% is left and the trend fills it within a day.`));
  builder.withPanel(timeseries('Space available', 'bytes', query(`${byMount} (node_filesystem_avail_bytes{${FS}})`, '{{mountpoint}}')).min(0));
  builder.withPanel(timeseries('Inodes used', 'percentunit', query(`${byMount} (1 - node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}})`, '{{mountpoint}}'))
    .min(0).max(1).description('Share of each filesystem\'s inodes in use: with none left no file can be created, whatever the free space.'));
  builder.withPanel(timeseries(`Time until full (trend over ${t.filesystemPredictionWindow})`, 's',
    query(`${byMount} (node_filesystem_avail_bytes{${FS}} / -deriv(node_filesystem_avail_bytes{${FS}}[${t.filesystemPredictionWindow}]) > 0 < ${30 * 86400})`, '{{mountpoint}}'))
    .min(0).description(`When each filesystem that is filling up will be full if it keeps filling as over the last ${t.filesystemPredictionWindow} (the alerts' prediction window); filesystems not filling up, or not within 30 days, are left out.`));
  builder.withPanel(timeseries('Errors', 'short',
    query(`${byMount} (node_filesystem_device_error{${FS}})`, '{{mountpoint}} device error'),
    query(`${byMount} (node_filesystem_readonly{${FS}})`, '{{mountpoint}} read-only'))
    .min(0).span(24).description('1 while node-exporter cannot read a filesystem, or while it is mounted read-only.'));
  return builder;
}

function network(t: NodeExporterThresholds): DashboardBuilder {
  const DEV = `${NODE}, device!="lo"`;
  const byDevice = (metric: string) => `sum by (device) (${rate(metric, DEV)})`;
  const builder = dashboard({
    uid: 'o11y-node-network',
    title: 'Node Exporter / Network',
    tags: ['nodes', 'node-exporter', 'network'],
    description: 'One node\'s network interfaces (traffic, packets, errors, drops, link state) and its TCP, sockets and connection tracking.',
    variables: [instance()],
  });

  builder.withRow(new RowBuilder('Summary'));
  builder.withPanel(stat('Received', 'Bps', query(`instance:node_network_receive_bytes_excluding_lo:rate5m{${NODE}}`)).span(6));
  builder.withPanel(stat('Transmitted', 'Bps', query(`instance:node_network_transmit_bytes_excluding_lo:rate5m{${NODE}}`)).span(6));
  builder.withPanel(stat('Interfaces without carrier', 'short', query(`count(node_network_carrier{${DEV}} == 0) or vector(0)`), [[1, 'orange']])
    .span(6).description('Interfaces without a carrier: cable, switch port or virtual link gone.'));
  builder.withPanel(stat('Conntrack table used', 'percentunit', query(`max(node_nf_conntrack_entries{${NODE}} / node_nf_conntrack_entries_limit{${NODE}})`), [[0.5, 'orange'], [t.conntrackUsedPercent / 100, 'red']])
    .decimals(1).span(6).description(`Share of the connection tracking table in use: when full, the kernel drops new connections (NodeHighNumberConntrackEntriesUsed warns above ${t.conntrackUsedPercent}%).`));

  builder.withRow(new RowBuilder('Interfaces'));
  builder.withPanel(timeseries('Traffic', 'Bps',
    query(byDevice('node_network_receive_bytes_total'), '{{device}} received'),
    query(byDevice('node_network_transmit_bytes_total'), '{{device}} transmitted')).min(0));
  builder.withPanel(timeseries('Packets', 'pps',
    query(byDevice('node_network_receive_packets_total'), '{{device}} received'),
    query(byDevice('node_network_transmit_packets_total'), '{{device}} transmitted')).min(0));
  builder.withPanel(timeseries('Errors', 'pps',
    query(byDevice('node_network_receive_errs_total'), '{{device}} receive'),
    query(byDevice('node_network_transmit_errs_total'), '{{device}} transmit'))
    .min(0).description('Packets with errors (bad checksum, framing, FIFO overruns), by interface.'));
  builder.withPanel(timeseries('Drops', 'pps',
    query(byDevice('node_network_receive_drop_total'), '{{device}} receive'),
    query(byDevice('node_network_transmit_drop_total'), '{{device}} transmit'))
    .min(0).description('Packets the kernel dropped, by interface: full queues or buffers.'));
  builder.withPanel(timeseries('Utilisation of link speed', 'percentunit',
    query(`${byDevice('node_network_receive_bytes_total')} / max by (device) (node_network_speed_bytes{${DEV}} > 0)`, '{{device}} received'),
    query(`${byDevice('node_network_transmit_bytes_total')} / max by (device) (node_network_speed_bytes{${DEV}} > 0)`, '{{device}} transmitted'))
    .min(0).description('Traffic as a share of each interface\'s negotiated speed; virtual interfaces, which report none, are left out.'));
  builder.withPanel(timeseries('Link carrier', 'short', query(`max by (device) (node_network_carrier{${DEV}})`, '{{device}}'))
    .min(0).max(1).description('1 while an interface has a carrier (link up).'));

  builder.withRow(new RowBuilder('TCP, sockets and connection tracking'));
  builder.withPanel(timeseries('TCP connections established', 'short', query(`node_netstat_Tcp_CurrEstab{${NODE}}`, 'established')).min(0).span(8));
  builder.withPanel(timeseries('TCP retransmissions', 'percentunit',
    query(`${rate('node_netstat_Tcp_RetransSegs', NODE)} / ${rate('node_netstat_Tcp_OutSegs', NODE)}`, 'retransmitted share of segments sent'))
    .min(0).span(8).description('Share of TCP segments sent again: packet loss on the way or at the peer.'));
  builder.withPanel(timeseries('Sockets and conntrack entries', 'short',
    query(`node_sockstat_sockets_used{${NODE}}`, 'sockets in use'),
    query(`node_sockstat_TCP_inuse{${NODE}}`, 'TCP sockets in use'),
    query(`node_nf_conntrack_entries{${NODE}}`, 'conntrack entries'),
    query(`node_nf_conntrack_entries_limit{${NODE}}`, 'conntrack limit')).min(0).span(8));
  return builder;
}
