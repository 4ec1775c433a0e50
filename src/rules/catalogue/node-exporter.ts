// Alerts and recording rules about nodes, from node-exporter (the alerts kube-prometheus takes from node-mixin).
import { alertingRule, promql, recordingRule, ruleGroup } from '../builders';
import type { AlertCase, RuleGroupDefinition, SeriesInput } from '../types';

/** Thresholds of these alerts; every field documents its @default. */
export interface NodeExporterThresholds {
  /** NodeFilesystemSpaceFillingUp (warning) needs less than this percentage of space left. @default 40 */
  readonly filesystemSpaceFillingUpWarningPercent: number;
  /** NodeFilesystemSpaceFillingUp (critical) needs less than this percentage of space left. @default 20 */
  readonly filesystemSpaceFillingUpCriticalPercent: number;
  /** NodeFilesystemFilesFillingUp (warning) needs less than this percentage of inodes left. @default 40 */
  readonly filesystemFilesFillingUpWarningPercent: number;
  /** NodeFilesystemFilesFillingUp (critical) needs less than this percentage of inodes left. @default 20 */
  readonly filesystemFilesFillingUpCriticalPercent: number;
  /** The warning "filling up" alerts fire when the filesystem is predicted to be full within this many hours. @default 24 */
  readonly filesystemFillingUpWarningHours: number;
  /** The critical "filling up" alerts fire when the filesystem is predicted to be full within this many hours. @default 4 */
  readonly filesystemFillingUpCriticalHours: number;
  /** How much history the linear prediction of the "filling up" alerts looks at. @default "6h" */
  readonly filesystemPredictionWindow: string;
  /** @default "1h" */
  readonly filesystemFillingUpFor: string;
  /** NodeFilesystemAlmostOutOfSpace (warning) fires below this percentage of space left. @default 5 */
  readonly filesystemAlmostOutOfSpaceWarningPercent: number;
  /** NodeFilesystemAlmostOutOfSpace (critical) fires below this percentage of space left. @default 3 */
  readonly filesystemAlmostOutOfSpaceCriticalPercent: number;
  /** @default "30m" */
  readonly filesystemAlmostOutOfSpaceFor: string;
  /** NodeFilesystemAlmostOutOfFiles (warning) fires below this percentage of inodes left. @default 5 */
  readonly filesystemAlmostOutOfFilesWarningPercent: number;
  /** NodeFilesystemAlmostOutOfFiles (critical) fires below this percentage of inodes left. @default 3 */
  readonly filesystemAlmostOutOfFilesCriticalPercent: number;
  /** @default "1h" */
  readonly filesystemAlmostOutOfFilesFor: string;
  /** NodeNetworkReceiveErrs / NodeNetworkTransmitErrs fire above this fraction of packets with errors. @default 0.01 */
  readonly networkErrorRatio: number;
  /** @default "1h" */
  readonly networkErrorsFor: string;
  /** NodeHighNumberConntrackEntriesUsed fires above this percentage of the conntrack table limit. @default 75 */
  readonly conntrackUsedPercent: number;
  /** NodeClockSkewDetected fires when the clock is off by more than this many seconds (and not converging). @default 0.05 */
  readonly clockSkewSeconds: number;
  /** NodeClockNotSynchronising fires when the kernel's maximum clock error reaches this many seconds. @default 16 */
  readonly clockMaxErrorSeconds: number;
  /** `for` of the two clock alerts. @default "10m" */
  readonly clockFor: string;
  /** @default "15m" */
  readonly raidDegradedFor: string;
  /** NodeFileDescriptorLimit (warning) fires above this percentage of the kernel's file descriptor limit. @default 70 */
  readonly fileDescriptorWarningPercent: number;
  /** NodeFileDescriptorLimit (critical) fires above this percentage of the kernel's file descriptor limit. @default 90 */
  readonly fileDescriptorCriticalPercent: number;
  /** @default "15m" */
  readonly fileDescriptorFor: string;
  /** NodeCPUHighUsage fires above this percentage of CPU busy time (all CPUs of the node). @default 90 */
  readonly cpuHighUsagePercent: number;
  /** @default "15m" */
  readonly cpuHighUsageFor: string;
  /** NodeSystemSaturation fires when the 1-minute load average per CPU exceeds this. @default 2 */
  readonly systemSaturationLoadPerCpu: number;
  /** @default "15m" */
  readonly systemSaturationFor: string;
  /** NodeMemoryMajorPagesFaults fires above this many major page faults per second. @default 500 */
  readonly majorPageFaultsPerSecond: number;
  /** @default "15m" */
  readonly majorPageFaultsFor: string;
  /** NodeMemoryHighUtilization fires above this percentage of memory in use (not available). @default 90 */
  readonly memoryHighUtilizationPercent: number;
  /** @default "15m" */
  readonly memoryHighUtilizationFor: string;
  /** NodeDiskIOSaturation fires when a disk's average I/O queue depth (weighted I/O seconds per second) exceeds this. @default 10 */
  readonly diskIOQueueDepth: number;
  /** @default "30m" */
  readonly diskIOSaturationFor: string;
  /**
   * Regular expression (PromQL, fully anchored) of the whole-disk devices the disk recording rules and alerts look at.
   * @default "(/dev/)?(nvme[0-9]+n[0-9]+|sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|mmcblk[0-9]+|dm-[0-9]+|md[0-9]+|rbd[0-9]+|dasd[a-z]+)"
   */
  readonly diskDevices: string;
  /** @default "5m" */
  readonly systemdServiceFailedFor: string;
  /** NodeSystemdServiceCrashlooping fires when a service restarts more than this many times in 5 minutes. @default 2 */
  readonly systemdRestartsPer5m: number;
  /** @default "15m" */
  readonly systemdCrashloopingFor: string;
  /** @default "5m" */
  readonly bondingDegradedFor: string;
  /** NodeNetworkInterfaceFlapping fires when an interface changes state more than this many times in 2 minutes. @default 2 */
  readonly interfaceFlappingChanges: number;
  /** @default "2m" */
  readonly interfaceFlappingFor: string;
}

export const DEFAULT_NODE_EXPORTER_THRESHOLDS: NodeExporterThresholds = {
  filesystemSpaceFillingUpWarningPercent: 40,
  filesystemSpaceFillingUpCriticalPercent: 20,
  filesystemFilesFillingUpWarningPercent: 40,
  filesystemFilesFillingUpCriticalPercent: 20,
  filesystemFillingUpWarningHours: 24,
  filesystemFillingUpCriticalHours: 4,
  filesystemPredictionWindow: '6h',
  filesystemFillingUpFor: '1h',
  filesystemAlmostOutOfSpaceWarningPercent: 5,
  filesystemAlmostOutOfSpaceCriticalPercent: 3,
  filesystemAlmostOutOfSpaceFor: '30m',
  filesystemAlmostOutOfFilesWarningPercent: 5,
  filesystemAlmostOutOfFilesCriticalPercent: 3,
  filesystemAlmostOutOfFilesFor: '1h',
  networkErrorRatio: 0.01,
  networkErrorsFor: '1h',
  conntrackUsedPercent: 75,
  clockSkewSeconds: 0.05,
  clockMaxErrorSeconds: 16,
  clockFor: '10m',
  raidDegradedFor: '15m',
  fileDescriptorWarningPercent: 70,
  fileDescriptorCriticalPercent: 90,
  fileDescriptorFor: '15m',
  cpuHighUsagePercent: 90,
  cpuHighUsageFor: '15m',
  systemSaturationLoadPerCpu: 2,
  systemSaturationFor: '15m',
  majorPageFaultsPerSecond: 500,
  majorPageFaultsFor: '15m',
  memoryHighUtilizationPercent: 90,
  memoryHighUtilizationFor: '15m',
  diskIOQueueDepth: 10,
  diskIOSaturationFor: '30m',
  diskDevices: '(/dev/)?(nvme[0-9]+n[0-9]+|sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|mmcblk[0-9]+|dm-[0-9]+|md[0-9]+|rbd[0-9]+|dasd[a-z]+)',
  systemdServiceFailedFor: '5m',
  systemdRestartsPer5m: 2,
  systemdCrashloopingFor: '15m',
  bondingDegradedFor: '5m',
  interfaceFlappingChanges: 2,
  interfaceFlappingFor: '2m',
};

/** The metric names this component exposes (the metric catalogue the PromQL analyzer checks against). */
export const NODE_EXPORTER_METRICS: readonly string[] = [
  // CPU, load, processes
  'node_cpu_seconds_total', 'node_load1', 'node_load5', 'node_load15', 'node_context_switches_total', 'node_intr_total',
  'node_procs_running', 'node_procs_blocked', 'node_forks_total',
  'node_pressure_cpu_waiting_seconds_total', 'node_pressure_memory_waiting_seconds_total',
  'node_pressure_memory_stalled_seconds_total', 'node_pressure_io_waiting_seconds_total', 'node_pressure_io_stalled_seconds_total',
  // memory
  'node_memory_MemTotal_bytes', 'node_memory_MemAvailable_bytes', 'node_memory_MemFree_bytes', 'node_memory_Buffers_bytes',
  'node_memory_Cached_bytes', 'node_memory_Slab_bytes', 'node_memory_Shmem_bytes', 'node_memory_SwapTotal_bytes',
  'node_memory_SwapFree_bytes', 'node_memory_Committed_AS_bytes', 'node_memory_CommitLimit_bytes',
  'node_vmstat_pgmajfault', 'node_vmstat_pgfault', 'node_vmstat_pgpgin', 'node_vmstat_pgpgout', 'node_vmstat_pswpin',
  'node_vmstat_pswpout', 'node_vmstat_oom_kill',
  // disks
  'node_disk_io_time_seconds_total', 'node_disk_io_time_weighted_seconds_total', 'node_disk_read_bytes_total',
  'node_disk_written_bytes_total', 'node_disk_reads_completed_total', 'node_disk_writes_completed_total',
  'node_disk_read_time_seconds_total', 'node_disk_write_time_seconds_total', 'node_disk_io_now',
  // filesystems
  'node_filesystem_avail_bytes', 'node_filesystem_size_bytes', 'node_filesystem_free_bytes', 'node_filesystem_files',
  'node_filesystem_files_free', 'node_filesystem_readonly', 'node_filesystem_device_error',
  // network
  'node_network_receive_bytes_total', 'node_network_transmit_bytes_total', 'node_network_receive_packets_total',
  'node_network_transmit_packets_total', 'node_network_receive_errs_total', 'node_network_transmit_errs_total',
  'node_network_receive_drop_total', 'node_network_transmit_drop_total', 'node_network_up', 'node_network_carrier',
  'node_network_speed_bytes', 'node_network_mtu_bytes', 'node_network_info',
  'node_nf_conntrack_entries', 'node_nf_conntrack_entries_limit', 'node_netstat_Tcp_CurrEstab',
  'node_netstat_Tcp_RetransSegs', 'node_netstat_Tcp_OutSegs', 'node_sockstat_sockets_used', 'node_sockstat_TCP_inuse',
  'node_bonding_slaves', 'node_bonding_active',
  // time
  'node_time_seconds', 'node_boot_time_seconds', 'node_timex_offset_seconds', 'node_timex_sync_status',
  'node_timex_maxerror_seconds', 'node_timex_estimated_error_seconds',
  // RAID, file descriptors, textfile (systemd: SYSTEMD_METRICS, with its collector)
  'node_md_disks', 'node_md_disks_required', 'node_md_state', 'node_filefd_allocated', 'node_filefd_maximum',
  'node_textfile_scrape_error',
  'node_textfile_mtime_seconds',
  // the exporter itself and the host's identity
  'node_uname_info', 'node_os_info', 'node_dmi_info', 'node_exporter_build_info', 'node_scrape_collector_success',
  'node_scrape_collector_duration_seconds',
];

const JOB = 'job="node-exporter"';
/** Real filesystems only: node-exporter reports an empty fstype/mountpoint for some pseudo mounts. */
const FS = `${JOB}, fstype!="", mountpoint!=""`;

// ---- test helpers (inputs of the promtool unit tests) ----
const NODE = 'job="node-exporter", instance="node-a"';
const ROOT_FS = { job: 'node-exporter', instance: 'node-a', device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' };
const ROOT_FS_LABELS = 'job="node-exporter", instance="node-a", device="/dev/sda1", fstype="ext4", mountpoint="/"';
/** A data disk that was remounted read-only (e.g. after I/O errors): the filesystem alerts must leave it alone. */
const RO_FS_LABELS = 'job="node-exporter", instance="node-a", device="/dev/sdb1", fstype="ext4", mountpoint="/mnt/data"';

function fsInput(labels: string, avail: string, size: string, readonly: string): SeriesInput[] {
  return [
    { series: `node_filesystem_avail_bytes{${labels}}`, values: avail },
    { series: `node_filesystem_size_bytes{${labels}}`, values: size },
    { series: `node_filesystem_readonly{${labels}}`, values: readonly },
  ];
}

function inodeInput(labels: string, free: string, total: string, readonly: string): SeriesInput[] {
  return [
    { series: `node_filesystem_files_free{${labels}}`, values: free },
    { series: `node_filesystem_files{${labels}}`, values: total },
    { series: `node_filesystem_readonly{${labels}}`, values: readonly },
  ];
}

/** Two idle-mode CPU counters of node-a, each idle `idlePerMinute` seconds of every minute. */
function cpuIdle(idlePerMinute: number, samples: number): SeriesInput[] {
  return ['0', '1'].flatMap((cpu) => [
    { series: `node_cpu_seconds_total{${NODE}, cpu="${cpu}", mode="idle"}`, values: `0+${idlePerMinute}x${samples}` },
    { series: `node_cpu_seconds_total{${NODE}, cpu="${cpu}", mode="user"}`, values: `0+${60 - idlePerMinute}x${samples}` },
  ]);
}

/** The same case for both variants of an alert name: both must stay silent. */
function silentCase(input: SeriesInput[], at: string): AlertCase {
  return { input, at, expect: [] };
}

/** The collectors beyond node_exporter's defaults that the rules read. */
export interface NodeExporterCollectors {
  readonly systemd: boolean;
}

/** What the systemd collector adds: it reads systemd over D-Bus, so it needs the host's D-Bus socket. */
export const SYSTEMD_METRICS: readonly string[] = ['node_systemd_unit_state', 'node_systemd_service_restart_total'];

export function nodeExporterRules(t: NodeExporterThresholds, collectors: NodeExporterCollectors): RuleGroupDefinition[] {
  const warnSeconds = t.filesystemFillingUpWarningHours * 3600;
  const critSeconds = t.filesystemFillingUpCriticalHours * 3600;
  const notReadOnly = promql`unless node_filesystem_readonly{${FS}} == 1`;

  const spaceFillingUp = (percent: number, seconds: number): string => promql`
    (
      node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} * 100 < ${percent}
      and
      predict_linear(node_filesystem_avail_bytes{${FS}}[${t.filesystemPredictionWindow}], ${seconds}) < 0
    )
    ${notReadOnly}`;
  const almostOutOfSpace = (percent: number): string => promql`
    node_filesystem_avail_bytes{${FS}} / node_filesystem_size_bytes{${FS}} * 100 < ${percent}
    ${notReadOnly}`;
  const filesFillingUp = (percent: number, seconds: number): string => promql`
    (
      node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}} * 100 < ${percent}
      and
      predict_linear(node_filesystem_files_free{${FS}}[${t.filesystemPredictionWindow}], ${seconds}) < 0
    )
    ${notReadOnly}`;
  const almostOutOfFiles = (percent: number): string => promql`
    node_filesystem_files_free{${FS}} / node_filesystem_files{${FS}} * 100 < ${percent}
    ${notReadOnly}`;
  const fileDescriptors = (percent: number): string => promql`
    node_filefd_allocated{${JOB}} / node_filefd_maximum{${JOB}} * 100 > ${percent}`;

  // Test inputs shared by the two variants of an alert name.
  const spaceSilent = silentCase([
    ...fsInput(ROOT_FS_LABELS, '700-0.1x100', '1000x100', '0x100'),
    ...fsInput(RO_FS_LABELS, '190-1x100', '1000x100', '1x100'),
  ], '90m');
  const almostOutOfSpaceSilent = silentCase([
    ...fsInput(ROOT_FS_LABELS, '500x60', '1000x60', '0x60'),
    ...fsInput(RO_FS_LABELS, '0x60', '1000x60', '1x60'),
  ], '45m');
  const filesSilent = silentCase([
    ...inodeInput(ROOT_FS_LABELS, '80000-10x100', '100000x100', '0x100'),
    ...inodeInput(RO_FS_LABELS, '19000-100x100', '100000x100', '1x100'),
  ], '90m');
  const almostOutOfFilesSilent = silentCase([
    ...inodeInput(ROOT_FS_LABELS, '60000x100', '100000x100', '0x100'),
    ...inodeInput(RO_FS_LABELS, '1000x100', '100000x100', '1x100'),
  ], '70m');
  const fdInput = (allocated: number): SeriesInput[] => [
    { series: `node_filefd_allocated{${NODE}}`, values: `${allocated}x30` },
    { series: `node_filefd_maximum{${NODE}}`, values: '1000000x30' },
  ];
  const nodeLabels = { job: 'node-exporter', instance: 'node-a' };

  return [
    ruleGroup('node-exporter.rules', [
      recordingRule('instance:node_num_cpu:sum', promql`
        count without (cpu, mode) (node_cpu_seconds_total{${JOB}, mode="idle"})`),
      // Per node, as dashboards and the community's rules join it: the scrape names the instance after its node.
      recordingRule('node:node_num_cpu:sum', promql`
        count by (node) (label_replace(node_cpu_seconds_total{${JOB}, mode="idle"}, "node", "$1", "instance", "(.*)"))`),
      // Busy share of all CPUs: everything but idle, iowait and steal (time the node could not have used anyway).
      recordingRule('instance:node_cpu_utilisation:rate5m', promql`
        1 - avg without (cpu) (
          sum without (mode) (rate(node_cpu_seconds_total{${JOB}, mode=~"idle|iowait|steal"}[5m]))
        )`),
      recordingRule('instance:node_load1_per_cpu:ratio', promql`
        node_load1{${JOB}} / instance:node_num_cpu:sum{${JOB}}`),
      recordingRule('instance:node_memory_utilisation:ratio', promql`
        1 - node_memory_MemAvailable_bytes{${JOB}} / node_memory_MemTotal_bytes{${JOB}}`),
      recordingRule('instance:node_vmstat_pgmajfault:rate5m', promql`
        rate(node_vmstat_pgmajfault{${JOB}}[5m])`),
      recordingRule('instance_device:node_disk_io_time_seconds:rate5m', promql`
        rate(node_disk_io_time_seconds_total{${JOB}, device=~"${t.diskDevices}"}[5m])`),
      recordingRule('instance_device:node_disk_io_time_weighted_seconds:rate5m', promql`
        rate(node_disk_io_time_weighted_seconds_total{${JOB}, device=~"${t.diskDevices}"}[5m])`),
      recordingRule('instance:node_network_receive_bytes_excluding_lo:rate5m', promql`
        sum without (device) (rate(node_network_receive_bytes_total{${JOB}, device!="lo"}[5m]))`),
      recordingRule('instance:node_network_transmit_bytes_excluding_lo:rate5m', promql`
        sum without (device) (rate(node_network_transmit_bytes_total{${JOB}, device!="lo"}[5m]))`),
      recordingRule('instance:node_network_receive_drop_excluding_lo:rate5m', promql`
        sum without (device) (rate(node_network_receive_drop_total{${JOB}, device!="lo"}[5m]))`),
      recordingRule('instance:node_network_transmit_drop_excluding_lo:rate5m', promql`
        sum without (device) (rate(node_network_transmit_drop_total{${JOB}, device!="lo"}[5m]))`),
    ], { runbookArea: 'node' }),

    ruleGroup('node-exporter', [
      // ---- filesystems: space ----
      alertingRule({
        alert: 'NodeFilesystemSpaceFillingUp',
        expr: spaceFillingUp(t.filesystemSpaceFillingUpWarningPercent, warnSeconds),
        for: t.filesystemFillingUpFor,
        severity: 'warning',
        summary: `Filesystem is predicted to run out of space within the next ${t.filesystemFillingUpWarningHours} hours.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          `{{ printf "%.2f" $value }}% space left and is filling up fast enough to be full within ${t.filesystemFillingUpWarningHours} hours.`,
        tests: {
          // 29% left at 90m, losing 1/1000 a minute: full in under 24h, not in 4h.
          fires: { input: fsInput(ROOT_FS_LABELS, '380-1x100', '1000x100', '0x100'), at: '90m', expect: [ROOT_FS] },
          silent: spaceSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemSpaceFillingUp',
        expr: spaceFillingUp(t.filesystemSpaceFillingUpCriticalPercent, critSeconds),
        for: t.filesystemFillingUpFor,
        severity: 'critical',
        summary: `Filesystem is predicted to run out of space within the next ${t.filesystemFillingUpCriticalHours} hours.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          `{{ printf "%.2f" $value }}% space left and is filling up fast enough to be full within ${t.filesystemFillingUpCriticalHours} hours.`,
        tests: {
          // 10% left at 90m, losing 1/1000 a minute: full within 4h, so the warning variant fires as well.
          fires: {
            input: fsInput(ROOT_FS_LABELS, '190-1x100', '1000x100', '0x100'),
            at: '90m',
            expect: [{ ...ROOT_FS, severity: 'warning' }, ROOT_FS],
          },
          silent: spaceSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemAlmostOutOfSpace',
        expr: almostOutOfSpace(t.filesystemAlmostOutOfSpaceWarningPercent),
        for: t.filesystemAlmostOutOfSpaceFor,
        severity: 'warning',
        summary: `Filesystem has less than ${t.filesystemAlmostOutOfSpaceWarningPercent}% space left.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          '{{ printf "%.2f" $value }}% space left.',
        tests: {
          fires: { input: fsInput(ROOT_FS_LABELS, '40x60', '1000x60', '0x60'), at: '45m', expect: [ROOT_FS] },
          silent: almostOutOfSpaceSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemAlmostOutOfSpace',
        expr: almostOutOfSpace(t.filesystemAlmostOutOfSpaceCriticalPercent),
        for: t.filesystemAlmostOutOfSpaceFor,
        severity: 'critical',
        summary: `Filesystem has less than ${t.filesystemAlmostOutOfSpaceCriticalPercent}% space left.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          '{{ printf "%.2f" $value }}% space left.',
        tests: {
          fires: {
            input: fsInput(ROOT_FS_LABELS, '20x60', '1000x60', '0x60'),
            at: '45m',
            expect: [{ ...ROOT_FS, severity: 'warning' }, ROOT_FS],
          },
          silent: almostOutOfSpaceSilent,
        },
      }),

      // ---- filesystems: inodes ----
      alertingRule({
        alert: 'NodeFilesystemFilesFillingUp',
        expr: filesFillingUp(t.filesystemFilesFillingUpWarningPercent, warnSeconds),
        for: t.filesystemFillingUpFor,
        severity: 'warning',
        summary: `Filesystem is predicted to run out of inodes within the next ${t.filesystemFillingUpWarningHours} hours.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          `{{ printf "%.2f" $value }}% of its inodes left and is using them up fast enough to run out within ${t.filesystemFillingUpWarningHours} hours.`,
        tests: {
          fires: { input: inodeInput(ROOT_FS_LABELS, '38000-100x100', '100000x100', '0x100'), at: '90m', expect: [ROOT_FS] },
          silent: filesSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemFilesFillingUp',
        expr: filesFillingUp(t.filesystemFilesFillingUpCriticalPercent, critSeconds),
        for: t.filesystemFillingUpFor,
        severity: 'critical',
        summary: `Filesystem is predicted to run out of inodes within the next ${t.filesystemFillingUpCriticalHours} hours.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          `{{ printf "%.2f" $value }}% of its inodes left and is using them up fast enough to run out within ${t.filesystemFillingUpCriticalHours} hours.`,
        tests: {
          fires: {
            input: inodeInput(ROOT_FS_LABELS, '19000-100x100', '100000x100', '0x100'),
            at: '90m',
            expect: [{ ...ROOT_FS, severity: 'warning' }, ROOT_FS],
          },
          silent: filesSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemAlmostOutOfFiles',
        expr: almostOutOfFiles(t.filesystemAlmostOutOfFilesWarningPercent),
        for: t.filesystemAlmostOutOfFilesFor,
        severity: 'warning',
        summary: `Filesystem has less than ${t.filesystemAlmostOutOfFilesWarningPercent}% of its inodes left.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          '{{ printf "%.2f" $value }}% of its inodes left.',
        tests: {
          fires: { input: inodeInput(ROOT_FS_LABELS, '4000x100', '100000x100', '0x100'), at: '70m', expect: [ROOT_FS] },
          silent: almostOutOfFilesSilent,
        },
      }),
      alertingRule({
        alert: 'NodeFilesystemAlmostOutOfFiles',
        expr: almostOutOfFiles(t.filesystemAlmostOutOfFilesCriticalPercent),
        for: t.filesystemAlmostOutOfFilesFor,
        severity: 'critical',
        summary: `Filesystem has less than ${t.filesystemAlmostOutOfFilesCriticalPercent}% of its inodes left.`,
        description:
          'Filesystem {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} has only ' +
          '{{ printf "%.2f" $value }}% of its inodes left.',
        tests: {
          fires: {
            input: inodeInput(ROOT_FS_LABELS, '2000x100', '100000x100', '0x100'),
            at: '70m',
            expect: [{ ...ROOT_FS, severity: 'warning' }, ROOT_FS],
          },
          silent: almostOutOfFilesSilent,
        },
      }),

      // ---- network ----
      alertingRule({
        alert: 'NodeNetworkReceiveErrs',
        expr: promql`
          rate(node_network_receive_errs_total{${JOB}}[5m]) / rate(node_network_receive_packets_total{${JOB}}[5m])
          > ${t.networkErrorRatio}`,
        for: t.networkErrorsFor,
        severity: 'warning',
        summary: 'Network interface is reporting many receive errors.',
        description:
          'Interface {{ $labels.device }} on {{ $labels.instance }} has had errors on ' +
          '{{ $value | humanizePercentage }} of the packets it received over the last 5 minutes.',
        tests: {
          fires: {
            input: [
              { series: `node_network_receive_packets_total{${NODE}, device="eth0"}`, values: '0+1000x80' },
              { series: `node_network_receive_errs_total{${NODE}, device="eth0"}`, values: '0+20x80' },
            ],
            at: '75m',
            expect: [{ ...nodeLabels, device: 'eth0' }],
          },
          silent: {
            input: [
              { series: `node_network_receive_packets_total{${NODE}, device="eth0"}`, values: '0+1000x80' },
              { series: `node_network_receive_errs_total{${NODE}, device="eth0"}`, values: '0+1x80' },
            ],
            at: '75m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeNetworkTransmitErrs',
        expr: promql`
          rate(node_network_transmit_errs_total{${JOB}}[5m]) / rate(node_network_transmit_packets_total{${JOB}}[5m])
          > ${t.networkErrorRatio}`,
        for: t.networkErrorsFor,
        severity: 'warning',
        summary: 'Network interface is reporting many transmit errors.',
        description:
          'Interface {{ $labels.device }} on {{ $labels.instance }} has had errors on ' +
          '{{ $value | humanizePercentage }} of the packets it sent over the last 5 minutes.',
        tests: {
          fires: {
            input: [
              { series: `node_network_transmit_packets_total{${NODE}, device="eth0"}`, values: '0+1000x80' },
              { series: `node_network_transmit_errs_total{${NODE}, device="eth0"}`, values: '0+50x80' },
            ],
            at: '75m',
            expect: [{ ...nodeLabels, device: 'eth0' }],
          },
          silent: {
            input: [
              { series: `node_network_transmit_packets_total{${NODE}, device="eth0"}`, values: '0+1000x80' },
              { series: `node_network_transmit_errs_total{${NODE}, device="eth0"}`, values: '0x80' },
            ],
            at: '75m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeHighNumberConntrackEntriesUsed',
        expr: promql`
          node_nf_conntrack_entries{${JOB}} / node_nf_conntrack_entries_limit{${JOB}} * 100 > ${t.conntrackUsedPercent}`,
        severity: 'warning',
        summary: 'Number of conntrack entries is getting close to the limit.',
        description:
          '{{ printf "%.0f" $value }}% of the conntrack entries of {{ $labels.instance }} are used; new connections ' +
          'are dropped when the table is full.',
        tests: {
          fires: {
            input: [
              { series: `node_nf_conntrack_entries{${NODE}}`, values: '200000x10' },
              { series: `node_nf_conntrack_entries_limit{${NODE}}`, values: '262144x10' },
            ],
            at: '5m',
            expect: [nodeLabels],
          },
          silent: {
            input: [
              { series: `node_nf_conntrack_entries{${NODE}}`, values: '12000x10' },
              { series: `node_nf_conntrack_entries_limit{${NODE}}`, values: '262144x10' },
            ],
            at: '5m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeNetworkInterfaceFlapping',
        expr: promql`
          changes(node_network_up{${JOB}, device!~"veth.+"}[2m]) > ${t.interfaceFlappingChanges}`,
        for: t.interfaceFlappingFor,
        severity: 'warning',
        summary: 'Network interface is often changing its status.',
        description:
          'Interface {{ $labels.device }} on {{ $labels.instance }} changed its up/down status ' +
          '{{ printf "%.0f" $value }} times in the last 2 minutes.',
        tests: {
          fires: {
            interval: '15s',
            input: [{ series: `node_network_up{${NODE}, device="eth1"}`, values: Array(30).fill('1 0').join(' ') }],
            at: '10m',
            expect: [{ ...nodeLabels, device: 'eth1' }],
          },
          silent: {
            interval: '15s',
            input: [
              { series: `node_network_up{${NODE}, device="eth0"}`, values: '1x60' },
              // One clean restart of the link is not flapping.
              { series: `node_network_up{${NODE}, device="eth1"}`, values: '1x30 0 1x29' },
            ],
            at: '10m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeBondingDegraded',
        expr: promql`node_bonding_slaves{${JOB}} - node_bonding_active{${JOB}} != 0`,
        for: t.bondingDegradedFor,
        severity: 'warning',
        summary: 'Bonding interface is degraded.',
        description:
          'Bonding interface {{ $labels.master }} on {{ $labels.instance }} has {{ $value }} member(s) that are not active.',
        tests: {
          fires: {
            input: [
              { series: `node_bonding_slaves{${NODE}, master="bond0"}`, values: '2x20' },
              { series: `node_bonding_active{${NODE}, master="bond0"}`, values: '1x20' },
            ],
            at: '10m',
            expect: [{ ...nodeLabels, master: 'bond0' }],
          },
          silent: {
            input: [
              { series: `node_bonding_slaves{${NODE}, master="bond0"}`, values: '2x20' },
              { series: `node_bonding_active{${NODE}, master="bond0"}`, values: '2x20' },
            ],
            at: '10m',
            expect: [],
          },
        },
      }),

      // ---- textfile collector, clock ----
      alertingRule({
        alert: 'NodeTextFileCollectorScrapeError',
        expr: promql`node_textfile_scrape_error{${JOB}} == 1`,
        severity: 'warning',
        summary: 'Node Exporter text file collector failed to scrape.',
        description: 'The text file collector of node-exporter on {{ $labels.instance }} could not read or parse a file.',
        tests: {
          fires: { input: [{ series: `node_textfile_scrape_error{${NODE}}`, values: '0x5 1x10' }], at: '10m', expect: [nodeLabels] },
          silent: { input: [{ series: `node_textfile_scrape_error{${NODE}}`, values: '0x15' }], at: '10m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'NodeClockSkewDetected',
        // Off by more than the threshold and not converging: the offset is not shrinking towards zero.
        expr: promql`
          node_timex_offset_seconds{${JOB}}
            and abs(node_timex_offset_seconds{${JOB}}) > ${t.clockSkewSeconds}
            and node_timex_offset_seconds{${JOB}} * deriv(node_timex_offset_seconds{${JOB}}[5m]) >= 0`,
        for: t.clockFor,
        severity: 'warning',
        summary: 'Clock skew detected.',
        description:
          'The clock of {{ $labels.instance }} is off by {{ humanizeDuration $value }} and not converging. ' +
          'Make sure NTP (or another time sync) is configured and working on this host.',
        tests: {
          fires: {
            input: [{ series: `node_timex_offset_seconds{${NODE}}`, values: '0.08+0.001x30' }],
            at: '20m',
            expect: [nodeLabels],
          },
          silent: {
            input: [
              { series: `node_timex_offset_seconds{${NODE}}`, values: '0.002x30' },
              // Far off, but being corrected: converging towards zero.
              { series: `node_timex_offset_seconds{job="node-exporter", instance="node-b"}`, values: '-0.3+0.005x30' },
            ],
            at: '20m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeClockNotSynchronising',
        expr: promql`
          min_over_time(node_timex_sync_status{${JOB}}[5m]) == 0
          and node_timex_maxerror_seconds{${JOB}} >= ${t.clockMaxErrorSeconds}`,
        for: t.clockFor,
        severity: 'warning',
        summary: 'Clock is not synchronising.',
        description:
          'The clock of {{ $labels.instance }} is not synchronising. Make sure NTP (or another time sync) is ' +
          'configured on this host.',
        tests: {
          fires: {
            input: [
              { series: `node_timex_sync_status{${NODE}}`, values: '0x30' },
              { series: `node_timex_maxerror_seconds{${NODE}}`, values: '16x30' },
            ],
            at: '20m',
            expect: [nodeLabels],
          },
          silent: {
            input: [
              { series: `node_timex_sync_status{${NODE}}`, values: '1x30' },
              { series: `node_timex_maxerror_seconds{${NODE}}`, values: '0.02x30' },
            ],
            at: '20m',
            expect: [],
          },
        },
      }),

      // ---- RAID ----
      alertingRule({
        alert: 'NodeRAIDDegraded',
        expr: promql`
          node_md_disks_required{${JOB}} - ignoring (state) node_md_disks{${JOB}, state="active"} > 0`,
        for: t.raidDegradedFor,
        severity: 'critical',
        summary: 'RAID array is degraded.',
        description:
          'RAID array {{ $labels.device }} on {{ $labels.instance }} is missing {{ $value }} active disk(s): it is ' +
          'degraded because of one or more disk failures.',
        tests: {
          fires: {
            input: [
              { series: `node_md_disks_required{${NODE}, device="md0"}`, values: '2x30' },
              { series: `node_md_disks{${NODE}, device="md0", state="active"}`, values: '2x5 1x25' },
              { series: `node_md_disks{${NODE}, device="md0", state="failed"}`, values: '0x5 1x25' },
            ],
            at: '25m',
            expect: [{ ...nodeLabels, device: 'md0' }],
          },
          silent: {
            input: [
              { series: `node_md_disks_required{${NODE}, device="md0"}`, values: '2x30' },
              { series: `node_md_disks{${NODE}, device="md0", state="active"}`, values: '2x30' },
              { series: `node_md_disks{${NODE}, device="md0", state="failed"}`, values: '0x30' },
            ],
            at: '25m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeRAIDDiskFailure',
        expr: promql`node_md_disks{${JOB}, state="failed"} > 0`,
        severity: 'warning',
        summary: 'Failed device in RAID array.',
        description:
          'RAID array {{ $labels.device }} on {{ $labels.instance }} has {{ $value }} failed disk(s); replace it.',
        tests: {
          fires: {
            input: [{ series: `node_md_disks{${NODE}, device="md0", state="failed"}`, values: '0x5 1x10' }],
            at: '10m',
            expect: [{ ...nodeLabels, device: 'md0', state: 'failed' }],
          },
          silent: {
            input: [{ series: `node_md_disks{${NODE}, device="md0", state="failed"}`, values: '0x15' }],
            at: '10m',
            expect: [],
          },
        },
      }),

      // ---- file descriptors ----
      alertingRule({
        alert: 'NodeFileDescriptorLimit',
        expr: fileDescriptors(t.fileDescriptorWarningPercent),
        for: t.fileDescriptorFor,
        severity: 'warning',
        summary: 'Kernel is predicted to exhaust its file descriptor limit soon.',
        description:
          '{{ printf "%.2f" $value }}% of the kernel\'s file descriptors are allocated on {{ $labels.instance }}.',
        tests: {
          fires: { input: fdInput(800000), at: '20m', expect: [nodeLabels] },
          silent: silentCase(fdInput(40000), '20m'),
        },
      }),
      alertingRule({
        alert: 'NodeFileDescriptorLimit',
        expr: fileDescriptors(t.fileDescriptorCriticalPercent),
        for: t.fileDescriptorFor,
        severity: 'critical',
        summary: 'Kernel is about to exhaust its file descriptor limit.',
        description:
          '{{ printf "%.2f" $value }}% of the kernel\'s file descriptors are allocated on {{ $labels.instance }}.',
        tests: {
          fires: { input: fdInput(950000), at: '20m', expect: [{ ...nodeLabels, severity: 'warning' }, nodeLabels] },
          silent: silentCase(fdInput(40000), '20m'),
        },
      }),

      // ---- CPU, memory, disk I/O ----
      alertingRule({
        alert: 'NodeCPUHighUsage',
        expr: promql`instance:node_cpu_utilisation:rate5m{${JOB}} * 100 > ${t.cpuHighUsagePercent}`,
        for: t.cpuHighUsageFor,
        severity: 'info',
        summary: 'High CPU usage.',
        description: 'CPU usage on {{ $labels.instance }} has been {{ printf "%.0f" $value }}% for a while.',
        tests: {
          fires: { input: cpuIdle(3, 40), at: '30m', expect: [nodeLabels] },
          silent: { input: cpuIdle(45, 40), at: '30m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'NodeSystemSaturation',
        expr: promql`instance:node_load1_per_cpu:ratio{${JOB}} > ${t.systemSaturationLoadPerCpu}`,
        for: t.systemSaturationFor,
        severity: 'warning',
        summary: 'System saturated, load per core is very high.',
        description:
          'The 1-minute load average per core on {{ $labels.instance }} is {{ printf "%.2f" $value }}: more work ' +
          'waits than the CPUs can do; services on this node may become slow.',
        tests: {
          fires: {
            input: [...cpuIdle(10, 40), { series: `node_load1{${NODE}}`, values: '6x40' }],
            at: '30m',
            expect: [nodeLabels],
          },
          silent: {
            input: [...cpuIdle(30, 40), { series: `node_load1{${NODE}}`, values: '1.2x40' }],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeMemoryMajorPagesFaults',
        expr: promql`instance:node_vmstat_pgmajfault:rate5m{${JOB}} > ${t.majorPageFaultsPerSecond}`,
        for: t.majorPageFaultsFor,
        severity: 'warning',
        summary: 'Memory major page faults are occurring at a very high rate.',
        description:
          '{{ printf "%.0f" $value }} major page faults per second on {{ $labels.instance }}: memory pressure ' +
          'is forcing the node to read pages back from disk.',
        tests: {
          fires: { input: [{ series: `node_vmstat_pgmajfault{${NODE}}`, values: '0+60000x40' }], at: '30m', expect: [nodeLabels] },
          silent: { input: [{ series: `node_vmstat_pgmajfault{${NODE}}`, values: '0+600x40' }], at: '30m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'NodeMemoryHighUtilization',
        expr: promql`instance:node_memory_utilisation:ratio{${JOB}} * 100 > ${t.memoryHighUtilizationPercent}`,
        for: t.memoryHighUtilizationFor,
        severity: 'warning',
        summary: 'Host is running out of memory.',
        description: 'Memory on {{ $labels.instance }} is {{ printf "%.0f" $value }}% used.',
        tests: {
          fires: {
            input: [
              { series: `node_memory_MemTotal_bytes{${NODE}}`, values: '16000000000x40' },
              { series: `node_memory_MemAvailable_bytes{${NODE}}`, values: '800000000x40' },
            ],
            at: '30m',
            expect: [nodeLabels],
          },
          silent: {
            input: [
              { series: `node_memory_MemTotal_bytes{${NODE}}`, values: '16000000000x40' },
              { series: `node_memory_MemAvailable_bytes{${NODE}}`, values: '6000000000x40' },
            ],
            at: '30m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeDiskIOSaturation',
        expr: promql`instance_device:node_disk_io_time_weighted_seconds:rate5m{${JOB}} > ${t.diskIOQueueDepth}`,
        for: t.diskIOSaturationFor,
        severity: 'warning',
        summary: 'Disk I/O queue is high.',
        description:
          'Disk {{ $labels.device }} on {{ $labels.instance }} has an average I/O queue of {{ printf "%.2f" $value }} ' +
          'over the last 5 minutes: requests wait long to be served.',
        tests: {
          fires: {
            input: [{ series: `node_disk_io_time_weighted_seconds_total{${NODE}, device="nvme0n1"}`, values: '0+900x50' }],
            at: '40m',
            expect: [{ ...nodeLabels, device: 'nvme0n1' }],
          },
          silent: {
            input: [
              { series: `node_disk_io_time_weighted_seconds_total{${NODE}, device="nvme0n1"}`, values: '0+30x50' },
              // Not a whole disk (a loop device): left out by the device selection.
              { series: `node_disk_io_time_weighted_seconds_total{${NODE}, device="loop3"}`, values: '0+900x50' },
            ],
            at: '40m',
            expect: [],
          },
        },
      }),

      // ---- systemd: only with --collector.systemd, which is off by default (no alert that cannot fire) ----
      ...(collectors.systemd ? [alertingRule({
        alert: 'NodeSystemdServiceFailed',
        expr: promql`node_systemd_unit_state{${JOB}, state="failed"} == 1`,
        for: t.systemdServiceFailedFor,
        severity: 'warning',
        summary: 'Systemd service has entered failed state.',
        description: 'Systemd service {{ $labels.name }} on {{ $labels.instance }} has entered the failed state.',
        tests: {
          fires: {
            input: [
              { series: `node_systemd_unit_state{${NODE}, name="backup.service", state="active"}`, values: '1x5 0x15' },
              { series: `node_systemd_unit_state{${NODE}, name="backup.service", state="failed"}`, values: '0x5 1x15' },
            ],
            at: '15m',
            expect: [{ ...nodeLabels, name: 'backup.service', state: 'failed' }],
          },
          silent: {
            input: [
              { series: `node_systemd_unit_state{${NODE}, name="backup.service", state="active"}`, values: '1x20' },
              { series: `node_systemd_unit_state{${NODE}, name="backup.service", state="failed"}`, values: '0x20' },
            ],
            at: '15m',
            expect: [],
          },
        },
      }),
      alertingRule({
        alert: 'NodeSystemdServiceCrashlooping',
        expr: promql`increase(node_systemd_service_restart_total{${JOB}}[5m]) > ${t.systemdRestartsPer5m}`,
        for: t.systemdCrashloopingFor,
        severity: 'warning',
        summary: 'Systemd service keeps restarting, possibly crash looping.',
        description:
          'Systemd service {{ $labels.name }} on {{ $labels.instance }} restarted {{ printf "%.0f" $value }} times ' +
          'in the last 5 minutes.',
        tests: {
          fires: {
            input: [{ series: `node_systemd_service_restart_total{${NODE}, name="agent.service"}`, values: '0+1x40' }],
            at: '30m',
            expect: [{ ...nodeLabels, name: 'agent.service' }],
          },
          silent: {
            input: [{ series: `node_systemd_service_restart_total{${NODE}, name="agent.service"}`, values: '3x40' }],
            at: '30m',
            expect: [],
          },
        },
      })] : []),
    ], { runbookArea: 'node' }),
  ];
}
