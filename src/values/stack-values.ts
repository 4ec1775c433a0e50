import type { AlertOverride, RuleGroupDefinition, RuleUnitTest } from '../rules/types';
import type { ImageRef, KubernetesObject } from '../core/primitives';
import type { JsonPatchOp } from '../core/json-patch';
import type { DrillValues } from '../scenarios/types';
import type { PrometheusOperatorValues } from '../components/prometheus-operator';
import type { PrometheusValues } from '../components/prometheus';
import type { AlertmanagerValues } from '../components/alertmanager';
import type { NodeExporterValues } from '../components/node-exporter';
import type { KubeStateMetricsValues } from '../components/kube-state-metrics';
import type { BlackboxExporterValues, ProbeValues } from '../components/blackbox-exporter';
import type { GrafanaValues } from '../components/grafana';
import type { ControlPlaneValues } from '../components/control-plane';
import type { ApplicationMonitor } from '../components/applications';
import type { ScrapeConfigValues } from '../components/scrape-configs';
import type { ChaosValues } from '../components/chaos';
import type { SloValues } from '../rules/slo-types';
import type { CrdValues } from '../components/crds';
import type { OtelCollectorValues } from '../components/otel-collector';
import type { ControlPlaneTracingValues } from '../components/control-plane-tracing';
import type { PrometheusAdapterValues } from '../components/prometheus-adapter';
import type { NetworkValues } from '../k8s/network';
import type { ScrapeTlsValues } from '../k8s/rbac-proxy';
import type { TrafficSource } from '../k8s/exposure';
import type { GitopsValues } from './gitops';

// Each component's values type lives with its construct; they are all re-exported here, so that this module (and
// the package) names every type a stack file writes.
export type { PrometheusOperatorValues } from '../components/prometheus-operator';
export type { BasicAuthRef, PrometheusValues, RemoteWriteValues } from '../components/prometheus';
export type { StorageValues } from '../components/operator-managed';
export type { AlertmanagerValues } from '../components/alertmanager';
export type { NodeExporterValues } from '../components/node-exporter';
export type { Affinity, NodeSelectorRequirement, NodeSelectorTerm, PodAffinityRules, PodAffinityTerm, LabelSelectorRequirement, SchedulingLabelSelector, SchedulingValues, Toleration, TopologySpread } from '../k8s/scheduling';
export type { KsmCollector, KubeStateMetricsValues } from '../components/kube-state-metrics';
export type { BlackboxExporterValues, IngressTargets, ProbeValues } from '../components/blackbox-exporter';
export type * from '../components/blackbox-modules';
export type { GrafanaAdminSecret, GrafanaValues } from '../components/grafana';
export type { ControlPlaneValues, CoreDnsMonitorValues, KubeletMonitorValues, ServiceMonitorToggle } from '../components/control-plane';
export type { AlertValues, ApplicationMonitor, RecordValues } from '../components/applications';
export type { ScrapeConfigValues, StaticTargetsValues } from '../components/scrape-configs';
export type { RelabelingValues, ScrapeEndpointValues, TargetTlsValues } from '../components/scrape-targets';
export type { ChaosValues } from '../components/chaos';
export type { CrdValues } from '../components/crds';
export type { OtelCollectorValues } from '../components/otel-collector';
export type { PrometheusAdapterValues } from '../components/prometheus-adapter';
export type { AdapterResourceRef, CustomMetricRule } from '../components/prometheus-adapter-config';
export type { AuditWebhookValues, ControlPlaneTracingValues, TraceStorageValues, TracedResources } from '../components/control-plane-tracing';
export type * from '../core/primitives';
export type { NetworkValues } from '../k8s/network';
export type { ScrapeTlsValues } from '../k8s/rbac-proxy';
export type { ExposureValues, HttpRouteValues, IngressValues, TrafficSource } from '../k8s/exposure';
export type { ParentReference } from '../k8s/gateway-api';
export type { JsonPatchOp } from '../core/json-patch';
export type { ArgoCdValues, FluxValues, GitopsValues } from './gitops';
export type * from '../scenarios/types';
export type { AlertOverride } from '../rules/types';
export type { SloAlertingValues, SloIndicator, SloLatencyIndicator, SloRatioIndicator, SloValues } from '../rules/slo-types';

// The typed values a stack file writes. Everything is optional: defaults.ts fills the rest.
// Plain data only (no classes, no functions): the JSON schema generated from this file
// (stack-values.schema.json, `npm run schema`) checks a stack at synth time.

/** Every image the stack runs, in one place. */
export interface ImageValues {
  readonly prometheusOperator?: ImageRef;
  readonly prometheusConfigReloader?: ImageRef;
  readonly prometheus?: ImageRef;
  readonly thanos?: ImageRef;
  readonly alertmanager?: ImageRef;
  readonly nodeExporter?: ImageRef;
  readonly kubeStateMetrics?: ImageRef;
  readonly blackboxExporter?: ImageRef;
  readonly grafana?: ImageRef;
  readonly grafanaSidecar?: ImageRef;
  readonly kubeRbacProxy?: ImageRef;
  readonly otelCollector?: ImageRef;
  readonly kelemetry?: ImageRef;
  readonly jaegerCollector?: ImageRef;
  readonly jaegerQuery?: ImageRef;
  readonly jaegerRemoteStorage?: ImageRef;
  readonly prometheusAdapter?: ImageRef;
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
   * A registry (mirror) every image is pulled from, e.g. `registry.example.com` or `registry.example.com/proxy`: it
   * replaces each image's own registry (`quay.io/prometheus/prometheus` -> `registry.example.com/prometheus/prometheus`).
   * @default each image's own registry
   */
  readonly imageRegistry?: string;
  /**
   * Labels added to every object.
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /**
   * Labels on every PrometheusRule of the stack (what `prometheus.select.rules` may select them by).
   * @default { "role": "alert-rules" }
   */
  readonly ruleLabels?: Record<string, string>;
  /**
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** The cluster's network as NetworkPolicies see it: where the API server, the nodes and DNS are. */
  readonly network?: NetworkValues;
  /** How the exporters' metrics are encrypted: cert-manager certificates, or the proxies' own self-signed ones. */
  readonly scrapeTls?: ScrapeTlsValues;
  /**
   * The ingress controller's pods. Needed once a component has an `ingress`: the NetworkPolicies of the exposed
   * components let these pods in on the served port, and nothing else new.
   * @default none
   */
  readonly ingressController?: TrafficSource;
  /**
   * The pods that proxy a Gateway's traffic (its data plane, e.g. Envoy Gateway's envoy pods). Needed once a
   * component has an `httpRoute`, as `ingressController` for an `ingress`.
   * @default none
   */
  readonly gatewayController?: TrafficSource;
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
  /** The blackbox exporter, which runs `probes`. */
  readonly blackboxExporter?: BlackboxExporterValues;
  /**
   * Endpoints probed from inside the cluster by the blackbox exporter, as Probe objects Prometheus selects.
   * @default []
   */
  readonly probes?: ProbeValues[];
  readonly grafana?: GrafanaValues;
  readonly controlPlane?: ControlPlaneValues;
  /** An OpenTelemetry Collector: OTLP in from applications, the exporters scraped, all sent to Prometheus. */
  readonly otelCollector?: OtelCollectorValues;
  /** Kelemetry: the API server's audit events, Events and object changes as traces, one per object, in Jaeger. */
  readonly controlPlaneTracing?: ControlPlaneTracingValues;
  /** prometheus-adapter: the resource metrics API (`kubectl top`, HPAs) and custom metrics, from Prometheus. */
  readonly prometheusAdapter?: PrometheusAdapterValues;
  readonly applications?: ApplicationMonitor[];
  /**
   * Static targets outside the cluster's service discovery (`host:port`): a ScrapeConfig each, and Prometheus'
   * egress to them.
   * @default []
   */
  readonly scrapeConfigs?: ScrapeConfigValues[];
  /** The rule catalogue and your own rules. */
  readonly rules?: RulesValues;
  /** Chaos Mesh schedules, each with the alerts it must set off. */
  readonly chaos?: ChaosValues;
  /**
   * Service level objectives: per SLO, error-ratio recording rules, multi-window multi-burn-rate alerts
   * (SLOErrorBudgetBurn, page and ticket tiers), their promtool tests and a dashboard.
   * @default []
   */
  readonly slos?: SloValues[];
  /** Scenarios for `o11y drill`. */
  readonly drill?: DrillValues;
  readonly crds?: CrdValues;
  /** Escape hatch: JSON patches on generated objects. */
  readonly patches?: ObjectPatch[];
  /** Escape hatch: objects written as they are, to `extra/`. */
  readonly extraObjects?: KubernetesObject[];
  /**
   * Escape hatch: objects written in place of the generated object of the same kind, namespace and name (an extra
   * object with a generated one's identity is otherwise an error). Each must replace one the stack generates.
   */
  readonly replacementObjects?: KubernetesObject[];
  /** Optional GitOps output: an Argo CD Application and/or a Flux Kustomization (and kustomization.yaml) per stack. */
  readonly gitops?: GitopsValues;
}
