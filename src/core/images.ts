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
  // In front of every exporter's metrics: TLS, and a TokenReview + SubjectAccessReview of each scrape (as in
  // kube-prometheus); the newest release the Go module proxy serves, which the drill builds and runs.
  kubeRbacProxy: { repository: 'quay.io/brancz/kube-rbac-proxy', tag: 'v0.19.1' },
  // The newest Collector release whose components (k8sattributes among them) are all published for it.
  otelCollector: { repository: 'docker.io/otel/opentelemetry-collector-contrib', tag: '0.160.0' },
  // Control-plane tracing: Kelemetry's latest release, and Jaeger v1 (Kelemetry's storage plugin speaks Jaeger's
  // v1 remote storage API) at the release the test tools build.
  kelemetry: { repository: 'ghcr.io/kubewharf/kelemetry', tag: 'v0.2.7' },
  jaegerCollector: { repository: 'docker.io/jaegertracing/jaeger-collector', tag: '1.75.0' },
  jaegerQuery: { repository: 'docker.io/jaegertracing/jaeger-query', tag: '1.75.0' },
  jaegerRemoteStorage: { repository: 'docker.io/jaegertracing/jaeger-remote-storage', tag: '1.75.0' },
};
