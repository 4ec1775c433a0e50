import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { Component, type StackContext } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { PROMETHEUS_OPERATOR_METRICS, prometheusOperatorRules } from '../rules/catalogue/prometheus-operator';

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
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'prometheus-operator', context);
    const v = this.values.prometheusOperator;
    const images = this.values.common.images;
    const name = NAMES.prometheusOperator;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'controller', images.prometheusOperator) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(PROMETHEUS_OPERATOR_METRICS);
    this.addRules('prometheus-operator-rules', prometheusOperatorRules(v.thresholds, context));

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, OPERATOR_RULES);

    const args = [
      `--kubelet-service=kube-system/kubelet`,
      `--prometheus-config-reloader=${this.image(images.prometheusConfigReloader)}`,
      '--web.listen-address=:8080',
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
              image: this.image(images.prometheusOperator),
              args,
              env: [{ name: 'GOGC', value: '30' }],
              ports: [{ name: 'http', containerPort: 8080 }],
              resources: v.resources,
              livenessProbe: httpProbe('/healthz', 'http'),
              readinessProbe: httpProbe('/healthz', 'http'),
            }),
          ],
        }),
      },
    });

    service(this, meta, selector, [{ name: 'http', port: 8080 }]);
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http', honorLabels: true }] },
    });
    networkPolicy(this, meta, selector, [{ fromPods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 8080 }] }]);
  }
}
