import { k8s } from 'cdk8s-plus-27';
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, roleFor, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { PROMETHEUS_DEFAULTS, type Prometheus } from './prometheus';
import type { PrometheusOperator } from './prometheus-operator';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_GRAFANA_THRESHOLDS, GRAFANA_METRICS, grafanaRules, type GrafanaThresholds } from '../rules/catalogue/grafana';
import { operatorAndGrafanaHealth } from '../dashboards/catalogue/monitoring';
import { FOLDER_ANNOTATION } from '../dashboards/delivery';
import type { ResourceValues } from '../core/primitives';

// The constant belongs to the delivery of dashboards; re-exported for code that still imports it from here.

export interface GrafanaAdminSecret {
  /** @default "grafana-admin" */
  readonly name?: string;
  /** @default "admin-user" */
  readonly userKey?: string;
  /** @default "admin-password" */
  readonly passwordKey?: string;
}

export interface GrafanaValues {
  /** @default true */
  readonly enabled?: boolean;
  /** Thresholds of this component's alerts. */
  readonly thresholds?: Partial<GrafanaThresholds>;
  /** @default 1 */
  readonly replicas?: number;
  readonly resources?: ResourceValues;
  /** The Secret holding the admin credentials; create it before deploying (see README). */
  readonly adminSecret?: GrafanaAdminSecret;
  /**
   * ConfigMaps with this label are loaded as dashboards.
   * @default { "grafana_dashboard": "1" }
   */
  readonly dashboardLabel?: Record<string, string>;
  /**
   * Where the dashboard sidecar looks for ConfigMaps: the stack namespace only (a Role), or every namespace
   * (a ClusterRole that can read ConfigMaps cluster-wide).
   * @default "stack"
   */
  readonly dashboardNamespaces?: 'stack' | 'all';
  /** e.g. `https://grafana.example.com/` */
  readonly rootUrl?: string;
  /**
   * Namespaces (e.g. your ingress controller's) allowed to reach Grafana's port 3000. Prometheus always may.
   * @default []
   */
  readonly ingressNamespaces?: string[];
  /**
   * Your dashboards: Grafana JSON exports and TypeScript modules (default export: a DashboardBuilder or an array of
   * them), files or folders relative to the stack file. JSON is checked and normalized to the house conventions.
   * @default []
   */
  readonly dashboardFiles?: string[];
  /**
   * Grafana folder of the dashboards from dashboardFiles.
   * @default "Custom"
   */
  readonly dashboardFolder?: string;
  /**
   * How dashboards reach Grafana: ConfigMaps for the dashboard sidecar, or grafana-operator GrafanaDashboard resources
   * (gzip-compressed, for dashboards too large for a ConfigMap).
   * @default "configmap"
   */
  readonly dashboardDelivery?: 'configmap' | 'grafana-operator';
  /**
   * With grafana-operator delivery: the labels of the Grafana resources that get the dashboards.
   * @default { "dashboards": "grafana" }
   */
  readonly grafanaOperatorInstanceSelector?: Record<string, string>;
}

export const GRAFANA_DEFAULTS = {
  enabled: true,
  replicas: 1,
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
  adminSecret: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  dashboardLabel: { grafana_dashboard: '1' } as Record<string, string>,
  dashboardNamespaces: 'stack' as 'stack' | 'all',
  ingressNamespaces: [] as string[],
  thresholds: DEFAULT_GRAFANA_THRESHOLDS,
  dashboardFiles: [] as string[],
  dashboardFolder: 'Custom',
  dashboardDelivery: 'configmap' as 'configmap' | 'grafana-operator',
  grafanaOperatorInstanceSelector: { dashboards: 'grafana' } as Record<string, string>,
} satisfies GrafanaValues;

/** GrafanaValues with every default filled in. */
export type ResolvedGrafanaValues = WithDefaults<GrafanaValues, typeof GRAFANA_DEFAULTS>;

/** The stack delivers dashboards (files and delivery method are its values), so the component does not read them. */
type DeliveryValues = 'dashboardFiles' | 'dashboardFolder' | 'dashboardDelivery' | 'grafanaOperatorInstanceSelector';

export interface GrafanaProps extends ComponentProps, Omit<ResolvedGrafanaValues, 'enabled' | DeliveryValues> {
  readonly image: Image;
  /** The k8s-sidecar that loads dashboards from labeled ConfigMaps. */
  readonly sidecarImage: Image;
  /**
   * The Prometheus its datasource queries.
   * @default the stack's conventional Prometheus address (prometheus-k8s in the stack namespace), scraping every 30s
   */
  readonly prometheus?: Prometheus;
  /**
   * The stack's Prometheus Operator: its health shares a dashboard with Grafana's.
   * @default none: the health dashboard shows Grafana only
   */
  readonly prometheusOperator?: PrometheusOperator;
}

/** The datasource uid every dashboard refers to. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus';

/** A datasource Grafana is provisioned with, besides Prometheus (read-only in the UI). */
export interface GrafanaDatasource {
  readonly name: string;
  readonly uid: string;
  /** Grafana's plugin id, e.g. `jaeger`. */
  readonly type: string;
  readonly url: string;
  readonly jsonData?: Record<string, unknown>;
}
const DASHBOARDS_DIR = '/tmp/dashboards';

function ini(sections: Record<string, Record<string, string | boolean>>): string {
  return Object.entries(sections)
    .map(([section, keys]) => `[${section}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`)
    .join('\n');
}

/** Grafana with a provisioned Prometheus datasource and a sidecar that loads dashboards from labeled ConfigMaps. */
export class Grafana extends Component {
  private readonly datasources: GrafanaDatasource[] = [];

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id, props);
    const v = props;
    const name = NAMES.grafana;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'grafana', props.image) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(GRAFANA_METRICS);
    this.addRules('grafana-rules', grafanaRules(v.thresholds, this.namespace));
    this.addDashboards('Monitoring', [operatorAndGrafanaHealth({ namespace: this.namespace, operator: props.prometheusOperator !== undefined })]);
    const [[labelKey, labelValue]] = Object.entries(v.dashboardLabel);

    serviceAccount(this, meta, true);
    // The sidecar reads ConfigMaps: in the stack namespace only, unless dashboards may come from anywhere.
    const configMapReader: k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }];
    if (v.dashboardNamespaces === 'all') clusterRoleFor(this, meta, configMapReader);
    else roleFor(this, meta, configMapReader);

    const configMap = (suffix: string, file: string, content: string) =>
      new k8s.KubeConfigMap(this, `ConfigMap-${name}-${suffix}`, {
        metadata: { ...meta, name: `${name}-${suffix}` },
        data: { [file]: content },
      });
    configMap('config', 'grafana.ini', ini({
      analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
      'auth.anonymous': { enabled: false },
      log: { mode: 'console' },
      paths: { data: '/var/lib/grafana', logs: '/var/lib/grafana/log', plugins: '/var/lib/grafana/plugins', provisioning: '/etc/grafana/provisioning' },
      security: { disable_gravatar: true },
      ...(v.rootUrl ? { server: { root_url: v.rootUrl } } : {}),
      users: { allow_sign_up: false },
    }));
    // Lazy: components built after Grafana add theirs with addDatasource().
    configMap('datasources', 'datasources.yaml', Lazy.any({ produce: () => stringify({
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          uid: PROMETHEUS_DATASOURCE_UID,
          type: 'prometheus',
          access: 'proxy',
          url: props.prometheus?.url ?? `http://${NAMES.prometheus}.${this.namespace}.svc:9090`,
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: props.prometheus?.scrapeInterval ?? PROMETHEUS_DEFAULTS.scrapeInterval },
        },
        ...this.datasources.map((d) => ({ name: d.name, uid: d.uid, type: d.type, access: 'proxy', url: d.url, editable: false, ...(d.jsonData ? { jsonData: d.jsonData } : {}) })),
      ],
    }) }));
    configMap('dashboard-providers', 'dashboards.yaml', stringify({
      apiVersion: 1,
      providers: [
        {
          name: 'sidecar',
          orgId: 1,
          type: 'file',
          disableDeletion: true,
          allowUiUpdates: false,
          updateIntervalSeconds: 30,
          options: { path: DASHBOARDS_DIR, foldersFromFilesStructure: true },
        },
      ],
    }));

    const secretEnv = (envName: string, key: string): k8s.EnvVar => ({
      name: envName,
      valueFrom: { secretKeyRef: { name: v.adminSecret.name, key } },
    });
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: v.replicas,
        selector: { matchLabels: selector },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: true,
          containers: [
            this.container({
              name,
              image: this.image(props.image),
              env: [secretEnv('GF_SECURITY_ADMIN_USER', v.adminSecret.userKey), secretEnv('GF_SECURITY_ADMIN_PASSWORD', v.adminSecret.passwordKey)],
              ports: [{ name: 'http', containerPort: 3000 }],
              resources: v.resources,
              livenessProbe: httpProbe('/api/health', 'http'),
              readinessProbe: httpProbe('/api/health', 'http'),
              volumeMounts: [
                { name: 'storage', mountPath: '/var/lib/grafana' },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
                { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true },
                { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
                { name: 'dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true },
              ],
            }),
            this.container({
              name: 'dashboard-sidecar',
              image: this.image(props.sidecarImage),
              env: [
                { name: 'LABEL', value: labelKey },
                { name: 'LABEL_VALUE', value: labelValue },
                { name: 'FOLDER', value: DASHBOARDS_DIR },
                { name: 'FOLDER_ANNOTATION', value: FOLDER_ANNOTATION },
                { name: 'RESOURCE', value: 'configmap' },
                { name: 'NAMESPACE', value: v.dashboardNamespaces === 'all' ? 'ALL' : this.namespace },
              ],
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [{ name: 'dashboards', mountPath: DASHBOARDS_DIR }],
            }),
          ],
          volumes: [
            { name: 'storage', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
            { name: 'dashboards', emptyDir: {} },
            { name: 'config', configMap: { name: `${name}-config` } },
            { name: 'datasources', configMap: { name: `${name}-datasources` } },
            { name: 'dashboard-providers', configMap: { name: `${name}-dashboard-providers` } },
          ],
        }),
      },
    });

    service(this, meta, selector, [{ name: 'http', port: 3000 }]);
    new ServiceMonitor(this, `ServiceMonitor-${name}`, {
      metadata: meta,
      spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http' }] },
    });
    if (v.replicas > 1) podDisruptionBudget(this, meta, selector);
    networkPolicy(this, meta, selector, [
      { fromPods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 3000 }] },
      ...(v.ingressNamespaces.length ? [{ fromNamespaces: v.ingressNamespaces, ports: [{ port: 3000 }] }] : []),
    ]);
  }

  /** Another datasource for Grafana to query (e.g. Jaeger, from the control-plane tracing component). */
  addDatasource(datasource: GrafanaDatasource): void {
    const taken = [{ name: 'Prometheus', uid: PROMETHEUS_DATASOURCE_UID }, ...this.datasources].find((d) => d.uid === datasource.uid || d.name === datasource.name);
    if (taken) throw new Error(`Grafana datasource '${datasource.name}' (uid ${datasource.uid}): a datasource of that name or uid exists already`);
    this.datasources.push({ ...datasource });
  }
}
