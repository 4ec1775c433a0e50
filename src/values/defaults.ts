import { ALERTMANAGER_DEFAULTS } from '../components/alertmanager';
import { CHAOS_DEFAULTS } from '../components/chaos';
import { CONTROL_PLANE_DEFAULTS } from '../components/control-plane';
import { CONTROL_PLANE_TRACING_DEFAULTS } from '../components/control-plane-tracing';
import { CRDS_DEFAULTS } from '../components/crds';
import { GRAFANA_DEFAULTS } from '../components/grafana';
import { KUBE_STATE_METRICS_DEFAULTS } from '../components/kube-state-metrics';
import { BLACKBOX_EXPORTER_DEFAULTS } from '../components/blackbox-exporter';
import { NODE_EXPORTER_DEFAULTS } from '../components/node-exporter';
import { OTEL_COLLECTOR_DEFAULTS } from '../components/otel-collector';
import { PROMETHEUS_DEFAULTS } from '../components/prometheus';
import { PROMETHEUS_OPERATOR_DEFAULTS } from '../components/prometheus-operator';
import { PROMETHEUS_ADAPTER_DEFAULTS } from '../components/prometheus-adapter';
import { DEFAULT_RUNBOOK_BASE_URL } from '../rules/render';
import type { StackValues } from './stack-values';
import type { AlertOverride } from '../rules/types';
import type { DrillScenarioValues } from '../scenarios/types';

import { DEFAULT_IMAGES } from '../core/images';
import { NETWORK_DEFAULTS } from '../k8s/network';
import type { ScrapeTlsValues } from '../k8s/rbac-proxy';

export { DEFAULT_IMAGES };

/**
 * Every default of a stack, each component's from its own module. A stack's values are merged over this (objects
 * key by key, arrays and scalars replaced), so the resolved values have every field below set.
 */
export const DEFAULT_VALUES = {
  common: {
    namespace: 'monitoring',
    images: DEFAULT_IMAGES,
    labels: {} as Record<string, string>,
    ruleLabels: { role: 'alert-rules' } as Record<string, string>,
    imagePullPolicy: 'IfNotPresent' as 'Always' | 'IfNotPresent' | 'Never',
    network: NETWORK_DEFAULTS,
    scrapeTls: {} as ScrapeTlsValues,
  },
  prometheusOperator: PROMETHEUS_OPERATOR_DEFAULTS,
  prometheus: PROMETHEUS_DEFAULTS,
  alertmanager: ALERTMANAGER_DEFAULTS,
  nodeExporter: NODE_EXPORTER_DEFAULTS,
  kubeStateMetrics: KUBE_STATE_METRICS_DEFAULTS,
  blackboxExporter: BLACKBOX_EXPORTER_DEFAULTS,
  probes: [] as NonNullable<StackValues['probes']>,
  grafana: GRAFANA_DEFAULTS,
  controlPlane: CONTROL_PLANE_DEFAULTS,
  otelCollector: OTEL_COLLECTOR_DEFAULTS,
  controlPlaneTracing: CONTROL_PLANE_TRACING_DEFAULTS,
  prometheusAdapter: PROMETHEUS_ADAPTER_DEFAULTS,
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
  scrapeConfigs: [] as NonNullable<StackValues['scrapeConfigs']>,
  chaos: CHAOS_DEFAULTS,
  slos: [] as NonNullable<StackValues['slos']>,
  drill: { scenarios: [] as DrillScenarioValues[] },
  crds: CRDS_DEFAULTS,
  patches: [] as NonNullable<StackValues['patches']>,
  extraObjects: [] as NonNullable<StackValues['extraObjects']>,
  replacementObjects: [] as NonNullable<StackValues['replacementObjects']>,
} satisfies StackValues;

/** A stack's values with every default filled in. Fields without a default stay optional. */
export type ResolvedValues = StackValues & typeof DEFAULT_VALUES & {
  readonly name: string;
  readonly common: { readonly clusterName: string };
};
