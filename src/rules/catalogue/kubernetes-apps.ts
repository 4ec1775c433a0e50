// Alerts and recording rules about workloads, resources and storage, from kube-state-metrics, cAdvisor and kubelet.
import { alertingRule, promql, recordingRule, ruleGroup } from '../builders';
import type { AlertDefinition, RecordDefinition, RuleGroupDefinition, SeriesInput } from '../types';

/** Thresholds of these alerts; every field documents its @default. */
export interface KubernetesAppsThresholds {
  /** How long a container must keep crash-looping (KubePodCrashLooping). @default "15m" */
  readonly podCrashLoopingFor: string;
  /** How long a pod not owned by a Job may stay Pending, Unknown or Failed (KubePodNotReady). @default "15m" */
  readonly podNotReadyFor: string;
  /** How long a Deployment, StatefulSet or DaemonSet may stay short of replicas or behind its spec. @default "15m" */
  readonly rolloutFor: string;
  /** A rollout counts as stuck when its updated replicas did not change within this window. @default "10m" */
  readonly rolloutProgressWindow: string;
  /** How long a container may stay waiting for any reason but CrashLoopBackOff (KubeContainerWaiting). @default "1h" */
  readonly containerWaitingFor: string;
  /** How long a DaemonSet may have pods it could not schedule (KubeDaemonSetNotScheduled). @default "10m" */
  readonly daemonSetNotScheduledFor: string;
  /** How long a DaemonSet may run pods where it should not (KubeDaemonSetMisScheduled). @default "15m" */
  readonly daemonSetMisScheduledFor: string;
  /** KubeJobNotCompleted fires for a Job still active this many seconds after it started. @default 43200 */
  readonly jobNotCompletedSeconds: number;
  /** How long a Job may stay failed before KubeJobFailed fires. @default "15m" */
  readonly jobFailedFor: string;
  /** How long an HPA may miss its desired replicas or run at its maximum (KubeHpa*). @default "15m" */
  readonly hpaFor: string;
  /** How long a PodDisruptionBudget may have fewer healthy pods than it requires. @default "15m" */
  readonly pdbFor: string;
  /** How long pod requests may exceed what the cluster has left after losing its largest node. @default "10m" */
  readonly overcommitFor: string;
  /** Kube*QuotaOvercommit fires when the namespaces' quotas add up to more than this many times the cluster's allocatable resources. @default 1.5 */
  readonly quotaOvercommitFactor: number;
  /** @default "5m" */
  readonly quotaOvercommitFor: string;
  /** KubeQuotaAlmostFull fires when a namespace uses at least this percentage (0-100) of a quota. @default 90 */
  readonly quotaAlmostFullPercent: number;
  /** How long a quota must stay (almost) full or exceeded before KubeQuota* fire. @default "15m" */
  readonly quotaFor: string;
  /** CPUThrottlingHigh fires above this percentage (0-100) of throttled CFS periods of a container. @default 25 */
  readonly cpuThrottlingPercent: number;
  /** @default "15m" */
  readonly cpuThrottlingFor: string;
  /** KubePersistentVolumeFillingUp (critical) fires below this percentage (0-100) of free space. @default 3 */
  readonly volumeSpaceCriticalPercent: number;
  /** KubePersistentVolumeFillingUp (warning) fires below this percentage of free space, if the volume is predicted to fill up. @default 15 */
  readonly volumeSpaceWarningPercent: number;
  /** KubePersistentVolumeInodesFillingUp (critical) fires below this percentage (0-100) of free inodes. @default 3 */
  readonly volumeInodesCriticalPercent: number;
  /** KubePersistentVolumeInodesFillingUp (warning) fires below this percentage of free inodes, if they are predicted to run out. @default 15 */
  readonly volumeInodesWarningPercent: number;
  /** @default "1m" */
  readonly volumeFillingUpCriticalFor: string;
  /** @default "1h" */
  readonly volumeFillingUpWarningFor: string;
  /** The history the linear prediction of a volume's free space and inodes is made from. @default "6h" */
  readonly volumePredictionWindow: string;
  /** The warning variants fire when a volume is predicted to be full within this many days. @default 4 */
  readonly volumePredictionDays: number;
  /** How long a PersistentVolume may stay Failed or Pending (KubePersistentVolumeErrors). @default "5m" */
  readonly volumeErrorsFor: string;
}

export const DEFAULT_KUBERNETES_APPS_THRESHOLDS: KubernetesAppsThresholds = {
  podCrashLoopingFor: '15m',
  podNotReadyFor: '15m',
  rolloutFor: '15m',
  rolloutProgressWindow: '10m',
  containerWaitingFor: '1h',
  daemonSetNotScheduledFor: '10m',
  daemonSetMisScheduledFor: '15m',
  jobNotCompletedSeconds: 43200,
  jobFailedFor: '15m',
  hpaFor: '15m',
  pdbFor: '15m',
  overcommitFor: '10m',
  quotaOvercommitFactor: 1.5,
  quotaOvercommitFor: '5m',
  quotaAlmostFullPercent: 90,
  quotaFor: '15m',
  cpuThrottlingPercent: 25,
  cpuThrottlingFor: '15m',
  volumeSpaceCriticalPercent: 3,
  volumeSpaceWarningPercent: 15,
  volumeInodesCriticalPercent: 3,
  volumeInodesWarningPercent: 15,
  volumeFillingUpCriticalFor: '1m',
  volumeFillingUpWarningFor: '1h',
  volumePredictionWindow: '6h',
  volumePredictionDays: 4,
  volumeErrorsFor: '5m',
};

/**
 * What kubelet exposes about containers and volumes: cAdvisor's container_* and machine_* series
 * (`/metrics/cadvisor`; the families the stack drops at scrape time are left out) and the volume statistics of
 * kubelet's `/metrics`. The kube_* series these rules also read are kube-state-metrics' catalogue.
 */
export const KUBERNETES_APPS_METRICS: readonly string[] = [
  // CPU.
  'container_cpu_usage_seconds_total', 'container_cpu_user_seconds_total', 'container_cpu_system_seconds_total',
  'container_cpu_cfs_periods_total', 'container_cpu_cfs_throttled_periods_total',
  'container_cpu_cfs_throttled_seconds_total',
  // Memory.
  'container_memory_usage_bytes', 'container_memory_working_set_bytes', 'container_memory_rss', 'container_memory_cache',
  'container_memory_swap', 'container_memory_mapped_file', 'container_memory_kernel_usage',
  'container_memory_max_usage_bytes', 'container_memory_failcnt', 'container_memory_failures_total',
  'container_oom_events_total',
  // Pressure stall information (cgroup v2).
  'container_pressure_cpu_stalled_seconds_total', 'container_pressure_cpu_waiting_seconds_total',
  'container_pressure_memory_stalled_seconds_total', 'container_pressure_memory_waiting_seconds_total',
  'container_pressure_io_stalled_seconds_total', 'container_pressure_io_waiting_seconds_total',
  // Network (per pod).
  'container_network_receive_bytes_total', 'container_network_transmit_bytes_total',
  'container_network_receive_packets_total', 'container_network_transmit_packets_total',
  'container_network_receive_packets_dropped_total', 'container_network_transmit_packets_dropped_total',
  'container_network_receive_errors_total', 'container_network_transmit_errors_total',
  // Filesystem and block I/O.
  'container_fs_usage_bytes', 'container_fs_limit_bytes', 'container_fs_inodes_free', 'container_fs_inodes_total',
  'container_fs_reads_bytes_total', 'container_fs_writes_bytes_total', 'container_fs_reads_total',
  'container_fs_writes_total', 'container_fs_reads_merged_total', 'container_fs_writes_merged_total',
  'container_fs_read_seconds_total', 'container_fs_write_seconds_total', 'container_fs_sector_reads_total',
  'container_fs_sector_writes_total', 'container_fs_io_current', 'container_fs_io_time_seconds_total',
  'container_fs_io_time_weighted_seconds_total', 'container_blkio_device_usage_total',
  // Processes and limits.
  'container_file_descriptors', 'container_sockets', 'container_threads', 'container_threads_max',
  'container_processes', 'container_ulimits_soft',
  // Container spec and lifecycle.
  'container_spec_cpu_period', 'container_spec_cpu_quota', 'container_spec_cpu_shares',
  'container_spec_memory_limit_bytes', 'container_spec_memory_reservation_limit_bytes',
  'container_spec_memory_swap_limit_bytes', 'container_start_time_seconds', 'container_last_seen',
  'container_scrape_error',
  // The machine cAdvisor runs on.
  'machine_cpu_cores', 'machine_cpu_physical_cores', 'machine_cpu_sockets', 'machine_memory_bytes',
  'machine_nvm_capacity', 'machine_scrape_error', 'cadvisor_version_info',
  // Volume statistics (kubelet /metrics).
  'kubelet_volume_stats_capacity_bytes', 'kubelet_volume_stats_available_bytes', 'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_inodes', 'kubelet_volume_stats_inodes_free', 'kubelet_volume_stats_inodes_used',
  'kubelet_volume_stats_health_status_abnormal',
];

const KSM = 'job="kube-state-metrics"';
const CADVISOR = 'job="kubelet", metrics_path="/metrics/cadvisor"';
const KUBELET = 'job="kubelet", metrics_path="/metrics"';

/** One input series of kube-state-metrics in a test: `metric{job="kube-state-metrics", labels}`. */
function ksm(metric: string, labels: string, values: string): SeriesInput {
  return { series: `${metric}{job="kube-state-metrics", ${labels}}`, values };
}

/** Each pod's node, one per pod even while kube-state-metrics briefly reports two. */
const POD_NODE = promql`topk by (namespace, pod) (1, max by (namespace, pod, node) (kube_pod_info{${KSM}, node!=""}))`;

function containerUsageRules(): RecordDefinition[] {
  const perContainer = (metric: string) =>
    recordingRule(
      `node_namespace_pod_container:${metric}`,
      promql`
        max by (namespace, pod, container) (${metric}{${CADVISOR}, container!="", image!=""})
        * on (namespace, pod) group_left (node) ${POD_NODE}`,
    );
  const perPod = (metric: string) =>
    recordingRule(
      `namespace_pod:${metric}:sum_rate5m`,
      promql`sum by (namespace, pod) (rate(${metric}{${CADVISOR}, namespace!="", pod!=""}[5m]))`,
    );
  return [
    recordingRule(
      'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m',
      promql`
        sum by (namespace, pod, container) (
          rate(container_cpu_usage_seconds_total{${CADVISOR}, container!="", image!=""}[5m])
        )
        * on (namespace, pod) group_left (node) ${POD_NODE}`,
    ),
    perContainer('container_memory_working_set_bytes'),
    perContainer('container_memory_rss'),
    perContainer('container_memory_cache'),
    perContainer('container_memory_swap'),
    recordingRule(
      'namespace:container_cpu_usage_seconds_total:sum_rate5m',
      'sum by (namespace) (node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m)',
    ),
    recordingRule(
      'namespace:container_memory_working_set_bytes:sum',
      'sum by (namespace) (node_namespace_pod_container:container_memory_working_set_bytes)',
    ),
    perPod('container_network_receive_bytes_total'),
    perPod('container_network_transmit_bytes_total'),
    perPod('container_network_receive_packets_dropped_total'),
    perPod('container_network_transmit_packets_dropped_total'),
  ];
}

function requestsAndLimitsRules(): RecordDefinition[] {
  return (['requests', 'limits'] as const).flatMap((kind) =>
    (['cpu', 'memory'] as const).flatMap((resource) => {
      const active = `cluster:namespace:pod_${resource}:active:kube_pod_container_resource_${kind}`;
      return [
        // Only pods that hold (or wait for) their resources: Pending or Running.
        recordingRule(
          active,
          promql`
            kube_pod_container_resource_${kind}{${KSM}, resource="${resource}"}
            and on (namespace, pod) (kube_pod_status_phase{${KSM}, phase=~"Pending|Running"} == 1)`,
        ),
        recordingRule(
          `namespace_${resource}:kube_pod_container_resource_${kind}:sum`,
          promql`sum by (namespace) (max by (namespace, pod, container) (${active}))`,
        ),
      ];
    }),
  );
}

/**
 * `workload` and `workload_type` of every pod, following ReplicaSets to Deployments and Jobs to CronJobs. Pods
 * without an owner (bare pods), static pods (owned by their Node) and pods of other controllers (an Argo Rollout,
 * a custom operator's kind) are there too: a dashboard or alert that joins on it loses no pod.
 */
function podOwnerRules(): RecordDefinition[] {
  const record = 'namespace_workload_pod:kube_pod_owner:relabel';
  const ownedBy = (kind: string) => `kube_pod_owner{${KSM}, owner_kind="${kind}"}`;
  const asWorkload = (selector: string, from = 'owner_name') => `label_replace(${selector}, "workload", "$1", "${from}", "(.*)")`;
  /** The kind of a custom owner, as it is spelled (e.g. `Rollout`): PromQL cannot lowercase it. */
  const kindAsType = (selector: string) => `label_replace(${selector}, "workload_type", "$1", "owner_kind", "(.*)")`;
  /** Owner objects (ReplicaSets, Jobs) whose owner's kind matches, with `owner_name` renamed to `workload` and their own name as `owner_name`. */
  const grandOwners = (metric: string, nameLabel: string, kindMatcher: string, typed: boolean) => {
    const owners = asWorkload(`${metric}{${KSM}, ${kindMatcher}}`);
    return promql`
      max by (namespace, owner_name, workload${typed ? ', workload_type' : ''}) (
        label_replace(${typed ? kindAsType(owners) : owners}, "owner_name", "$1", "${nameLabel}", "(.*)")
      )`;
  };
  const ownedObjects = (metric: string, nameLabel: string) =>
    `label_replace(${metric}{${KSM}, owner_kind!="<none>"}, "owner_name", "$1", "${nameLabel}", "(.*)")`;
  const viaOwner = (podOwnerKind: string, metric: string, nameLabel: string, kind: string) =>
    promql`
      max by (namespace, workload, pod) (
        ${ownedBy(podOwnerKind)}
        * on (namespace, owner_name) group_left (workload) ${grandOwners(metric, nameLabel, `owner_kind="${kind}"`, false)}
      )`;
  /** Pods of ReplicaSets or Jobs that another controller than a Deployment or CronJob owns. */
  const viaCustomOwner = (podOwnerKind: string, metric: string, nameLabel: string, standardKind: string) =>
    promql`
      max by (namespace, workload, workload_type, pod) (
        ${ownedBy(podOwnerKind)}
        * on (namespace, owner_name) group_left (workload, workload_type) ${grandOwners(metric, nameLabel, `owner_kind!~"${standardKind}|<none>"`, true)}
      )`;
  /** Pods of ReplicaSets or Jobs that nothing owns (or that kube-state-metrics has not seen yet). */
  const withoutOwner = (podOwnerKind: string, metric: string, nameLabel: string) =>
    promql`
      max by (namespace, workload, pod) (
        ${asWorkload(ownedBy(podOwnerKind))}
        unless on (namespace, owner_name) ${ownedObjects(metric, nameLabel)}
      )`;
  const direct = (kind: string) => promql`max by (namespace, workload, pod) (${asWorkload(ownedBy(kind))})`;
  const standard = 'ReplicaSet|DaemonSet|StatefulSet|Job|Node|<none>';
  return [
    recordingRule(record, viaOwner('ReplicaSet', 'kube_replicaset_owner', 'replicaset', 'Deployment'), { workload_type: 'deployment' }),
    recordingRule(record, withoutOwner('ReplicaSet', 'kube_replicaset_owner', 'replicaset'), { workload_type: 'replicaset' }),
    recordingRule(record, direct('DaemonSet'), { workload_type: 'daemonset' }),
    recordingRule(record, direct('StatefulSet'), { workload_type: 'statefulset' }),
    recordingRule(record, viaOwner('Job', 'kube_job_owner', 'job_name', 'CronJob'), { workload_type: 'cronjob' }),
    recordingRule(record, withoutOwner('Job', 'kube_job_owner', 'job_name'), { workload_type: 'job' }),
    // A static pod is its own workload; so is a bare pod (kube-state-metrics reports its owner as `<none>`).
    recordingRule(record, promql`max by (namespace, workload, pod) (${asWorkload(ownedBy('Node'), 'pod')})`, { workload_type: 'staticpod' }),
    recordingRule(record, promql`max by (namespace, workload, pod) (${asWorkload(ownedBy('<none>'), 'pod')})`, { workload_type: 'barepod' }),
    // Other controllers, directly or through a ReplicaSet or Job of theirs: one rule, as their `workload_type` is
    // their kind (promtool rejects two rules of a record with the same static labels).
    recordingRule(record, promql`
      max by (namespace, workload, workload_type, pod) (
        ${kindAsType(asWorkload(`kube_pod_owner{${KSM}, owner_kind!~"${standard}", owner_is_controller="true"}`))}
      )
      or ${viaCustomOwner('ReplicaSet', 'kube_replicaset_owner', 'replicaset', 'Deployment')}
      or ${viaCustomOwner('Job', 'kube_job_owner', 'job_name', 'CronJob')}`),
  ];
}

function appsAlerts(t: KubernetesAppsThresholds): AlertDefinition[] {
  const progress = t.rolloutProgressWindow;
  const deployment = 'namespace="shop", deployment="web"';
  const statefulset = 'namespace="shop", statefulset="db"';
  const daemonset = 'namespace="kube-system", daemonset="agent"';
  const hpa = 'namespace="shop", horizontalpodautoscaler="web"';
  const daemonSetStatus = (desired: number, current: number, updated: number, available: number, misscheduled: number) => [
    ksm('kube_daemonset_status_desired_number_scheduled', daemonset, `${desired}x40`),
    ksm('kube_daemonset_status_current_number_scheduled', daemonset, `${current}x40`),
    ksm('kube_daemonset_status_updated_number_scheduled', daemonset, `${updated}x40`),
    ksm('kube_daemonset_status_number_available', daemonset, `${available}x40`),
    ksm('kube_daemonset_status_number_misscheduled', daemonset, `${misscheduled}x40`),
  ];
  const hpaStatus = (min: number, max: number, current: number, desired: number) => [
    ksm('kube_horizontalpodautoscaler_spec_min_replicas', hpa, `${min}x40`),
    ksm('kube_horizontalpodautoscaler_spec_max_replicas', hpa, `${max}x40`),
    ksm('kube_horizontalpodautoscaler_status_current_replicas', hpa, `${current}x40`),
    ksm('kube_horizontalpodautoscaler_status_desired_replicas', hpa, `${desired}x40`),
  ];
  const pod = (name: string, phase: string, ownerKind: string, ownerName: string) => [
    ...['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'].map((p) =>
      ksm('kube_pod_status_phase', `namespace="shop", pod="${name}", phase="${p}"`, p === phase ? '1x40' : '0x40'),
    ),
    ksm('kube_pod_owner', `namespace="shop", pod="${name}", owner_kind="${ownerKind}", owner_name="${ownerName}", owner_is_controller="true"`, '1x40'),
  ];
  const container = 'namespace="shop", pod="api-7d9f-x2k4p", container="api"';

  return [
    alertingRule({
      alert: 'KubePodCrashLooping',
      // Between back-offs the container runs briefly and the waiting series disappears: look over a window.
      expr: promql`
        max by (namespace, pod, container) (
          max_over_time(kube_pod_container_status_waiting_reason{${KSM}, reason="CrashLoopBackOff"}[10m])
        ) >= 1`,
      for: t.podCrashLoopingFor,
      severity: 'warning',
      summary: 'Pod is crash looping.',
      description:
        'Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} keeps crashing and is ' +
        'waiting in CrashLoopBackOff.',
      tests: {
        fires: {
          input: [ksm('kube_pod_container_status_waiting_reason', `${container}, reason="CrashLoopBackOff"`, '1x8 _x2 1x8 _x3 1x30')],
          at: '20m',
          expect: [{ namespace: 'shop', pod: 'api-7d9f-x2k4p', container: 'api' }],
        },
        silent: {
          input: [
            ksm('kube_pod_container_status_waiting_reason', `${container}, reason="ContainerCreating"`, '1x2'),
            ksm('kube_pod_container_status_running', container, '0x2 1x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubePodNotReady',
      // As the community's: Pending or Unknown only. A Failed pod (an evicted one) is replaced and lingers until it
      // is garbage-collected; alerting on it pages for hours about a pod that no longer matters.
      expr: promql`
        max by (namespace, pod) (kube_pod_status_phase{${KSM}, phase=~"Pending|Unknown"} == 1)
        unless on (namespace, pod) kube_pod_owner{${KSM}, owner_kind="Job"}`,
      for: t.podNotReadyFor,
      severity: 'warning',
      summary: 'Pod has been in a non-ready state for too long.',
      description: `Pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending or Unknown for longer than ${t.podNotReadyFor}.`,
      tests: {
        fires: {
          input: [...pod('web-5c6b-8kq2z', 'Pending', 'ReplicaSet', 'web-5c6b'), ...pod('backup-28930-ab12c', 'Failed', 'Job', 'backup-28930')],
          at: '20m',
          expect: [{ namespace: 'shop', pod: 'web-5c6b-8kq2z' }],
        },
        silent: {
          // An evicted pod stays Failed beside its replacement: not an alert.
          input: [
            ...pod('web-5c6b-8kq2z', 'Running', 'ReplicaSet', 'web-5c6b'), ...pod('backup-28930-ab12c', 'Succeeded', 'Job', 'backup-28930'),
            ...pod('web-5c6b-evict', 'Failed', 'ReplicaSet', 'web-5c6b'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeDeploymentGenerationMismatch',
      expr: promql`
        kube_deployment_metadata_generation{${KSM}} - kube_deployment_status_observed_generation{${KSM}}
        != 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'Deployment generation mismatch due to possible roll-back.',
      description:
        'The deployment controller has not caught up with the latest spec of Deployment ' +
        '{{ $labels.namespace }}/{{ $labels.deployment }}: its rollout may have failed without being rolled back.',
      tests: {
        fires: {
          input: [ksm('kube_deployment_metadata_generation', deployment, '4x40'), ksm('kube_deployment_status_observed_generation', deployment, '3x40')],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', deployment: 'web' }],
        },
        silent: {
          input: [ksm('kube_deployment_metadata_generation', deployment, '3x10 4x30'), ksm('kube_deployment_status_observed_generation', deployment, '3x11 4x29')],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeDeploymentReplicasMismatch',
      expr: promql`
        kube_deployment_spec_replicas{${KSM}} - kube_deployment_status_replicas_available{${KSM}} > 0
        and on (namespace, deployment)
        changes(kube_deployment_status_replicas_updated{${KSM}}[${progress}]) == 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'Deployment has not matched the expected number of replicas.',
      description:
        `Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has had {{ $value }} fewer available replicas ` +
        `than desired for longer than ${t.rolloutFor}.`,
      tests: {
        fires: {
          input: [
            ksm('kube_deployment_spec_replicas', deployment, '3x40'),
            ksm('kube_deployment_status_replicas_available', deployment, '1x40'),
            ksm('kube_deployment_status_replicas_updated', deployment, '3x40'),
          ],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', deployment: 'web' }],
        },
        silent: {
          input: [
            ksm('kube_deployment_spec_replicas', deployment, '3x40'),
            ksm('kube_deployment_status_replicas_available', deployment, '3x40'),
            ksm('kube_deployment_status_replicas_updated', deployment, '3x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeDeploymentRolloutStuck',
      expr: promql`
        max by (namespace, deployment) (
          kube_deployment_status_condition{${KSM}, condition="Progressing", status="false"}
        ) == 1`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'Deployment rollout is not progressing.',
      description: `The rollout of Deployment {{ $labels.namespace }}/{{ $labels.deployment }} has not progressed for longer than ${t.rolloutFor}.`,
      tests: {
        fires: {
          input: [
            ksm('kube_deployment_status_condition', `${deployment}, condition="Progressing", reason="ProgressDeadlineExceeded", status="false"`, '1x40'),
            ksm('kube_deployment_status_condition', `${deployment}, condition="Progressing", reason="ProgressDeadlineExceeded", status="true"`, '0x40'),
          ],
          at: '20m',
          expect: [{ namespace: 'shop', deployment: 'web' }],
        },
        silent: {
          input: [
            ksm('kube_deployment_status_condition', `${deployment}, condition="Progressing", reason="NewReplicaSetAvailable", status="false"`, '0x40'),
            ksm('kube_deployment_status_condition', `${deployment}, condition="Progressing", reason="NewReplicaSetAvailable", status="true"`, '1x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeStatefulSetReplicasMismatch',
      expr: promql`
        kube_statefulset_replicas{${KSM}} - kube_statefulset_status_replicas_ready{${KSM}} != 0
        and on (namespace, statefulset)
        changes(kube_statefulset_status_replicas_updated{${KSM}}[${progress}]) == 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'StatefulSet has not matched the expected number of replicas.',
      description:
        `StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not had the desired number of ready ` +
        `replicas for longer than ${t.rolloutFor}.`,
      tests: {
        fires: {
          input: [
            ksm('kube_statefulset_replicas', statefulset, '3x40'),
            ksm('kube_statefulset_status_replicas_ready', statefulset, '2x40'),
            ksm('kube_statefulset_status_replicas_updated', statefulset, '3x40'),
          ],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', statefulset: 'db' }],
        },
        silent: {
          input: [
            ksm('kube_statefulset_replicas', statefulset, '3x40'),
            ksm('kube_statefulset_status_replicas_ready', statefulset, '3x40'),
            ksm('kube_statefulset_status_replicas_updated', statefulset, '3x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeStatefulSetGenerationMismatch',
      expr: promql`
        kube_statefulset_metadata_generation{${KSM}} - kube_statefulset_status_observed_generation{${KSM}}
        != 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'StatefulSet generation mismatch due to possible roll-back.',
      description:
        'The StatefulSet controller has not caught up with the latest spec of StatefulSet ' +
        '{{ $labels.namespace }}/{{ $labels.statefulset }}: its rollout may have failed without being rolled back.',
      tests: {
        fires: {
          input: [ksm('kube_statefulset_metadata_generation', statefulset, '7x40'), ksm('kube_statefulset_status_observed_generation', statefulset, '6x40')],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', statefulset: 'db' }],
        },
        silent: {
          input: [ksm('kube_statefulset_metadata_generation', statefulset, '7x40'), ksm('kube_statefulset_status_observed_generation', statefulset, '7x40')],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeStatefulSetUpdateNotRolledOut',
      // A new revision exists, not every replica runs it, and none has moved to it lately.
      expr: promql`
        kube_statefulset_replicas{${KSM}} - kube_statefulset_status_replicas_updated{${KSM}} != 0
        and on (namespace, statefulset) (
          kube_statefulset_status_current_revision{${KSM}}
          unless on (namespace, statefulset, revision) kube_statefulset_status_update_revision{${KSM}}
        )
        and on (namespace, statefulset)
        changes(kube_statefulset_status_replicas_updated{${KSM}}[${progress}]) == 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'StatefulSet update has not been rolled out.',
      description: `The update of StatefulSet {{ $labels.namespace }}/{{ $labels.statefulset }} has not been rolled out to all its replicas for longer than ${t.rolloutFor}.`,
      tests: {
        fires: {
          input: [
            ksm('kube_statefulset_replicas', statefulset, '3x40'),
            ksm('kube_statefulset_status_replicas_updated', statefulset, '1x40'),
            ksm('kube_statefulset_status_current_revision', `${statefulset}, revision="db-6b7f9c"`, '1x40'),
            ksm('kube_statefulset_status_update_revision', `${statefulset}, revision="db-85d4c1"`, '1x40'),
          ],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', statefulset: 'db' }],
        },
        silent: {
          input: [
            ksm('kube_statefulset_replicas', statefulset, '3x40'),
            ksm('kube_statefulset_status_replicas_updated', statefulset, '3x40'),
            ksm('kube_statefulset_status_current_revision', `${statefulset}, revision="db-85d4c1"`, '1x40'),
            ksm('kube_statefulset_status_update_revision', `${statefulset}, revision="db-85d4c1"`, '1x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeDaemonSetRolloutStuck',
      expr: promql`
        max by (namespace, daemonset) (
             kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_current_number_scheduled{${KSM}} != 0
          or kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_updated_number_scheduled{${KSM}} != 0
          or kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_number_available{${KSM}} != 0
          or kube_daemonset_status_number_misscheduled{${KSM}} != 0
        )
        and on (namespace, daemonset)
        changes(kube_daemonset_status_updated_number_scheduled{${KSM}}[${progress}]) == 0`,
      for: t.rolloutFor,
      severity: 'warning',
      summary: 'DaemonSet rollout is stuck.',
      description: `The rollout of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} has not finished or progressed for longer than ${t.rolloutFor}.`,
      tests: {
        fires: { input: daemonSetStatus(3, 3, 1, 1, 0), at: '20m', expect: [{ namespace: 'kube-system', daemonset: 'agent' }] },
        silent: { input: daemonSetStatus(3, 3, 3, 3, 0), at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeContainerWaiting',
      // Without the reason: ErrImagePull and ImagePullBackOff alternate, and the wait must count as one.
      expr: promql`
        max by (namespace, pod, container) (
          kube_pod_container_status_waiting_reason{${KSM}, reason!="CrashLoopBackOff"}
        ) == 1`,
      for: t.containerWaitingFor,
      severity: 'warning',
      summary: `Pod container waiting longer than ${t.containerWaitingFor}.`,
      description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been waiting to start for longer than ${t.containerWaitingFor}.`,
      tests: {
        fires: {
          input: [
            ksm('kube_pod_container_status_waiting_reason', `${container}, reason="ErrImagePull"`, '1x20 _x20 1x40'),
            ksm('kube_pod_container_status_waiting_reason', `${container}, reason="ImagePullBackOff"`, '_x20 1x20 _x40'),
          ],
          at: '65m',
          expect: [{ namespace: 'shop', pod: 'api-7d9f-x2k4p', container: 'api' }],
        },
        silent: {
          input: [
            ksm('kube_pod_container_status_waiting_reason', `${container}, reason="ContainerCreating"`, '1x2'),
            ksm('kube_pod_container_status_running', container, '0x2 1x80'),
          ],
          at: '65m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeDaemonSetNotScheduled',
      expr: promql`
        kube_daemonset_status_desired_number_scheduled{${KSM}} - kube_daemonset_status_current_number_scheduled{${KSM}}
        > 0`,
      for: t.daemonSetNotScheduledFor,
      severity: 'warning',
      summary: 'DaemonSet pods are not scheduled.',
      description: '{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} are not scheduled.',
      tests: {
        fires: { input: daemonSetStatus(3, 2, 2, 2, 0), at: '20m', expect: [{ job: 'kube-state-metrics', namespace: 'kube-system', daemonset: 'agent' }] },
        silent: { input: daemonSetStatus(3, 3, 3, 3, 0), at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeDaemonSetMisScheduled',
      expr: promql`kube_daemonset_status_number_misscheduled{${KSM}} > 0`,
      for: t.daemonSetMisScheduledFor,
      severity: 'warning',
      summary: 'DaemonSet pods are misscheduled.',
      description: '{{ $value }} pods of DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} are running where they are not supposed to run.',
      tests: {
        fires: { input: daemonSetStatus(3, 3, 3, 3, 1), at: '20m', expect: [{ job: 'kube-state-metrics', namespace: 'kube-system', daemonset: 'agent' }] },
        silent: { input: daemonSetStatus(3, 3, 3, 3, 0), at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeJobNotCompleted',
      expr: promql`
        time() - max by (namespace, job_name) (kube_job_status_start_time{${KSM}}) > ${t.jobNotCompletedSeconds}
        and on (namespace, job_name) max by (namespace, job_name) (kube_job_status_active{${KSM}}) > 0`,
      severity: 'warning',
      summary: 'Job did not complete in time.',
      description: `Job {{ $labels.namespace }}/{{ $labels.job_name }} has been running for longer than {{ "${t.jobNotCompletedSeconds}" | humanizeDuration }}.`,
      tests: {
        // The Job started 43000 s before the first sample: at 20m it has been running for 44200 s.
        fires: {
          input: [
            ksm('kube_job_status_start_time', 'namespace="batch", job_name="reindex"', '-43000x40'),
            ksm('kube_job_status_active', 'namespace="batch", job_name="reindex"', '1x40'),
          ],
          at: '20m',
          expect: [{ namespace: 'batch', job_name: 'reindex' }],
        },
        silent: {
          input: [
            ksm('kube_job_status_start_time', 'namespace="batch", job_name="reindex"', '-43000x40'),
            ksm('kube_job_status_active', 'namespace="batch", job_name="reindex"', '1x10 0x30'),
            ksm('kube_job_status_succeeded', 'namespace="batch", job_name="reindex"', '0x10 1x30'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeJobFailed',
      expr: promql`max by (namespace, job_name) (kube_job_failed{${KSM}, condition="true"}) == 1`,
      for: t.jobFailedFor,
      severity: 'warning',
      summary: 'Job failed to complete.',
      description:
        'Job {{ $labels.namespace }}/{{ $labels.job_name }} failed to complete. Removing the failed Job after ' +
        'investigating it clears this alert.',
      tests: {
        fires: {
          input: [
            ksm('kube_job_failed', 'namespace="batch", job_name="reindex", condition="true"', '1x40'),
            ksm('kube_job_failed', 'namespace="batch", job_name="reindex", condition="false"', '0x40'),
          ],
          at: '20m',
          expect: [{ namespace: 'batch', job_name: 'reindex' }],
        },
        silent: {
          input: [
            ksm('kube_job_complete', 'namespace="batch", job_name="reindex", condition="true"', '1x40'),
            ksm('kube_job_status_succeeded', 'namespace="batch", job_name="reindex"', '1x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
    alertingRule({
      alert: 'KubeHpaReplicasMismatch',
      // The autoscaler wants another size, has room to reach it, and the size has not changed lately.
      expr: promql`
        kube_horizontalpodautoscaler_status_desired_replicas{${KSM}}
          - kube_horizontalpodautoscaler_status_current_replicas{${KSM}} != 0
        and on (namespace, horizontalpodautoscaler) (
          kube_horizontalpodautoscaler_status_current_replicas{${KSM}} > kube_horizontalpodautoscaler_spec_min_replicas{${KSM}}
        )
        and on (namespace, horizontalpodautoscaler) (
          kube_horizontalpodautoscaler_status_current_replicas{${KSM}} < kube_horizontalpodautoscaler_spec_max_replicas{${KSM}}
        )
        and on (namespace, horizontalpodautoscaler)
        changes(kube_horizontalpodautoscaler_status_current_replicas{${KSM}}[${t.hpaFor}]) == 0`,
      for: t.hpaFor,
      severity: 'warning',
      summary: 'HPA has not matched desired number of replicas.',
      description: `HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has not matched the desired number of replicas for longer than ${t.hpaFor}.`,
      tests: {
        fires: { input: hpaStatus(2, 10, 4, 6), at: '20m', expect: [{ job: 'kube-state-metrics', namespace: 'shop', horizontalpodautoscaler: 'web' }] },
        silent: { input: hpaStatus(2, 10, 4, 4), at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubeHpaMaxedOut',
      // An autoscaler pinned to min = max is a fixed size, not one that ran out of room.
      expr: promql`
        kube_horizontalpodautoscaler_status_current_replicas{${KSM}} >= kube_horizontalpodautoscaler_spec_max_replicas{${KSM}}
        and on (namespace, horizontalpodautoscaler) (
          kube_horizontalpodautoscaler_spec_max_replicas{${KSM}} > kube_horizontalpodautoscaler_spec_min_replicas{${KSM}}
        )`,
      for: t.hpaFor,
      severity: 'warning',
      summary: 'HPA is running at max replicas.',
      description: `HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has been running at its maximum of {{ $value }} replicas for longer than ${t.hpaFor}.`,
      tests: {
        fires: { input: hpaStatus(2, 10, 10, 10), at: '20m', expect: [{ job: 'kube-state-metrics', namespace: 'shop', horizontalpodautoscaler: 'web' }] },
        silent: { input: [...hpaStatus(2, 10, 4, 4)], at: '20m', expect: [] },
      },
    }),
    alertingRule({
      alert: 'KubePdbNotEnoughHealthyPods',
      expr: promql`
        kube_poddisruptionbudget_status_desired_healthy{${KSM}} - kube_poddisruptionbudget_status_current_healthy{${KSM}}
        > 0`,
      for: t.pdbFor,
      severity: 'warning',
      summary: 'PodDisruptionBudget violation.',
      description:
        'PodDisruptionBudget {{ $labels.namespace }}/{{ $labels.poddisruptionbudget }} needs {{ $value }} more ' +
        'healthy pods: voluntary disruptions such as node drains are blocked.',
      tests: {
        fires: {
          input: [
            ksm('kube_poddisruptionbudget_status_desired_healthy', 'namespace="shop", poddisruptionbudget="web"', '2x40'),
            ksm('kube_poddisruptionbudget_status_current_healthy', 'namespace="shop", poddisruptionbudget="web"', '1x40'),
          ],
          at: '20m',
          expect: [{ job: 'kube-state-metrics', namespace: 'shop', poddisruptionbudget: 'web' }],
        },
        silent: {
          input: [
            ksm('kube_poddisruptionbudget_status_desired_healthy', 'namespace="shop", poddisruptionbudget="web"', '2x40'),
            ksm('kube_poddisruptionbudget_status_current_healthy', 'namespace="shop", poddisruptionbudget="web"', '3x40'),
          ],
          at: '20m',
          expect: [],
        },
      },
    }),
  ];
}

function resourceAlerts(t: KubernetesAppsThresholds): AlertDefinition[] {
  /** Two nodes and, per pod, one container requesting `request` of `resource` (and running). */
  const cluster = (resource: string, unit: string, allocatable: number, requests: number[]) => [
    ...['node-a', 'node-b'].map((node) => ksm('kube_node_status_allocatable', `node="${node}", resource="${resource}", unit="${unit}"`, `${allocatable}x40`)),
    ...requests.flatMap((request, i) => [
      ksm('kube_pod_container_resource_requests', `namespace="shop", pod="app-${i}", container="app", node="node-a", resource="${resource}", unit="${unit}"`, `${request}x40`),
      ksm('kube_pod_status_phase', `namespace="shop", pod="app-${i}", phase="Running"`, '1x40'),
    ]),
  ];
  const overcommit = (alert: string, resource: 'cpu' | 'memory', unit: string, allocatable: number, over: number[], under: number[], amount: string) =>
    alertingRule({
      alert,
      // Requests beyond what the cluster would have left after losing its largest node; on a single node (which
      // cannot lose one), requests beyond what it has. The community's rule never fires on a single node.
      expr: promql`
        (
          sum(namespace_${resource}:kube_pod_container_resource_requests:sum)
          - (sum(kube_node_status_allocatable{${KSM}, resource="${resource}"}) - max(kube_node_status_allocatable{${KSM}, resource="${resource}"}))
          > 0
          and count(kube_node_status_allocatable{${KSM}, resource="${resource}"}) > 1
        )
        or
        (
          sum(namespace_${resource}:kube_pod_container_resource_requests:sum) - sum(kube_node_status_allocatable{${KSM}, resource="${resource}"})
          > 0
          and count(kube_node_status_allocatable{${KSM}, resource="${resource}"}) == 1
        )`,
      for: t.overcommitFor,
      severity: 'warning',
      summary: `Cluster has overcommitted ${resource === 'cpu' ? 'CPU' : 'memory'} resource requests.`,
      description: `Cluster has overcommitted ${resource === 'cpu' ? 'CPU' : 'memory'} resource requests for Pods by ${amount} and cannot tolerate node failure. ` +
        'Unlike the community rule, it also fires on a single node whose pods request more than it has.',
      tests: {
        fires: { input: cluster(resource, unit, allocatable, over), at: '20m', expect: [{}] },
        silent: { input: cluster(resource, unit, allocatable, under), at: '20m', expect: [] },
      },
    });

  const quotaOvercommit = (alert: string, resource: 'cpu' | 'memory', unit: string, allocatable: number, hard: number) => {
    const quotas = (scale: number) => [
      ...['node-a', 'node-b'].map((node) => ksm('kube_node_status_allocatable', `node="${node}", resource="${resource}", unit="${unit}"`, `${allocatable}x40`)),
      ksm('kube_resourcequota', `namespace="team-a", resourcequota="compute", resource="requests.${resource}", type="hard"`, `${hard * scale}x40`),
      ksm('kube_resourcequota', `namespace="team-a", resourcequota="compute", resource="${resource}", type="hard"`, `${hard * scale * 2}x40`),
      ksm('kube_resourcequota', `namespace="team-b", resourcequota="compute", resource="${resource}", type="hard"`, `${hard * scale}x40`),
    ];
    return alertingRule({
      alert,
      // `cpu` and `requests.cpu` (`memory`, `requests.memory`) mean the same; the smaller one binds.
      expr: promql`
        sum(min by (namespace, resourcequota) (kube_resourcequota{${KSM}, type="hard", resource=~"${resource}|requests.${resource}"}))
        / sum(kube_node_status_allocatable{${KSM}, resource="${resource}"})
        > ${t.quotaOvercommitFactor}`,
      for: t.quotaOvercommitFor,
      severity: 'warning',
      summary: `Cluster has overcommitted ${resource} resource requests.`,
      description:
        `The namespaces' ${resource} quotas add up to {{ $value | humanizePercentage }} of the cluster's allocatable ` +
        `${resource}: if they were used, pods could not be scheduled.`,
      tests: {
        // Allocatable 2 x `allocatable`; quotas 2 x `hard` (x2 when firing).
        fires: { input: quotas(2), at: '20m', expect: [{}] },
        silent: { input: quotas(1), at: '20m', expect: [] },
      },
    });
  };

  const usage = promql`
    max by (namespace, resourcequota, resource) (kube_resourcequota{${KSM}, type="used"})
    / on (namespace, resourcequota, resource)
    max by (namespace, resourcequota, resource) (kube_resourcequota{${KSM}, type="hard"} > 0)`;
  const quotaCase = (used: number) => [
    ksm('kube_resourcequota', `namespace="team-a", resourcequota="objects", resource="pods", type="hard"`, '100x40'),
    ksm('kube_resourcequota', `namespace="team-a", resourcequota="objects", resource="pods", type="used"`, `${used}x40`),
  ];
  const quotaLabels = { namespace: 'team-a', resourcequota: 'objects', resource: 'pods' };
  const quotaAlert = (alert: string, condition: string, severity: 'info' | 'warning', summary: string, what: string, used: number) =>
    alertingRule({
      alert,
      expr: `${usage} ${condition}`,
      for: t.quotaFor,
      severity,
      summary,
      description: `Namespace {{ $labels.namespace }} is using {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota ({{ $labels.resourcequota }}): ${what}`,
      tests: {
        fires: { input: quotaCase(used), at: '20m', expect: [quotaLabels] },
        silent: { input: quotaCase(50), at: '20m', expect: [] },
      },
    });

  const container = 'namespace="shop", pod="api-7d9f-x2k4p", container="api"';
  const cfs = (throttledPerMinute: number) => [
    { series: `container_cpu_cfs_periods_total{${CADVISOR}, ${container}}`, values: '0+600x40' },
    { series: `container_cpu_cfs_throttled_periods_total{${CADVISOR}, ${container}}`, values: `0+${throttledPerMinute}x40` },
  ];

  return [
    overcommit('KubeCPUOvercommit', 'cpu', 'core', 4, [3, 3], [1, 1.5], '{{ $value }} CPU shares'),
    overcommit('KubeMemoryOvercommit', 'memory', 'byte', 8000000000, [5000000000, 4000000000], [2000000000, 3000000000], '{{ $value | humanize1024 }} bytes'),
    quotaOvercommit('KubeCPUQuotaOvercommit', 'cpu', 'core', 4, 4),
    quotaOvercommit('KubeMemoryQuotaOvercommit', 'memory', 'byte', 8000000000, 8000000000),
    quotaAlert('KubeQuotaAlmostFull', `>= ${t.quotaAlmostFullPercent / 100} < 1`, 'info', 'Namespace quota is going to be full.', 'new objects may soon be refused.', 95),
    quotaAlert('KubeQuotaFullyUsed', '== 1', 'info', 'Namespace quota is fully used.', 'new objects that need it are refused.', 100),
    quotaAlert('KubeQuotaExceeded', '> 1', 'warning', 'Namespace quota has exceeded the limits.', 'more is in use than the quota allows (it was lowered).', 110),
    alertingRule({
      alert: 'CPUThrottlingHigh',
      // Throttled share per cgroup, then the worst of a container's series: cAdvisor may report a container twice
      // (an earlier cgroup of it, by `id`), and summing those, as the community rule does, halves the share.
      expr: promql`
        max without (id, name, image, endpoint, metrics_path) (
          increase(container_cpu_cfs_throttled_periods_total{${CADVISOR}, container!=""}[5m])
          / increase(container_cpu_cfs_periods_total{${CADVISOR}, container!=""}[5m])
        ) > ${t.cpuThrottlingPercent / 100}`,
      for: t.cpuThrottlingFor,
      severity: 'info',
      summary: 'Processes experience elevated CPU throttling.',
      description: '{{ $value | humanizePercentage }} throttling of CPU in namespace {{ $labels.namespace }} for container {{ $labels.container }} in pod {{ $labels.pod }}. ' +
        'Unlike the community rule, the share is that of the container\'s most throttled cgroup, not a sum over the duplicate series cAdvisor may report.',
      tests: {
        fires: { input: cfs(300), at: '20m', expect: [{ job: 'kubelet', namespace: 'shop', pod: 'api-7d9f-x2k4p', container: 'api' }] },
        silent: { input: cfs(12), at: '20m', expect: [] },
      },
    }),
  ];
}

function storageAlerts(t: KubernetesAppsThresholds): AlertDefinition[] {
  const pvc = 'namespace="shop", persistentvolumeclaim="data-db-0"';
  const claim = { namespace: 'shop', persistentvolumeclaim: 'data-db-0' };
  const horizon = t.volumePredictionDays * 24 * 3600;
  /** Volumes that are read-only by design, or that their owner excluded, never page. */
  const exceptions = promql`
    unless on (namespace, persistentvolumeclaim)
      kube_persistentvolumeclaim_access_mode{${KSM}, access_mode="ReadOnlyMany"} == 1
    unless on (namespace, persistentvolumeclaim)
      kube_persistentvolumeclaim_labels{${KSM}, label_excluded_from_alerts="true"} == 1`;

  const fillingUp = (spec: {
    alert: string;
    free: string;
    total: string;
    used: string;
    what: string;
    criticalPercent: number;
    warningPercent: number;
    /** The series of a volume of 1000 (bytes or inodes) whose free amount follows `freeValues`. */
    input: (freeValues: string) => SeriesInput[];
  }): AlertDefinition[] => {
    const freeRatio = promql`
      min by (namespace, persistentvolumeclaim) (
        ${spec.free}{${KUBELET}} / ${spec.total}{${KUBELET}}
      )`;
    const inUse = promql`max by (namespace, persistentvolumeclaim) (${spec.used}{${KUBELET}}) > 0`;
    const healthy = { input: spec.input('600x80'), at: '65m', expect: [] };
    return [
      alertingRule({
        alert: spec.alert,
        expr: promql`
          ${freeRatio} < ${spec.criticalPercent / 100}
          and on (namespace, persistentvolumeclaim) ${inUse}
          ${exceptions}`,
        for: t.volumeFillingUpCriticalFor,
        severity: 'critical',
        summary: 'PersistentVolume is filling up.',
        description:
          'The PersistentVolume claimed by {{ $labels.persistentvolumeclaim }} in namespace {{ $labels.namespace }} ' +
          `has only {{ $value | humanizePercentage }} of its ${spec.what} left.`,
        tests: {
          // 2.5% left and still falling by 0.1% a minute: the warning variant fires too.
          fires: { input: spec.input('90-1x80'), at: '65m', expect: [claim, { ...claim, severity: 'warning' }] },
          silent: healthy,
        },
      }),
      alertingRule({
        alert: spec.alert,
        expr: promql`
          ${freeRatio} < ${spec.warningPercent / 100}
          and on (namespace, persistentvolumeclaim) ${inUse}
          and on (namespace, persistentvolumeclaim)
            min by (namespace, persistentvolumeclaim) (
              predict_linear(${spec.free}{${KUBELET}}[${t.volumePredictionWindow}], ${horizon})
            ) < 0
          ${exceptions}`,
        for: t.volumeFillingUpWarningFor,
        severity: 'warning',
        summary: 'PersistentVolume is filling up.',
        description:
          'The PersistentVolume claimed by {{ $labels.persistentvolumeclaim }} in namespace {{ $labels.namespace }} ' +
          `has only {{ $value | humanizePercentage }} of its ${spec.what} left and, at the current rate, runs out ` +
          `within ${t.volumePredictionDays} days.`,
        tests: {
          // 7.5% left and falling by 0.1% a minute: below the warning threshold, above the critical one.
          fires: { input: spec.input('140-1x80'), at: '65m', expect: [claim] },
          silent: healthy,
        },
      }),
    ];
  };

  const kubelet = (metric: string, values: string): SeriesInput => ({
    series: `${metric}{${KUBELET}, ${pvc}, node="node-a"}`,
    values,
  });

  return [
    ...fillingUp({
      alert: 'KubePersistentVolumeFillingUp',
      free: 'kubelet_volume_stats_available_bytes',
      total: 'kubelet_volume_stats_capacity_bytes',
      used: 'kubelet_volume_stats_used_bytes',
      what: 'space',
      criticalPercent: t.volumeSpaceCriticalPercent,
      warningPercent: t.volumeSpaceWarningPercent,
      input: (free) => [
        kubelet('kubelet_volume_stats_capacity_bytes', '1000x80'),
        kubelet('kubelet_volume_stats_available_bytes', free),
        kubelet('kubelet_volume_stats_used_bytes', '400x80'),
        ksm('kube_persistentvolumeclaim_access_mode', `${pvc}, access_mode="ReadWriteOnce"`, '1x80'),
      ],
    }),
    ...fillingUp({
      alert: 'KubePersistentVolumeInodesFillingUp',
      free: 'kubelet_volume_stats_inodes_free',
      total: 'kubelet_volume_stats_inodes',
      used: 'kubelet_volume_stats_inodes_used',
      what: 'inodes',
      criticalPercent: t.volumeInodesCriticalPercent,
      warningPercent: t.volumeInodesWarningPercent,
      input: (free) => [
        kubelet('kubelet_volume_stats_inodes', '1000x80'),
        kubelet('kubelet_volume_stats_inodes_free', free),
        kubelet('kubelet_volume_stats_inodes_used', '400x80'),
        ksm('kube_persistentvolumeclaim_access_mode', `${pvc}, access_mode="ReadWriteOnce"`, '1x80'),
      ],
    }),
    alertingRule({
      alert: 'KubePersistentVolumeErrors',
      expr: promql`
        max by (persistentvolume, phase) (kube_persistentvolume_status_phase{${KSM}, phase=~"Failed|Pending"})
        > 0`,
      for: t.volumeErrorsFor,
      severity: 'critical',
      summary: 'PersistentVolume is having issues with provisioning.',
      description: 'The PersistentVolume {{ $labels.persistentvolume }} has status {{ $labels.phase }}.',
      tests: {
        fires: {
          input: ['Available', 'Bound', 'Released', 'Failed', 'Pending'].map((phase) =>
            ksm('kube_persistentvolume_status_phase', `persistentvolume="pvc-3f1c2a", phase="${phase}"`, phase === 'Failed' ? '1x40' : '0x40'),
          ),
          at: '20m',
          expect: [{ persistentvolume: 'pvc-3f1c2a', phase: 'Failed' }],
        },
        silent: {
          input: ['Available', 'Bound', 'Released', 'Failed', 'Pending'].map((phase) =>
            ksm('kube_persistentvolume_status_phase', `persistentvolume="pvc-3f1c2a", phase="${phase}"`, phase === 'Bound' ? '1x40' : '0x40'),
          ),
          at: '20m',
          expect: [],
        },
      },
    }),
  ];
}

export function kubernetesAppsRules(t: KubernetesAppsThresholds): RuleGroupDefinition[] {
  return [
    ruleGroup('k8s.rules.container_resource_usage', containerUsageRules(), { runbookArea: 'kubernetes' }),
    ruleGroup('k8s.rules.container_resource_requests_limits', requestsAndLimitsRules(), { runbookArea: 'kubernetes' }),
    ruleGroup('k8s.rules.pod_owner', podOwnerRules(), { runbookArea: 'kubernetes' }),
    ruleGroup('kubernetes-apps', appsAlerts(t), { runbookArea: 'kubernetes' }),
    ruleGroup('kubernetes-resources', resourceAlerts(t), { runbookArea: 'kubernetes' }),
    ruleGroup('kubernetes-storage', storageAlerts(t), { runbookArea: 'kubernetes' }),
  ];
}
