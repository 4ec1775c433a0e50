// Dashboards delivered to Grafana: a ConfigMap for the dashboard sidecar, or a grafana-operator GrafanaDashboard.
import { gzipSync } from 'zlib';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { StackProblem } from '../core/problems';
import { dashboardText, type Dashboard } from './model';

/** ConfigMaps with this annotation land in the Grafana folder it names (the dashboard sidecar's FOLDER_ANNOTATION). */
export const FOLDER_ANNOTATION = 'grafana_folder';

/** How dashboards reach Grafana: what `deliverDashboard` needs of the stack. */
export interface DashboardDelivery {
  /** Namespace of the delivery objects (the sidecar watches it). */
  readonly namespace: string;
  /** ConfigMaps for the dashboard sidecar, or grafana-operator GrafanaDashboard resources. */
  readonly method: 'configmap' | 'grafana-operator';
  /** With ConfigMaps: the one label the sidecar loads ConfigMaps by. */
  readonly sidecarLabel: Readonly<Record<string, string>>;
  /** With grafana-operator: the labels of the Grafana resources that get the dashboards. */
  readonly instanceSelector: Readonly<Record<string, string>>;
}

/** A ConfigMap holds at most 1 MiB (etcd's object limit); client-side apply also needs room for its annotation. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

function objectName(uid: string): string {
  return `grafana-dashboard-${uid.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}

/** Creates the object that delivers one dashboard; a dashboard too large for a ConfigMap is a problem. */
export function deliverDashboard(scope: Construct, dashboard: Dashboard, delivery: DashboardDelivery, labels: Record<string, string>): StackProblem[] {
  const text = dashboardText(dashboard.json);
  const name = objectName(dashboard.json.uid);
  const metadata = { name, namespace: delivery.namespace, labels };
  if (delivery.method === 'grafana-operator') {
    // Compressed, so that no dashboard is too large for one object; the readable JSON is in dist/ beside it.
    new ApiObject(scope, `GrafanaDashboard-${name}`, {
      apiVersion: 'grafana.integreatly.org/v1beta1',
      kind: 'GrafanaDashboard',
      metadata,
      spec: {
        instanceSelector: { matchLabels: { ...delivery.instanceSelector } },
        folder: dashboard.folder,
        resyncPeriod: '10m',
        gzipJson: gzipSync(Buffer.from(text), { level: 9 }).toString('base64'),
      },
    });
    return [];
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > CONFIGMAP_LIMIT_BYTES) {
    return [{
      field: `dashboard '${dashboard.json.title}' (${dashboard.origin})`,
      message: `is ${bytes} bytes, more than a ConfigMap can hold (${CONFIGMAP_LIMIT_BYTES})`,
      fix: "set grafana.dashboardDelivery: 'grafana-operator' (gzip-compressed GrafanaDashboard resources), or split the dashboard",
    }];
  }
  new k8s.KubeConfigMap(scope, `ConfigMap-${name}`, {
    metadata: { ...metadata, labels: { ...labels, ...delivery.sidecarLabel }, annotations: { [FOLDER_ANNOTATION]: dashboard.folder } },
    data: { [`${dashboard.json.uid}.json`]: text },
  });
  return [];
}
