import type { Construct } from 'constructs';
import { PodMonitor, ServiceMonitor } from '../k8s/monitoring';
import { alertingRule, recordingRule, ruleGroup } from '../rules/builders';
import { StackError } from '../core/problems';
import type { PromDuration, Severity } from '../core/primitives';
import { Component, type ComponentProps } from './component';

export interface AlertValues {
  readonly alert: string;
  readonly expr: string;
  /** @default "0s" */
  readonly for?: PromDuration;
  readonly severity: Severity;
  readonly summary: string;
  readonly description?: string;
  readonly labels?: Record<string, string>;
}

export interface RecordValues {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

/** An application the stack scrapes: a ServiceMonitor (or a PodMonitor), and optionally its own rules. */
export interface ApplicationMonitor {
  /** Name of the monitor and PrometheusRule (and the `job` label). */
  readonly name: string;
  /** Namespace of the application. */
  readonly namespace: string;
  /**
   * How it is scraped: through its Service (a ServiceMonitor), or its pods directly (a PodMonitor), for a workload
   * without a Service.
   * @default "ServiceMonitor"
   */
  readonly kind?: 'ServiceMonitor' | 'PodMonitor';
  /** Labels of the application's Service; with kind PodMonitor, of its pods. */
  readonly selector: Record<string, string>;
  /** Name of the Service port to scrape; with kind PodMonitor, of the container port. */
  readonly port: string;
  /** @default "/metrics" */
  readonly path?: string;
  /** @default the Prometheus scrape interval */
  readonly interval?: PromDuration;
  readonly alerts?: AlertValues[];
  readonly records?: RecordValues[];
}

export interface ApplicationsProps extends ComponentProps {
  /**
   * The applications to scrape; more can be added with `monitor`.
   * @default []
   */
  readonly applications?: readonly ApplicationMonitor[];
}

/** The user's applications: a ServiceMonitor (or PodMonitor) each, and a PrometheusRule for those that bring rules. */
export class Applications extends Component {
  private readonly monitored: ApplicationMonitor[] = [];

  constructor(scope: Construct, id: string, props: ApplicationsProps) {
    super(scope, id, props);
    for (const app of props.applications ?? []) this.monitor(app);
  }

  /** The applications monitored, in the order they were added. */
  get applications(): ApplicationMonitor[] {
    return [...this.monitored];
  }

  /**
   * Scrapes an application, as job `<name>`, and adds its rules. A name already monitored is rejected: it names the
   * monitor, the rule object and the job.
   */
  monitor(app: ApplicationMonitor): ServiceMonitor | PodMonitor {
    if (this.monitored.some((a) => a.name === app.name)) {
      throw new StackError(this.instance, [{
        field: `monitor('${app.name}')`,
        message: `an application named '${app.name}' is already monitored`,
        fix: 'give every application a unique name: it is the monitor\'s name and the job label',
      }]);
    }
    this.monitored.push(app);
    const meta = { name: app.name, namespace: this.namespace, labels: this.labels(app.name, 'application-monitor') };
    const endpoint = {
      port: app.port,
      path: app.path ?? '/metrics',
      ...(app.interval ? { interval: app.interval } : {}),
      relabelings: [{ action: 'replace' as const, targetLabel: 'job', replacement: app.name }],
    };
    const selection = { selector: { matchLabels: app.selector }, namespaceSelector: { matchNames: [app.namespace] } };
    const monitor = app.kind === 'PodMonitor'
      ? new PodMonitor(this, `PodMonitor-${app.name}`, { metadata: meta, spec: { ...selection, podMetricsEndpoints: [endpoint] } })
      : new ServiceMonitor(this, `ServiceMonitor-${app.name}`, { metadata: meta, spec: { ...selection, endpoints: [endpoint] } });
    const rules = [
      ...(app.records ?? []).map((r) => recordingRule(r.record, r.expr, r.labels)),
      ...(app.alerts ?? []).map((a) =>
        alertingRule({ alert: a.alert, expr: a.expr, for: a.for, severity: a.severity, summary: a.summary, description: a.description ?? a.summary, labels: a.labels }),
      ),
    ];
    if (rules.length) this.addRules(app.name, [ruleGroup(`${app.name}.rules`, rules, { runbookArea: 'applications' })]);
    return monitor;
  }
}
