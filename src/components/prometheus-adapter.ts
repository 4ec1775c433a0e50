import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { apiServerEgress, dnsEgress, outsideCluster, urlEgress, type PeerAllowance } from '../k8s/network';
import { httpsProbe } from '../k8s/pod';
import { proxiedEndpoint, proxyCertificate, TLS_CIPHER_SUITES, type ScrapeTlsValues } from '../k8s/rbac-proxy';
import { OPERATOR_POD_SELECTORS } from '../k8s/names';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { adapterRule, customMetricsProblems, resourceRules, type CustomMetricRule, type NodeSource } from './prometheus-adapter-config';
import { StackError, type StackProblem } from '../core/problems';
import { durationSeconds } from '../core/durations';
import { toYaml } from '../core/yaml';
import type { PromDuration, ResourceValues } from '../core/primitives';
import type { SchedulingValues } from '../k8s/scheduling';

export interface PrometheusAdapterValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /**
   * prometheus-adapter: the resource metrics API from Prometheus (`kubectl top`, HPAs on cpu and memory without
   * metrics-server), and custom metrics for HPAs. Off by default: its APIService `v1beta1.metrics.k8s.io` (and
   * the ClusterRole `system:aggregated-metrics-reader`) would take over metrics-server's, which most clusters run;
   * remove metrics-server before enabling it, or set `resourceMetrics: false` to serve custom metrics only.
   * @default false
   */
  readonly enabled?: boolean;
  /** @default 2 (with a PodDisruptionBudget: the API server's metrics APIs are down whenever no replica is) */
  readonly replicas?: number;
  readonly resources?: ResourceValues;
  /**
   * Serve metrics.k8s.io (APIService `v1beta1.metrics.k8s.io`) from the cAdvisor and node-exporter series the stack scrapes.
   * @default true
   */
  readonly resourceMetrics?: boolean;
  /**
   * Custom metrics for HPAs (APIService `v1beta1.custom.metrics.k8s.io`), written as the adapter's config rules.
   * Their queries are checked against the stack's metric catalogue (add your applications' metrics to rules.knownMetrics).
   * @default []
   */
  readonly customMetrics?: CustomMetricRule[];
  /** How often the adapter rediscovers the series of customMetrics. @default "1m" */
  readonly metricsRelistInterval?: PromDuration;
  /**
   * The Prometheus the adapter queries, e.g. `http://prometheus.other.svc:9090`.
   * @default the stack's Prometheus
   */
  readonly prometheusUrl?: string;
  /**
   * cert-manager issues the adapter's serving certificate, and cainjector writes its CA into the APIServices'
   * caBundle, so that the API server verifies the adapter (and Prometheus, with the CA from the Secret's `ca.crt`).
   * @default none: the adapter makes itself a self-signed certificate, and the APIServices say insecureSkipTLSVerify
   *   (as in kube-prometheus)
   */
  readonly certManager?: ScrapeTlsValues['certManager'];
}

export const PROMETHEUS_ADAPTER_DEFAULTS = {
  enabled: false,
  replicas: 2,
  resources: { requests: { cpu: '100m', memory: '180Mi' }, limits: { memory: '180Mi' } },
  resourceMetrics: true,
  customMetrics: [] as CustomMetricRule[],
  metricsRelistInterval: '1m',
} satisfies PrometheusAdapterValues;

/** PrometheusAdapterValues with every default filled in. */
export type ResolvedPrometheusAdapterValues = WithDefaults<PrometheusAdapterValues, typeof PROMETHEUS_ADAPTER_DEFAULTS>;

export interface PrometheusAdapterProps extends ComponentProps, Omit<ResolvedPrometheusAdapterValues, 'enabled'> {
  readonly image: Image;
  /**
   * The stack's Prometheus: its URL, scrape interval (the irate range is 4 of them) and pods (let out to on 9090).
   * @default none: prometheusUrl must be given
   */
  readonly prometheus?: { readonly url: string; readonly scrapeInterval: PromDuration };
  /** Whether node-exporter runs: the node figures come from it, else from cAdvisor's root cgroup. */
  readonly nodeSource: NodeSource;
}

export const PROMETHEUS_ADAPTER_NAME = 'prometheus-adapter';
/** The port the adapter serves its APIs and /metrics on (TLS), as kube-prometheus. */
const SECURE_PORT = 6443;
const CONFIG_DIR = '/etc/adapter';
const CERT_DIR = '/var/run/serving-cert';
const CERT_MANAGER_DIR = '/etc/tls/private';
const STACK_SCRAPE_INTERVAL = '30s';

/** The adapter's /metrics families that say nothing about it (kube-prometheus drops the same). */
const UNUSED_METRICS = '(apiserver_client_certificate_.*|apiserver_envelope_.*|apiserver_flowcontrol_.*|apiserver_storage_.*|apiserver_webhooks_.*|workqueue_.*)';

const READ = ['get', 'list', 'watch'];

/** Every problem of the values at once, each named by its field. */
function problemsOf(props: PrometheusAdapterProps): StackProblem[] {
  const problems = customMetricsProblems(props.customMetrics);
  const f = 'prometheusAdapter';
  if (!props.resourceMetrics && !props.customMetrics.length) problems.push({ field: `${f}.resourceMetrics`, message: 'is false and customMetrics is empty: the adapter would serve nothing', fix: 'leave resourceMetrics on, add customMetrics, or disable prometheusAdapter' });
  if (!props.prometheus && !props.prometheusUrl) problems.push({ field: `${f}.prometheusUrl`, message: 'is not set, and the stack runs no Prometheus', fix: 'enable prometheus, or give the URL of the Prometheus to query' });
  if (props.prometheusUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(props.prometheusUrl)) problems.push({ field: `${f}.prometheusUrl`, message: `'${props.prometheusUrl}' is not an http(s) URL`, fix: 'e.g. http://prometheus.monitoring.svc:9090' });
  if (!Number.isInteger(props.replicas) || props.replicas < 1) problems.push({ field: `${f}.replicas`, message: `${props.replicas} is not a number of replicas`, fix: 'use 1 or more (2 keeps the metrics APIs up through a drain)' });
  if (!(durationSeconds(props.metricsRelistInterval) > 0)) problems.push({ field: `${f}.metricsRelistInterval`, message: `'${props.metricsRelistInterval}' is not a duration`, fix: 'e.g. 1m' });
  return problems;
}

/**
 * prometheus-adapter: an aggregated API server (metrics.k8s.io, custom.metrics.k8s.io) answering from Prometheus.
 * The API server reaches it on 6443 and authenticates itself by its front-proxy certificate, which the adapter
 * checks against the `extension-apiserver-authentication` ConfigMap; everything else is reviewed through the API
 * server (system:auth-delegator).
 */
export class PrometheusAdapter extends Component {
  /** The in-cluster URL of the Prometheus it queries. */
  readonly prometheusUrl: string;

  constructor(scope: Construct, id: string, props: PrometheusAdapterProps) {
    super(scope, id, props);
    const problems = problemsOf(props);
    if (problems.length) throw new StackError(this.instance, problems);
    const v = props;
    const name = PROMETHEUS_ADAPTER_NAME;
    this.prometheusUrl = v.prometheusUrl ?? v.prometheus!.url;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'metrics-adapter', props.image) };
    const selector = this.selectorLabels(name);
    const subject = { kind: 'ServiceAccount', name, namespace: this.namespace };
    const clusterMeta = (objectName: string, labels: Record<string, string> = {}) => ({ name: objectName, labels: { ...meta.labels, ...labels } });

    serviceAccount(this, meta, true);
    // It maps series to the objects they name, and lists them to answer for a namespace or label selector.
    clusterRoleFor(this, meta, [{ apiGroups: [''], resources: ['namespaces', 'nodes', 'pods', 'services'], verbs: READ }]);
    // Delegated authentication and authorization of its clients (TokenReview, SubjectAccessReview), and the API
    // server's front-proxy CA, as every aggregated API server needs them.
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding-resource-metrics-auth-delegator', {
      metadata: clusterMeta('resource-metrics:system:auth-delegator'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [subject],
    });
    new k8s.KubeRoleBinding(this, 'RoleBinding-resource-metrics-auth-reader', {
      metadata: { ...clusterMeta('resource-metrics-auth-reader'), namespace: 'kube-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [subject],
    });
    if (v.resourceMetrics) {
      // `kubectl top` for whoever may view, edit or administer a namespace (the HPA controller has its own grant).
      new k8s.KubeClusterRole(this, 'ClusterRole-system-aggregated-metrics-reader', {
        metadata: clusterMeta('system:aggregated-metrics-reader', {
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
        }),
        rules: [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: READ }],
      });
    }

    const configName = `${name}-config`;
    new k8s.KubeConfigMap(this, `ConfigMap-${configName}`, {
      metadata: { ...meta, name: configName },
      data: {
        'config.yaml': toYaml({
          ...(v.customMetrics.length ? { rules: v.customMetrics.map(adapterRule) } : {}),
          ...(v.resourceMetrics ? { resourceRules: resourceRules(v.prometheus?.scrapeInterval ?? STACK_SCRAPE_INTERVAL, v.nodeSource) } : {}),
        }),
      },
    });

    const certificate = proxyCertificate(this, { certManager: v.certManager }, name, this.namespace, meta.labels);
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: v.replicas,
        selector: { matchLabels: selector },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: true,
          containers: [
            this.container({
              name,
              image: this.image(props.image),
              args: [
                `--cert-dir=${CERT_DIR}`,
                ...(certificate ? [`--tls-cert-file=${CERT_MANAGER_DIR}/tls.crt`, `--tls-private-key-file=${CERT_MANAGER_DIR}/tls.key`] : []),
                `--config=${CONFIG_DIR}/config.yaml`,
                `--metrics-relist-interval=${v.metricsRelistInterval}`,
                `--prometheus-url=${this.prometheusUrl}`,
                `--secure-port=${SECURE_PORT}`,
                '--tls-min-version=VersionTLS12',
                `--tls-cipher-suites=${TLS_CIPHER_SUITES.join(',')}`,
              ],
              ports: [{ name: 'https', containerPort: SECURE_PORT }],
              resources: v.resources,
              livenessProbe: httpsProbe('/livez', 'https'),
              readinessProbe: httpsProbe('/readyz', 'https'),
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'serving-cert', mountPath: CERT_DIR },
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                ...(certificate ? [{ name: 'tls', mountPath: CERT_MANAGER_DIR, readOnly: true }] : []),
              ],
            }),
          ],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            { name: 'serving-cert', emptyDir: {} },
            { name: 'config', configMap: { name: configName } },
            ...(certificate ? [{ name: 'tls', secret: { secretName: certificate } }] : []),
          ],
        }),
      },
    });

    service(this, meta, selector, [{ name: 'https', port: 443 }]);
    if (v.replicas > 1) podDisruptionBudget(this, meta, selector);

    const apiServices = [...(v.resourceMetrics ? ['metrics.k8s.io'] : []), ...(v.customMetrics.length ? ['custom.metrics.k8s.io'] : [])];
    for (const group of apiServices) {
      const apiName = `v1beta1.${group}`;
      new k8s.KubeApiService(this, `APIService-${apiName}`, {
        metadata: {
          name: apiName,
          labels: meta.labels,
          // cainjector keeps caBundle at the CA of the adapter's certificate.
          ...(certificate ? { annotations: { 'cert-manager.io/inject-ca-from': `${this.namespace}/${name}` } } : {}),
        },
        spec: {
          group,
          version: 'v1beta1',
          service: { name, namespace: this.namespace, port: 443 },
          insecureSkipTlsVerify: !certificate,
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      });
    }

    // Its own /metrics on the secure port: Prometheus' token is reviewed like any client's.
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: selector },
        endpoints: [proxiedEndpoint({ port: 'https', metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: UNUSED_METRICS }] }, name, this.namespace, certificate)],
      },
    });

    const prometheusEgress: PeerAllowance[] = v.prometheusUrl === undefined
      ? [{ pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 9090 }] }]
      : urlEgress(this.network, v.prometheusUrl, this.namespace);
    networkPolicy(this, meta, selector, {
      ingress: [
        // The API server proxies metrics.k8s.io and custom.metrics.k8s.io requests to it.
        { cidrs: outsideCluster(this.network, this.network.apiServer.cidrs), ports: [{ port: SECURE_PORT }] },
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: SECURE_PORT }] },
      ],
      egress: [dnsEgress(this.network), apiServerEgress(this.network), ...prometheusEgress],
    });
  }
}
