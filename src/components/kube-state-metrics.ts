import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor, type Endpoint } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, service, serviceAccount } from '../k8s/objects';
import { apiServerEgress, dnsEgress } from '../k8s/network';
import { httpsProbe } from '../k8s/pod';
import { AUTH_REVIEW_RULES, proxiedEndpoint, proxyCertificate, rbacProxyContainer, rbacProxyVolumes } from '../k8s/rbac-proxy';
import { customResourcePolicyRules, customResourceStateConfig, metricName, monitorResource } from '../ksm/config';
import { monitorDashboard, monitorRules } from '../ksm/monitor';
import type { CrStatusMonitor, CustomResourceState } from '../ksm/types';
import { chaosResources } from '../chaos/verification';
import type { ChaosSchedule } from '../chaos/types';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_KUBE_STATE_METRICS_THRESHOLDS, KUBE_STATE_METRICS_METRICS, kubeStateMetricsRules, type KubeStateMetricsThresholds } from '../rules/catalogue/kube-state-metrics';
import type { ResourceValues } from '../core/primitives';
import { toYaml } from '../core/yaml';
import { kubernetesStateDashboards } from '../dashboards/catalogue/kubernetes-state';
import { kubeStateMetricsOverview } from '../dashboards/catalogue/monitoring-more';
import type { SchedulingValues } from '../k8s/scheduling';

/** A kube-state-metrics collector: the resource it lists and watches. */
export type KsmCollector =
  | 'certificatesigningrequests' | 'configmaps' | 'cronjobs' | 'daemonsets' | 'deployments' | 'endpoints'
  | 'endpointslices' | 'horizontalpodautoscalers' | 'ingressclasses' | 'ingresses' | 'jobs' | 'leases'
  | 'limitranges' | 'mutatingwebhookconfigurations' | 'namespaces' | 'networkpolicies' | 'nodes'
  | 'persistentvolumeclaims' | 'persistentvolumes' | 'poddisruptionbudgets' | 'pods' | 'replicasets'
  | 'replicationcontrollers' | 'resourcequotas' | 'secrets' | 'serviceaccounts' | 'services' | 'statefulsets'
  | 'storageclasses' | 'validatingwebhookconfigurations' | 'volumeattachments';

export interface KubeStateMetricsValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<KubeStateMetricsThresholds>;
  /**
   * The collectors to run; RBAC grants list/watch on exactly these. `secrets` is left out by default: reading
   * every Secret of the cluster is more than metrics are worth.
   * @default every collector but secrets
   */
  readonly collectors?: KsmCollector[];
  readonly resources?: ResourceValues;
  /**
   * Kubernetes labels exported as `kube_<resource>_labels`, e.g. `{ "pods": ["app", "team"] }`.
   * @default {}
   */
  readonly metricLabelsAllowlist?: Record<string, string[]>;
  /**
   * Custom resources turned into metrics (the custom-resource-state config); RBAC grants list/watch on exactly these.
   * @default []
   */
  readonly customResources?: CustomResourceState[];
  /**
   * One declaration per custom resource kind: its state (and lists of states, and conditions) as metrics, alerts
   * and a dashboard.
   * @default []
   */
  readonly crStatusMonitors?: CrStatusMonitor[];
  /**
   * Allow `*` as kind or version in customResources (RBAC then covers the whole group). Flagged in the summary.
   * @default false
   */
  readonly allowWildcardResources?: boolean;
}

export const KUBE_STATE_METRICS_DEFAULTS = {
  enabled: true,
  collectors: [
    'certificatesigningrequests', 'configmaps', 'cronjobs', 'daemonsets', 'deployments', 'endpointslices',
    'horizontalpodautoscalers', 'ingresses', 'jobs', 'leases', 'limitranges', 'mutatingwebhookconfigurations',
    'namespaces', 'networkpolicies', 'nodes', 'persistentvolumeclaims', 'persistentvolumes', 'poddisruptionbudgets',
    'pods', 'replicasets', 'replicationcontrollers', 'resourcequotas', 'services', 'statefulsets', 'storageclasses',
    'validatingwebhookconfigurations', 'volumeattachments',
  ] as KsmCollector[],
  resources: { requests: { cpu: '10m', memory: '190Mi' }, limits: { memory: '250Mi' } },
  metricLabelsAllowlist: {} as Record<string, string[]>,
  thresholds: DEFAULT_KUBE_STATE_METRICS_THRESHOLDS,
  customResources: [] as CustomResourceState[],
  crStatusMonitors: [] as CrStatusMonitor[],
  allowWildcardResources: false,
} satisfies KubeStateMetricsValues;

/** KubeStateMetricsValues with every default filled in. */
export type ResolvedKubeStateMetricsValues = WithDefaults<KubeStateMetricsValues, typeof KUBE_STATE_METRICS_DEFAULTS>;

/** `allowWildcardResources` is a permission the values checks read; the component renders what it is given. */
export interface KubeStateMetricsProps extends ComponentProps, Omit<ResolvedKubeStateMetricsValues, 'enabled' | 'allowWildcardResources'> {
  readonly image: Image;
  /** kube-rbac-proxy, in front of both its ports. */
  readonly rbacProxyImage: Image;
  /**
   * Chaos Mesh schedules whose experiments it also watches, so that their contracts can be proven in the cluster.
   * @default []
   */
  readonly chaosSchedules?: readonly ChaosSchedule[];
  /**
   * The pods of an OpenTelemetry Collector that scrapes it instead of Prometheus: no ServiceMonitor then, and the
   * Collector is let in.
   * @default none: Prometheus scrapes it
   */
  readonly scrapedByCollector?: Record<string, string>;
}

/** Where the custom-resource-state config is mounted (kube-state-metrics reloads it when it changes). */
const CR_CONFIG_DIR = '/etc/kube-state-metrics';

/** The API group of each kube-state-metrics collector: RBAC and `--resources` are derived from one list. */
export const KSM_COLLECTOR_GROUPS: Record<KsmCollector, string> = {
  certificatesigningrequests: 'certificates.k8s.io',
  configmaps: '',
  cronjobs: 'batch',
  daemonsets: 'apps',
  deployments: 'apps',
  endpoints: '',
  endpointslices: 'discovery.k8s.io',
  horizontalpodautoscalers: 'autoscaling',
  ingressclasses: 'networking.k8s.io',
  ingresses: 'networking.k8s.io',
  jobs: 'batch',
  leases: 'coordination.k8s.io',
  limitranges: '',
  mutatingwebhookconfigurations: 'admissionregistration.k8s.io',
  namespaces: '',
  networkpolicies: 'networking.k8s.io',
  nodes: '',
  persistentvolumeclaims: '',
  persistentvolumes: '',
  poddisruptionbudgets: 'policy',
  pods: '',
  replicasets: 'apps',
  replicationcontrollers: '',
  resourcequotas: '',
  secrets: '',
  serviceaccounts: '',
  services: '',
  statefulsets: 'apps',
  storageclasses: 'storage.k8s.io',
  validatingwebhookconfigurations: 'admissionregistration.k8s.io',
  volumeattachments: 'storage.k8s.io',
};

/** list/watch on exactly the configured collectors, grouped by API group in a stable order. */
export function ksmPolicyRules(collectors: readonly KsmCollector[]): k8s.PolicyRule[] {
  const byGroup = new Map<string, string[]>();
  for (const collector of [...new Set(collectors)].sort()) {
    const group = KSM_COLLECTOR_GROUPS[collector];
    byGroup.set(group, [...(byGroup.get(group) ?? []), collector]);
  }
  return [...byGroup.keys()].sort().map((group) => ({ apiGroups: [group], resources: byGroup.get(group)!, verbs: ['list', 'watch'] }));
}

/** The ports its proxies serve (TLS) and the ports kube-state-metrics listens on, on 127.0.0.1 only. */
export const KSM_PORTS = { main: 8443, self: 9443, upstreamMain: 8081, upstreamSelf: 8082 } as const;

/** kube-state-metrics with read access to the collectors it runs, and nothing else. */
export class KubeStateMetrics extends Component {
  constructor(scope: Construct, id: string, props: KubeStateMetricsProps) {
    super(scope, id, props);
    const v = props;
    const image = props.image;
    const name = NAMES.kubeStateMetrics;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'exporter', image) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(KUBE_STATE_METRICS_METRICS);
    this.addRules('kube-state-metrics-rules', kubeStateMetricsRules(v.thresholds));
    const collectors = [...new Set(v.collectors)].sort();

    // Chaos experiments the stack schedules are watched too, so that their contracts can be proven in the cluster.
    const resources = [...v.customResources, ...v.crStatusMonitors.map(monitorResource), ...chaosResources(props.chaosSchedules ?? [])];
    this.declareMetrics(resources.flatMap((r) => r.metrics.map((m) => metricName(r, m))));
    this.addRules('kube-state-metrics-custom-resources', v.crStatusMonitors.map(monitorRules));
    this.addDashboards('Custom Resources', v.crStatusMonitors.map(monitorDashboard));
    this.addDashboards('Kubernetes', kubernetesStateDashboards());
    this.addDashboards('Monitoring', [kubeStateMetricsOverview(this.namespace)]);

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, [...ksmPolicyRules(collectors), ...customResourcePolicyRules(resources), ...AUTH_REVIEW_RULES]);
    // Both ports on 127.0.0.1 only, each served over TLS to Prometheus by a proxy; the health paths pass unauthenticated.
    const certificate = proxyCertificate(this, this.scrapeTls, name, this.namespace, meta.labels);
    const proxyImage = this.image(props.rbacProxyImage);
    const mainProxy = { name: 'kube-rbac-proxy-main', image: proxyImage, portName: 'https-main', port: KSM_PORTS.main, upstreamPort: KSM_PORTS.upstreamMain, unauthenticatedPaths: ['/livez'], certificateSecret: certificate };
    const selfProxy = { name: 'kube-rbac-proxy-self', image: proxyImage, portName: 'https-self', port: KSM_PORTS.self, upstreamPort: KSM_PORTS.upstreamSelf, unauthenticatedPaths: ['/readyz'], certificateSecret: certificate };
    if (resources.length) {
      new k8s.KubeConfigMap(this, `ConfigMap-${name}-custom-resources`, {
        metadata: { ...meta, name: `${name}-custom-resources` },
        data: { 'config.yaml': toYaml(customResourceStateConfig(resources)) },
      });
    }

    const allowlist = Object.entries(v.metricLabelsAllowlist)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([resource, labels]) => `${resource}=[${labels.join(',')}]`);
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: true,
          containers: [
            this.container({
              name,
              image: this.image(image),
              args: [
                '--host=127.0.0.1',
                `--port=${KSM_PORTS.upstreamMain}`,
                '--telemetry-host=127.0.0.1',
                `--telemetry-port=${KSM_PORTS.upstreamSelf}`,
                `--resources=${collectors.join(',')}`,
                ...(allowlist.length ? [`--metric-labels-allowlist=${allowlist.join(',')}`] : []),
                ...(resources.length ? [`--custom-resource-state-config-file=${CR_CONFIG_DIR}/config.yaml`] : []),
              ],
              ...(resources.length ? { volumeMounts: [{ name: 'custom-resources', mountPath: CR_CONFIG_DIR, readOnly: true }] } : {}),
              resources: v.resources,
              livenessProbe: httpsProbe('/livez', mainProxy.portName),
              readinessProbe: httpsProbe('/readyz', selfProxy.portName),
            }),
            this.container(rbacProxyContainer(mainProxy)),
            this.container(rbacProxyContainer(selfProxy)),
          ],
          volumes: [
            ...(resources.length ? [{ name: 'custom-resources', configMap: { name: `${name}-custom-resources` } }] : []),
            ...rbacProxyVolumes(mainProxy), ...rbacProxyVolumes(selfProxy),
          ],
        }),
      },
    });

    service(this, meta, selector, [{ name: mainProxy.portName, port: mainProxy.port }, { name: selfProxy.portName, port: selfProxy.port }], { headless: true });
    const endpoint = (e: Endpoint) => proxiedEndpoint(e, name, this.namespace, certificate);
    if (!props.scrapedByCollector) new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        jobLabel: 'app.kubernetes.io/name',
        selector: { matchLabels: selector },
        endpoints: [
          endpoint({
            port: mainProxy.portName,
            // kube-state-metrics' own namespace/pod labels describe the object, not the exporter.
            honorLabels: true,
            relabelings: [{ action: 'labeldrop', regex: '(pod|service|endpoint|namespace)' }],
          }),
          endpoint({ port: selfProxy.portName }),
        ],
      },
    });
    networkPolicy(this, meta, selector, {
      ingress: [{ pods: [props.scrapedByCollector ?? OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: mainProxy.port }, { port: selfProxy.port }] }],
      egress: [dnsEgress(this.network), apiServerEgress(this.network)],
    });
  }
}
