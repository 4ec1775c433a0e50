import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { NAMES, OPERATOR_POD_SELECTORS, SERVICE_ACCOUNT_TOKEN } from '../k8s/names';
import { apiServerEgress, dnsEgress, nodeEgress, urlEgress } from '../k8s/network';
import { KSM_PORTS } from './kube-state-metrics';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { checkCollectorConfig, collectorConfig, COLLECTOR_PORTS, type CollectorConfig, type ScrapeConfig } from '../otel/config';
import { DEFAULT_OTEL_COLLECTOR_THRESHOLDS, OTEL_COLLECTOR_METRICS, otelCollectorRules, type OtelCollectorThresholds } from '../rules/catalogue/otel-collector';
import { StackError } from '../core/problems';
import { quantityBytes } from './prometheus-sizing';
import { toYaml } from '../core/yaml';
import type { ResourceValues } from '../core/primitives';
import type { SchedulingValues } from '../k8s/scheduling';

export interface OtelCollectorValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default false */
  readonly enabled?: boolean;
  readonly thresholds?: Partial<OtelCollectorThresholds>;
  /**
   * The Collector scrapes node-exporter and kube-state-metrics (with the job and instance labels Prometheus would
   * give them) and sends their series to Prometheus, which then does not scrape them itself.
   * @default true
   */
  readonly scrapeExporters?: boolean;
  /** How metrics reach Prometheus: its remote-write receiver, or its OTLP receiver. @default "remoteWrite" */
  readonly metricsTo?: 'remoteWrite' | 'otlp';
  /** OTLP receivers for applications, on 4317 (gRPC) and 4318 (HTTP). @default { grpc: true, http: true } */
  readonly otlp?: { readonly grpc?: boolean; readonly http?: boolean };
  /** Pod metadata (namespace, pod, deployment, node) on applications' OTLP data. @default true */
  readonly k8sAttributes?: boolean;
  /** Traces from applications go to this tracing backend, over OTLP gRPC (e.g. `jaeger-collector.tracing.svc:4317`). */
  readonly traces?: {
    readonly endpoint: string;
    /** Plain gRPC, for a backend inside the cluster without TLS. @default false */
    readonly insecure?: boolean;
    /** Where Grafana queries the traces (a datasource `Traces` is provisioned), e.g. Jaeger's query service. */
    readonly query?: { readonly type: 'jaeger' | 'tempo'; readonly url: string };
  };
  /** Namespaces whose pods may send OTLP data. @default every namespace */
  readonly otlpFromNamespaces?: string[];
  /**
   * One replica: each replica would scrape every exporter (the series twice). More only without `scrapeExporters`.
   * @default 1
   */
  readonly replicas?: number;
  readonly resources?: ResourceValues;
}

export const OTEL_COLLECTOR_DEFAULTS = {
  enabled: false,
  scrapeExporters: true,
  metricsTo: 'remoteWrite' as 'remoteWrite' | 'otlp',
  otlp: { grpc: true, http: true },
  k8sAttributes: true,
  replicas: 1,
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
  thresholds: DEFAULT_OTEL_COLLECTOR_THRESHOLDS,
} satisfies OtelCollectorValues;

export type ResolvedOtelCollectorValues = WithDefaults<OtelCollectorValues, typeof OTEL_COLLECTOR_DEFAULTS>;

/** What the Collector needs to know of the stack: where Prometheus is, how often it scrapes, what it may scrape. */
export interface OtelCollectorProps extends ComponentProps, Omit<ResolvedOtelCollectorValues, 'enabled'> {
  readonly image: Image;
  readonly clusterName: string;
  readonly prometheusUrl: string;
  readonly scrapeInterval: string;
  /** The exporters it scrapes (those the stack runs), when `scrapeExporters`. */
  readonly exporters: { readonly nodeExporter?: { readonly namespace: string; readonly port: number }; readonly kubeStateMetrics: boolean };
}

/** Kubernetes discovery of the targets of the stack's exporters; read-only, cluster-wide like Prometheus'. */
const DISCOVERY_RULES: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['services', 'endpoints', 'pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
];
/** k8s_attributes: the pod of each sender, and the Deployment behind its ReplicaSet. */
/** What the exporters' proxies ask of a scraper (a SubjectAccessReview of the path). */
const SCRAPE_RULES: k8s.PolicyRule[] = [{ nonResourceUrLs: ['/metrics'], verbs: ['get'] }];
const POD_METADATA_RULES: k8s.PolicyRule[] = [{ apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] }];

/**
 * A scrape config that gives an exporter's series the labels its ServiceMonitor would: the Service's endpoints,
 * port by name, `job` the exporter's name, and the target's namespace, pod, container, service and endpoint.
 */
export function exporterScrapeConfig(job: string, namespace: string, port: string, options: { instanceIsNode?: boolean; honorLabels?: boolean; dropTargetLabels?: boolean } = {}): ScrapeConfig {
  // Through the exporter's kube-rbac-proxy, as Prometheus does: TLS and the ServiceAccount token. The proxies'
  // certificates are not verified here (cert-manager's CA lives in each exporter's namespace, out of the Collector's reach).
  const meta = (label: string) => `__meta_kubernetes_${label}`;
  const copy = (source: string, target: string) => ({ action: 'replace', source_labels: [meta(source)], target_label: target });
  return {
    job_name: `${job}/${port}`,
    ...(options.honorLabels ? { honor_labels: true } : {}),
    scheme: 'https',
    authorization: { credentials_file: SERVICE_ACCOUNT_TOKEN },
    tls_config: { insecure_skip_verify: true },
    kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: [namespace] } }],
    relabel_configs: [
      { action: 'keep', source_labels: [meta('service_label_app_kubernetes_io_name')], regex: job },
      { action: 'keep', source_labels: [meta('endpointslice_port_name')], regex: port },
      ...(options.dropTargetLabels ? [] : [copy('namespace', 'namespace'), copy('pod_name', 'pod'), copy('service_name', 'service'), { action: 'replace', target_label: 'endpoint', replacement: port }]),
      copy('pod_container_name', 'container'),
      { action: 'replace', target_label: 'job', replacement: job },
      ...(options.instanceIsNode ? [copy('pod_node_name', 'instance')] : []),
    ],
  };
}

/** The Go runtime's soft limit at 80% of the container's: it collects garbage before the OOM killer comes. */
function goMemLimit(resources: ResourceValues): k8s.EnvVar[] {
  const limit = resources.limits?.memory === undefined ? undefined : quantityBytes(resources.limits.memory);
  return limit ? [{ name: 'GOMEMLIMIT', value: `${Math.floor((limit * 0.8) / 1024 ** 2)}MiB` }] : [];
}

/** Its Deployment, Service and `job` label. */
export const OTEL_COLLECTOR_NAME = 'otel-collector';

/** The traces endpoint as a URL: an OTLP gRPC endpoint may be written `host:port`. */
function traceUrl(endpoint: string, insecure: boolean): string {
  return endpoint.includes('://') ? endpoint : `${insecure ? 'http' : 'https'}://${endpoint}`;
}

/**
 * An OpenTelemetry Collector gateway: OTLP in from applications, the stack's exporters scraped, everything sent to
 * Prometheus (and traces to a tracing backend). Its configuration is built and checked as a value.
 */
export class OtelCollector extends Component {
  /** The labels of its pods: what the exporters' and Prometheus' policies let in. */
  readonly podSelector: Record<string, string>;
  readonly config: CollectorConfig;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id, props);
    const name = OTEL_COLLECTOR_NAME;
    const image = props.image;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'collector', image) };
    const selector = this.selectorLabels(name);
    this.podSelector = selector;
    this.declareMetrics(OTEL_COLLECTOR_METRICS);
    this.addRules('otel-collector-rules', otelCollectorRules(props.thresholds, this.namespace));

    const scrapeConfigs = props.scrapeExporters
      ? [
          ...(props.exporters.nodeExporter ? [exporterScrapeConfig(NAMES.nodeExporter, props.exporters.nodeExporter.namespace, 'https', { instanceIsNode: true })] : []),
          ...(props.exporters.kubeStateMetrics
            ? [
                // Its series describe objects: their own namespace and pod labels win, as with honorLabels.
                exporterScrapeConfig(NAMES.kubeStateMetrics, this.namespace, 'https-main', { honorLabels: true, dropTargetLabels: true }),
                exporterScrapeConfig(NAMES.kubeStateMetrics, this.namespace, 'https-self'),
              ]
            : []),
        ]
      : [];
    this.config = collectorConfig({
      listenHost: '0.0.0.0',
      scrapeConfigs,
      scrapeInterval: props.scrapeInterval,
      metricsTo: { protocol: props.metricsTo, prometheusUrl: props.prometheusUrl },
      otlp: { grpc: props.otlp.grpc ?? true, http: props.otlp.http ?? true },
      k8sAttributes: props.k8sAttributes,
      clusterName: props.clusterName,
      traces: props.traces && { endpoint: props.traces.endpoint, insecure: props.traces.insecure ?? false },
    });
    const problems = checkCollectorConfig(this.config, 'otelCollector.config');
    if (problems.length) throw new StackError(this.instance, problems);

    serviceAccount(this, meta, scrapeConfigs.length > 0 || props.k8sAttributes);
    if (scrapeConfigs.length || props.k8sAttributes) {
      clusterRoleFor(this, meta, [...DISCOVERY_RULES, ...(props.k8sAttributes ? POD_METADATA_RULES : []), ...(scrapeConfigs.length ? SCRAPE_RULES : [])]);
    }
    new k8s.KubeConfigMap(this, `ConfigMap-${name}`, { metadata: meta, data: { 'config.yaml': toYaml(this.config) } });

    const ports = [
      ...(props.otlp.grpc ?? true ? [{ name: 'otlp-grpc', port: COLLECTOR_PORTS.otlpGrpc }] : []),
      ...(props.otlp.http ?? true ? [{ name: 'otlp-http', port: COLLECTOR_PORTS.otlpHttp }] : []),
      { name: 'metrics', port: COLLECTOR_PORTS.metrics },
    ];
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: props.replicas,
        selector: { matchLabels: selector },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: scrapeConfigs.length > 0 || props.k8sAttributes,
          containers: [
            this.container({
              name,
              image: this.image(image),
              args: ['--config=/conf/config.yaml'],
              env: goMemLimit(props.resources),
              ports: [...ports.map((p) => ({ name: p.name, containerPort: p.port })), { name: 'health', containerPort: COLLECTOR_PORTS.health }],
              resources: props.resources,
              livenessProbe: httpProbe('/', 'health'),
              readinessProbe: httpProbe('/', 'health'),
              volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
            }),
          ],
          volumes: [{ name: 'config', configMap: { name } }],
        }),
      },
    });
    service(this, meta, selector, ports);
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: { jobLabel: 'app.kubernetes.io/name', selector: { matchLabels: selector }, endpoints: [{ port: 'metrics' }] },
    });
    const otlpPorts = ports.filter((p) => p.name.startsWith('otlp')).map((p) => ({ port: p.port }));
    const apiClient = scrapeConfigs.length > 0 || props.k8sAttributes;
    networkPolicy(this, meta, selector, {
      ingress: [
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: COLLECTOR_PORTS.metrics }] },
        ...(otlpPorts.length ? [{ namespaces: props.otlpFromNamespaces ?? ('all' as const), ports: otlpPorts }] : []),
      ],
      egress: [
        dnsEgress(this.network),
        ...(apiClient ? [apiServerEgress(this.network)] : []),
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 9090 }] },
        ...(props.scrapeExporters && props.exporters.nodeExporter ? [nodeEgress(this.network, [props.exporters.nodeExporter.port])] : []),
        ...(props.scrapeExporters && props.exporters.kubeStateMetrics ? [{ pods: [this.selectorLabels(NAMES.kubeStateMetrics)], ports: [{ port: KSM_PORTS.main }, { port: KSM_PORTS.self }] }] : []),
        ...(props.traces ? urlEgress(this.network, traceUrl(props.traces.endpoint, props.traces.insecure ?? false), this.namespace) : []),
      ],
    });
  }
}
