// The public API. Besides re-exports, one line of wiring: a plain cdk8s app
// (`new ObservabilityStack(app, 'prod', values); app.synth()`) gets the same model checks as `o11y synth`.
import { addAppSynthCheck } from './stack/observability-stack';
import { appSynthCheck } from './synth/pipeline';

addAppSynthCheck(appSynthCheck);

export * from './values/stack-values';
export { DEFAULT_IMAGES, DEFAULT_VALUES, type ResolvedValues } from './values/defaults';
export { defineStack, isStackDefinition, type StackDefinition } from './stack/definition';
export { defineFleet, isFleetDefinition, type FleetDefinition, type FleetSpec } from './stack/fleet';
export { StackError, type StackProblem } from './core/problems';
export { ObservabilityStack, type ObservabilityStackOptions, type RegisteredPatch } from './stack/observability-stack';
export { Component, type ComponentFile, type ComponentProps, type Image, type StackCommon } from './components/component';
export { Namespace } from './components/namespace';
export { PrometheusOperator, PROMETHEUS_OPERATOR_DEFAULTS, type PrometheusOperatorProps } from './components/prometheus-operator';
export { Prometheus, PROMETHEUS_DEFAULTS, type PrometheusProps } from './components/prometheus';
export { Alertmanager, ALERTMANAGER_DEFAULTS, type AlertmanagerProps } from './components/alertmanager';
export { NodeExporter, NODE_EXPORTER_DEFAULTS, type NodeExporterProps } from './components/node-exporter';
export { KubeStateMetrics, KUBE_STATE_METRICS_DEFAULTS, type KubeStateMetricsProps } from './components/kube-state-metrics';
export { Grafana, GRAFANA_DEFAULTS, type GrafanaProps } from './components/grafana';
export { ControlPlane, CONTROL_PLANE_DEFAULTS, type ControlPlaneProps } from './components/control-plane';
export { ControlPlaneTracing, CONTROL_PLANE_TRACING_DEFAULTS, type ControlPlaneTracingProps } from './components/control-plane-tracing';
export { Applications, type ApplicationsProps } from './components/applications';
export { ScrapeConfigs, type ScrapeConfigsProps } from './components/scrape-configs';
export { Chaos, CHAOS_DEFAULTS, type ChaosProps } from './components/chaos';
export { Crds, type CrdsProps } from './components/crds';
export { UserRules, type UserRulesProps } from './components/user-rules';
export { NAMES } from './k8s/names';
export { renderStack, buildStack, modelOf, type RenderedStack, type RenderedObject, type Manifest, type RenderOptions } from './synth/pipeline';
export { buildModel } from './model/build';
export type { StackModel, ModelObject, AlertingModel, PrometheusFacts } from './model/stack-model';
export { stackFiles, GENERATED_MARKER, type OutputFile } from './synth/layout';
export { writeStack, type WriteStats } from './synth/writer';
export { loadStackFile, loadStacks, type LoadedStack } from './load/stack-file';
export * from './rules/types';
export { alertingRule, recordingRule, ruleGroup, promql } from './rules/builders';
export { RuleSet, type RuleSource } from './rules/rule-set';
export { analyzeModel, type StackAnalysis } from './analyze/model';
export { parsePromQL, type LabelSet, type ParsedExpression } from './promql/parse';
export type { Diagnostic } from './core/diagnostic';
export { dashboard, timeseries, stat, table, query, labelVariable, DATASOURCE, CLUSTER, DashboardBuilder, RowBuilder } from './dashboards/house';
export type { Dashboard, DashboardJson, DashboardPanel } from './dashboards/model';
export { loadReferencedFiles } from './load/referenced-files';
export type { ReferencedFiles } from './values/referenced-files';
