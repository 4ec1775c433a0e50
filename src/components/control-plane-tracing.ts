// Control-plane tracing: Kelemetry (github.com/kubewharf/kelemetry) turns the kube-apiserver's audit events, the
// cluster's Events and object watches into traces, one per object, linked by owner references, stored in Jaeger and
// read in the Jaeger UI through Kelemetry's storage plugin. The layout is Kelemetry's Helm chart (v0.2.7) with its
// wildcard RBAC and etcd caches taken out: one Kelemetry process (audit webhook, consumer, event informer, diff
// controller; in-memory caches, which are only correct within one process), Jaeger's collector, remote storage
// (memory or Badger on a volume) and query, whose storage is the Kelemetry plugin beside it in the same pod.
//
//   kube-apiserver --audit webhook--> kelemetry --OTLP gRPC--> jaeger-collector [--> or an OpenTelemetry Collector]
//   jaeger-collector --gRPC--> jaeger-storage <--gRPC-- kelemetry-storage-plugin <--127.0.0.1-- jaeger-query (UI)
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { apiServerEgress, dnsEgress, urlEgress, type PeerAllowance } from '../k8s/network';
import { clusterRoleFor, networkPolicy, service, serviceAccount, type ObjectMeta } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { OPERATOR_POD_SELECTORS } from '../k8s/names';
import type { AuditPolicy, AuditPolicyRule } from '../k8s/audit-policy';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import type { StackProblem } from '../core/problems';
import type { ResourceValues } from '../core/primitives';
import { toYaml } from '../core/yaml';
import type { SchedulingValues } from '../k8s/scheduling';

/** Resources of one API group that Kelemetry reads and traces; `group: ""` is the core group. */
export interface TracedResources {
  readonly group: string;
  /** Plural resource names, e.g. `deployments`. */
  readonly resources: string[];
}

export interface AuditWebhookValues {
  /**
   * A fixed ClusterIP (a free address of the Service CIDR) for the webhook Service: the kube-apiserver reaches it
   * through kube-proxy on the control-plane nodes, without cluster DNS (which it does not use).
   * @default none: the cluster picks one, and `url` is needed
   */
  readonly clusterIP?: string;
  /**
   * Where the kube-apiserver sends audit events (scheme, host and port; `/audit/<cluster>` is appended), written into
   * the webhook kubeconfig: an Ingress or LoadBalancer you expose, for example.
   * @default `http://<clusterIP>:8080` (`https` with `tls`)
   */
  readonly url?: string;
  /**
   * Addresses the kube-apiserver connects from (its nodes, as CIDRs): the only sources let into the webhook port.
   * Required: no default can know them.
   * @default []
   */
  readonly apiServerCidrs?: string[];
  /**
   * TLS for the webhook: a `kubernetes.io/tls` Secret (tls.crt, tls.key) in the stack namespace, and where the
   * kube-apiserver finds the CA that signed it.
   * @default none: plain HTTP
   */
  readonly tls?: { readonly secretName: string; /** @default "/etc/kubernetes/audit/kelemetry-ca.crt" */ readonly caFile?: string };
}

export interface TraceStorageValues {
  /**
   * `badger`: on a volume (a StatefulSet's claim), kept for `retention`; `memory`: lost on restart, at most `maxTraces`.
   * @default "badger"
   */
  readonly type?: 'memory' | 'badger';
  /** Badger: volume size. @default "10Gi" */
  readonly size?: string;
  /** Badger: StorageClass of the volume. @default the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** Badger: how long spans are kept (a Go duration). @default "72h" */
  readonly retention?: string;
  /** Memory: the most traces kept. @default 100000 */
  readonly maxTraces?: number;
}

export interface ControlPlaneTracingValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
  /** @default false */
  readonly enabled?: boolean;
  /**
   * What Kelemetry traces: it gets get/list/watch on exactly these (no wildcards), and the audit policy records
   * their writes with request and response bodies. Secrets are never allowed: their data would land in traces.
   * @default workloads, pods, nodes, namespaces, services, volumes, service accounts, HPAs, PDBs, ingresses
   */
  readonly traceResources?: TracedResources[];
  /** The audit webhook the kube-apiserver sends to (see control-plane-config/ in dist/). */
  readonly webhook?: AuditWebhookValues;
  /** Jaeger's span storage. */
  readonly storage?: TraceStorageValues;
  /**
   * Send Kelemetry's spans to an OpenTelemetry Collector (OTLP gRPC, `host:port`) instead of straight to
   * jaeger-collector; the Collector forwards them to `jaeger-collector.<namespace>.svc:4317`.
   * @default none: Kelemetry sends to jaeger-collector
   */
  readonly viaCollector?: { readonly endpoint: string };
  /**
   * Namespaces whose pods may send OTLP to jaeger-collector (a Collector of your own forwarding Kelemetry's spans);
   * the stack's own Collector always may.
   * @default []
   */
  readonly otlpFromNamespaces?: string[];
  /**
   * Namespaces (e.g. your ingress controller's) allowed to reach the Jaeger UI on 16686; Grafana always may.
   * @default []
   */
  readonly uiNamespaces?: string[];
  readonly resources?: {
    readonly kelemetry?: ResourceValues;
    readonly storagePlugin?: ResourceValues;
    readonly jaegerCollector?: ResourceValues;
    readonly jaegerQuery?: ResourceValues;
    readonly jaegerStorage?: ResourceValues;
  };
}

/** What Kelemetry traces by default: the objects of workloads and their owners (the owner-reference links). */
export const DEFAULT_TRACED_RESOURCES: TracedResources[] = [
  { group: '', resources: ['pods', 'nodes', 'namespaces', 'services', 'persistentvolumeclaims', 'persistentvolumes', 'serviceaccounts', 'replicationcontrollers'] },
  { group: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { group: 'batch', resources: ['jobs', 'cronjobs'] },
  { group: 'autoscaling', resources: ['horizontalpodautoscalers'] },
  { group: 'policy', resources: ['poddisruptionbudgets'] },
  { group: 'networking.k8s.io', resources: ['ingresses'] },
];

export const CONTROL_PLANE_TRACING_DEFAULTS = {
  enabled: false,
  traceResources: DEFAULT_TRACED_RESOURCES,
  webhook: { apiServerCidrs: [] as string[] },
  storage: { type: 'badger' as 'memory' | 'badger', size: '10Gi', retention: '72h', maxTraces: 100000 },
  otlpFromNamespaces: [] as string[],
  uiNamespaces: [] as string[],
  resources: {
    // The informers cache every traced object, like kube-controller-manager; the object cache is capped at 64Mi.
    kelemetry: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
    storagePlugin: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    jaegerCollector: { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    jaegerQuery: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    jaegerStorage: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '2Gi' } },
  },
} satisfies ControlPlaneTracingValues;

export type ResolvedControlPlaneTracingValues = WithDefaults<ControlPlaneTracingValues, typeof CONTROL_PLANE_TRACING_DEFAULTS>;

/** Names a reviewer, the audit kubeconfig and the Grafana datasource rely on. */
export const TRACING_NAMES = {
  kelemetry: 'kelemetry',
  collector: 'jaeger-collector',
  storage: 'jaeger-storage',
  query: 'jaeger-query',
  /** Kelemetry's event informer keeps its position in this ConfigMap (it creates it). */
  eventState: 'kelemetry-event-controller',
  /** Read by Kelemetry 0.2.7 from the `default` namespace, a name and namespace fixed in pkg/filter/filter.go. */
  filterConfig: 'kelemetry-filter-config',
} as const;

/** Where dist/<stack>/ gets the files the cluster administrator installs on the kube-apiserver's nodes. */
export const CONTROL_PLANE_CONFIG_DIR = 'control-plane-config';
export const AUDIT_POLICY_FILE = `${CONTROL_PLANE_CONFIG_DIR}/audit-policy.yaml`;
export const AUDIT_WEBHOOK_KUBECONFIG_FILE = `${CONTROL_PLANE_CONFIG_DIR}/audit-webhook-kubeconfig.yaml`;
/** Where SUMMARY.md tells the administrator to put them on each control-plane node. */
export const AUDIT_CONFIG_HOST_DIR = '/etc/kubernetes/audit';

const PORTS = { webhook: 8080, kelemetryMetrics: 9090, otlpGrpc: 4317, otlpHttp: 4318, collectorAdmin: 14269, storageGrpc: 17271, storageAdmin: 17270, ui: 16686, queryAdmin: 16687 } as const;
/** Every audit consumer worker reads one partition of the in-process queue (the chart's 8 workers). */
const PARTITIONS = [0, 1, 2, 3, 4, 5, 6, 7];
/** Writes only: reads would be most of the audit volume and tell nothing of an object's history. */
const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const CLUSTER_NAME = /^[A-Za-z0-9-]+$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const BASE_URL = /^https?:\/\/[^/\s?#@]+\/?$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:]+\/\d{1,3})$/;
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:]+)$/;
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;
const PLURAL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/;

/** The webhook base URL the kubeconfig names (without `/audit/<cluster>`). */
export function webhookBaseUrl(webhook: AuditWebhookValues): string | undefined {
  if (webhook.url) return webhook.url.replace(/\/$/, '');
  return webhook.clusterIP && `${webhook.tls ? 'https' : 'http'}://${webhook.clusterIP.includes(':') ? `[${webhook.clusterIP}]` : webhook.clusterIP}:${PORTS.webhook}`;
}

/** The values' own checks (the stack calls them when the component is enabled). */
export function checkControlPlaneTracing(v: ResolvedControlPlaneTracingValues, clusterName: string, field = 'controlPlaneTracing'): StackProblem[] {
  const problems: StackProblem[] = [];
  const check = (ok: boolean, at: string, message: string, fix?: string) => {
    if (!ok) problems.push({ field: at, message, fix });
  };
  check(CLUSTER_NAME.test(clusterName), 'common.clusterName', `'${clusterName}' cannot name a Kelemetry cluster (the audit webhook's path)`, 'use letters, digits and "-" only');
  const w = v.webhook;
  check(Boolean(w.url || w.clusterIP), `${field}.webhook`, 'the kube-apiserver needs an address to send audit events to',
    'set webhook.clusterIP to a free address of the Service CIDR (e.g. 10.96.0.50: kube-proxy on the control-plane nodes makes it reachable), or webhook.url to an address you expose');
  if (w.url !== undefined) {
    check(BASE_URL.test(w.url), `${field}.webhook.url`, `'${w.url}' is not a scheme, host and port`, 'write it like http://10.96.0.50:8080 (the stack appends /audit/<cluster>)');
    check(!w.tls || w.url.startsWith('https://'), `${field}.webhook.url`, 'is plain http, but the webhook serves TLS', 'use https://');
  }
  if (w.clusterIP !== undefined) check(IP.test(w.clusterIP), `${field}.webhook.clusterIP`, `'${w.clusterIP}' is not an IP address`);
  check(w.apiServerCidrs.length > 0, `${field}.webhook.apiServerCidrs`, 'is empty: nothing could reach the webhook (and letting everything in would expose it)',
    "list the addresses the kube-apiserver connects from, e.g. ['10.0.0.0/24'] for its nodes' subnet");
  w.apiServerCidrs.forEach((cidr, i) => check(CIDR.test(cidr), `${field}.webhook.apiServerCidrs[${i}]`, `'${cidr}' is not a CIDR`, 'write it like 10.0.0.10/32'));
  check(v.traceResources.length > 0, `${field}.traceResources`, 'is empty: Kelemetry would trace nothing');
  v.traceResources.forEach((r, i) => {
    const at = `${field}.traceResources[${i}]`;
    check(GROUP.test(r.group), `${at}.group`, `'${r.group}' is not an API group ("" for the core group)`);
    check(r.resources.length > 0, `${at}.resources`, 'is empty');
    r.resources.forEach((name, j) => {
      check(PLURAL.test(name), `${at}.resources[${j}]`, `'${name}' is not a plural resource name`, 'name each resource (no wildcards: RBAC lists them one by one)');
      check(!(r.group === '' && name === 'secrets'), `${at}.resources[${j}]`, 'Kelemetry would record the data of every Secret in its traces', 'leave secrets out');
    });
  });
  const s = v.storage;
  if (s.type === 'badger') check(GO_DURATION.test(s.retention), `${field}.storage.retention`, `'${s.retention}' is not a Go duration`, 'write it like 72h or 168h');
  else check(Number.isInteger(s.maxTraces) && s.maxTraces >= 1, `${field}.storage.maxTraces`, `must be a whole number of at least 1, got ${s.maxTraces}`);
  if (v.viaCollector) check(HOST_PORT.test(v.viaCollector.endpoint), `${field}.viaCollector.endpoint`, `'${v.viaCollector.endpoint}' is not host:port`, 'write the OTLP gRPC address without a scheme, e.g. otel-collector.monitoring.svc:4317');
  return problems;
}

/**
 * The kube-apiserver's audit policy for Kelemetry: request and response bodies of writes to the traced resources,
 * nothing else. Rules match in order; the apiserver has one policy for all its audit backends.
 */
export function auditPolicy(traced: readonly TracedResources[]): AuditPolicy {
  const none = (rule: Omit<AuditPolicyRule, 'level'>): AuditPolicyRule => ({ level: 'None', ...rule });
  return {
    apiVersion: 'audit.k8s.io/v1',
    kind: 'Policy',
    // RequestReceived carries nothing the later stages do not; managed fields are noise in a diff.
    omitStages: ['RequestReceived'],
    omitManagedFields: true,
    rules: [
      // What Kelemetry filters out anyway (pkg/filter/filter.go defaults), and bodies that hold credentials.
      none({ resources: [{ group: '', resources: ['events', 'secrets'] }, { group: 'events.k8s.io', resources: ['events'] }, { group: 'coordination.k8s.io', resources: ['leases'] }] }),
      none({ nonResourceURLs: ['*'] }),
      none({ verbs: ['get', 'list', 'watch'] }),
      // RequestResponse: Kelemetry indexes diffs by the resourceVersion after a write, which only the response has.
      { level: 'RequestResponse', verbs: WRITE_VERBS, resources: traced.map((r) => ({ group: r.group, resources: [...r.resources] })) },
      none({}),
    ],
  };
}

/** The kubeconfig `--audit-webhook-config-file` takes: the webhook's address, and the CA with TLS. */
export function auditWebhookKubeconfig(server: string, caFile?: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kelemetry', cluster: { server, ...(caFile ? { 'certificate-authority': caFile } : {}) } }],
    contexts: [{ name: 'kelemetry', context: { cluster: 'kelemetry', user: 'kube-apiserver' } }],
    'current-context': 'kelemetry',
    users: [{ name: 'kube-apiserver', user: {} }],
    preferences: {},
  };
}

export interface ControlPlaneTracingProps extends ComponentProps, Omit<ResolvedControlPlaneTracingValues, 'enabled'> {
  readonly images: { readonly kelemetry: Image; readonly jaegerCollector: Image; readonly jaegerQuery: Image; readonly jaegerRemoteStorage: Image };
  /** Kelemetry's name of this cluster: the webhook path and the cluster the UI lists. */
  readonly clusterName: string;
  /**
   * The pods of the stack's Grafana, let into the Jaeger UI.
   * @default none
   */
  readonly grafanaPods?: Record<string, string>;
  /**
   * The pods of the stack's OpenTelemetry Collector, let into jaeger-collector's OTLP ports.
   * @default none
   */
  readonly collectorPods?: Record<string, string>;
}

/** Kelemetry, its Jaeger backend, and the audit configuration for the kube-apiserver. */
export class ControlPlaneTracing extends Component {
  /** Jaeger's HTTP API and UI, with Kelemetry's traces (what Grafana's Jaeger datasource queries). */
  readonly queryUrl: string;
  /** What a client of `queryUrl` must reach: jaeger-query's pods, on its UI port. */
  readonly queryReachedAt: PeerAllowance;
  /** jaeger-collector's OTLP gRPC address: where a Collector forwards Kelemetry's spans (`viaCollector`). */
  readonly otlpEndpoint: string;

  constructor(scope: Construct, id: string, props: ControlPlaneTracingProps) {
    super(scope, id, props);
    const ns = this.namespace;
    const n = TRACING_NAMES;
    const svc = (name: string) => `${name}.${ns}.svc`;
    this.queryUrl = `http://${svc(n.query)}:${PORTS.ui}`;
    this.otlpEndpoint = `${svc(n.collector)}:${PORTS.otlpGrpc}`;
    const meta = (name: string, role: string, image: Image): ObjectMeta => ({ name, namespace: ns, labels: this.labels(name, role, image) });
    const pods = { kelemetry: this.selectorLabels(n.kelemetry), collector: this.selectorLabels(n.collector), storage: this.selectorLabels(n.storage), query: this.selectorLabels(n.query) };
    this.queryReachedAt = { pods: [pods.query], ports: [{ port: PORTS.ui }] };
    const prometheus = OPERATOR_POD_SELECTORS.prometheus;
    const monitor = (m: ObjectMeta, selector: Record<string, string>, ports: string[]) =>
      new ServiceMonitor(this, `ServiceMonitor-${m.name}`, { metadata: m, spec: { selector: { matchLabels: selector }, endpoints: ports.map((port) => ({ port })) } });
    const tmp: k8s.Volume = { name: 'tmp', emptyDir: {} };
    const tmpMount: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };

    // --- Kelemetry: audit webhook, audit consumer, event informer, diff controller, in one process ------------------
    const kel = meta(n.kelemetry, 'tracing', props.images.kelemetry);
    serviceAccount(this, kel, true);
    clusterRoleFor(this, kel, [
      ...props.traceResources.map((r): k8s.PolicyRule => ({ apiGroups: [r.group], resources: [...r.resources], verbs: ['get', 'list', 'watch'] })),
      // The event informer lists and watches Events of every namespace (pkg/event/controller.go).
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    // Its position in the Event stream: created once (create cannot be narrowed by name), then read and updated.
    new k8s.KubeRole(this, `Role-${n.kelemetry}`, {
      metadata: kel,
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [n.eventState], verbs: ['get', 'update'] },
      ],
    });
    this.roleBinding(kel, n.kelemetry, ns);
    // Kelemetry 0.2.7 watches this one ConfigMap of `default` for exclusions (pkg/filter/filter.go fixes both names).
    const filter = { ...kel, name: n.filterConfig, namespace: 'default' };
    new k8s.KubeRole(this, `Role-${n.filterConfig}`, { metadata: filter, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [n.filterConfig], verbs: ['get', 'list', 'watch'] }] });
    this.roleBinding(filter, n.kelemetry, ns);

    const tls = props.webhook.tls;
    const kelemetryArgs = [
      '--audit-webhook-enable', '--audit-producer-enable', '--audit-consumer-enable', '--mq=local', `--audit-consumer-partition=${PARTITIONS.join(',')}`,
      '--event-informer-enable', `--event-informer-configmap-name=${n.eventState}`, `--event-informer-configmap-namespace=${ns}`,
      '--diff-controller-enable', '--diff-decorator-enable', '--diff-cache=local', '--span-cache=local',
      // One replica, replaced with Recreate: leader election would only add Lease writes.
      '--event-informer-leader-election-enable=false', '--diff-controller-leader-election-enable=false', '--diff-writer-leader-election-enable=false',
      '--owner-linker-enable', '--annotation-linker-enable', '--linker-worker-count=8',
      `--kube-target-cluster=${props.clusterName}`, '--kube-target-rest-qps=100', '--kube-target-rest-burst=100',
      // Secrets are never traced, even if a patch widened the RBAC.
      '--filter-exclude-types=events,events.k8s.io/events,coordination.k8s.io/leases,secrets',
      '--object-cache-size=67108864',
      `--tracer-otel-endpoint=${props.viaCollector?.endpoint ?? this.otlpEndpoint}`, '--tracer-otel-insecure',
      `--http-port=${PORTS.webhook}`, ...(tls ? ['--http-tls-cert=/etc/kelemetry/tls/tls.crt', '--http-tls-key=/etc/kelemetry/tls/tls.key'] : []),
      '--metrics=prom', `--metrics-port=${PORTS.kelemetryMetrics}`, '--log-level=info',
    ];
    new k8s.KubeDeployment(this, `Deployment-${n.kelemetry}`, {
      metadata: kel,
      spec: {
        replicas: 1,
        // In-memory caches: two processes would split one object's events over two traces.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: pods.kelemetry },
        template: this.podTemplate({
          labels: kel.labels,
          serviceAccountName: n.kelemetry,
          automountToken: true,
          containers: [
            this.container({
              name: n.kelemetry,
              image: this.image(props.images.kelemetry),
              args: kelemetryArgs,
              ports: [{ name: 'webhook', containerPort: PORTS.webhook }, { name: 'metrics', containerPort: PORTS.kelemetryMetrics }],
              resources: props.resources.kelemetry,
              livenessProbe: httpProbe('/metrics', 'metrics'),
              readinessProbe: httpProbe('/metrics', 'metrics'),
              volumeMounts: [tmpMount, ...(tls ? [{ name: 'tls', mountPath: '/etc/kelemetry/tls', readOnly: true }] : [])],
            }),
          ],
          volumes: [tmp, ...(tls ? [{ name: 'tls', secret: { secretName: tls.secretName } }] : [])],
        }),
      },
    });
    new k8s.KubeService(this, `Service-${n.kelemetry}`, {
      metadata: kel,
      spec: {
        selector: pods.kelemetry,
        ...(props.webhook.clusterIP ? { clusterIp: props.webhook.clusterIP } : {}),
        ports: [
          { name: 'webhook', port: PORTS.webhook, targetPort: k8s.IntOrString.fromString('webhook'), protocol: 'TCP' },
          { name: 'metrics', port: PORTS.kelemetryMetrics, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' },
        ],
      },
    });
    monitor(kel, pods.kelemetry, ['metrics']);
    networkPolicy(this, kel, pods.kelemetry, {
      ingress: [
        { cidrs: props.webhook.apiServerCidrs, ports: [{ port: PORTS.webhook }] },
        { pods: [prometheus], ports: [{ port: PORTS.kelemetryMetrics }] },
      ],
      // It watches the API server, and sends spans to Jaeger's collector (or the OpenTelemetry Collector).
      egress: [
        dnsEgress(this.network),
        apiServerEgress(this.network),
        ...(props.viaCollector ? urlEgress(this.network, `http://${props.viaCollector.endpoint}`, this.namespace) : [{ pods: [pods.collector], ports: [{ port: PORTS.otlpGrpc }] }]),
      ],
    });

    // --- Jaeger remote storage: the one store, single replica (memory and Badger are single-process) ----------------
    const storage = meta(n.storage, 'trace-storage', props.images.jaegerRemoteStorage);
    const s = props.storage;
    const badger = s.type === 'badger';
    serviceAccount(this, storage, false);
    new k8s.KubeStatefulSet(this, `StatefulSet-${n.storage}`, {
      metadata: storage,
      spec: {
        replicas: 1,
        serviceName: n.storage,
        selector: { matchLabels: pods.storage },
        template: this.podTemplate({
          labels: storage.labels,
          serviceAccountName: n.storage,
          automountToken: false,
          containers: [
            this.container({
              name: n.storage,
              image: this.image(props.images.jaegerRemoteStorage),
              env: [{ name: 'SPAN_STORAGE_TYPE', value: s.type }],
              args: [
                `--grpc.host-port=:${PORTS.storageGrpc}`, `--admin.http.host-port=:${PORTS.storageAdmin}`,
                ...(badger
                  ? ['--badger.ephemeral=false', '--badger.directory-key=/badger/keys', '--badger.directory-value=/badger/values', `--badger.span-store-ttl=${s.retention}`]
                  : [`--memory.max-traces=${s.maxTraces}`]),
              ],
              ports: [{ name: 'grpc', containerPort: PORTS.storageGrpc }, { name: 'admin', containerPort: PORTS.storageAdmin }],
              resources: props.resources.jaegerStorage,
              livenessProbe: httpProbe('/', 'admin'),
              readinessProbe: httpProbe('/', 'admin'),
              volumeMounts: [tmpMount, ...(badger ? [{ name: 'data', mountPath: '/badger' }] : [])],
            }),
          ],
          volumes: [tmp],
        }),
        ...(badger
          ? {
              volumeClaimTemplates: [{
                metadata: { name: 'data', labels: storage.labels },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  ...(s.storageClassName ? { storageClassName: s.storageClassName } : {}),
                  resources: { requests: { storage: k8s.Quantity.fromString(s.size) } },
                },
              }],
            }
          : {}),
      },
    });
    service(this, storage, pods.storage, [{ name: 'grpc', port: PORTS.storageGrpc }, { name: 'admin', port: PORTS.storageAdmin }]);
    monitor(storage, pods.storage, ['admin']);
    networkPolicy(this, storage, pods.storage, {
      ingress: [
        { pods: [pods.collector, pods.query], ports: [{ port: PORTS.storageGrpc }] },
        { pods: [prometheus], ports: [{ port: PORTS.storageAdmin }] },
      ],
      // It only answers.
      egress: [],
    });

    // --- Jaeger collector: OTLP in, the remote storage out ----------------------------------------------------------
    const collector = meta(n.collector, 'trace-collector', props.images.jaegerCollector);
    serviceAccount(this, collector, false);
    new k8s.KubeDeployment(this, `Deployment-${n.collector}`, {
      metadata: collector,
      spec: {
        replicas: 1,
        selector: { matchLabels: pods.collector },
        template: this.podTemplate({
          labels: collector.labels,
          serviceAccountName: n.collector,
          automountToken: false,
          containers: [
            this.container({
              name: n.collector,
              image: this.image(props.images.jaegerCollector),
              env: [{ name: 'SPAN_STORAGE_TYPE', value: 'grpc' }],
              args: [
                `--grpc-storage.server=${svc(n.storage)}:${PORTS.storageGrpc}`,
                '--collector.otlp.enabled=true', `--collector.otlp.grpc.host-port=:${PORTS.otlpGrpc}`, `--collector.otlp.http.host-port=:${PORTS.otlpHttp}`,
                // Jaeger's own (non-OTLP) protocols: nothing sends them, so only loopback.
                '--collector.grpc-server.host-port=127.0.0.1:14250', '--collector.http-server.host-port=127.0.0.1:14268',
                `--admin.http.host-port=:${PORTS.collectorAdmin}`,
              ],
              ports: [{ name: 'otlp-grpc', containerPort: PORTS.otlpGrpc }, { name: 'otlp-http', containerPort: PORTS.otlpHttp }, { name: 'admin', containerPort: PORTS.collectorAdmin }],
              resources: props.resources.jaegerCollector,
              livenessProbe: httpProbe('/', 'admin'),
              readinessProbe: httpProbe('/', 'admin'),
              volumeMounts: [tmpMount],
            }),
          ],
          volumes: [tmp],
        }),
      },
    });
    service(this, collector, pods.collector, [{ name: 'otlp-grpc', port: PORTS.otlpGrpc }, { name: 'otlp-http', port: PORTS.otlpHttp }, { name: 'admin', port: PORTS.collectorAdmin }]);
    monitor(collector, pods.collector, ['admin']);
    const senders = [...(props.viaCollector ? [] : [pods.kelemetry]), ...(props.collectorPods ? [props.collectorPods] : [])];
    networkPolicy(this, collector, pods.collector, {
      ingress: [
        ...(senders.length || props.otlpFromNamespaces.length
          ? [{ pods: senders, namespaces: props.otlpFromNamespaces, ports: [{ port: PORTS.otlpGrpc }, { port: PORTS.otlpHttp }] }]
          : []),
        { pods: [prometheus], ports: [{ port: PORTS.collectorAdmin }] },
      ],
      egress: [dnsEgress(this.network), { pods: [pods.storage], ports: [{ port: PORTS.storageGrpc }] }],
    });

    // --- Jaeger query and the Kelemetry storage plugin it reads through, on the pod's loopback ----------------------
    const query = meta(n.query, 'trace-query', props.images.jaegerQuery);
    serviceAccount(this, query, false);
    new k8s.KubeDeployment(this, `Deployment-${n.query}`, {
      metadata: query,
      spec: {
        replicas: 1,
        selector: { matchLabels: pods.query },
        template: this.podTemplate({
          labels: query.labels,
          serviceAccountName: n.query,
          automountToken: false,
          containers: [
            this.container({
              name: n.query,
              image: this.image(props.images.jaegerQuery),
              env: [{ name: 'SPAN_STORAGE_TYPE', value: 'grpc' }],
              args: [
                `--grpc-storage.server=127.0.0.1:${PORTS.storageGrpc}`,
                `--query.http-server.host-port=:${PORTS.ui}`, '--query.grpc-server.host-port=127.0.0.1:16685', `--admin.http.host-port=:${PORTS.queryAdmin}`,
              ],
              ports: [{ name: 'http', containerPort: PORTS.ui }, { name: 'admin', containerPort: PORTS.queryAdmin }],
              resources: props.resources.jaegerQuery,
              livenessProbe: httpProbe('/', 'admin'),
              readinessProbe: httpProbe('/', 'admin'),
              volumeMounts: [tmpMount],
            }),
            this.container({
              name: 'kelemetry-storage-plugin',
              image: this.image(props.images.kelemetry),
              args: [
                '--jaeger-storage-plugin-enable', `--jaeger-storage-plugin-address=127.0.0.1:${PORTS.storageGrpc}`,
                '--jaeger-backend=jaeger-storage', '--jaeger-storage.span-storage.type=grpc-plugin', `--jaeger-storage.grpc-storage.server=${svc(n.storage)}:${PORTS.storageGrpc}`,
                `--jaeger-cluster-names=${props.clusterName}`, '--jaeger-trace-cache=local',
                '--metrics=prom', `--metrics-port=${PORTS.kelemetryMetrics}`, '--log-level=info',
              ],
              ports: [{ name: 'plugin-metrics', containerPort: PORTS.kelemetryMetrics }],
              resources: props.resources.storagePlugin,
              livenessProbe: httpProbe('/metrics', 'plugin-metrics'),
              readinessProbe: httpProbe('/metrics', 'plugin-metrics'),
              volumeMounts: [tmpMount],
            }),
          ],
          volumes: [tmp],
        }),
      },
    });
    service(this, query, pods.query, [{ name: 'http', port: PORTS.ui }, { name: 'admin', port: PORTS.queryAdmin }, { name: 'plugin-metrics', port: PORTS.kelemetryMetrics }]);
    monitor(query, pods.query, ['admin', 'plugin-metrics']);
    const readers = props.grafanaPods ? [props.grafanaPods] : [];
    networkPolicy(this, query, pods.query, {
      ingress: [
        ...(readers.length || props.uiNamespaces.length ? [{ pods: readers, namespaces: props.uiNamespaces, ports: [{ port: PORTS.ui }] }] : []),
        { pods: [prometheus], ports: [{ port: PORTS.queryAdmin }, { port: PORTS.kelemetryMetrics }] },
      ],
      // The storage plugin beside the UI reads the one store.
      egress: [dnsEgress(this.network), { pods: [pods.storage], ports: [{ port: PORTS.storageGrpc }] }],
    });

    // --- What the cluster administrator installs on the kube-apiserver's nodes --------------------------------------
    const base = webhookBaseUrl(props.webhook);
    if (!base) throw new Error(`${id}: webhook.url or webhook.clusterIP is needed: the kube-apiserver must know where to send audit events`);
    this.addFile(AUDIT_POLICY_FILE, toYaml(auditPolicy(props.traceResources)));
    this.addFile(AUDIT_WEBHOOK_KUBECONFIG_FILE, toYaml(auditWebhookKubeconfig(`${base}/audit/${props.clusterName}`, tls && (tls.caFile ?? `${AUDIT_CONFIG_HOST_DIR}/kelemetry-ca.crt`))));
  }

  private roleBinding(meta: ObjectMeta, serviceAccountName: string, serviceAccountNamespace: string): void {
    new k8s.KubeRoleBinding(this, `RoleBinding-${meta.namespace}-${meta.name}`, {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: meta.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace: serviceAccountNamespace }],
    });
  }
}
