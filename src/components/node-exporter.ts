import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { networkPolicy, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { Component, type StackContext } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { NODE_EXPORTER_METRICS, nodeExporterRules } from '../rules/catalogue/node-exporter';
import { nodesDashboards } from '../dashboards/catalogue/nodes';

// Virtual interfaces and container filesystems only add noise and cardinality.
const IGNORED_DEVICES = '^(veth.*|[a-f0-9]{15})$';
const IGNORED_MOUNTS = '^/(dev|proc|sys|run/k8s.io/.+|var/lib/docker/.+|var/lib/kubelet/pods/.+)($|/)';
const IGNORED_FS_TYPES =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

/** node-exporter on every node: host network and PID namespace, host filesystems mounted read-only. */
export class NodeExporter extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'node-exporter', context);
    const v = this.values.nodeExporter;
    const image = this.values.common.images.nodeExporter;
    const name = NAMES.nodeExporter;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'exporter', image) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(NODE_EXPORTER_METRICS);
    this.addRules('node-exporter-rules', nodeExporterRules(v.thresholds, context));
    this.addDashboards('Nodes', nodesDashboards(context));

    serviceAccount(this, meta, false);
    const hostMounts = [
      { name: 'proc', hostPath: '/proc', mountPath: '/host/proc' },
      { name: 'sys', hostPath: '/sys', mountPath: '/host/sys' },
      { name: 'root', hostPath: '/', mountPath: '/host/root' },
    ];
    new k8s.KubeDaemonSet(this, `DaemonSet-${name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromString('10%') } },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: false,
          spec: { hostNetwork: true, hostPid: true, priorityClassName: 'system-node-critical', tolerations: v.tolerations.map((t) => ({ ...t })) },
          containers: [
            this.container({
              name,
              image: this.image(image),
              args: [
                `--web.listen-address=:${v.port}`,
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
              ports: [{ name: 'metrics', containerPort: v.port, hostPort: v.port }],
              resources: v.resources,
              livenessProbe: httpProbe('/', 'metrics'),
              readinessProbe: httpProbe('/', 'metrics'),
              volumeMounts: hostMounts.map((m) => ({
                name: m.name,
                mountPath: m.mountPath,
                readOnly: true,
                ...(m.name === 'root' ? { mountPropagation: 'HostToContainer' } : {}),
              })),
            }),
          ],
          volumes: hostMounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath } })),
        }),
      },
    });

    service(this, meta, selector, [{ name: 'metrics', port: v.port }], { headless: true });
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: {
        jobLabel: 'app.kubernetes.io/name',
        selector: { matchLabels: selector },
        endpoints: [
          {
            port: 'metrics',
            // The node's name is the instance: the same key kubelet and cAdvisor series use.
            relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'instance' }],
          },
        ],
      },
    });
    // Policies do not apply to host-network pods in most CNIs; kept so that CNIs which do enforce them get it right.
    networkPolicy(this, meta, selector, [{ fromPods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: v.port }] }]);
  }
}
