import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, service, serviceAccount } from '../k8s/objects';
import { apiServerEgress, dnsEgress } from '../k8s/network';
import { AUTH_REVIEW_RULES, proxiedEndpoint, proxyCertificate, rbacProxyContainer, rbacProxyVolumes } from '../k8s/rbac-proxy';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_NODE_EXPORTER_THRESHOLDS, NODE_EXPORTER_METRICS, SYSTEMD_METRICS, nodeExporterRules, type NodeExporterThresholds } from '../rules/catalogue/node-exporter';
import { nodesDashboards } from '../dashboards/catalogue/nodes';
import { nodeUseClusterDashboard } from '../dashboards/catalogue/nodes-cluster';
import { nodeResourceDashboards } from '../dashboards/catalogue/nodes-more';
import type { ResourceValues } from '../core/primitives';
import type { SchedulingValues, Toleration } from '../k8s/scheduling';

export interface NodeExporterValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default true */
  readonly enabled?: boolean;
  /**
   * Its own namespace: node-exporter needs the host's network, PID namespace and filesystems, which only Pod
   * Security `privileged` admits, so it runs apart and the stack's namespace enforces `restricted`.
   * @default "<common.namespace>-node"
   */
  readonly namespace?: string;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<NodeExporterThresholds>;
  /** The port on each node's address, served over TLS by kube-rbac-proxy; node-exporter itself listens on the node's 127.0.0.1 at it. @default 9100 */
  readonly port?: number;
  readonly resources?: ResourceValues;
  /**
   * Tolerations of the DaemonSet.
   * @default [{ "operator": "Exists" }] (every node, tainted or not)
   */
  readonly tolerations?: Toleration[];
  /** Extra command-line flags, e.g. `--collector.systemd`. */
  readonly extraArgs?: string[];
}

const ALL_NODES: Toleration[] = [{ operator: 'Exists' }];

export const NODE_EXPORTER_DEFAULTS = {
  enabled: true,
  port: 9100,
  resources: { requests: { cpu: '100m', memory: '180Mi' }, limits: { memory: '180Mi' } },
  tolerations: ALL_NODES,
  extraArgs: [] as string[],
  thresholds: DEFAULT_NODE_EXPORTER_THRESHOLDS,
} satisfies NodeExporterValues;

/** NodeExporterValues with every default filled in. */
export type ResolvedNodeExporterValues = WithDefaults<NodeExporterValues, typeof NODE_EXPORTER_DEFAULTS>;

/** The namespace is the stack's to place (it is `common.namespace` of the props). */
export interface NodeExporterProps extends ComponentProps, Omit<ResolvedNodeExporterValues, 'enabled' | 'namespace'> {
  readonly image: Image;
  /** kube-rbac-proxy, in front of its metrics. */
  readonly rbacProxyImage: Image;
  /**
   * The pods of an OpenTelemetry Collector that scrapes it instead of Prometheus: no ServiceMonitor then, and the
   * Collector is let in.
   * @default none: Prometheus scrapes it
   */
  readonly scrapedByCollector?: Record<string, string>;
  /** The namespace of whoever scrapes it (Prometheus or the Collector): the stack's. */
  readonly scraperNamespace: string;
}

// Virtual interfaces and container filesystems only add noise and cardinality.
const IGNORED_DEVICES = '^(veth.*|[a-f0-9]{15})$';
const IGNORED_MOUNTS = '^/(dev|proc|sys|run/k8s.io/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)';
const IGNORED_FS_TYPES =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

/**
 * node-exporter on every node: host network and PID namespace, host filesystems mounted read-only. It listens on the
 * node's loopback only; a kube-rbac-proxy on the node's address serves it over TLS to Prometheus alone (a
 * NetworkPolicy cannot guard host-network pods in most CNIs, so the proxy is what keeps the metrics private).
 */
export class NodeExporter extends Component {
  /** The port it serves metrics on, on every node. */
  readonly port: number;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id, props);
    const v = props;
    this.port = v.port;
    const image = props.image;
    const name = NAMES.nodeExporter;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'exporter', image) };
    const selector = this.selectorLabels(name);
    const collectors = { systemd: v.extraArgs.includes('--collector.systemd') };
    this.declareMetrics([...NODE_EXPORTER_METRICS, ...(collectors.systemd ? SYSTEMD_METRICS : [])]);
    this.addRules('node-exporter-rules', nodeExporterRules(v.thresholds, collectors));
    this.addDashboards('Nodes', [...nodesDashboards(v.thresholds), nodeUseClusterDashboard(v.thresholds.memoryHighUtilizationPercent / 100), ...nodeResourceDashboards(v.thresholds)]);

    // The proxy reviews each scrape's token and permission with the API server.
    serviceAccount(this, meta, true);
    clusterRoleFor(this, meta, AUTH_REVIEW_RULES);
    const certificate = proxyCertificate(this, this.scrapeTls, name, this.namespace, meta.labels);
    const proxy = { name: 'kube-rbac-proxy', image: this.image(props.rbacProxyImage), portName: 'https', port: v.port, upstreamPort: v.port, hostNetwork: true, certificateSecret: certificate };
    // The kubelet probes a host-network pod from the node itself, so it reaches the loopback address.
    const loopbackProbe = { httpGet: { host: '127.0.0.1', path: '/', port: k8s.IntOrString.fromNumber(v.port) }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 };
    const hostMounts = [
      { name: 'proc', hostPath: '/proc', mountPath: '/host/proc' },
      { name: 'sys', hostPath: '/sys', mountPath: '/host/sys' },
      { name: 'root', hostPath: '/', mountPath: '/host/root' },
      ...(collectors.systemd ? [{ name: 'dbus', hostPath: '/run/dbus/system_bus_socket', mountPath: '/var/run/dbus/system_bus_socket' }] : []),
    ];
    new k8s.KubeDaemonSet(this, `DaemonSet-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: true,
          spec: { hostNetwork: true, hostPid: true, priorityClassName: 'system-node-critical', tolerations: v.tolerations.map((t) => ({ ...t })) },
          containers: [
            this.container({
              name,
              image: this.image(image),
              args: [
                `--web.listen-address=127.0.0.1:${v.port}`,
                '--path.procfs=/host/proc',
                '--path.sysfs=/host/sys',
                '--path.rootfs=/host/root',
                '--path.udev.data=/host/root/run/udev/data',
                '--no-collector.wifi',
                '--no-collector.hwmon',
                '--no-collector.btrfs',
                `--collector.filesystem.mount-points-exclude=${IGNORED_MOUNTS}`,
                `--collector.filesystem.fs-types-exclude=${IGNORED_FS_TYPES}`,
                `--collector.netclass.ignored-devices=${IGNORED_DEVICES}`,
                `--collector.netdev.device-exclude=${IGNORED_DEVICES}`,
                ...v.extraArgs,
              ],
              resources: v.resources,
              livenessProbe: loopbackProbe,
              readinessProbe: loopbackProbe,
              volumeMounts: hostMounts.map((m) => ({
                name: m.name,
                mountPath: m.mountPath,
                readOnly: true,
                ...(m.name === 'root' ? { mountPropagation: 'HostToContainer' } : {}),
              })),
            }),
            this.container(rbacProxyContainer(proxy)),
          ],
          volumes: [...hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })), ...rbacProxyVolumes(proxy)],
        }),
      },
    });

    service(this, meta, selector, [{ name: proxy.portName, port: proxy.port }], { headless: true });
    if (!props.scrapedByCollector) new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        jobLabel: 'app.kubernetes.io/name',
        selector: { matchLabels: selector },
        endpoints: [
          proxiedEndpoint({
            port: proxy.portName,
            // The node's name is the instance: the same key kubelet and cAdvisor series use.
            relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
          }, name, this.namespace, certificate),
        ],
      },
    });
    // Policies do not apply to host-network pods in most CNIs; kept so that CNIs which do enforce them get it right.
    // Prometheus is in the stack's namespace, not this one.
    networkPolicy(this, meta, selector, {
      ingress: [{ podsIn: [{ namespace: props.scraperNamespace, pods: props.scrapedByCollector ?? OPERATOR_POD_SELECTORS.prometheus }], ports: [{ port: proxy.port }] }],
      egress: [dnsEgress(this.network), apiServerEgress(this.network)],
    });
  }
}
