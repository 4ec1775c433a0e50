import { DEFAULT_ALERTMANAGER_THRESHOLDS } from '../rules/catalogue/alertmanager';
import { DEFAULT_GENERAL_THRESHOLDS } from '../rules/catalogue/general';
import { DEFAULT_GRAFANA_THRESHOLDS } from '../rules/catalogue/grafana';
import { DEFAULT_KUBE_STATE_METRICS_THRESHOLDS } from '../rules/catalogue/kube-state-metrics';
import { DEFAULT_KUBERNETES_APPS_THRESHOLDS } from '../rules/catalogue/kubernetes-apps';
import { DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS } from '../rules/catalogue/kubernetes-system';
import { DEFAULT_NODE_EXPORTER_THRESHOLDS } from '../rules/catalogue/node-exporter';
import { DEFAULT_PROMETHEUS_THRESHOLDS } from '../rules/catalogue/prometheus';
import { DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS } from '../rules/catalogue/prometheus-operator';
import { DEFAULT_RUNBOOK_BASE_URL } from '../rules/render';
import type { InhibitRule, Receiver, Route, RoutingExpectation, TeamRouting, TimeInterval } from '../alerting/types';
import type { CrStatusMonitor, CustomResourceState } from '../ksm/types';
import type { ChaosSchedule } from '../chaos/types';
import type { KsmCollector, StackValues, Toleration } from './stack-values';
import type { AlertOverride } from '../rules/types';
import type { DrillScenarioValues } from '../scenarios/types';

/** Images and versions: the only place they are written. */
export const DEFAULT_IMAGES = {
  prometheusOperator: { repository: 'quay.io/prometheus-operator/prometheus-operator', tag: 'v0.93.0' },
  prometheusConfigReloader: { repository: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.0' },
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.5.0' },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.28.1' },
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.9.1' },
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.16.0' },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '12.1.1' },
  grafanaSidecar: { repository: 'quay.io/kiwigrid/k8s-sidecar', tag: '1.30.3' },
};

const ALL_NODES: Toleration[] = [{ operator: 'Exists' }];

/**
 * Every default of a stack. A stack's values are merged over this (objects key by key, arrays and scalars
 * replaced), so the resolved values have every field below set.
 */
export const DEFAULT_VALUES = {
  common: {
    namespace: 'monitoring',
    images: DEFAULT_IMAGES,
    labels: {} as Record<string, string>,
    ruleLabels: { role: 'alert-rules' } as Record<string, string>,
    imagePullPolicy: 'IfNotPresent' as 'Always' | 'IfNotPresent' | 'Never',
  },
  prometheusOperator: {
    enabled: true,
    resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
    watchNamespaces: [] as string[],
    thresholds: DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS,
  },
  prometheus: {
    enabled: true,
    replicas: 2,
    retention: '15d',
    scrapeInterval: '30s',
    evaluationInterval: '30s',
    externalLabels: {} as Record<string, string>,
    resources: { requests: { cpu: '200m', memory: '400Mi' }, limits: { memory: '2Gi' } },
    thresholds: { ...DEFAULT_PROMETHEUS_THRESHOLDS, ...DEFAULT_GENERAL_THRESHOLDS },
  },
  alertmanager: {
    enabled: true,
    replicas: 3,
    retention: '120h',
    resources: { requests: { cpu: '10m', memory: '50Mi' }, limits: { memory: '100Mi' } },
    thresholds: DEFAULT_ALERTMANAGER_THRESHOLDS,
    receivers: [{ name: 'null', type: 'null' }] as Receiver[],
    route: {
      receiver: 'null',
      groupBy: ['namespace'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '12h',
      routes: [
        { receiver: 'null', matchers: ['alertname="Watchdog"'] },
        { receiver: 'null', matchers: ['alertname="InfoInhibitor"'] },
      ],
    } as Route,
    inhibitRules: [
      { sourceMatchers: ['severity="critical"'], targetMatchers: ['severity=~"warning|info"'], equal: ['namespace', 'alertname'] },
      { sourceMatchers: ['severity="warning"'], targetMatchers: ['severity="info"'], equal: ['namespace', 'alertname'] },
      { sourceMatchers: ['alertname="InfoInhibitor"'], targetMatchers: ['severity="info"'], equal: ['namespace'] },
    ] as InhibitRule[],
    timeIntervals: [] as TimeInterval[],
    intentionallyUnrouted: ['Watchdog', 'InfoInhibitor'],
    expectations: [] as RoutingExpectation[],
    teams: [] as TeamRouting[],
    teamMatcherStrategy: 'OnNamespace' as 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None',
  },
  nodeExporter: {
    enabled: true,
    port: 9100,
    resources: { requests: { cpu: '100m', memory: '180Mi' }, limits: { memory: '180Mi' } },
    tolerations: ALL_NODES,
    extraArgs: [] as string[],
    thresholds: DEFAULT_NODE_EXPORTER_THRESHOLDS,
  },
  kubeStateMetrics: {
    enabled: true,
    collectors: [
      'certificatesigningrequests', 'configmaps', 'cronjobs', 'daemonsets', 'deployments', 'endpointslices',
      'horizontalpodautoscalers', 'ingresses', 'jobs', 'leases', 'limitranges', 'mutatingwebhookconfigurations',
      'namespaces', 'networkpolicies', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'poddisruptionbudgets',
      'pods', 'replicasets', 'replicationcontrollers', 'resourcequotas', 'services', 'statefulsets', 'storageclasses',
      'validatingwebhookconfigurations', 'volumeattachments',
    ] as KsmCollector[],
    resources: { requests: { cpu: '10m', memory: '190Mi' }, limits: { memory: '250Mi' } },
    metricLabelsAllowlist: {} as Record<string, string[]>,
    thresholds: DEFAULT_KUBE_STATE_METRICS_THRESHOLDS,
    customResources: [] as CustomResourceState[],
    crStatusMonitors: [] as CrStatusMonitor[],
    allowWildcardResources: false,
  },
  grafana: {
    enabled: true,
    replicas: 1,
    resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
    adminSecret: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
    dashboardLabel: { grafana_dashboard: '1' } as Record<string, string>,
    dashboardNamespaces: 'stack' as 'stack' | 'all',
    ingressNamespaces: [] as string[],
    thresholds: DEFAULT_GRAFANA_THRESHOLDS,
    dashboardFiles: [] as string[],
    dashboardFolder: 'Custom',
    dashboardDelivery: 'configmap' as 'configmap' | 'grafana-operator',
    grafanaOperatorInstanceSelector: { dashboards: 'grafana' } as Record<string, string>,
  },
  controlPlane: {
    kubelet: { enabled: true, cadvisor: true, probes: true },
    apiserver: { enabled: true },
    coreDns: {
      enabled: true,
      namespace: 'kube-system',
      selector: { 'k8s-app': 'kube-dns' } as Record<string, string>,
      port: 'metrics',
    },
    kubeScheduler: { enabled: true },
    kubeControllerManager: { enabled: true },
    thresholds: { ...DEFAULT_KUBERNETES_APPS_THRESHOLDS, ...DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS },
  },
  rules: {
    runbookBaseUrl: DEFAULT_RUNBOOK_BASE_URL,
    disable: [] as string[],
    overrides: {} as Record<string, AlertOverride>,
    extraLabels: {} as Record<string, string>,
    groups: [] as NonNullable<NonNullable<StackValues['rules']>['groups']>,
    files: [] as string[],
    knownMetrics: [] as string[],
    tests: [] as NonNullable<NonNullable<StackValues['rules']>['tests']>,
  },
  applications: [] as NonNullable<StackValues['applications']>,
  chaos: { pauseAll: false, schedules: [] as ChaosSchedule[] },
  drill: { scenarios: [] as DrillScenarioValues[] },
  crds: { paths: [] as string[] },
  patches: [] as NonNullable<StackValues['patches']>,
  extraObjects: [] as NonNullable<StackValues['extraObjects']>,
} satisfies StackValues;

/** A stack's values with every default filled in. Fields without a default stay optional. */
export type ResolvedValues = StackValues & typeof DEFAULT_VALUES & {
  readonly name: string;
  readonly common: { readonly clusterName: string };
};
