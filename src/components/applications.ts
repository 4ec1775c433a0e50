import type { Construct } from 'constructs';
import { ServiceMonitor } from '../k8s/monitoring';
import { alertingRule, recordingRule, ruleGroup } from '../rules/builders';
import type { ApplicationMonitor } from '../values/stack-values';
import { Component, type StackContext } from './component';

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
    const rules = [
      ...(app.records ?? []).map((r) => recordingRule(r.record, r.expr, r.labels)),
      ...(app.alerts ?? []).map((a) =>
        alertingRule({ alert: a.alert, expr: a.expr, for: a.for, severity: a.severity, summary: a.summary, description: a.description ?? a.summary, labels: a.labels }),
      ),
    ];
    if (rules.length) this.addRules(app.name, [ruleGroup(`${app.name}.rules`, rules, { runbookArea: 'applications' })]);
  }
}
