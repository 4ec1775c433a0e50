import { k8s } from 'cdk8s-plus-27';
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, roleFor, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { apiServerEgress, dnsEgress, urlEgress, type PeerAllowance } from '../k8s/network';
import { exposurePath, exposeService, exposureUrl, type ExposureValues } from '../k8s/exposure';
import { Component, type ComponentProps, type Image, type WithDefaults } from './component';
import { PROMETHEUS_DEFAULTS, type Prometheus } from './prometheus';
import type { PrometheusOperator } from './prometheus-operator';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { DEFAULT_GRAFANA_THRESHOLDS, GRAFANA_METRICS, grafanaRules, type GrafanaThresholds } from '../rules/catalogue/grafana';
import { GRAFANA_DASHBOARD_METRICS, grafanaOverview } from '../dashboards/catalogue/monitoring-more';
import { FOLDER_ANNOTATION } from '../dashboards/delivery';
import type { ResourceValues } from '../core/primitives';
import type { SchedulingValues } from '../k8s/scheduling';
import {
  analyticsUrls, mergeIni, pluginsEnv, provisionedDatasource, settingsIni, singleWriter, ssoEgress, ssoEnv, ssoIni, PLUGIN_SOURCE,
  type GrafanaDatasourceValues, type GrafanaPersistence, type GrafanaPlugin, type GrafanaSettings, type GrafanaSso, type IniSections,
} from './grafana-options';

// The constant belongs to the delivery of dashboards; re-exported for code that still imports it from here.

export interface GrafanaAdminSecret {
  /** @default "grafana-admin" */
  readonly name?: string;
  /** @default "admin-user" */
  readonly userKey?: string;
  /** @default "admin-password" */
  readonly passwordKey?: string;
}

/** `stack`: the stack namespace only; `all`: every namespace. */
export type DashboardNamespaceScope = 'stack' | 'all';

export interface GrafanaValues extends ExposureValues {
  /** Where its pods run: nodeSelector, tolerations, affinity, topology spread, priorityClassName. */
  readonly scheduling?: SchedulingValues;
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
   * Where the dashboard sidecar looks for ConfigMaps: the stack namespace only; the stack namespace and the namespaces
   * named (a Role and RoleBinding in each, reading ConfigMaps there only; the namespaces must exist); or every namespace
   * (`all`: a ClusterRole that reads every ConfigMap of the cluster, only with allowDashboardsFromAllNamespaces).
   * Whoever may create a ConfigMap in one of these namespaces adds dashboards to Grafana.
   * @default "stack"
   */
  readonly dashboardNamespaces?: DashboardNamespaceScope | string[];
  /**
   * Lets `dashboardNamespaces: 'all'` through. Anyone who may create a labeled ConfigMap in any namespace then adds
   * dashboards, and with a key ending `.url` makes the sidecar fetch that URL from Grafana's pod; SUMMARY.md warns.
   * @default false
   */
  readonly allowDashboardsFromAllNamespaces?: boolean;
  /**
   * Lets dashboard ConfigMaps the stack writes hold keys ending `.url`: the sidecar replaces such a key by what it
   * downloads from the URL it holds. k8s-sidecar has no setting to turn that off, so without this the stack refuses them.
   * @default false
   */
  readonly allowDashboardUrls?: boolean;
  /**
   * Grafana's session cookie is sent over HTTPS only (`[security] cookie_secure`; SameSite is `strict` either way).
   * Needs HTTPS in front of Grafana, e.g. an Ingress with TLS (and rootUrl its https:// address); `kubectl
   * port-forward` to localhost still works, as Chrome and Firefox treat http://localhost as secure. Set false only
   * to serve Grafana over plain http on another host name.
   * @default true
   */
  readonly cookieSecure?: boolean;
  /** e.g. `https://grafana.example.com/` */
  /**
   * With `ingress` or `httpRoute` under another path than `/`, Grafana serves from that sub path.
   * @default the URL of `ingress` or `httpRoute` when exposed, with a trailing `/`
   */
  readonly rootUrl?: string;
  /**
   * Namespaces allowed to reach Grafana's port 3000 besides Prometheus. With `ingress` or `httpRoute` the proxy of
   * `common.ingressController` or `common.gatewayController` is let in without being listed here.
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
  /**
   * Datasources besides the stack's own (Prometheus, and Alertmanager when enabled): provisioned read-only, each
   * reachable through Grafana's egress policy at its URL, credentials by Secret reference only.
   * @default []
   */
  readonly datasources?: GrafanaDatasourceValues[];
  /**
   * A PersistentVolumeClaim for /var/lib/grafana (users, preferences, plugins) instead of an emptyDir.
   * @default { "enabled": false, "size": "10Gi", "accessModes": ["ReadWriteOnce"] }
   */
  readonly persistence?: GrafanaPersistence;
  /**
   * Plugins Grafana installs from grafana.com at start, each at a pinned version: opens egress to the internet on 443.
   * @default []
   */
  readonly plugins?: GrafanaPlugin[];
  /**
   * grafana.ini keys, merged over the stack's hardened configuration: what you set here wins, weakening included.
   * @default {}
   */
  readonly settings?: GrafanaSettings;
  /** Single sign-on through an OAuth2 / OIDC provider. @default none: the login form only */
  readonly sso?: GrafanaSso;
}

export const GRAFANA_DEFAULTS = {
  enabled: true,
  replicas: 1,
  resources: { requests: { cpu: '100m', memory: '100Mi' }, limits: { memory: '200Mi' } },
  adminSecret: { name: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' },
  dashboardLabel: { grafana_dashboard: '1' } as Record<string, string>,
  dashboardNamespaces: 'stack' as DashboardNamespaceScope | string[],
  allowDashboardsFromAllNamespaces: false,
  allowDashboardUrls: false,
  cookieSecure: true,
  ingressNamespaces: [] as string[],
  thresholds: DEFAULT_GRAFANA_THRESHOLDS,
  dashboardFiles: [] as string[],
  dashboardFolder: 'Custom',
  dashboardDelivery: 'configmap' as 'configmap' | 'grafana-operator',
  grafanaOperatorInstanceSelector: { dashboards: 'grafana' } as Record<string, string>,
  datasources: [] as GrafanaDatasourceValues[],
  persistence: { enabled: false, size: '10Gi', accessModes: ['ReadWriteOnce'] } as GrafanaPersistence & { enabled: boolean; size: string; accessModes: NonNullable<GrafanaPersistence['accessModes']> },
  plugins: [] as GrafanaPlugin[],
  settings: {} as GrafanaSettings,
} satisfies GrafanaValues;

/** GrafanaValues with every default filled in. */
export type ResolvedGrafanaValues = WithDefaults<GrafanaValues, typeof GRAFANA_DEFAULTS>;

/** The stack delivers dashboards (files and delivery method are its values), so the component does not read them. */
type DeliveryValues = 'dashboardFiles' | 'dashboardFolder' | 'dashboardDelivery' | 'grafanaOperatorInstanceSelector';
/** Permissions the values checks and the analyzers read; the component renders what it is given. */
type Permissions = 'allowDashboardsFromAllNamespaces' | 'allowDashboardUrls';

export interface GrafanaProps extends ComponentProps, Omit<ResolvedGrafanaValues, 'enabled' | DeliveryValues | Permissions> {
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
  /** The pods and port Grafana must reach for it. @default what its URL names (a Service's namespace, an address, a host outside the cluster) */
  readonly reachedAt?: PeerAllowance;
}
const DASHBOARDS_DIR = '/tmp/dashboards';

/** Each allowance once: datasources, plugins and SSO on the internet's 443 would repeat the same rule. */
function dedupe(allowances: PeerAllowance[]): PeerAllowance[] {
  const seen = new Set<string>();
  return allowances.filter((a) => {
    const key = JSON.stringify(a);
    return !seen.has(key) && Boolean(seen.add(key));
  });
}
/** The container that loads dashboards: the analyzers read its environment from the written Deployment. */
export const DASHBOARD_SIDECAR = 'dashboard-sidecar';

function ini(sections: IniSections): string {
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
    this.declareMetrics([...GRAFANA_METRICS, ...GRAFANA_DASHBOARD_METRICS]);
    this.addRules('grafana-rules', grafanaRules(v.thresholds, this.namespace));
    this.addDashboards('Monitoring', [grafanaOverview(this.namespace)]);
    const [[labelKey, labelValue]] = Object.entries(v.dashboardLabel);
    const exposure: ExposureValues = { ingress: v.ingress, httpRoute: v.httpRoute };
    const subPath = exposurePath(exposure) === '/' ? '' : exposurePath(exposure);
    const exposedUrl = exposureUrl(exposure);
    const rootUrl = v.rootUrl ?? (exposedUrl && `${exposedUrl.replace(/\/$/, '')}/`);

    serviceAccount(this, meta, true);
    // The sidecar reads ConfigMaps in the stack namespace and each namespace named (a Role there, bound to its
    // ServiceAccount), or everywhere when that was allowed. Named Roles carry their namespace in their name: dist/
    // holds one file per kind and name.
    const configMapReader: k8s.PolicyRule[] = [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }];
    const namedNamespaces = Array.isArray(v.dashboardNamespaces) ? [...new Set(v.dashboardNamespaces)].filter((ns) => ns !== this.namespace) : [];
    if (v.dashboardNamespaces === 'all') clusterRoleFor(this, meta, configMapReader);
    else roleFor(this, meta, configMapReader);
    for (const namespace of namedNamespaces) {
      const readerMeta = { ...meta, name: `${name}-dashboards-${namespace}`, namespace };
      new k8s.KubeRole(this, `Role-${readerMeta.name}`, { metadata: readerMeta, rules: configMapReader });
      new k8s.KubeRoleBinding(this, `RoleBinding-${readerMeta.name}`, {
        metadata: readerMeta,
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: readerMeta.name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: this.namespace }],
      });
    }

    const configMap = (suffix: string, file: string, content: string) =>
      new k8s.KubeConfigMap(this, `ConfigMap-${name}-${suffix}`, {
        metadata: { ...meta, name: `${name}-${suffix}` },
        data: { [file]: content },
      });
    // Nothing calls home: no usage reports, update or plugin-update checks, news feed, feedback links, plugin
    // installs (the catalog, or the preinstalled apps Grafana downloads at start) or signing-key fetches from
    // grafana.com; no snapshots published to snapshots.raintank.io; no dashboards shared without a login. The values'
    // plugins and settings may turn some of this back on, each opening only the egress it needs.
    const hardened: IniSections = {
      analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false, feedback_links_enabled: false },
      'auth.anonymous': { enabled: false },
      log: { mode: 'console' },
      news: { news_feed_enabled: false },
      paths: { data: '/var/lib/grafana', logs: '/var/lib/grafana/log', plugins: '/var/lib/grafana/plugins', provisioning: '/etc/grafana/provisioning' },
      plugins: { plugin_admin_enabled: false, preinstall_disabled: true, public_key_retrieval_disabled: true },
      public_dashboards: { enabled: false },
      security: { disable_gravatar: true, cookie_secure: v.cookieSecure, cookie_samesite: 'strict' },
      ...(rootUrl ? { server: { root_url: rootUrl, ...(subPath ? { serve_from_sub_path: true } : {}) } } : {}),
      snapshots: { external_enabled: false },
      users: { allow_sign_up: false },
    };
    // Plugins need Grafana's preinstaller, which preinstall_disabled turns off; pinned, so nothing auto-updates.
    const pluginIni: IniSections = v.plugins.length ? { plugins: { preinstall_disabled: false, preinstall_auto_update: false } } : {};
    const ssoSections = v.sso ? ssoIni(v.sso, v.settings.auth?.oauthAutoLogin) : {};
    configMap('config', 'grafana.ini', ini(mergeIni(mergeIni(mergeIni(hardened, pluginIni), settingsIni(v.settings)), ssoSections)));
    const userDatasources = v.datasources.map(provisionedDatasource);
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
          // Grafana takes one default: a datasource of the values marked so replaces Prometheus.
          isDefault: !v.datasources.some((d) => d.isDefault),
          editable: false,
          jsonData: { timeInterval: props.prometheus?.scrapeInterval ?? PROMETHEUS_DEFAULTS.scrapeInterval },
        },
        ...this.datasources.map((d) => ({ name: d.name, uid: d.uid, type: d.type, access: 'proxy', url: d.url, editable: false, ...(d.jsonData ? { jsonData: d.jsonData } : {}) })),
        ...userDatasources.map((d) => d.entry),
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
    const persistent = v.persistence.enabled;
    if (persistent) {
      new k8s.KubePersistentVolumeClaim(this, `PersistentVolumeClaim-${name}`, {
        metadata: meta,
        spec: {
          accessModes: v.persistence.accessModes,
          ...(v.persistence.storageClassName ? { storageClassName: v.persistence.storageClassName } : {}),
          resources: { requests: { storage: k8s.Quantity.fromString(v.persistence.size) } },
        },
      });
    }
    new k8s.KubeDeployment(this, `Deployment-${name}`, {
      metadata: meta,
      spec: {
        replicas: v.replicas,
        // A volume one node holds at a time: the new pod could not mount it while the old one runs.
        ...(persistent && singleWriter(v.persistence.accessModes) ? { strategy: { type: 'Recreate' } } : {}),
        selector: { matchLabels: selector },
        template: this.podTemplate({
          labels: meta.labels,
          serviceAccountName: name,
          automountToken: true,
          containers: [
            this.container({
              name,
              image: this.image(props.image),
              env: [
                secretEnv('GF_SECURITY_ADMIN_USER', v.adminSecret.userKey), secretEnv('GF_SECURITY_ADMIN_PASSWORD', v.adminSecret.passwordKey),
                ...userDatasources.flatMap((d) => d.env),
                ...(v.sso ? ssoEnv(v.sso) : []),
                ...pluginsEnv(v.plugins),
              ],
              ports: [{ name: 'http', containerPort: 3000 }],
              resources: v.resources,
              livenessProbe: httpProbe(`${subPath}/api/health`, 'http'),
              readinessProbe: httpProbe(`${subPath}/api/health`, 'http'),
              // Plugins are installed before Grafana serves (up to 5 minutes): liveness waits for that.
              ...(v.plugins.length ? { startupProbe: { ...httpProbe(`${subPath}/api/health`, 'http'), failureThreshold: 30 } } : {}),
              volumeMounts: [
                { name: 'storage', mountPath: '/var/lib/grafana' },
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'dashboards', mountPath: DASHBOARDS_DIR, readOnly: true },
                { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true },
                { name: 'datasources', mountPath: '/etc/grafana/provisioning/datasources', readOnly: true },
                { name: 'dashboard-providers', mountPath: '/etc/grafana/provisioning/dashboards', readOnly: true },
              ],
            }),
            // k8s-sidecar (1.30.x) downloads the content of any key ending `.url` (resources.py, _get_file_data_and_name)
            // and has no setting to turn that off: what the stack writes is checked for such keys (analyze/dashboard-sidecar.ts),
            // and Grafana's egress policy limits where the pod can reach.
            this.container({
              name: DASHBOARD_SIDECAR,
              image: this.image(props.sidecarImage),
              env: [
                { name: 'LABEL', value: labelKey },
                { name: 'LABEL_VALUE', value: labelValue },
                { name: 'FOLDER', value: DASHBOARDS_DIR },
                { name: 'FOLDER_ANNOTATION', value: FOLDER_ANNOTATION },
                { name: 'RESOURCE', value: 'configmap' },
                // A comma-separated list, one watch per namespace (sidecar.py: `namespace.split(',')`, no spaces trimmed).
                { name: 'NAMESPACE', value: v.dashboardNamespaces === 'all' ? 'ALL' : [this.namespace, ...namedNamespaces].join(',') },
              ],
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [{ name: 'dashboards', mountPath: DASHBOARDS_DIR }],
            }),
          ],
          volumes: [
            // Plugins are installed under it too (paths.plugins): the root filesystem stays read-only.
            persistent ? { name: 'storage', persistentVolumeClaim: { claimName: name } } : { name: 'storage', emptyDir: {} },
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
      spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'http', ...(subPath ? { path: `${subPath}/metrics` } : {}) }] },
    });
    if (v.replicas > 1) podDisruptionBudget(this, meta, selector);
    const exposed = exposeService(this, { meta, exposure, proxies: props.common, service: name, servicePort: 3000, podPort: 3000, field: 'grafana', instance: this.instance });
    networkPolicy(this, meta, selector, {
      ingress: [
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 3000 }] },
        ...(v.ingressNamespaces.length ? [{ namespaces: v.ingressNamespaces, ports: [{ port: 3000 }] }] : []),
        ...exposed,
      ],
      // Its datasources, and the API server for the dashboard sidecar; grafana.com only for the plugins listed, the
      // identity provider only with SSO: nothing else (no `.url` dashboards from elsewhere).
      egress: () => dedupe([
        dnsEgress(this.network),
        apiServerEgress(this.network),
        { pods: [OPERATOR_POD_SELECTORS.prometheus], ports: [{ port: 9090 }] },
        ...this.datasources.flatMap((d) => (d.reachedAt ? [d.reachedAt] : urlEgress(this.network, d.url, this.namespace))),
        ...v.datasources.flatMap((d) => urlEgress(this.network, d.url, this.namespace)),
        ...(v.plugins.length ? urlEgress(this.network, PLUGIN_SOURCE, this.namespace) : []),
        ...(v.sso ? ssoEgress(this.network, v.sso, this.namespace) : []),
        ...analyticsUrls(v.settings).flatMap((u) => urlEgress(this.network, u, this.namespace)),
      ]),
    });
  }

  /** Another datasource for Grafana to query (e.g. Jaeger, from the control-plane tracing component). */
  addDatasource(datasource: GrafanaDatasource): void {
    const taken = [{ name: 'Prometheus', uid: PROMETHEUS_DATASOURCE_UID }, ...this.datasources].find((d) => d.uid === datasource.uid || d.name === datasource.name);
    if (taken) throw new Error(`Grafana datasource '${datasource.name}' (uid ${datasource.uid}): a datasource of that name or uid exists already`);
    this.datasources.push({ ...datasource });
  }
}
