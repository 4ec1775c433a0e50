import type { Construct } from 'constructs';
import { PodMonitor, ServiceMonitor } from '../k8s/monitoring';
import { alertingRule, recordingRule, ruleGroup } from '../rules/builders';
import { StackError, type StackProblem } from '../core/problems';
import type { PromDuration, Severity } from '../core/primitives';
import { quoted } from '../core/redact';
import { Component, type ComponentProps } from './component';
import { checkLimits, checkScrapeSettings, endpointSpec, limitsSpec, type ScrapeEndpointValues, type ScrapeLimitValues, type ScrapeSettings } from './scrape-targets';

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

/** Where an application's Services (or pods) are looked for: namespaces by name, or every namespace. */
export type ApplicationNamespaces = { readonly matchNames: string[] } | { readonly any: true };

/**
 * An application the stack scrapes: a ServiceMonitor (or a PodMonitor), and optionally its own rules. The monitor is
 * written in the stack's namespace and selects the application's namespace, so the Secrets its scrapes name
 * (`basicAuth`, `authorization`, `tlsConfig`) must be in the stack's namespace (`common.namespace`), where the
 * operator reads them. The scrape settings at this level (`path`, `scheme`, auth ...) are those of `port`'s endpoint.
 */
export interface ApplicationMonitor extends ScrapeSettings, ScrapeLimitValues {
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
  /**
   * Name of the Service port to scrape; with kind PodMonitor, of the container port. The shorthand for one endpoint;
   * `endpoints` adds more (at least one of the two).
   */
  readonly port?: string;
  /** Further endpoints, each with its own port and scrape settings. @default [] */
  readonly endpoints?: ScrapeEndpointValues[];
  /** @default { "matchNames": [namespace] } */
  readonly namespaceSelector?: ApplicationNamespaces;
  /**
   * The label of the Service (pods, for a PodMonitor) whose value becomes the `job` label.
   * @default none: the job is the application's name
   */
  readonly jobLabel?: string;
  readonly alerts?: AlertValues[];
  readonly records?: RecordValues[];
}

/** Settings that belong to `port`'s endpoint, which are lost without a `port`. */
const SHORTHAND_SETTINGS: ReadonlyArray<keyof ScrapeSettings> = ['path', 'scheme', 'interval', 'scrapeTimeout', 'params', 'honorLabels', 'relabelings', 'metricRelabelings', 'basicAuth', 'authorization', 'tlsConfig'];

/** The endpoints of an application: `port`'s, then `endpoints`. */
function endpointsOf(app: ApplicationMonitor): ScrapeEndpointValues[] {
  const { name: _n, namespace: _ns, kind: _k, selector: _s, port, endpoints, namespaceSelector: _nsel, jobLabel: _j, alerts: _a, records: _r, sampleLimit: _sl, targetLimit: _tl, labelLimit: _ll, ...settings } = app;
  return [...(port !== undefined ? [{ ...settings, port }] : []), ...(endpoints ?? [])];
}

/**
 * The problems of how an application is scraped (its name, selector and rules are checked with the other values):
 * endpoints, relabelings, auth and TLS, limits, namespaces. `defaultInterval` is the Prometheus scrape interval.
 */
export function checkApplicationScrape(app: ApplicationMonitor, field: string, defaultInterval?: PromDuration): StackProblem[] {
  const problems: StackProblem[] = [];
  if (app.port === undefined && !app.endpoints?.length) {
    problems.push({ field: `${field}.port`, message: 'is missing, and there are no endpoints: nothing would be scraped', fix: "name the port to scrape (port: 'metrics'), or list endpoints" });
  }
  if (app.port !== undefined) {
    if (!app.port) problems.push({ field: `${field}.port`, message: 'is empty', fix: "name the port to scrape, e.g. port: 'metrics'" });
    problems.push(...checkScrapeSettings(app, field, defaultInterval));
  } else {
    for (const setting of SHORTHAND_SETTINGS.filter((k) => app[k] !== undefined)) {
      problems.push({ field: `${field}.${setting}`, message: "applies to the endpoint of `port`, and there is no port", fix: `move ${setting} into the endpoints it is for` });
    }
  }
  (app.endpoints ?? []).forEach((e, k) => {
    if (!e.port) problems.push({ field: `${field}.endpoints[${k}].port`, message: 'is empty', fix: "name the port to scrape, e.g. port: 'metrics'" });
    problems.push(...checkScrapeSettings(e, `${field}.endpoints[${k}]`, defaultInterval));
  });
  const ports = endpointsOf(app).map((e) => `${e.port} ${e.path ?? '/metrics'}`);
  ports.forEach((p, k) => {
    if (ports.indexOf(p) !== k) problems.push({ field: `${field}.endpoints`, message: `port and path ${quoted(p)} are scraped twice`, fix: 'list each endpoint once' });
  });
  const ns = app.namespaceSelector;
  if (ns && 'matchNames' in ns) {
    if (!ns.matchNames.length) problems.push({ field: `${field}.namespaceSelector.matchNames`, message: 'is empty', fix: 'name the namespaces, or use { any: true }' });
    ns.matchNames.forEach((n, k) => {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n)) problems.push({ field: `${field}.namespaceSelector.matchNames[${k}]`, message: `${quoted(n)} is not a namespace name`, fix: 'use lower-case letters, digits and "-"' });
    });
  } else if (ns && (ns as { any?: unknown }).any !== true) {
    problems.push({ field: `${field}.namespaceSelector`, message: 'selects no namespace', fix: "write { matchNames: ['shop'] } or { any: true }" });
  }
  if (app.jobLabel !== undefined && !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(app.jobLabel)) {
    problems.push({ field: `${field}.jobLabel`, message: `${quoted(app.jobLabel)} is not a Kubernetes label name`, fix: 'name a label of the Service (or pods), e.g. app.kubernetes.io/name' });
  }
  problems.push(...checkLimits(app, field));
  return problems;
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
    (props.applications ?? []).forEach((app, i) => this.monitor(app, `applications[${i}]`));
  }

  /** The applications monitored, in the order they were added. */
  get applications(): ApplicationMonitor[] {
    return [...this.monitored];
  }

  /**
   * Scrapes an application, as job `<name>` (or by `jobLabel`), and adds its rules. A name already monitored is
   * rejected: it names the monitor, the rule object and the job. `field` names the application in errors.
   */
  monitor(app: ApplicationMonitor, field = `monitor('${app.name}')`): ServiceMonitor | PodMonitor {
    if (this.monitored.some((a) => a.name === app.name)) {
      throw new StackError(this.instance, [{
        field: `monitor('${app.name}')`,
        message: `an application named '${app.name}' is already monitored`,
        fix: 'give every application a unique name: it is the monitor\'s name and the job label',
      }]);
    }
    const problems = checkApplicationScrape(app, field);
    if (problems.length) throw new StackError(this.instance, problems);
    this.monitored.push(app);
    const meta = { name: app.name, namespace: this.namespace, labels: this.labels(app.name, 'application-monitor') };
    // With a jobLabel the operator names the job; a relabeling here would override it.
    const job = app.jobLabel ? [] : [{ action: 'replace' as const, targetLabel: 'job', replacement: app.name }];
    const endpoints = endpointsOf(app).map((e) => endpointSpec(e, job));
    const selection = {
      ...(app.jobLabel ? { jobLabel: app.jobLabel } : {}),
      selector: { matchLabels: app.selector },
      namespaceSelector: app.namespaceSelector && 'any' in app.namespaceSelector ? { any: true } : { matchNames: [...(app.namespaceSelector?.matchNames ?? [app.namespace])] },
      ...limitsSpec(app),
    };
    const monitor = app.kind === 'PodMonitor'
      ? new PodMonitor(this, `PodMonitor-${app.name}`, { metadata: meta, spec: { ...selection, podMetricsEndpoints: endpoints } })
      : new ServiceMonitor(this, `ServiceMonitor-${app.name}`, { metadata: meta, spec: { ...selection, endpoints } });
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
