// The OpenTelemetry Collector's configuration as a typed value, built from the stack's choices and checked
// before it is written: every pipeline names components that are defined, every component is of a type the
// Collector the tests build has (the contrib image has them all), and the memory limiter comes first.
import type { StackProblem } from '../core/problems';
import { TOOLS } from '../core/tools';

export type PipelineSignal = 'metrics' | 'traces' | 'logs';

export interface Pipeline {
  readonly receivers: string[];
  readonly processors: string[];
  readonly exporters: string[];
}

export interface CollectorConfig {
  readonly receivers: Record<string, unknown>;
  readonly processors: Record<string, unknown>;
  readonly exporters: Record<string, unknown>;
  readonly extensions: Record<string, unknown>;
  readonly service: {
    readonly extensions: string[];
    /** Named `<signal>` or `<signal>/<name>`. */
    readonly pipelines: Record<string, Pipeline>;
    readonly telemetry: unknown;
  };
}

export type ComponentKind = 'receivers' | 'processors' | 'exporters' | 'extensions';
const KINDS: readonly ComponentKind[] = ['receivers', 'processors', 'exporters', 'extensions'];

/**
 * The component types of the Collector that `o11y tools install` builds (its manifest in src/core/tools.ts): a
 * config is only proven valid if the tested Collector knows every component in it.
 */
export const COLLECTOR_COMPONENT_TYPES: Readonly<Record<ComponentKind, readonly string[]>> =
  Object.fromEntries(KINDS.map((kind) => [kind, TOOLS.otelcol.collector![kind].map((c) => c.type)])) as Record<ComponentKind, string[]>;

/** The Prometheus scrape configs of the prometheus receiver (Prometheus' own format). */
export type ScrapeConfig = Record<string, unknown>;

export interface CollectorConfigOptions {
  /** Address the Collector listens on: `0.0.0.0` in a pod, `127.0.0.1` in tests. */
  readonly listenHost: string;
  /** @default COLLECTOR_PORTS */
  readonly ports?: Partial<Record<keyof typeof COLLECTOR_PORTS, number>>;
  /** Scrape configs of the exporters the Collector scrapes instead of Prometheus; none: no scraping. */
  readonly scrapeConfigs: readonly ScrapeConfig[];
  readonly scrapeInterval: string;
  /** Where metrics go: Prometheus' remote-write receiver, or its OTLP receiver. */
  readonly metricsTo: { readonly protocol: 'remoteWrite' | 'otlp'; readonly prometheusUrl: string };
  /** OTLP receivers for applications. */
  readonly otlp: { readonly grpc: boolean; readonly http: boolean };
  /** Pod metadata on OTLP data (the k8s_attributes processor; needs the Kubernetes API). */
  readonly k8sAttributes: boolean;
  /** `k8s.cluster.name` on OTLP data. */
  readonly clusterName: string;
  /** Traces from the OTLP receiver to a tracing backend's OTLP gRPC endpoint. */
  readonly traces?: { readonly endpoint: string; readonly insecure: boolean };
}

export const COLLECTOR_PORTS = { otlpGrpc: 4317, otlpHttp: 4318, metrics: 8888, health: 13133 } as const;

/** The configuration for these choices; `checkCollectorConfig` holds for it. */
export function collectorConfig(o: CollectorConfigOptions): CollectorConfig {
  const ports = { ...COLLECTOR_PORTS, ...o.ports };
  const at = (port: number) => `${o.listenHost}:${port}`;
  const otlpProtocols = {
    ...(o.otlp.grpc ? { grpc: { endpoint: at(ports.otlpGrpc) } } : {}),
    ...(o.otlp.http ? { http: { endpoint: at(ports.otlpHttp) } } : {}),
  };
  const receiveOtlp = o.otlp.grpc || o.otlp.http;
  const scrape = o.scrapeConfigs.length > 0;
  const toPrometheus = o.metricsTo.protocol === 'remoteWrite' ? 'prometheus_remote_write' : 'otlp_http/prometheus';
  // Data from applications gets their pod's metadata and the cluster's name; scraped series keep the labels their
  // scrape gives them, exactly as if Prometheus had scraped them.
  const appProcessors = ['memory_limiter', ...(o.k8sAttributes ? ['k8s_attributes'] : []), 'resource', 'batch'];
  const pipelines: Record<string, Pipeline> = {
    ...(scrape ? { 'metrics/scrape': { receivers: ['prometheus'], processors: ['memory_limiter', 'batch'], exporters: [toPrometheus] } } : {}),
    ...(receiveOtlp ? { 'metrics/otlp': { receivers: ['otlp'], processors: appProcessors, exporters: [toPrometheus] } } : {}),
    ...(receiveOtlp && o.traces ? { traces: { receivers: ['otlp'], processors: appProcessors, exporters: ['otlp_grpc/traces'] } } : {}),
  };
  return {
    receivers: {
      ...(receiveOtlp ? { otlp: { protocols: otlpProtocols } } : {}),
      ...(scrape ? { prometheus: { config: { global: { scrape_interval: o.scrapeInterval }, scrape_configs: o.scrapeConfigs } } } : {}),
    },
    processors: {
      // Refuses data before the container's memory limit is reached, instead of being killed at it.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: {},
      resource: { attributes: [{ key: 'k8s.cluster.name', value: o.clusterName, action: 'upsert' }] },
      ...(o.k8sAttributes
        ? {
            k8s_attributes: {
              auth_type: 'serviceAccount',
              extract: { metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.deployment.name', 'k8s.node.name'] },
              pod_association: [{ sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] }, { sources: [{ from: 'connection' }] }],
            },
          }
        : {}),
    },
    exporters: {
      ...(o.metricsTo.protocol === 'remoteWrite'
        ? { prometheus_remote_write: { endpoint: `${o.metricsTo.prometheusUrl}/api/v1/write` } }
        : { 'otlp_http/prometheus': { metrics_endpoint: `${o.metricsTo.prometheusUrl}/api/v1/otlp/v1/metrics` } }),
      ...(o.traces ? { 'otlp_grpc/traces': { endpoint: o.traces.endpoint, tls: { insecure: o.traces.insecure } } } : {}),
    },
    extensions: { health_check: { endpoint: at(ports.health) } },
    service: {
      extensions: ['health_check'],
      pipelines,
      telemetry: {
        logs: { level: 'info' },
        metrics: { readers: [{ pull: { exporter: { prometheus: { host: o.listenHost, port: ports.metrics } } } }] },
      },
    },
  };
}

const typeOf = (name: string) => name.split('/')[0];

/** What is wrong with a configuration, each problem under `field` (e.g. `otelCollector.config`). */
export function checkCollectorConfig(config: Partial<CollectorConfig>, field: string): StackProblem[] {
  const problems: StackProblem[] = [];
  for (const kind of KINDS) {
    for (const name of Object.keys(config[kind] ?? {})) {
      const known = COLLECTOR_COMPONENT_TYPES[kind];
      if (!known.includes(typeOf(name))) {
        problems.push({ field: `${field}.${kind}.${name}`, message: `'${typeOf(name)}' is not a ${kind.slice(0, -1)} of the Collector the stack is proven with`, fix: `use one of ${known.join(', ')}` });
      }
    }
  }
  const pipelines = config.service?.pipelines ?? {};
  if (!Object.keys(pipelines).length) problems.push({ field: `${field}.service.pipelines`, message: 'has no pipeline: the Collector would not start', fix: 'enable the OTLP receiver or the scraping of exporters' });
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const where = `${field}.service.pipelines.${name}`;
    if (!['metrics', 'traces', 'logs'].includes(typeOf(name))) problems.push({ field: where, message: `'${typeOf(name)}' is not a signal`, fix: 'name pipelines metrics, traces or logs, optionally with /<name>' });
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const defined = Object.keys(config[kind] ?? {});
      (pipeline[kind] ?? []).forEach((ref, i) => {
        if (!defined.includes(ref)) problems.push({ field: `${where}.${kind}[${i}]`, message: `names ${kind.slice(0, -1)} '${ref}', which is not defined`, fix: defined.length ? `define it under ${kind}, or use one of ${defined.join(', ')}` : `define it under ${kind}` });
      });
      if (kind !== 'processors' && !(pipeline[kind] ?? []).length) problems.push({ field: `${where}.${kind}`, message: `has no ${kind}`, fix: `give the pipeline at least one of ${kind}` });
    }
    const processors = pipeline.processors ?? [];
    if (processors.includes('memory_limiter') && processors[0] !== 'memory_limiter') {
      problems.push({ field: `${where}.processors`, message: 'memory_limiter is not the first processor: data is already buffered before it can refuse it', fix: 'put memory_limiter first' });
    }
  }
  (config.service?.extensions ?? []).forEach((ext, i) => {
    if (!Object.keys(config.extensions ?? {}).includes(ext)) problems.push({ field: `${field}.service.extensions[${i}]`, message: `names extension '${ext}', which is not defined`, fix: 'define it under extensions' });
  });
  return problems;
}
