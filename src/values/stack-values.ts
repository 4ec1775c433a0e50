import type { GeneralThresholds } from '../rules/catalogue/general';
import type { PrometheusThresholds } from '../rules/catalogue/prometheus';
import type { AlertmanagerThresholds } from '../rules/catalogue/alertmanager';
import type { PrometheusOperatorThresholds } from '../rules/catalogue/prometheus-operator';
import type { GrafanaThresholds } from '../rules/catalogue/grafana';
import type { NodeExporterThresholds } from '../rules/catalogue/node-exporter';
import type { KubeStateMetricsThresholds } from '../rules/catalogue/kube-state-metrics';
import type { KubernetesAppsThresholds } from '../rules/catalogue/kubernetes-apps';
import type { KubernetesSystemThresholds } from '../rules/catalogue/kubernetes-system';
import type { AlertOverride, RuleGroupDefinition, RuleUnitTest } from '../rules/types';
import type { InhibitRule, Receiver, Route, RoutingExpectation, TeamRouting, TimeInterval } from '../alerting/types';
import type { CrStatusMonitor, CustomResourceState } from '../ksm/types';
import type { ChaosSchedule } from '../chaos/types';
import type { ImageRef, KubernetesObject, PromDuration, Quantity, ResourceValues, SecretKeyRef, Severity } from '../core/primitives';
import type { JsonPatchOp } from '../core/json-patch';
import type { DrillValues } from '../scenarios/types';

export type * from '../core/primitives';
export type { JsonPatchOp } from '../core/json-patch';
export type * from '../scenarios/types';
export type { AlertOverride } from '../rules/types';

// The typed values a stack file writes. Everything is optional: defaults.ts fills the rest.
// Plain data only (no classes, no functions): the JSON schema generated from this file
// (stack-values.schema.json, `npm run schema`) checks a stack at synth time.

/** Every image the stack runs, in one place. */
export interface ImageValues {
  readonly prometheusOperator?: ImageRef;
  readonly prometheusConfigReloader?: ImageRef;
  readonly prometheus?: ImageRef;
  readonly alertmanager?: ImageRef;
  readonly nodeExporter?: ImageRef;
  readonly kubeStateMetrics?: ImageRef;
  readonly grafana?: ImageRef;
  readonly grafanaSidecar?: ImageRef;
}

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/** The block that feeds every component. */
export interface CommonValues {
  /**
   * Namespace of the whole stack.
   * @default "monitoring"
   */
  readonly namespace?: string;
  /**
   * Cluster name: the `cluster` external label of Prometheus, used by multi-cluster rules and dashboards.
   * @default the stack name
   */
  readonly clusterName?: string;
  /** Images and their versions. */
  readonly images?: ImageValues;
  /**
   * Labels added to every object.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Labels on every PrometheusRule; Prometheus selects rules by them.
   * @default { "role": "alert-rules" }
   */
  readonly ruleLabels?: Record<string, string>;
  /**
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export interface PrometheusOperatorValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<PrometheusOperatorThresholds>;
  readonly resources?: ResourceValues;
  /**
   * Namespaces the operator watches for custom resources; empty means all.
   * @default []
   */
  readonly watchNamespaces?: string[];
}

export interface StorageValues {
  /** Size of each replica's volume, e.g. `50Gi`. */
  readonly size: Quantity;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
}

export interface BasicAuthRef {
  readonly username: SecretKeyRef;
  readonly password: SecretKeyRef;
}

export interface RemoteWriteValues {
  readonly url: string;
  /** Name of the queue, shown in Prometheus' metrics. */
  readonly name?: string;
  readonly basicAuth?: BasicAuthRef;
  /** A bearer token, by reference. */
  readonly bearerToken?: SecretKeyRef;
  /** Only series whose metric name matches this regex are sent. */
  readonly keepMetricsMatching?: string;
}

export interface PrometheusValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts (Prometheus' own and the general ones such as TargetDown). */
  readonly thresholds?: Partial<PrometheusThresholds & GeneralThresholds>;
  /** @default 2 */
  readonly replicas?: number;
  /** @default "15d" */
  readonly retention?: PromDuration;
  /** e.g. `45GB`; when set, the oldest blocks go first once the TSDB reaches it. */
  readonly retentionSize?: string;
  /** Persistent storage; without it the TSDB lives in an emptyDir and is lost on restart. */
  readonly storage?: StorageValues;
  /** @default "30s" */
  readonly scrapeInterval?: PromDuration;
  /** @default "30s" */
  readonly evaluationInterval?: PromDuration;
  /** External labels in addition to `cluster`. */
  readonly externalLabels?: Record<string, string>;
  readonly remoteWrite?: RemoteWriteValues[];
  readonly resources?: ResourceValues;
  /** The URL Prometheus is reached at, used in alert links. */
  readonly externalUrl?: string;
}

export interface AlertmanagerValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<AlertmanagerThresholds>;
  /** @default 3 */
  readonly replicas?: number;
  /** @default "120h" */
  readonly retention?: string;
  readonly storage?: StorageValues;
  readonly resources?: ResourceValues;
  readonly externalUrl?: string;
  /**
   * Receivers of the global configuration; credentials are Secret references (in the stack namespace).
   * @default [{ "name": "null", "type": "null" }]
   */
  readonly receivers?: Receiver[];
  /**
   * The routing tree; its receiver takes what no child route takes.
   * @default everything to "null", grouped by namespace; Watchdog and InfoInhibitor to "null" explicitly
   */
  readonly route?: Route;
  /**
   * @default critical inhibits warning and info, warning inhibits info (same alert and namespace); InfoInhibitor inhibits info
   */
  readonly inhibitRules?: InhibitRule[];
  /** @default [] */
  readonly timeIntervals?: TimeInterval[];
  /**
   * Alerts that may reach only the null receiver on purpose.
   * @default ["Watchdog", "InfoInhibitor"]
   */
  readonly intentionallyUnrouted?: string[];
  /**
   * "An alert with these labels goes to these receivers": checked at every synth.
   * @default []
   */
  readonly expectations?: RoutingExpectation[];
  /**
   * Teams' own routing, delivered as AlertmanagerConfig resources in their namespaces.
   * @default []
   */
  readonly teams?: TeamRouting[];
  /**
   * How the operator scopes team routes: `OnNamespace` adds `namespace="<team namespace>"` to each team's route.
   * @default "OnNamespace"
   */
  readonly teamMatcherStrategy?: 'OnNamespace' | 'OnNamespaceExceptForAlertmanagerNamespace' | 'None';
}

export interface NodeExporterValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<NodeExporterThresholds>;
  /** @default 9100 */
  readonly port?: number;
  readonly resources?: ResourceValues;
  /**
   * Tolerations of the DaemonSet.
   * @default [{ "operator": "Exists" }] (every node, tainted or not)
   */
  readonly tolerations?: Toleration[];
  /** Extra command-line flags, e.g. `--collector.systemd`. */
  readonly extraArgs?: string[];
}

/** A kube-state-metrics collector: the resource it lists and watches. */
export type KsmCollector =
  | 'certificatesigningrequests' | 'configmaps' | 'cronjobs' | 'daemonsets' | 'deployments' | 'endpoints'
  | 'endpointslices' | 'horizontalpodautoscalers' | 'ingressclasses' | 'ingresses' | 'jobs' | 'leases'
  | 'limitranges' | 'mutatingwebhookconfigurations' | 'namespaces' | 'networkpolicies' | 'nodes'
  | 'persistentvolumeclaims' | 'persistentvolumes' | 'poddisruptionbudgets' | 'pods' | 'replicasets'
  | 'replicationcontrollers' | 'resourcequotas' | 'secrets' | 'serviceaccounts' | 'services' | 'statefulsets'
  | 'storageclasses' | 'validatingwebhookconfigurations' | 'volumeattachments';

export interface KubeStateMetricsValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<KubeStateMetricsThresholds>;
  /**
   * The collectors to run; RBAC grants list/watch on exactly these. `secrets` is left out by default: reading
   * every Secret of the cluster is more than metrics are worth.
   * @default every collector but secrets
   */
  readonly collectors?: KsmCollector[];
  readonly resources?: ResourceValues;
  /**
   * Kubernetes labels exported as `kube_<resource>_labels`, e.g. `{ "pods": ["app", "team"] }`.
   * @default {}
   */
  readonly metricLabelsAllowlist?: Record<string, string[]>;
  /**
   * Custom resources turned into metrics (the custom-resource-state config); RBAC grants list/watch on exactly these.
   * @default []
   */
  readonly customResources?: CustomResourceState[];
  /**
   * One declaration per custom resource kind: its state (and lists of states, and conditions) as metrics, alerts
   * and a dashboard.
   * @default []
   */
  readonly crStatusMonitors?: CrStatusMonitor[];
  /**
   * Allow `*` as kind or version in customResources (RBAC then covers the whole group). Flagged in the summary.
   * @default false
   */
  readonly allowWildcardResources?: boolean;
}

export interface GrafanaAdminSecret {
  /** @default "grafana-admin" */
  readonly name?: string;
  /** @default "admin-user" */
  readonly userKey?: string;
  /** @default "admin-password" */
  readonly passwordKey?: string;
}

export interface GrafanaValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<GrafanaThresholds>;
  /** @default 1 */
  readonly replicas?: number;
  readonly resources?: ResourceValues;
  /** The Secret holding the admin credentials; create it before deploying (see README). */
  readonly adminSecret?: GrafanaAdminSecret;
  /**
   * ConfigMaps with this label are loaded as dashboards.
   * @default { "grafana_dashboard": "1" }
   */
  readonly dashboardLabel?: Record<string, string>;
  /**
   * Where the dashboard sidecar looks for ConfigMaps: the stack namespace only (a Role), or every namespace
   * (a ClusterRole that can read ConfigMaps cluster-wide).
   * @default "stack"
   */
  readonly dashboardNamespaces?: 'stack' | 'all';
  /** e.g. `https://grafana.example.com/` */
  readonly rootUrl?: string;
  /**
   * Namespaces (e.g. your ingress controller's) allowed to reach Grafana's port 3000. Prometheus always may.
   * @default []
   */
  readonly ingressNamespaces?: string[];
  /**
   * Your dashboards: Grafana JSON exports and TypeScript modules (default export: a DashboardBuilder or an array of
   * them), files or folders relative to the stack file. JSON is checked and normalized to the house conventions.
   * @default []
   */
  readonly dashboardFiles?: string[];
  /**
   * Grafana folder of the dashboards from dashboardFiles.
   * @default "Custom"
   */
  readonly dashboardFolder?: string;
  /**
   * How dashboards reach Grafana: ConfigMaps for the dashboard sidecar, or grafana-operator GrafanaDashboard resources
   * (gzip-compressed, for dashboards too large for a ConfigMap).
   * @default "configmap"
   */
  readonly dashboardDelivery?: 'configmap' | 'grafana-operator';
  /**
   * With grafana-operator delivery: the labels of the Grafana resources that get the dashboards.
   * @default { "dashboards": "grafana" }
   */
  readonly grafanaOperatorInstanceSelector?: Record<string, string>;
}

export interface KubeletMonitorValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Scrape cAdvisor at `/metrics/cadvisor`. @default true */
  readonly cadvisor?: boolean;
  /** Scrape `/metrics/probes`. @default true */
  readonly probes?: boolean;
}

export interface ServiceMonitorToggle {
  /** @default true */
  readonly enabled?: boolean;
}

export interface CoreDnsMonitorValues {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "kube-system" */
  readonly namespace?: string;
  /** Labels of the CoreDNS Service. @default { "k8s-app": "kube-dns" } */
  readonly selector?: Record<string, string>;
  /** @default "metrics" */
  readonly port?: string;
}

export interface ControlPlaneValues {
  readonly kubelet?: KubeletMonitorValues;
  readonly apiserver?: ServiceMonitorToggle;
  readonly coreDns?: CoreDnsMonitorValues;
  /** kube-scheduler (kube-system, Service labeled `app.kubernetes.io/name: kube-scheduler`); off on managed clusters. */
  readonly kubeScheduler?: ServiceMonitorToggle;
  /** kube-controller-manager (kube-system, Service labeled `app.kubernetes.io/name: kube-controller-manager`). */
  readonly kubeControllerManager?: ServiceMonitorToggle;
  /** Thresholds of the Kubernetes alerts (workloads, resources, storage, API server, kubelet, nodes). */
  readonly thresholds?: Partial<KubernetesAppsThresholds & KubernetesSystemThresholds>;
}

export interface AlertValues {
  readonly alert: string;
  readonly expr: string;
  /** @default "0s" */
  readonly for?: PromDuration;
  readonly severity: Severity;
  readonly summary: string;
  readonly description?: string;
  readonly labels?: Record<string, string>;
}

export interface RecordValues {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

/** An application the stack scrapes: a ServiceMonitor, and optionally its own rules. */
export interface ApplicationMonitor {
  /** Name of the ServiceMonitor and PrometheusRule (and the `job` label). */
  readonly name: string;
  /** Namespace of the application's Service. */
  readonly namespace: string;
  /** Labels of the application's Service. */
  readonly selector: Record<string, string>;
  /** Name of the Service port to scrape. */
  readonly port: string;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default the Prometheus scrape interval */
  readonly interval?: PromDuration;
  readonly alerts?: AlertValues[];
  readonly records?: RecordValues[];
}

export interface CrdValues {
  /**
   * CRD YAML files or folders of them (relative to the stack file), written to `crds/` so that one
   * `kubectl apply` installs the operator's CRDs with the stack.
   * @default []
   */
  readonly paths?: string[];
}

/** A JSON patch (RFC 6902) applied to one generated object. */
export interface ObjectPatch {
  readonly kind: string;
  readonly name: string;
  /** Needed only when two components generate the same kind and name. */
  readonly component?: string;
  readonly ops: JsonPatchOp[];
}

export interface RulesValues {
  /**
   * Base of every alert's runbook_url: `<base>/<area>/<alertname in lower case>`.
   * @default "https://runbooks.prometheus-operator.dev/runbooks"
   */
  readonly runbookBaseUrl?: string;
  /**
   * Alerts, recording rules or whole groups to leave out, by name.
   * @default []
   */
  readonly disable?: string[];
  /**
   * Per-alert changes, by alert name.
   * @default {}
   */
  readonly overrides?: Record<string, AlertOverride>;
  /**
   * Labels added to every rule.
   * @default {}
   */
  readonly extraLabels?: Record<string, string>;
  /**
   * Rule groups of your own, written in TypeScript.
   * @default []
   */
  readonly groups?: RuleGroupDefinition[];
  /**
   * Prometheus rule files (`groups:` YAML) or TypeScript rule modules, relative to the stack file.
   * @default []
   */
  readonly files?: string[];
  /**
   * Metric names your rules may use that no component of the stack produces (your applications' metrics).
   * @default []
   */
  readonly knownMetrics?: string[];
  /**
   * Unit tests of the stack's rules, run by `o11y test` with promtool.
   * @default []
   */
  readonly tests?: RuleUnitTest[];
}

export interface ChaosValues {
  /**
   * Pause every schedule (the pause annotation on each Schedule).
   * @default false
   */
  readonly pauseAll?: boolean;
  /** @default [] */
  readonly schedules?: ChaosSchedule[];
}

export interface StackValues {
  /**
   * Name of the stack: its folder under dist/.
   * @default the stack file's base name
   */
  readonly name?: string;
  readonly common?: CommonValues;
  readonly prometheusOperator?: PrometheusOperatorValues;
  readonly prometheus?: PrometheusValues;
  readonly alertmanager?: AlertmanagerValues;
  readonly nodeExporter?: NodeExporterValues;
  readonly kubeStateMetrics?: KubeStateMetricsValues;
  readonly grafana?: GrafanaValues;
  readonly controlPlane?: ControlPlaneValues;
  readonly applications?: ApplicationMonitor[];
  /** The rule catalogue and your own rules. */
  readonly rules?: RulesValues;
  /** Chaos Mesh schedules, each with the alerts it must set off. */
  readonly chaos?: ChaosValues;
  /** Scenarios for `o11y drill`. */
  readonly drill?: DrillValues;
  readonly crds?: CrdValues;
  /** Escape hatch: JSON patches on generated objects. */
  readonly patches?: ObjectPatch[];
  /** Escape hatch: objects written as they are, to `extra/`. */
  readonly extraObjects?: KubernetesObject[];
}
