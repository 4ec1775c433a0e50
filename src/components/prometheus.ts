import { k8s } from 'cdk8s-plus-27';
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { Prometheus as PrometheusResource, PrometheusAgent as PrometheusAgentResource, ServiceMonitor, type RemoteWriteSpec, type ThanosSpec } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { plainResources } from '../k8s/pod';
import { apiServerEgress, internetEgress, nodeEgress, urlEgress, type PeerAllowance, type ResolvedNetwork } from '../k8s/network';
import { exposurePath, exposeService, exposureUrl, type ExposureValues } from '../k8s/exposure';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { labelSelector, OPERATOR_POD_SECURITY, spreadOverNodes, storageSpec, type Selection } from './operator-managed';
import { prometheusSizing, quantityBytes, retentionSizeFor, type ClusterSize } from './prometheus-sizing';
import { ALERTMANAGER_DEFAULTS, type Alertmanager } from './alertmanager';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_GENERAL_THRESHOLDS, GENERAL_METRICS, generalRules, type GeneralThresholds } from '../rules/catalogue/general';
import { DEFAULT_PROMETHEUS_THRESHOLDS, PROMETHEUS_METRICS, prometheusRules, type PrometheusThresholds } from '../rules/catalogue/prometheus';
import { alertsOverview, prometheusOverview } from '../dashboards/catalogue/monitoring';
import { prometheusRemoteWrite, prometheusScrapeTargets, prometheusTsdb } from '../dashboards/catalogue/monitoring-more';
import { StackError } from '../core/problems';
import type { PromDuration, Quantity, ResourceValues, SecretKeyRef } from '../core/primitives';
import type { SchedulingValues } from '../k8s/scheduling';

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

/** A Thanos sidecar beside each Prometheus: its StoreAPI for Thanos Query, and blocks uploaded to a bucket. */
export interface ThanosSidecarValues {
  /**
   * The bucket's configuration (Thanos' objstore YAML) in a Secret: every 2h block is uploaded there, and the
   * operator turns Prometheus' own compaction off.
   * @default none: the sidecar only serves the StoreAPI of the local TSDB
   */
  readonly objectStorageConfig?: SecretKeyRef;
  /**
   * The bucket's endpoint, e.g. `https://s3.eu-west-1.amazonaws.com` or an in-cluster MinIO Service URL: what the
   * egress of Prometheus' pods opens for the sidecar.
   * @default any address outside the cluster on port 443, when objectStorageConfig is set
   */
  readonly objectStorageUrl?: string;
  /** Where Thanos Query runs: its pods are let in on the StoreAPI (gRPC, 10901). @default nobody is let in */
  readonly queriedFrom?: { readonly namespace: string; readonly pods?: Record<string, string> };
  /** Thanos Query's URL, e.g. `http://thanos-query.thanos.svc:9090`: Grafana gets it as the `Thanos` datasource. */
  readonly queryUrl?: string;
}

/** An Alertmanager outside this stack that Prometheus also sends its alerts to: a Service, as the operator takes it. */
export interface AlertmanagerEndpointValues {
  readonly namespace: string;
  /** Name of its Service. */
  readonly name: string;
  /** The Service port's name (or number). @default "web" */
  readonly port?: string | number;
  /** @default "http" */
  readonly scheme?: 'http' | 'https';
  /** @default "/" */
  readonly pathPrefix?: string;
}

export interface PrometheusValues extends ExposureValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts (Prometheus' own and the general ones such as TargetDown). */
  readonly thresholds?: Partial<PrometheusThresholds & GeneralThresholds>;
  /** @default 2 */
  readonly replicas?: number;
  /** @default "15d" */
  readonly retention?: PromDuration;
  /**
   * e.g. `45GB`: the oldest blocks go first once the TSDB reaches it, before the volume is full.
   * @default 80% of the volume
   */
  readonly retentionSize?: string;
  /** Each replica's volume. @default a volume of the cluster's default StorageClass, sized from `sizing` and `retention` */
  readonly storage?: PrometheusStorageValues;
  /** The cluster the default memory, volume and retentionSize are sized for. @default { nodes: 10, pods: 300 } */
  readonly sizing?: Partial<ClusterSize>;
  /**
   * Which PrometheusRules, ServiceMonitors, PodMonitors, Probes and ScrapeConfigs Prometheus loads, from every
   * namespace. A label selection must match the stack's own objects: their labels are `common.ruleLabels` (rules)
   * and `common.labels` (the others).
   * @default "all" for each
   */
  readonly select?: PrometheusSelection;
  /** @default "30s" */
  readonly scrapeInterval?: PromDuration;
  /** @default "30s" */
  readonly evaluationInterval?: PromDuration;
  /** External labels in addition to `cluster`. */
  readonly externalLabels?: Record<string, string>;
  readonly remoteWrite?: RemoteWriteValues[];
  readonly resources?: ResourceValues;
  /**
   * The URL Prometheus is reached at, used in alert links.
   * @default the URL of `ingress` or `httpRoute` when exposed (`https://<host><path>`, http for an Ingress without tls)
   */
  readonly externalUrl?: string;
  /**
   * `agent`: a PrometheusAgent that scrapes and remote-writes only (remoteWrite required). It evaluates no rules
   * and answers no queries, so the stack then writes no PrometheusRules and runs no Alertmanager or Grafana: those
   * belong beside the Prometheus the samples go to.
   * @default "server"
   */
  readonly mode?: 'server' | 'agent';
  /** Compresses the write-ahead log (Prometheus' default since 2.20). @default Prometheus' default */
  readonly walCompression?: boolean;
  /** Prometheus feature flags (`--enable-feature`), e.g. `["exemplar-storage"]`. @default [] */
  readonly enableFeatures?: string[];
  /** Logs every query to `/var/log/prometheus/query.log` (an emptyDir the operator mounts). @default false */
  readonly queryLog?: boolean;
  /** Alertmanagers outside the stack that also get every alert. @default [] */
  readonly additionalAlertmanagers?: AlertmanagerEndpointValues[];
  /** A Thanos sidecar (server mode only). @default none */
  readonly thanos?: ThanosSidecarValues;
}

export interface PrometheusSelection {
  readonly rules?: Selection;
  readonly serviceMonitors?: Selection;
  readonly podMonitors?: Selection;
  readonly probes?: Selection;
  readonly scrapeConfigs?: Selection;
}

export interface PrometheusStorageValues {
  /** e.g. `50Gi`. @default what `retention` needs at the load `sizing` describes */
  readonly size?: Quantity;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** A node-local emptyDir instead of a volume (no StorageClass needed): samples are lost when a pod moves. @default false */
  readonly emptyDir?: boolean;
}

export const PROMETHEUS_DEFAULTS = {
  enabled: true,
  mode: 'server' as 'server' | 'agent',
  enableFeatures: [] as string[],
  queryLog: false,
  additionalAlertmanagers: [] as AlertmanagerEndpointValues[],
  replicas: 2,
  retention: '15d',
  scrapeInterval: '30s',
  evaluationInterval: '30s',
  externalLabels: {} as Record<string, string>,
  sizing: { nodes: 10, pods: 300 },
  select: { rules: 'all', serviceMonitors: 'all', podMonitors: 'all', probes: 'all', scrapeConfigs: 'all' } as Required<PrometheusSelection>,
  thresholds: { ...DEFAULT_PROMETHEUS_THRESHOLDS, ...DEFAULT_GENERAL_THRESHOLDS },
} satisfies PrometheusValues;

/** PrometheusValues with every default filled in. */
export type ResolvedPrometheusValues = WithDefaults<PrometheusValues, typeof PROMETHEUS_DEFAULTS>;

export interface PrometheusProps extends ComponentProps, Omit<ResolvedPrometheusValues, 'enabled'> {
  readonly image: Image;
  /** The Thanos sidecar's image, when `thanos` is set. */
  readonly thanosImage?: Image;
  /** The `cluster` external label of every series, used by multi-cluster rules and dashboards. */
  readonly clusterName: string;
  /**
   * The Alertmanager Prometheus sends its alerts to; `sendAlertsTo` sets it after the constructor.
   * @default none: alerts are evaluated, and sent nowhere
   */
  readonly alertmanager?: Alertmanager;
  /** Pods that push series to it (an OpenTelemetry Collector), and how: its receiver for that is enabled and let in. */
  readonly pushedBy?: { readonly protocol: 'remoteWrite' | 'otlp'; readonly pods: Record<string, string> };
  /**
   * Further pods of its namespace that query its API on 9090 (e.g. prometheus-adapter), besides Grafana.
   * @default []
   */
  readonly queriedBy?: readonly Record<string, string>[];
  /**
   * Ports it scrapes on the nodes' addresses: the kubelet, host-network exporters, static control-plane pods.
   * @default []
   */
  readonly nodePorts?: readonly number[];
}

const READ = ['get', 'list', 'watch'];

/** Discovery of targets anywhere in the cluster, and the kubelet's metrics. */
const PROMETHEUS_RULES: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
  { nonResourceUrLs: ['/metrics', '/metrics/cadvisor', '/metrics/probes'], verbs: ['get'] },
];

function remoteWriteSpec(rw: RemoteWriteValues): RemoteWriteSpec {
  return {
    url: rw.url,
    ...(rw.name ? { name: rw.name } : {}),
    ...(rw.basicAuth ? { basicAuth: rw.basicAuth } : {}),
    ...(rw.bearerToken ? { authorization: { type: 'Bearer' as const, credentials: rw.bearerToken } } : {}),
    ...(rw.keepMetricsMatching
      ? { writeRelabelConfigs: [{ sourceLabels: ['__name__'], regex: rw.keepMetricsMatching, action: 'keep' as const }] }
      : {}),
  };
}

/** The Thanos sidecar's ports, as the operator gives them to the container. */
export const THANOS_PORTS = { grpc: 10901, http: 10902 } as const;

function thanosSpec(thanos: ThanosSidecarValues, image: string, version: string): ThanosSpec {
  return { image, version, ...(thanos.objectStorageConfig ? { objectStorageConfig: { ...thanos.objectStorageConfig } } : {}) };
}

/** The bucket: its URL when given, otherwise HTTPS anywhere outside the cluster. */
function thanosBucketEgress(network: ResolvedNetwork, thanos: ThanosSidecarValues, namespace: string): PeerAllowance[] {
  return thanos.objectStorageUrl ? urlEgress(network, thanos.objectStorageUrl, namespace) : [internetEgress(network, [{ port: 443 }])];
}

/** The Prometheus custom resource and what it needs: RBAC for discovery, Service, self-monitoring, policies. */
export class Prometheus extends Component {
  /** How often targets are scraped. */
  readonly scrapeInterval: PromDuration;
  readonly evaluationInterval: PromDuration;
  /** How long the TSDB keeps samples. */
  readonly retention: PromDuration;
  /** The in-cluster URL of its Service: what Grafana queries. */
  readonly url: string;
  private alertmanagerRef?: Alertmanager;

  constructor(scope: Construct, id: string, props: PrometheusProps) {
    super(scope, id, props);
    this.scrapeInterval = props.scrapeInterval;
    this.evaluationInterval = props.evaluationInterval;
    this.retention = props.retention;
    const image = props.image;
    const name = NAMES.prometheus;
    // Served under the exposed path (routePrefix), so the proxy forwards it unchanged: every in-cluster client too.
    const exposure: ExposureValues = { ingress: props.ingress, httpRoute: props.httpRoute };
    const prefix = exposurePath(exposure) === '/' ? '' : exposurePath(exposure);
    this.url = `http://${name}.${this.namespace}.svc:9090${prefix}`;
    const externalUrl = props.externalUrl ?? exposureUrl(exposure);
    const meta = { name, namespace: this.namespace, labels: this.labels('prometheus', 'prometheus', image) };
    const selector = OPERATOR_POD_SELECTORS.prometheus;
    const sized = prometheusSizing(props.sizing, props.scrapeInterval, props.retention);
    const volume = props.storage?.size ?? sized.volume;
    this.declareMetrics([...GENERAL_METRICS, ...PROMETHEUS_METRICS]);
    this.addRules('prometheus-k8s-rules', [...generalRules(props.thresholds), ...prometheusRules(props.thresholds, this.namespace)]);
    this.addDashboards('Monitoring', [
      prometheusOverview({ namespace: this.namespace, remoteWrite: Boolean(props.remoteWrite?.length) }),
      prometheusTsdb(this.namespace),
      prometheusScrapeTargets(this.namespace),
      // Without a remote-write queue there are no queue series: the dashboard would be empty.
      ...(props.remoteWrite?.length ? [prometheusRemoteWrite(this.namespace)] : []),
    ]);
    this.addDashboardAtSynth('Monitoring', () => alertsOverview({
      namespace: this.namespace,
      alertmanager: this.alertmanagerRef !== undefined,
      // Watchdog and InfoInhibitor fire all the time, with or without an Alertmanager to route them.
      alwaysFiring: this.alertmanagerRef?.intentionallyUnrouted ?? ALERTMANAGER_DEFAULTS.intentionallyUnrouted,
    }));
    if (props.alertmanager) this.sendAlertsTo(props.alertmanager);

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, PROMETHEUS_RULES);

    const agent = props.mode === 'agent';
    // What a Prometheus and a PrometheusAgent share: the pods, the storage, what they scrape and where they write.
    const common = {
      image: this.image(image),
      version: image.tag,
      replicas: props.replicas,
      serviceAccountName: name,
      // The operator gives an agent's pods its own app.kubernetes.io/name; `prometheus` keeps the selector of both.
      podMetadata: { labels: { ...meta.labels, prometheus: NAMES.prometheusCr } },
      securityContext: OPERATOR_POD_SECURITY,
      resources: plainResources(props.resources ?? { requests: { cpu: '200m', memory: sized.memoryRequest }, limits: { memory: sized.memoryLimit } }),
      storage: props.storage?.emptyDir
        ? { emptyDir: { sizeLimit: volume } }
        : storageSpec({ size: volume, storageClassName: props.storage?.storageClassName }),
      ...(externalUrl ? { externalUrl } : {}),
      ...(prefix ? { routePrefix: prefix } : {}),
      scrapeInterval: props.scrapeInterval,
      externalLabels: { cluster: props.clusterName, ...props.externalLabels },
      ...this.schedulingOf(selector, { affinity: spreadOverNodes(selector) }),
      serviceMonitorSelector: labelSelector(props.select.serviceMonitors),
      serviceMonitorNamespaceSelector: {},
      podMonitorSelector: labelSelector(props.select.podMonitors),
      podMonitorNamespaceSelector: {},
      probeSelector: labelSelector(props.select.probes),
      probeNamespaceSelector: {},
      scrapeConfigSelector: labelSelector(props.select.scrapeConfigs),
      scrapeConfigNamespaceSelector: {},
      ...(props.walCompression !== undefined ? { walCompression: props.walCompression } : {}),
      ...(props.enableFeatures.length ? { enableFeatures: [...props.enableFeatures] } : {}),
      ...(props.remoteWrite?.length ? { remoteWrite: props.remoteWrite.map(remoteWriteSpec) } : {}),
      ...(props.pushedBy?.protocol === 'remoteWrite' ? { enableRemoteWriteReceiver: true } : {}),
      ...(props.pushedBy?.protocol === 'otlp' ? { enableOTLPReceiver: true } : {}),
    };
    const crId = `${agent ? 'PrometheusAgent' : 'Prometheus'}-${NAMES.prometheusCr}`;
    const metadata = { ...meta, name: NAMES.prometheusCr };
    if (agent) {
      new PrometheusAgentResource(this, crId, { metadata, spec: common });
    } else {
      const additional = props.additionalAlertmanagers.map((a) => ({
        namespace: a.namespace, name: a.name, port: a.port ?? 'web', apiVersion: 'v2' as const,
        ...(a.scheme ? { scheme: a.scheme } : {}), ...(a.pathPrefix ? { pathPrefix: a.pathPrefix } : {}),
      }));
      new PrometheusResource(this, crId, {
        metadata,
        spec: {
          ...common,
          retention: props.retention,
          retentionSize: props.retentionSize ?? retentionSizeFor(quantityBytes(volume) ?? 0),
          evaluationInterval: props.evaluationInterval,
          ruleSelector: labelSelector(props.select.rules),
          ruleNamespaceSelector: {},
          ...(props.queryLog ? { queryLogFile: 'query.log' } : {}),
          alerting: Lazy.any({
            produce: () => {
              const own = this.alertmanagerRef && {
                namespace: this.alertmanagerRef.serviceNamespace, name: this.alertmanagerRef.serviceName, port: 'web', apiVersion: 'v2' as const,
                ...(this.alertmanagerRef.routePrefix !== '/' ? { pathPrefix: this.alertmanagerRef.routePrefix } : {}),
              };
              const alertmanagers = [...(own ? [own] : []), ...additional];
              return alertmanagers.length ? { alertmanagers } : undefined;
            },
          }),
          ...(props.thanos ? { thanos: thanosSpec(props.thanos, this.image(props.thanosImage!), props.thanosImage!.tag) } : {}),
        },
      });
    }
    if (props.thanos) this.thanosSidecarObjects(meta, selector);

    service(this, meta, selector, [{ name: 'web', port: 9090 }, { name: 'reloader-web', port: 8080 }], { sessionAffinity: 'ClientIP' });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: this.selectorLabels('prometheus') },
        endpoints: [{ port: 'web', ...(prefix ? { path: `${prefix}/metrics` } : {}) }, { port: 'reloader-web' }],
      },
    });
    const exposed = exposeService(this, { meta, exposure, proxies: props.common, service: name, servicePort: 9090, podPort: 9090, field: 'prometheus', instance: this.instance });
    if (props.replicas > 1) podDisruptionBudget(this, meta, selector);
    networkPolicy(this, meta, selector, {
      ingress: [
        { pods: [selector, this.selectorLabels(NAMES.grafana), ...(props.queriedBy ?? []), ...(props.pushedBy ? [props.pushedBy.pods] : [])], ports: [{ port: 9090 }] },
        { pods: [selector], ports: [{ port: 8080 }, ...(props.thanos ? [{ port: THANOS_PORTS.http }] : [])] },
        ...(props.thanos?.queriedFrom ? [{ podsIn: [{ namespace: props.thanos.queriedFrom.namespace, pods: props.thanos.queriedFrom.pods ?? {} }], ports: [{ port: THANOS_PORTS.grpc }] }] : []),
        ...exposed,
      ],
      egress: [
        apiServerEgress(this.network),
        // Targets are pods anywhere in the cluster, on the ports their monitors name (teams add their own), its
        // Alertmanagers, and the DNS pods: pods only, not the world.
        { namespaces: 'all', ports: [] },
        ...(props.nodePorts?.length ? [nodeEgress(this.network, [...new Set(props.nodePorts)].sort((a, b) => a - b))] : []),
        ...(props.remoteWrite ?? []).flatMap((rw) => urlEgress(this.network, rw.url, this.namespace)),
        ...(props.thanos?.objectStorageConfig ? thanosBucketEgress(this.network, props.thanos, this.namespace) : []),
      ],
    });
  }

  /**
   * The sidecar's headless Service (Thanos Query discovers each replica's StoreAPI by DNS), and its own metrics
   * scraped on `http`.
   */
  private thanosSidecarObjects(meta: { name: string; namespace: string; labels: Record<string, string> }, selector: Record<string, string>): void {
    const name = `${NAMES.prometheus}-thanos-sidecar`;
    const sidecarMeta = { ...meta, name, labels: { ...meta.labels, ...this.selectorLabels('thanos-sidecar'), 'app.kubernetes.io/component': 'thanos-sidecar' } };
    service(this, sidecarMeta, selector, [{ name: 'grpc', port: THANOS_PORTS.grpc }, { name: 'http', port: THANOS_PORTS.http }], { headless: true });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: sidecarMeta,
      spec: { selector: { matchLabels: this.selectorLabels('thanos-sidecar') }, endpoints: [{ port: 'http' }] },
    });
  }

  /** The Alertmanager its alerts go to, if any. */
  get alertmanager(): Alertmanager | undefined {
    return this.alertmanagerRef;
  }

  /**
   * Sends the alerts to this Alertmanager (its `web` port, API v2). The stack wires its own Alertmanager so; one
   * Alertmanager cluster per Prometheus.
   */
  sendAlertsTo(alertmanager: Alertmanager): void {
    if (this.alertmanagerRef) {
      throw new StackError(this.instance, [{
        field: `prometheus.sendAlertsTo(${alertmanager.node.path})`,
        message: `Prometheus already sends its alerts to ${this.alertmanagerRef.node.path}`,
        fix: 'send the alerts of one Prometheus to one Alertmanager cluster',
      }]);
    }
    this.alertmanagerRef = alertmanager;
  }
}
