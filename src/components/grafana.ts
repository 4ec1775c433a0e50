import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { ServiceMonitor } from '../k8s/monitoring';
import { clusterRoleFor, networkPolicy, podDisruptionBudget, roleFor, service, serviceAccount } from '../k8s/objects';
import { httpProbe } from '../k8s/pod';
import { Component, type StackContext } from './component';
import { NAMES, OPERATOR_POD_SELECTORS } from '../k8s/names';
import { GRAFANA_METRICS, grafanaRules } from '../rules/catalogue/grafana';
import { monitoringDashboards } from '../dashboards/catalogue/monitoring';

/** The datasource uid every dashboard refers to. */
export const PROMETHEUS_DATASOURCE_UID = 'prometheus';
/** ConfigMaps with this annotation land in the Grafana folder it names. */
export const FOLDER_ANNOTATION = 'grafana_folder';
const DASHBOARDS_DIR = '/tmp/dashboards';

function ini(sections: Record<string, Record<string, string | boolean>>): string {
  return Object.entries(sections)
    .map(([section, keys]) => `[${section}]\n${Object.entries(keys).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`)
    .join('\n');
}

/** Grafana with a provisioned Prometheus datasource and a sidecar that loads dashboards from labeled ConfigMaps. */
export class Grafana extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'grafana', context);
    const v = this.values.grafana;
    const images = this.values.common.images;
    const name = NAMES.grafana;
    const meta = { name, namespace: this.namespace, labels: this.labels(name, 'grafana', images.grafana) };
    const selector = this.selectorLabels(name);
    this.declareMetrics(GRAFANA_METRICS);
    this.addRules('grafana-rules', grafanaRules(v.thresholds, context));
    this.addDashboards('Monitoring', monitoringDashboards(context));
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
    configMap('datasources', 'datasources.yaml', stringify({
      apiVersion: 1,
      datasources: [
        {
          name: 'Prometheus',
          uid: PROMETHEUS_DATASOURCE_UID,
          type: 'prometheus',
          access: 'proxy',
          url: `http://${NAMES.prometheus}.${this.namespace}.svc:9090`,
          isDefault: true,
          editable: false,
          jsonData: { timeInterval: this.values.prometheus.scrapeInterval },
        },
      ],
    }));
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
              image: this.image(images.grafana),
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
              image: this.image(images.grafanaSidecar),
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
}
