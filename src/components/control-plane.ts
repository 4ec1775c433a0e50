import type { Construct } from 'constructs';
import { PodMonitor, ServiceMonitor, type Endpoint } from '../k8s/monitoring';
import { Component, type ComponentProps, type WithDefaults } from './component';
import type { KubeStateMetrics } from './kube-state-metrics';
import type { Prometheus } from './prometheus';
import { SERVICE_ACCOUNT_CA, SERVICE_ACCOUNT_TOKEN } from '../k8s/names';
import {
  DEFAULT_KUBERNETES_APPS_THRESHOLDS, KUBERNETES_APPS_METRICS, kubernetesAppsRules, type KubernetesAppsThresholds,
} from '../rules/catalogue/kubernetes-apps';
import {
  DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS, KUBERNETES_SYSTEM_METRICS, kubernetesSystemRules, type KubernetesSystemThresholds,
} from '../rules/catalogue/kubernetes-system';
import { kubernetesDashboards } from '../dashboards/catalogue/kubernetes';
import { kubernetesSystemDashboards } from '../dashboards/catalogue/kubernetes-system';
import { kubernetesComputeDashboards } from '../dashboards/catalogue/kubernetes-compute';
import { networkingDashboards } from '../dashboards/catalogue/networking';
import { KUBE_PROXY_METRICS, controlPlaneComponentDashboards } from '../dashboards/catalogue/control-plane-components';

export interface KubeletMonitorValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Scrape cAdvisor at `/metrics/cadvisor`. @default true */
  readonly cadvisor?: boolean;
  /** Scrape `/metrics/probes`. @default true */
  readonly probes?: boolean;
  /**
   * Check each kubelet's serving certificate against the cluster CA: for kubelets whose certificates the cluster CA
   * signs (`serverTLSBootstrap: true`, the kubelet-serving CSRs approved). Otherwise kubelets serve self-signed
   * certificates, which cannot be checked (as kube-prometheus, the default skips verification; SUMMARY.md says so).
   * @default false
   */
  readonly verifyTls?: boolean;
}

export interface ServiceMonitorToggle {
  /** @default true */
  readonly enabled?: boolean;
}

export interface CoreDnsMonitorValues {
  /** @default true */
  readonly enabled?: boolean;
  /** @default "kube-system" */
  readonly namespace?: string;
  /** Labels of the CoreDNS Service. @default { "k8s-app": "kube-dns" } */
  readonly selector?: Record<string, string>;
  /** @default "metrics" */
  readonly port?: string;
}

export interface ControlPlaneValues {
  readonly kubelet?: KubeletMonitorValues;
  readonly apiserver?: ServiceMonitorToggle;
  readonly coreDns?: CoreDnsMonitorValues;
  /**
   * kube-scheduler (kube-system, Service labeled `app.kubernetes.io/name: kube-scheduler`, port `https-metrics`).
   * Off by default: no cluster creates that Service, so the ServiceMonitor would find nothing and KubeSchedulerDown
   * would page from minute 15. On kubeadm clusters, set the scheduler's `--bind-address=0.0.0.0` and create the
   * Service, then enable it; managed clusters (EKS, GKE, AKS) do not expose it at all.
   * @default { enabled: false }
   */
  readonly kubeScheduler?: ServiceMonitorToggle;
  /** kube-controller-manager, as kubeScheduler (Service `app.kubernetes.io/name: kube-controller-manager`). @default { enabled: false } */
  readonly kubeControllerManager?: ServiceMonitorToggle;
  /**
   * kube-proxy: a PodMonitor for its pods in kube-system (`k8s-app: kube-proxy`), scraped over HTTP on each node's
   * address at port 10249, as job `kube-proxy`. Off by default: kube-proxy serves metrics on 127.0.0.1 unless its
   * configuration sets `metricsBindAddress: 0.0.0.0:10249`, and clusters without kube-proxy (Cilium or another
   * kube-proxy replacement) have nothing to scrape. Set that address (kube-system/kube-proxy ConfigMap on kubeadm),
   * then enable it.
   * @default { enabled: false }
   */
  readonly kubeProxy?: ServiceMonitorToggle;
  /** Thresholds of the Kubernetes alerts (workloads, resources, storage, API server, kubelet, nodes). */
  readonly thresholds?: Partial<KubernetesAppsThresholds & KubernetesSystemThresholds>;
}

export const CONTROL_PLANE_DEFAULTS = {
  kubelet: { enabled: true, cadvisor: true, probes: true, verifyTls: false },
  apiserver: { enabled: true },
  coreDns: {
    enabled: true,
    namespace: 'kube-system',
    selector: { 'k8s-app': 'kube-dns' } as Record<string, string>,
    port: 'metrics',
  },
  kubeScheduler: { enabled: false },
  kubeControllerManager: { enabled: false },
  kubeProxy: { enabled: false },
  thresholds: { ...DEFAULT_KUBERNETES_APPS_THRESHOLDS, ...DEFAULT_KUBERNETES_SYSTEM_THRESHOLDS },
} satisfies ControlPlaneValues;

/** ControlPlaneValues with every default filled in. */
export type ResolvedControlPlaneValues = WithDefaults<ControlPlaneValues, typeof CONTROL_PLANE_DEFAULTS>;

export interface ControlPlaneProps extends ComponentProps, ResolvedControlPlaneValues {
  /**
   * The Prometheus that answers the dashboards: the API server's availability is shown over its retention where
   * that is shorter than 30 days.
   * @default none: over 30 days
   */
  readonly prometheus?: Prometheus;
  /**
   * The stack's kube-state-metrics: the node alerts read its `kube_node_*` series.
   * @default none: no node alerts
   */
  readonly kubeStateMetrics?: KubeStateMetrics;
}

/** Where the kubelet and kubeadm's static control-plane pods serve metrics, on their nodes' addresses. */
export const KUBELET_PORT = 10250;
export const KUBE_SCHEDULER_PORT = 10259;
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
export const KUBE_PROXY_PORT = 10249;

// kubeadm's scheduler and controller manager serve certificates they sign themselves: nothing to check them against.
const SELF_SIGNED_TLS = { insecureSkipVerify: true };

/**
 * ServiceMonitors for what the cluster runs itself: kubelet (and cAdvisor), the API server and CoreDNS,
 * with the job names the community's rules and dashboards expect (`kubelet`, `apiserver`, `coredns`).
 */
export class ControlPlane extends Component {
  constructor(scope: Construct, id: string, props: ControlPlaneProps) {
    super(scope, id, props);
    const v = props;
    const meta = (name: string) => ({ name, namespace: this.namespace, labels: this.labels(name, 'control-plane') });
    this.declareMetrics([...KUBERNETES_APPS_METRICS, ...KUBERNETES_SYSTEM_METRICS, ...(v.kubeProxy.enabled ? KUBE_PROXY_METRICS : [])]);
    this.addRules('kubernetes-apps-rules', kubernetesAppsRules(v.thresholds));
    this.addRules('kubernetes-system-rules', kubernetesSystemRules(v.thresholds, {
      apiserver: v.apiserver.enabled,
      kubelet: v.kubelet.enabled,
      kubeScheduler: v.kubeScheduler.enabled,
      kubeControllerManager: v.kubeControllerManager.enabled,
      kubeProxy: v.kubeProxy.enabled,
      nodes: props.kubeStateMetrics !== undefined,
    }));
    this.addDashboards('Kubernetes', [
      ...kubernetesDashboards(),
      ...kubernetesComputeDashboards(),
      ...networkingDashboards(),
      ...kubernetesSystemDashboards({
        kubelet: v.kubelet.enabled,
        apiserver: v.apiserver.enabled,
        coreDns: v.coreDns.enabled,
        thresholds: v.thresholds,
        prometheusRetention: props.prometheus?.retention,
      }),
      ...controlPlaneComponentDashboards({
        kubeScheduler: v.kubeScheduler.enabled,
        kubeControllerManager: v.kubeControllerManager.enabled,
        kubeProxy: v.kubeProxy.enabled,
      }),
    ]);

    if (v.kubelet.enabled) {
      const kubeletEndpoint = (path: string, extra: Partial<Endpoint> = {}): Endpoint => ({
        port: 'https-metrics',
        scheme: 'https',
        path,
        honorLabels: true,
        bearerTokenFile: SERVICE_ACCOUNT_TOKEN,
        tlsConfig: v.kubelet.verifyTls ? { caFile: SERVICE_ACCOUNT_CA } : SELF_SIGNED_TLS,
        relabelings: [{ action: 'replace', sourceLabels: ['__metrics_path__'], targetLabel: 'metrics_path' }],
        ...extra,
      });
      // The operator keeps the kube-system/kubelet Service (its --kubelet-service flag) pointing at every node.
      new ServiceMonitor(this, 'ServiceMonitor-kubelet', {
        metadata: meta('kubelet'),
        spec: {
          jobLabel: 'app.kubernetes.io/name',
          selector: { matchLabels: { 'app.kubernetes.io/name': 'kubelet' } },
          namespaceSelector: { matchNames: ['kube-system'] },
          endpoints: [
            kubeletEndpoint('/metrics'),
            ...(v.kubelet.cadvisor
              ? [
                  kubeletEndpoint('/metrics/cadvisor', {
                    // cAdvisor's timestamps are stale for idle containers; Prometheus' own are right.
                    honorTimestamps: false,
                    metricRelabelings: [
                      {
                        action: 'drop',
                        sourceLabels: ['__name__'],
                        regex: 'container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s)',
                      },
                    ],
                  }),
                ]
              : []),
            ...(v.kubelet.probes ? [kubeletEndpoint('/metrics/probes')] : []),
          ],
        },
      });
    }

    if (v.apiserver.enabled) {
      new ServiceMonitor(this, 'ServiceMonitor-kube-apiserver', {
        metadata: meta('kube-apiserver'),
        spec: {
          jobLabel: 'component',
          selector: { matchLabels: { component: 'apiserver', provider: 'kubernetes' } },
          namespaceSelector: { matchNames: ['default'] },
          endpoints: [
            {
              port: 'https',
              scheme: 'https',
              bearerTokenFile: SERVICE_ACCOUNT_TOKEN,
              tlsConfig: { caFile: SERVICE_ACCOUNT_CA, serverName: 'kubernetes' },
              metricRelabelings: [
                // Per-object etcd and admission histograms multiply series without serving any rule or dashboard.
                { action: 'drop', sourceLabels: ['__name__'], regex: 'etcd_request_duration_seconds_bucket|apiserver_admission_step_admission_duration_seconds_bucket' },
              ],
            },
          ],
        },
      });
    }

    // kube-scheduler and kube-controller-manager serve metrics over HTTPS on the control-plane nodes; a Service
    // named after each (app.kubernetes.io/name) must exist in kube-system, as kubeadm-based clusters set up.
    for (const [name, toggle] of [['kube-scheduler', v.kubeScheduler], ['kube-controller-manager', v.kubeControllerManager]] as const) {
      if (!toggle.enabled) continue;
      new ServiceMonitor(this, `ServiceMonitor-${name}`, {
        metadata: meta(name),
        spec: {
          jobLabel: 'app.kubernetes.io/name',
          selector: { matchLabels: { 'app.kubernetes.io/name': name } },
          namespaceSelector: { matchNames: ['kube-system'] },
          endpoints: [{ port: 'https-metrics', scheme: 'https', bearerTokenFile: SERVICE_ACCOUNT_TOKEN, tlsConfig: SELF_SIGNED_TLS }],
        },
      });
    }

    if (v.kubeProxy.enabled) {
      // kube-proxy runs on the host network and declares no container port: each pod is a target at its node's
      // address and the metrics port, named after its node as the kubelet's targets are.
      new PodMonitor(this, 'PodMonitor-kube-proxy', {
        metadata: meta('kube-proxy'),
        spec: {
          jobLabel: 'k8s-app',
          selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
          namespaceSelector: { matchNames: ['kube-system'] },
          podMetricsEndpoints: [{
            honorLabels: true,
            relabelings: [
              { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' },
              { action: 'replace', sourceLabels: ['__meta_kubernetes_pod_ip'], regex: '(.+)', replacement: `$1:${KUBE_PROXY_PORT}`, targetLabel: '__address__' },
            ],
          }],
        },
      });
    }

    if (v.coreDns.enabled) {
      new ServiceMonitor(this, 'ServiceMonitor-coredns', {
        metadata: meta('coredns'),
        spec: {
          selector: { matchLabels: v.coreDns.selector },
          namespaceSelector: { matchNames: [v.coreDns.namespace] },
          endpoints: [
            {
              port: v.coreDns.port,
              // The Service is usually `kube-dns`; rules and dashboards expect job="coredns".
              relabelings: [{ action: 'replace', targetLabel: 'job', replacement: 'coredns' }],
            },
          ],
        },
      });
    }
  }
}
