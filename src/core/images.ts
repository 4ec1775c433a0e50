// Images and versions: the only place they are written. The test tools (tools.ts) are built at the same versions.

/**
 * The current stable releases the prometheus-operator v0.93 CRDs support (Prometheus on its 3.13 long-term
 * support line; Alertmanager as the operator's own default).
 */
export const DEFAULT_IMAGES = {
  prometheusOperator: { repository: 'quay.io/prometheus-operator/prometheus-operator', tag: 'v0.93.0' },
  prometheusConfigReloader: { repository: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.0' },
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.13.5' },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.33.1' },
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.19.1' },
  grafana: { repository: 'docker.io/grafana/grafana', tag: '13.1.3' },
  grafanaSidecar: { repository: 'quay.io/kiwigrid/k8s-sidecar', tag: '1.30.3' },
};
