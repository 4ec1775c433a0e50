import type { Construct } from 'constructs';
import { PrometheusRule, ServiceMonitor, type Rule } from '../k8s/monitoring';
import type { AlertValues, ApplicationMonitor, RecordValues } from '../stack/values';
import { Component, type StackContext } from './component';

function alertingRule(alert: AlertValues): Rule {
  return {
    alert: alert.alert,
    expr: alert.expr,
    ...(alert.for ? { for: alert.for } : {}),
    labels: { ...alert.labels, severity: alert.severity },
    annotations: { summary: alert.summary, ...(alert.description ? { description: alert.description } : {}) },
  };
}

function recordingRule(record: RecordValues): Rule {
  return { record: record.record, expr: record.expr, ...(record.labels ? { labels: record.labels } : {}) };
}

/** The user's applications: one ServiceMonitor each, and a PrometheusRule for those that bring rules. */
export class Applications extends Component {
  constructor(scope: Construct, context: StackContext) {
    super(scope, 'applications', context);
    for (const app of this.values.applications) this.addApplication(app);
  }

  private addApplication(app: ApplicationMonitor): void {
    const meta = { name: app.name, namespace: this.namespace, labels: this.labels(app.name, 'application-monitor') };
    new ServiceMonitor(this, `ServiceMonitor-${app.name}`, {
      metadata: meta,
      spec: {
        selector: { matchLabels: app.selector },
        namespaceSelector: { matchNames: [app.namespace] },
        endpoints: [
          {
            port: app.port,
            path: app.path ?? '/metrics',
            ...(app.interval ? { interval: app.interval } : {}),
            relabelings: [{ action: 'replace', targetLabel: 'job', replacement: app.name }],
          },
        ],
      },
    });
    const rules = [...(app.records ?? []).map(recordingRule), ...(app.alerts ?? []).map(alertingRule)];
    if (rules.length === 0) return;
    new PrometheusRule(this, `PrometheusRule-${app.name}`, {
      metadata: { ...meta, labels: { ...meta.labels, ...this.values.common.ruleLabels } },
      spec: { groups: [{ name: `${app.name}.rules`, rules }] },
    });
  }
}
