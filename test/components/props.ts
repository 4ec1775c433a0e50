// Props of each component as the default stack `test` gives them: components are tested on their own, in a
// Testing.chart(), with no stack and no disk.
import { Testing, type Chart } from 'cdk8s';
import { DEFAULT_IMAGES } from '../../src/values/defaults';
import { RuleSet } from '../../src/rules/rule-set';
import { DashboardSet } from '../../src/dashboards/dashboard-set';
import type { ComponentProps } from '../../src/components/component';
import { PROMETHEUS_DEFAULTS, type PrometheusProps } from '../../src/components/prometheus';
import { ALERTMANAGER_DEFAULTS, type AlertmanagerProps } from '../../src/components/alertmanager';
import { NODE_EXPORTER_DEFAULTS, type NodeExporterProps } from '../../src/components/node-exporter';
import { KUBE_STATE_METRICS_DEFAULTS, type KubeStateMetricsProps } from '../../src/components/kube-state-metrics';
import { GRAFANA_DEFAULTS, type GrafanaProps } from '../../src/components/grafana';
import { PROMETHEUS_OPERATOR_DEFAULTS, type PrometheusOperatorProps } from '../../src/components/prometheus-operator';
import { CONTROL_PLANE_DEFAULTS, type ControlPlaneProps } from '../../src/components/control-plane';
import type { KubernetesObject as Manifest } from '../../src/core/primitives';

/** The common props, with a rule set and dashboard set of the test's own (to read what a component brings). */
export function common(): Required<Omit<ComponentProps, 'scheduling'>> {
  return { common: { namespace: 'monitoring', instance: 'test' }, rules: new RuleSet({ disable: [], overrides: {}, extraLabels: {} }), dashboards: new DashboardSet() };
}

export const prometheusProps = (more: Partial<PrometheusProps> = {}): PrometheusProps => ({
  ...common(), ...PROMETHEUS_DEFAULTS, image: DEFAULT_IMAGES.prometheus, clusterName: 'test', ...more,
});
export const alertmanagerProps = (more: Partial<AlertmanagerProps> = {}): AlertmanagerProps => ({
  ...common(), ...ALERTMANAGER_DEFAULTS, image: DEFAULT_IMAGES.alertmanager, ...more,
});
export const nodeExporterProps = (more: Partial<NodeExporterProps> = {}): NodeExporterProps => ({
  ...common(), ...NODE_EXPORTER_DEFAULTS, image: DEFAULT_IMAGES.nodeExporter, rbacProxyImage: DEFAULT_IMAGES.kubeRbacProxy, scraperNamespace: 'monitoring', ...more,
});
export const kubeStateMetricsProps = (more: Partial<KubeStateMetricsProps> = {}): KubeStateMetricsProps => ({
  ...common(), ...KUBE_STATE_METRICS_DEFAULTS, image: DEFAULT_IMAGES.kubeStateMetrics, rbacProxyImage: DEFAULT_IMAGES.kubeRbacProxy, ...more,
});
export const grafanaProps = (more: Partial<GrafanaProps> = {}): GrafanaProps => ({
  ...common(), ...GRAFANA_DEFAULTS, image: DEFAULT_IMAGES.grafana, sidecarImage: DEFAULT_IMAGES.grafanaSidecar, ...more,
});
export const prometheusOperatorProps = (more: Partial<PrometheusOperatorProps> = {}): PrometheusOperatorProps => ({
  ...common(), ...PROMETHEUS_OPERATOR_DEFAULTS, image: DEFAULT_IMAGES.prometheusOperator, rbacProxyImage: DEFAULT_IMAGES.kubeRbacProxy, configReloaderImage: DEFAULT_IMAGES.prometheusConfigReloader, ...more,
});
export const controlPlaneProps = (more: Partial<ControlPlaneProps> = {}): ControlPlaneProps => ({
  ...common(), ...CONTROL_PLANE_DEFAULTS, ...more,
});

/** GIVEN a chart WHEN `build` adds a component to it THEN its manifests. */
export function synth(build: (chart: Chart) => unknown): Manifest[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Manifest[];
}

/** The one manifest of this kind and name; fails the test when there is not exactly one. */
export function only(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0];
}
