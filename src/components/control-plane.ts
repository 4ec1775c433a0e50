import type { Construct } from 'constructs';
import { ServiceMonitor, type Endpoint } from '../k8s/monitoring';
import { Component, type StackContext } from './component';
import { SERVICE_ACCOUNT_CA, SERVICE_ACCOUNT_TOKEN } from '../k8s/names';
import { KUBERNETES_APPS_METRICS, kubernetesAppsRules } from '../rules/catalogue/kubernetes-apps';
import { KUBERNETES_SYSTEM_METRICS, kubernetesSystemRules } from '../rules/catalogue/kubernetes-system';
import { kubernetesDashboards } from '../dashboards/catalogue/kubernetes';
import { kubernetesSystemDashboards } from '../dashboards/catalogue/kubernetes-system';

const KUBELET_TLS = { insecureSkipVerify: true };

/**
 * ServiceMonitors for what the cluster runs itself: kubelet (and cAdvisor), the API server and CoreDNS,
 * with the job names the community's rules and dashboards expect (`kubelet`, `apiserver`, `coredns`).
 */
export class ControlPlane extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'control-plane', context);
    const v = this.values.controlPlane;
    const meta = (name: string) => ({ name, namespace: this.namespace, labels: this.labels(name, 'control-plane') });
    this.declareMetrics([...KUBERNETES_APPS_METRICS, ...KUBERNETES_SYSTEM_METRICS]);
    this.addRules('kubernetes-apps-rules', kubernetesAppsRules(v.thresholds, context));
    this.addRules('kubernetes-system-rules', kubernetesSystemRules(v.thresholds, context));
    this.addDashboards('Kubernetes', [...kubernetesDashboards(context), ...kubernetesSystemDashboards(context)]);

    if (v.kubelet.enabled) {
      const kubeletEndpoint = (path: string, extra: Partial<Endpoint> = {}): Endpoint => ({
        port: 'https-metrics',
        scheme: 'https',
        path,
        honorLabels: true,
        bearerTokenFile: SERVICE_ACCOUNT_TOKEN,
        tlsConfig: KUBELET_TLS,
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
          endpoints: [{ port: 'https-metrics', scheme: 'https', bearerTokenFile: SERVICE_ACCOUNT_TOKEN, tlsConfig: KUBELET_TLS }],
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
