// Images and versions: the only place they are written. The test tools (tools.ts) are built at the same versions.

/**
 * The current stable releases the prometheus-operator v0.93 CRDs support (Prometheus on its 3.13 long-term
 * support line; Alertmanager as the operator's own default).
 */
export const DEFAULT_IMAGES = {
  prometheusOperator: { repository: 'quay.io/prometheus-operator/prometheus-operator', tag: 'v0.93.0' },
  prometheusConfigReloader: { repository: 'quay.io/prometheus-operator/prometheus-config-reloader', tag: 'v0.93.0' },
  prometheus: { repository: 'quay.io/prometheus/prometheus', tag: 'v3.13.5' },
  // The sidecar of `prometheus.thanos`: the newest release the Go module proxy serves.
  thanos: { repository: 'quay.io/thanos/thanos', tag: 'v0.42.5' },
  alertmanager: { repository: 'quay.io/prometheus/alertmanager', tag: 'v0.33.1' },
  nodeExporter: { repository: 'quay.io/prometheus/node-exporter', tag: 'v1.12.1' },
  kubeStateMetrics: { repository: 'registry.k8s.io/kube-state-metrics/kube-state-metrics', tag: 'v2.19.1' },
  // The newest release (0.28: reloads its config on change, so no reloader sidecar).
  blackboxExporter: { repository: 'quay.io/prometheus/blackbox-exporter', tag: 'v0.28.0' },
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
  // The newest release (kubernetes-sigs/prometheus-adapter's VERSION).
  prometheusAdapter: { repository: 'registry.k8s.io/prometheus-adapter/prometheus-adapter', tag: 'v0.12.0' },
};

/** Whether an image reference's first path segment names a registry (`quay.io`, `localhost:5000`), as Docker reads it. */
function hasRegistry(repository: string): boolean {
  const first = repository.split('/')[0];
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/**
 * The repository pulled from `registry` instead: its own registry replaced (`quay.io/prometheus/prometheus` ->
 * `mirror.example.com/prometheus/prometheus`), a Docker Hub short name prefixed (`library/` kept as Docker Hub has it).
 */
export function fromRegistry(repository: string, registry: string | undefined): string {
  if (!registry) return repository;
  if (hasRegistry(repository)) return `${registry}/${repository.slice(repository.indexOf('/') + 1)}`;
  return `${registry}/${repository.includes('/') ? repository : `library/${repository}`}`;
}

/** Every image of `images` pulled from `registry` (see fromRegistry); the same object without one. */
export function imagesFromRegistry<T extends object>(images: T, registry: string | undefined): T {
  if (!registry) return images;
  return Object.fromEntries(Object.entries(images as Record<string, { repository?: string }>).map(([key, image]) => [key, image.repository ? { ...image, repository: fromRegistry(image.repository, registry) } : image])) as T;
}
