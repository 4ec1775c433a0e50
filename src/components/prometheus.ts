import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Prometheus as PrometheusResource, ServiceMonitor, type RemoteWriteSpec, type StorageSpec } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, service, serviceAccount } from '../k8s/objects';
import { plainResources } from '../k8s/pod';
import type { RemoteWriteValues, StorageValues } from '../values/stack-values';
import { Component, type StackContext } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { GENERAL_METRICS, generalRules } from '../rules/catalogue/general';
import { PROMETHEUS_METRICS, prometheusRules } from '../rules/catalogue/prometheus';

const READ = ['get', 'list', 'watch'];

/** Discovery of targets anywhere in the cluster, and the kubelet's metrics. */
const PROMETHEUS_RULES: k8s.PolicyRule[] = [
  { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
  { nonResourceUrLs: ['/metrics', '/metrics/cadvisor', '/metrics/probes'], verbs: ['get'] },
];

export function storageSpec(storage: StorageValues | undefined): StorageSpec | undefined {
  if (!storage) return undefined;
  return {
    volumeClaimTemplate: {
      spec: {
        ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: storage.size } },
      },
    },
  };
}

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

/** Prefers spreading replicas over nodes, so that one node going down never takes all of them. */
export function spreadOverNodes(selector: Record<string, string>): Record<string, unknown> {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
      ],
    },
  };
}

/** The Prometheus custom resource and what it needs: RBAC for discovery, Service, self-monitoring, policies. */
export class Prometheus extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'prometheus', context);
    const v = this.values.prometheus;
    const image = this.values.common.images.prometheus;
    const name = NAMES.prometheus;
    const meta = { name, namespace: this.namespace, labels: this.labels('prometheus', 'prometheus', image) };
    const selector = OPERATOR_POD_SELECTORS.prometheus;
    this.declareMetrics([...GENERAL_METRICS, ...PROMETHEUS_METRICS]);
    this.addRules('prometheus-k8s-rules', [...generalRules(v.thresholds, context), ...prometheusRules(v.thresholds, context)]);

    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, PROMETHEUS_RULES);

    new PrometheusResource(this, `Prometheus-${NAMES.prometheusCr}`, {
      metadata: { ...meta, name: NAMES.prometheusCr },
      spec: {
        image: this.image(image),
        version: image.tag,
        replicas: v.replicas,
        serviceAccountName: name,
        podMetadata: { labels: meta.labels },
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
        resources: plainResources(v.resources),
        retention: v.retention,
        ...(v.retentionSize ? { retentionSize: v.retentionSize } : {}),
        ...(v.storage ? { storage: storageSpec(v.storage) } : {}),
        ...(v.externalUrl ? { externalUrl: v.externalUrl } : {}),
        scrapeInterval: v.scrapeInterval,
        evaluationInterval: v.evaluationInterval,
        externalLabels: { cluster: this.values.common.clusterName, ...v.externalLabels },
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        affinity: spreadOverNodes(selector),
        // Rules are picked up by the stack's rule labels; monitors from every namespace.
        ruleSelector: { matchLabels: this.values.common.ruleLabels },
        ruleNamespaceSelector: {},
        serviceMonitorSelector: {},
        serviceMonitorNamespaceSelector: {},
        podMonitorSelector: {},
        podMonitorNamespaceSelector: {},
        probeSelector: {},
        probeNamespaceSelector: {},
        ...(this.values.alertmanager.enabled
          ? { alerting: { alertmanagers: [{ namespace: this.namespace, name: NAMES.alertmanager, port: 'web', apiVersion: 'v2' as const }] } }
          : {}),
        ...(v.remoteWrite?.length ? { remoteWrite: v.remoteWrite.map(remoteWriteSpec) } : {}),
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
    if (v.replicas > 1) podDisruptionBudget(this, meta, selector);
    networkPolicy(this, meta, selector, [
      { fromPods: [selector, this.selectorLabels(NAMES.grafana)], ports: [{ port: 9090 }] },
      { fromPods: [selector], ports: [{ port: 8080 }] },
    ]);
  }
}
