import { k8s } from 'cdk8s-plus-27';
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { Prometheus as PrometheusResource, ServiceMonitor, type RemoteWriteSpec } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { plainResources } from '../k8s/pod';
import { apiServerEgress, nodeEgress, urlEgress } from '../k8s/network';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { labelSelector, OPERATOR_POD_SECURITY, spreadOverNodes, storageSpec, type Selection } from './operator-managed';
import { prometheusSizing, quantityBytes, retentionSizeFor, type ClusterSize } from './prometheus-sizing';
import { ALERTMANAGER_DEFAULTS, type Alertmanager } from './alertmanager';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_GENERAL_THRESHOLDS, GENERAL_METRICS, generalRules, type GeneralThresholds } from '../rules/catalogue/general';
import { DEFAULT_PROMETHEUS_THRESHOLDS, PROMETHEUS_METRICS, prometheusRules, type PrometheusThresholds } from '../rules/catalogue/prometheus';
import { alertsOverview, prometheusOverview } from '../dashboards/catalogue/monitoring';
import { StackError } from '../core/problems';
import type { PromDuration, Quantity, ResourceValues, SecretKeyRef } from '../core/primitives';

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

export interface PrometheusValues {
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
  /** The URL Prometheus is reached at, used in alert links. */
  readonly externalUrl?: string;
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
    this.url = `http://${name}.${this.namespace}.svc:9090`;
    const meta = { name, namespace: this.namespace, labels: this.labels('prometheus', 'prometheus', image) };
    const selector = OPERATOR_POD_SELECTORS.prometheus;
    const sized = prometheusSizing(props.sizing, props.scrapeInterval, props.retention);
    const volume = props.storage?.size ?? sized.volume;
    this.declareMetrics([...GENERAL_METRICS, ...PROMETHEUS_METRICS]);
    this.addRules('prometheus-k8s-rules', [...generalRules(props.thresholds), ...prometheusRules(props.thresholds, this.namespace)]);
    this.addDashboards('Monitoring', [prometheusOverview({ namespace: this.namespace, remoteWrite: Boolean(props.remoteWrite?.length) })]);
    this.addDashboardAtSynth('Monitoring', () => alertsOverview({
      namespace: this.namespace,
      alertmanager: this.alertmanagerRef !== undefined,
      // Watchdog and InfoInhibitor fire all the time, with or without an Alertmanager to route them.
      alwaysFiring: this.alertmanagerRef?.intentionallyUnrouted ?? ALERTMANAGER_DEFAULTS.intentionallyUnrouted,
    }));
    if (props.alertmanager) this.sendAlertsTo(props.alertmanager);

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, PROMETHEUS_RULES);

    new PrometheusResource(this, `Prometheus-${NAMES.prometheusCr}`, {
      metadata: { ...meta, name: NAMES.prometheusCr },
      spec: {
        image: this.image(image),
        version: image.tag,
        replicas: props.replicas,
        serviceAccountName: name,
        podMetadata: { labels: meta.labels },
        securityContext: OPERATOR_POD_SECURITY,
        resources: plainResources(props.resources ?? { requests: { cpu: '200m', memory: sized.memoryRequest }, limits: { memory: sized.memoryLimit } }),
        retention: props.retention,
        retentionSize: props.retentionSize ?? retentionSizeFor(quantityBytes(volume) ?? 0),
        storage: props.storage?.emptyDir
          ? { emptyDir: { sizeLimit: volume } }
          : storageSpec({ size: volume, storageClassName: props.storage?.storageClassName }),
        ...(props.externalUrl ? { externalUrl: props.externalUrl } : {}),
        scrapeInterval: props.scrapeInterval,
        evaluationInterval: props.evaluationInterval,
        externalLabels: { cluster: props.clusterName, ...props.externalLabels },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        affinity: spreadOverNodes(selector),
        ruleSelector: labelSelector(props.select.rules),
        ruleNamespaceSelector: {},
        serviceMonitorSelector: labelSelector(props.select.serviceMonitors),
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: labelSelector(props.select.podMonitors),
        podMonitorNamespaceSelector: {},
        probeSelector: labelSelector(props.select.probes),
        probeNamespaceSelector: {},
        scrapeConfigSelector: labelSelector(props.select.scrapeConfigs),
        scrapeConfigNamespaceSelector: {},
        alerting: Lazy.any({
          produce: () => this.alertmanagerRef && {
            alertmanagers: [{ namespace: this.alertmanagerRef.serviceNamespace, name: this.alertmanagerRef.serviceName, port: 'web', apiVersion: 'v2' }],
          },
        }),
        ...(props.remoteWrite?.length ? { remoteWrite: props.remoteWrite.map(remoteWriteSpec) } : {}),
        ...(props.pushedBy?.protocol === 'remoteWrite' ? { enableRemoteWriteReceiver: true } : {}),
        ...(props.pushedBy?.protocol === 'otlp' ? { enableOTLPReceiver: true } : {}),
      },
    });

    service(this, meta, selector, [{ name: 'web', port: 9090 }, { name: 'reloader-web', port: 8080 }], { sessionAffinity: 'ClientIP' });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: this.selectorLabels('prometheus') },
        endpoints: [{ port: 'web' }, { port: 'reloader-web' }],
      },
    });
    if (props.replicas > 1) podDisruptionBudget(this, meta, selector);
    networkPolicy(this, meta, selector, {
      ingress: [
        { pods: [selector, this.selectorLabels(NAMES.grafana), ...(props.pushedBy ? [props.pushedBy.pods] : [])], ports: [{ port: 9090 }] },
        { pods: [selector], ports: [{ port: 8080 }] },
      ],
      egress: [
        apiServerEgress(this.network),
        // Targets are pods anywhere in the cluster, on the ports their monitors name (teams add their own), its
        // Alertmanagers, and the DNS pods: pods only, not the world.
        { namespaces: 'all', ports: [] },
        ...(props.nodePorts?.length ? [nodeEgress(this.network, [...new Set(props.nodePorts)].sort((a, b) => a - b))] : []),
        ...(props.remoteWrite ?? []).flatMap((rw) => urlEgress(this.network, rw.url, this.namespace)),
      ],
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
