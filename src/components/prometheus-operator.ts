import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, service, serviceAccount } from '../k8s/objects';
import { apiServerEgress, dnsEgress } from '../k8s/network';
import { httpsProbe } from '../k8s/pod';
import { AUTH_REVIEW_RULES, proxiedEndpoint, proxyCertificate, rbacProxyContainer, rbacProxyVolumes } from '../k8s/rbac-proxy';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import {
  DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS, PROMETHEUS_OPERATOR_METRICS, prometheusOperatorRules, type PrometheusOperatorThresholds,
} from '../rules/catalogue/prometheus-operator';
import type { ResourceValues } from '../core/primitives';
import type { SchedulingValues } from '../k8s/scheduling';
import { prometheusOperatorOverview } from '../dashboards/catalogue/monitoring-more';

export interface PrometheusOperatorValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<PrometheusOperatorThresholds>;
  readonly resources?: ResourceValues;
  /**
   * Namespaces the operator watches for custom resources; empty means all.
   * @default []
   */
  readonly watchNamespaces?: string[];
}

export const PROMETHEUS_OPERATOR_DEFAULTS = {
  enabled: true,
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
  watchNamespaces: [] as string[],
  thresholds: DEFAULT_PROMETHEUS_OPERATOR_THRESHOLDS,
} satisfies PrometheusOperatorValues;

/** PrometheusOperatorValues with every default filled in. */
export type ResolvedPrometheusOperatorValues = WithDefaults<PrometheusOperatorValues, typeof PROMETHEUS_OPERATOR_DEFAULTS>;

export interface PrometheusOperatorProps extends ComponentProps, Omit<ResolvedPrometheusOperatorValues, 'enabled'> {
  readonly image: Image;
  /** kube-rbac-proxy, in front of its metrics. */
  readonly rbacProxyImage: Image;
  /** The config-reloader the operator injects into Prometheus and Alertmanager pods: the same version as the operator. */
  readonly configReloaderImage: Image;
}

const ALL_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const READ = ['get', 'list', 'watch'];

/** Everything the operator manages or reads, resource by resource (no wildcards). */
const OPERATOR_RULES: k8s.PolicyRule[] = [
  {
    apiGroups: ['monitoring.coreos.com'],
    resources: [
      'alertmanagers', 'alertmanagers/finalizers', 'alertmanagers/status', 'alertmanagerconfigs',
      'prometheuses', 'prometheuses/finalizers', 'prometheuses/status', 'prometheusagents',
      'prometheusagents/finalizers', 'prometheusagents/status', 'thanosrulers', 'thanosrulers/finalizers',
      'thanosrulers/status', 'scrapeconfigs', 'servicemonitors', 'podmonitors', 'probes', 'prometheusrules',
    ],
    verbs: ALL_VERBS,
  },
  { apiGroups: ['apps'], resources: ['statefulsets', 'daemonsets'], verbs: ALL_VERBS },
  { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ALL_VERBS },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] },
  { apiGroups: [''], resources: ['services', 'services/finalizers'], verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
  { apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

/** The Prometheus Operator: Deployment, RBAC, Service, its own ServiceMonitor and NetworkPolicy. */
export class PrometheusOperator extends Component {
  constructor(scope: Construct, id: string, props: PrometheusOperatorProps) {
    super(scope, id, props);
    const v = props;
    const name = NAMES.prometheusOperator;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'controller', props.image) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(PROMETHEUS_OPERATOR_METRICS);
    this.addRules('prometheus-operator-rules', prometheusOperatorRules(v.thresholds, this.namespace));
    this.addDashboards('Monitoring', [prometheusOperatorOverview(this.namespace)]);

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, [...OPERATOR_RULES, ...AUTH_REVIEW_RULES]);

    // Its metrics on 127.0.0.1 only, served over TLS to Prometheus by the proxy beside it.
    const certificate = proxyCertificate(this, this.scrapeTls, name, this.namespace, meta.labels);
    const proxy = {
      name: 'kube-rbac-proxy', image: this.image(props.rbacProxyImage), portName: 'https', port: 8443, upstreamPort: 8080,
      unauthenticatedPaths: ['/healthz'], certificateSecret: certificate,
    };
    const args = [
      `--kubelet-service=kube-system/kubelet`,
      `--prometheus-config-reloader=${this.image(props.configReloaderImage)}`,
      '--web.listen-address=127.0.0.1:8080',
      ...(v.watchNamespaces.length ? [`--namespaces=${v.watchNamespaces.join(',')}`] : []),
    ];
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
              image: this.image(props.image),
              args,
              env: [{ name: 'GOGC', value: '30' }],
              resources: v.resources,
              // Through the proxy, which lets /healthz through unauthenticated.
              livenessProbe: httpsProbe('/healthz', proxy.portName),
              readinessProbe: httpsProbe('/healthz', proxy.portName),
            }),
            this.container(rbacProxyContainer(proxy)),
          ],
          volumes: rbacProxyVolumes(proxy),
        }),
      },
    });

    service(this, meta, selector, [{ name: proxy.portName, port: proxy.port }]);
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: { selector: { matchLabels: selector }, endpoints: [proxiedEndpoint({ port: proxy.portName, honorLabels: true }, name, this.namespace, certificate)] },
    });
    networkPolicy(this, meta, selector, {
      ingress: [{ pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: proxy.port }] }],
      egress: [dnsEgress(this.network), apiServerEgress(this.network)],
    });
  }
}
