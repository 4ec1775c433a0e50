// Alerts and recording rules about kube-state-metrics itself.
import { alertingRule, promql, ruleGroup } from '../builders';
import type { RuleGroupDefinition } from '../types';

/** Thresholds of these alerts; every field documents its @default. */
export interface KubeStateMetricsThresholds {
  /** KubeStateMetricsListErrors fires when more than this percentage of list requests to the API server fail. @default 1 */
  readonly listErrorsPercent: number;
  /** KubeStateMetricsWatchErrors fires when more than this percentage of watch requests to the API server fail. @default 1 */
  readonly watchErrorsPercent: number;
  /** How long the list or watch error rate must stay above its threshold. @default "15m" */
  readonly errorsFor: string;
  /** How long shards may disagree on, or miss part of, the sharding before KubeStateMetricsSharding* fire. @default "15m" */
  readonly shardingFor: string;
}

export const DEFAULT_KUBE_STATE_METRICS_THRESHOLDS: KubeStateMetricsThresholds = {
  listErrorsPercent: 1,
  watchErrorsPercent: 1,
  errorsFor: '15m',
  shardingFor: '15m',
};

/**
 * Metric families of the collectors kube-state-metrics v2.16 runs by default (this stack swaps `endpoints` for
 * `endpointslices`; both are listed so either choice is known) and its self-metrics on the telemetry port.
 * Opt-in families (`--metric-opt-in-list`) and the secrets collector, off by default, are left out.
 */
export const KUBE_STATE_METRICS_METRICS: readonly string[] = [
  // Pods and their containers.
  'kube_pod_annotations', 'kube_pod_info', 'kube_pod_ips', 'kube_pod_start_time', 'kube_pod_completion_time',
  'kube_pod_owner', 'kube_pod_labels', 'kube_pod_status_phase', 'kube_pod_status_qos_class', 'kube_pod_status_ready',
  'kube_pod_status_scheduled', 'kube_pod_status_reason', 'kube_pod_status_scheduled_time',
  'kube_pod_status_unschedulable', 'kube_pod_status_unscheduled_time', 'kube_pod_status_initialized_time',
  'kube_pod_status_ready_time', 'kube_pod_status_container_ready_time', 'kube_pod_created',
  'kube_pod_deletion_timestamp', 'kube_pod_restart_policy', 'kube_pod_overhead_cpu_cores',
  'kube_pod_overhead_memory_bytes', 'kube_pod_runtimeclass_name_info', 'kube_pod_tolerations',
  'kube_pod_service_account', 'kube_pod_scheduler', 'kube_pod_spec_volumes_persistentvolumeclaims_info',
  'kube_pod_spec_volumes_persistentvolumeclaims_readonly',
  'kube_pod_container_info', 'kube_pod_container_status_waiting', 'kube_pod_container_status_waiting_reason',
  'kube_pod_container_status_running', 'kube_pod_container_state_started', 'kube_pod_container_status_terminated',
  'kube_pod_container_status_terminated_reason', 'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_status_last_terminated_exitcode', 'kube_pod_container_status_last_terminated_timestamp',
  'kube_pod_container_status_ready', 'kube_pod_container_status_restarts_total',
  'kube_pod_container_resource_requests', 'kube_pod_container_resource_limits',
  'kube_pod_init_container_info', 'kube_pod_init_container_status_waiting',
  'kube_pod_init_container_status_waiting_reason', 'kube_pod_init_container_status_running',
  'kube_pod_init_container_status_terminated', 'kube_pod_init_container_status_terminated_reason',
  'kube_pod_init_container_status_last_terminated_reason', 'kube_pod_init_container_status_ready',
  'kube_pod_init_container_status_restarts_total', 'kube_pod_init_container_resource_requests',
  'kube_pod_init_container_resource_limits',
  // Deployments.
  'kube_deployment_annotations', 'kube_deployment_labels', 'kube_deployment_created',
  'kube_deployment_deletion_timestamp', 'kube_deployment_metadata_generation', 'kube_deployment_spec_paused',
  'kube_deployment_spec_replicas', 'kube_deployment_spec_strategy_rollingupdate_max_surge',
  'kube_deployment_spec_strategy_rollingupdate_max_unavailable', 'kube_deployment_status_condition',
  'kube_deployment_status_observed_generation', 'kube_deployment_status_replicas',
  'kube_deployment_status_replicas_available', 'kube_deployment_status_replicas_ready',
  'kube_deployment_status_replicas_unavailable', 'kube_deployment_status_replicas_updated',
  // StatefulSets.
  'kube_statefulset_annotations', 'kube_statefulset_labels', 'kube_statefulset_created',
  'kube_statefulset_metadata_generation', 'kube_statefulset_replicas', 'kube_statefulset_ordinals_start',
  'kube_statefulset_persistentvolumeclaim_retention_policy', 'kube_statefulset_status_replicas',
  'kube_statefulset_status_replicas_available', 'kube_statefulset_status_replicas_current',
  'kube_statefulset_status_replicas_ready', 'kube_statefulset_status_replicas_updated',
  'kube_statefulset_status_observed_generation', 'kube_statefulset_status_current_revision',
  'kube_statefulset_status_update_revision',
  // DaemonSets.
  'kube_daemonset_annotations', 'kube_daemonset_labels', 'kube_daemonset_created', 'kube_daemonset_metadata_generation',
  'kube_daemonset_status_current_number_scheduled', 'kube_daemonset_status_desired_number_scheduled',
  'kube_daemonset_status_number_available', 'kube_daemonset_status_number_misscheduled',
  'kube_daemonset_status_number_ready', 'kube_daemonset_status_number_unavailable',
  'kube_daemonset_status_observed_generation', 'kube_daemonset_status_updated_number_scheduled',
  // ReplicaSets and ReplicationControllers.
  'kube_replicaset_annotations', 'kube_replicaset_labels', 'kube_replicaset_created', 'kube_replicaset_metadata_generation',
  'kube_replicaset_owner', 'kube_replicaset_spec_replicas', 'kube_replicaset_status_fully_labeled_replicas',
  'kube_replicaset_status_observed_generation', 'kube_replicaset_status_ready_replicas', 'kube_replicaset_status_replicas',
  'kube_replicationcontroller_created', 'kube_replicationcontroller_metadata_generation', 'kube_replicationcontroller_owner',
  'kube_replicationcontroller_spec_replicas', 'kube_replicationcontroller_status_available_replicas',
  'kube_replicationcontroller_status_fully_labeled_replicas', 'kube_replicationcontroller_status_observed_generation',
  'kube_replicationcontroller_status_ready_replicas', 'kube_replicationcontroller_status_replicas',
  // Jobs and CronJobs.
  'kube_job_annotations', 'kube_job_labels', 'kube_job_info', 'kube_job_owner', 'kube_job_created', 'kube_job_complete',
  'kube_job_failed', 'kube_job_spec_parallelism', 'kube_job_spec_completions', 'kube_job_spec_active_deadline_seconds',
  'kube_job_status_active', 'kube_job_status_succeeded', 'kube_job_status_failed', 'kube_job_status_start_time',
  'kube_job_status_completion_time', 'kube_job_status_suspended',
  'kube_cronjob_annotations', 'kube_cronjob_labels', 'kube_cronjob_info', 'kube_cronjob_created',
  'kube_cronjob_next_schedule_time', 'kube_cronjob_status_active', 'kube_cronjob_status_last_schedule_time',
  'kube_cronjob_status_last_successful_time', 'kube_cronjob_spec_suspend', 'kube_cronjob_spec_starting_deadline_seconds',
  'kube_cronjob_metadata_resource_version', 'kube_cronjob_spec_successful_job_history_limit',
  'kube_cronjob_spec_failed_job_history_limit',
  // HorizontalPodAutoscalers and PodDisruptionBudgets.
  'kube_horizontalpodautoscaler_info', 'kube_horizontalpodautoscaler_annotations', 'kube_horizontalpodautoscaler_labels',
  'kube_horizontalpodautoscaler_created', 'kube_horizontalpodautoscaler_metadata_generation',
  'kube_horizontalpodautoscaler_spec_max_replicas', 'kube_horizontalpodautoscaler_spec_min_replicas',
  'kube_horizontalpodautoscaler_spec_target_metric', 'kube_horizontalpodautoscaler_status_target_metric',
  'kube_horizontalpodautoscaler_status_condition', 'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_horizontalpodautoscaler_status_desired_replicas',
  'kube_poddisruptionbudget_annotations', 'kube_poddisruptionbudget_labels', 'kube_poddisruptionbudget_created',
  'kube_poddisruptionbudget_status_current_healthy', 'kube_poddisruptionbudget_status_desired_healthy',
  'kube_poddisruptionbudget_status_pod_disruptions_allowed', 'kube_poddisruptionbudget_status_expected_pods',
  'kube_poddisruptionbudget_status_observed_generation',
  // Nodes, namespaces, quotas and limits.
  'kube_node_annotations', 'kube_node_labels', 'kube_node_info', 'kube_node_role', 'kube_node_created',
  'kube_node_deletion_timestamp', 'kube_node_spec_unschedulable', 'kube_node_spec_taint', 'kube_node_status_capacity',
  'kube_node_status_allocatable', 'kube_node_status_condition', 'kube_node_status_addresses',
  'kube_node_volumes_in_use_count', 'kube_node_volumes_attached_count',
  'kube_namespace_annotations', 'kube_namespace_labels', 'kube_namespace_created', 'kube_namespace_status_phase',
  'kube_namespace_status_condition',
  'kube_resourcequota', 'kube_resourcequota_created', 'kube_resourcequota_annotations', 'kube_resourcequota_labels',
  'kube_limitrange', 'kube_limitrange_created',
  // Storage.
  'kube_persistentvolume_annotations', 'kube_persistentvolume_labels', 'kube_persistentvolume_info',
  'kube_persistentvolume_capacity_bytes', 'kube_persistentvolume_status_phase', 'kube_persistentvolume_claim_ref',
  'kube_persistentvolume_created', 'kube_persistentvolume_deletion_timestamp', 'kube_persistentvolume_volume_mode',
  'kube_persistentvolumeclaim_annotations', 'kube_persistentvolumeclaim_labels', 'kube_persistentvolumeclaim_info',
  'kube_persistentvolumeclaim_access_mode', 'kube_persistentvolumeclaim_resource_requests_storage_bytes',
  'kube_persistentvolumeclaim_status_condition', 'kube_persistentvolumeclaim_status_phase',
  'kube_persistentvolumeclaim_created', 'kube_persistentvolumeclaim_deletion_timestamp',
  'kube_storageclass_annotations', 'kube_storageclass_labels', 'kube_storageclass_info', 'kube_storageclass_created',
  'kube_volumeattachment_info', 'kube_volumeattachment_labels', 'kube_volumeattachment_created',
  'kube_volumeattachment_spec_source_persistentvolume', 'kube_volumeattachment_status_attached',
  'kube_volumeattachment_status_attachment_metadata',
  'kube_configmap_annotations', 'kube_configmap_labels', 'kube_configmap_info', 'kube_configmap_created',
  'kube_configmap_metadata_resource_version',
  // Services, endpoints and ingresses.
  'kube_service_annotations', 'kube_service_labels', 'kube_service_info', 'kube_service_created',
  'kube_service_spec_type', 'kube_service_spec_external_ip', 'kube_service_status_load_balancer_ingress',
  'kube_endpoint_annotations', 'kube_endpoint_labels', 'kube_endpoint_info', 'kube_endpoint_created',
  'kube_endpoint_address', 'kube_endpoint_ports',
  'kube_endpointslice_annotations', 'kube_endpointslice_labels', 'kube_endpointslice_info', 'kube_endpointslice_created',
  'kube_endpointslice_endpoints', 'kube_endpointslice_endpoints_hints', 'kube_endpointslice_ports',
  'kube_ingress_annotations', 'kube_ingress_labels', 'kube_ingress_info', 'kube_ingress_created',
  'kube_ingress_metadata_resource_version', 'kube_ingress_path', 'kube_ingress_tls',
  'kube_networkpolicy_annotations', 'kube_networkpolicy_labels', 'kube_networkpolicy_created',
  'kube_networkpolicy_spec_ingress_rules', 'kube_networkpolicy_spec_egress_rules',
  // Cluster-wide objects.
  'kube_lease_owner', 'kube_lease_renew_time',
  'kube_certificatesigningrequest_annotations', 'kube_certificatesigningrequest_labels',
  'kube_certificatesigningrequest_created', 'kube_certificatesigningrequest_condition',
  'kube_certificatesigningrequest_cert_length',
  'kube_mutatingwebhookconfiguration_info', 'kube_mutatingwebhookconfiguration_created',
  'kube_mutatingwebhookconfiguration_metadata_resource_version',
  'kube_mutatingwebhookconfiguration_webhook_clientconfig_service',
  'kube_validatingwebhookconfiguration_info', 'kube_validatingwebhookconfiguration_created',
  'kube_validatingwebhookconfiguration_metadata_resource_version',
  'kube_validatingwebhookconfiguration_webhook_clientconfig_service',
  // Self-metrics (telemetry port).
  'kube_state_metrics_build_info', 'kube_state_metrics_list_total', 'kube_state_metrics_watch_total',
  'kube_state_metrics_shard_ordinal', 'kube_state_metrics_total_shards', 'kube_state_metrics_config_hash',
  'kube_state_metrics_last_config_reload_successful', 'kube_state_metrics_last_config_reload_success_timestamp_seconds',
  'kube_state_metrics_custom_resource_state_add_events_total',
  'kube_state_metrics_custom_resource_state_update_events_total',
  'kube_state_metrics_custom_resource_state_delete_events_total', 'kube_state_metrics_custom_resource_state_cache',
  'http_request_duration_seconds_bucket', 'http_request_duration_seconds_sum', 'http_request_duration_seconds_count',
];

const KSM = 'job="kube-state-metrics"';

export function kubeStateMetricsRules(t: KubeStateMetricsThresholds): RuleGroupDefinition[] {
  /** List or watch requests of kube-state-metrics' informers: `result` is `success` or `error`. */
  const requestSeries = (metric: string, resource: string, result: string) =>
    `${metric}{job="kube-state-metrics", namespace="monitoring", pod="kube-state-metrics-0", resource="${resource}", result="${result}"}`;
  const errorRatioAlert = (alert: string, metric: string, verb: string, percent: number) =>
    alertingRule({
      alert,
      expr: promql`
        sum(rate(${metric}{${KSM}, result="error"}[5m]))
        / sum(rate(${metric}{${KSM}}[5m]))
        > ${percent / 100}`,
      for: t.errorsFor,
      severity: 'critical',
      summary: `kube-state-metrics is experiencing errors in ${verb} operations.`,
      description:
        `{{ $value | humanizePercentage }} of the ${verb} requests kube-state-metrics makes to the API server fail, ` +
        'so the metrics of some Kubernetes objects are missing or stale. Check its logs and its RBAC permissions.',
      tests: {
        fires: {
          input: [
            { series: requestSeries(metric, 'pods', 'success'), values: '0+10x40' },
            { series: requestSeries(metric, 'pods', 'error'), values: '0+2x40' },
          ],
          at: '30m',
          expect: [{}],
        },
        silent: {
          input: [
            { series: requestSeries(metric, 'pods', 'success'), values: '0+10x40' },
            { series: requestSeries(metric, 'pods', 'error'), values: '0x40' },
          ],
          at: '30m',
          expect: [],
        },
      },
    });

  const shards = (pod: string, total: number, ordinal: number) => [
    { series: `kube_state_metrics_total_shards{job="kube-state-metrics", namespace="monitoring", pod="${pod}"}`, values: `${total}x40` },
    {
      series: `kube_state_metrics_shard_ordinal{job="kube-state-metrics", namespace="monitoring", pod="${pod}", shard_ordinal="${ordinal}"}`,
      values: `${ordinal}x40`,
    },
  ];

  return [
    ruleGroup('kube-state-metrics', [
      errorRatioAlert('KubeStateMetricsListErrors', 'kube_state_metrics_list_total', 'list', t.listErrorsPercent),
      errorRatioAlert('KubeStateMetricsWatchErrors', 'kube_state_metrics_watch_total', 'watch', t.watchErrorsPercent),
      alertingRule({
        alert: 'KubeStateMetricsShardingMismatch',
        // Every shard must have been started with the same --total-shards.
        expr: promql`
          max(kube_state_metrics_total_shards{${KSM}})
          != min(kube_state_metrics_total_shards{${KSM}})`,
        for: t.shardingFor,
        severity: 'critical',
        summary: 'kube-state-metrics sharding is misconfigured.',
        description:
          'kube-state-metrics pods run with different --total-shards settings (the largest is {{ $value }}), so some ' +
          'Kubernetes objects may be exposed twice or not at all.',
        tests: {
          fires: { input: [...shards('kube-state-metrics-0', 2, 0), ...shards('kube-state-metrics-1', 3, 1)], at: '30m', expect: [{}] },
          silent: { input: [...shards('kube-state-metrics-0', 2, 0), ...shards('kube-state-metrics-1', 2, 1)], at: '30m', expect: [] },
        },
      }),
      alertingRule({
        alert: 'KubeStateMetricsShardsMissing',
        // Fewer distinct shard ordinals report than the shards the pods were told exist.
        expr: promql`
          max(kube_state_metrics_total_shards{${KSM}})
          - count(count by (shard_ordinal) (kube_state_metrics_shard_ordinal{${KSM}}))
          > 0`,
        for: t.shardingFor,
        severity: 'critical',
        summary: 'kube-state-metrics shards are missing.',
        description:
          '{{ $value }} kube-state-metrics shard(s) are not reporting, so the Kubernetes objects assigned to them are ' +
          'not exposed.',
        tests: {
          fires: { input: [...shards('kube-state-metrics-0', 3, 0), ...shards('kube-state-metrics-1', 3, 1)], at: '30m', expect: [{}] },
          silent: { input: [...shards('kube-state-metrics-0', 2, 0), ...shards('kube-state-metrics-1', 2, 1)], at: '30m', expect: [] },
        },
      }),
    ], { runbookArea: 'kube-state-metrics' }),
  ];
}
