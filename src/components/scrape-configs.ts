import type { Construct } from 'constructs';
import { ScrapeConfig } from '../k8s/monitoring';
import { egressPolicy } from '../k8s/objects';
import { urlEgress, type PeerAllowance } from '../k8s/network';
import { NAMES } from '../k8s/names';
import { StackError, type StackProblem } from '../core/problems';
import type { PromDuration } from '../core/primitives';
import { quoted } from '../core/redact';
import { Component, type ComponentProps } from './component';
import { authSpec, checkLimits, checkScrapeSettings, limitsSpec, relabelSpec, type ScrapeLimitValues, type ScrapeSettings } from './scrape-targets';
import { DNS_LABEL } from '../core/checks';

/** Targets with the labels every series scraped from them gets. */
export interface StaticTargetsValues {
  /** `host:port` each: a name (resolved by Prometheus' DNS), an IPv4 address, or `[IPv6]:port`. */
  readonly targets: string[];
  /** Labels of every series of these targets, e.g. `{ "site": "dc1" }`. */
  readonly labels?: Record<string, string>;
}

/**
 * Targets outside Kubernetes service discovery (VMs, appliances, managed services), scraped as job `<name>`: a
 * ScrapeConfig in the stack's namespace, and Prometheus' egress to each target's address and port. Secrets it names
 * (`basicAuth`, `authorization`, `tlsConfig`) must be in the stack's namespace (`common.namespace`).
 */
export interface ScrapeConfigValues extends Omit<ScrapeSettings, 'path' | 'interval'>, ScrapeLimitValues {
  /** Name of the ScrapeConfig and the `job` label. */
  readonly name: string;
  readonly staticConfigs: StaticTargetsValues[];
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** @default the Prometheus scrape interval */
  readonly scrapeInterval?: PromDuration;
}

export interface ScrapeConfigsProps extends ComponentProps {
  /**
   * The static scrape configs; more can be added with `scrapeConfig`.
   * @default []
   */
  readonly scrapeConfigs?: readonly ScrapeConfigValues[];
  /**
   * The stack's Prometheus pods, which get egress to the targets.
   * @default none: no egress is written (another Prometheus scrapes them)
   */
  readonly prometheusPods?: Record<string, string>;
}

/** `host:port`, `[v6]:port`: what Prometheus takes as a static target. */
const TARGET = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):([0-9]{1,5})$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The problems of one scrape config (its name's uniqueness is the caller's). */
export function checkScrapeConfig(sc: ScrapeConfigValues, field: string, defaultInterval?: PromDuration): StackProblem[] {
  const problems: StackProblem[] = [];
  if (!DNS_LABEL.test(sc.name) || sc.name.length > 63) {
    problems.push({ field: `${field}.name`, message: `${quoted(sc.name)} is not a valid name`, fix: 'use lower-case letters, digits and "-" (it names the ScrapeConfig and the job)' });
  }
  if (!sc.staticConfigs.length) problems.push({ field: `${field}.staticConfigs`, message: 'is empty: nothing would be scraped', fix: "list the targets, e.g. [{ targets: ['db-1.example.com:9187'] }]" });
  sc.staticConfigs.forEach((group, j) => {
    if (!group.targets.length) problems.push({ field: `${field}.staticConfigs[${j}].targets`, message: 'is empty', fix: "list host:port targets, e.g. ['10.0.0.5:9100']" });
    group.targets.forEach((target, k) => {
      const m = TARGET.exec(target);
      const port = m ? Number(m[3]) : NaN;
      if (!m || port < 1 || port > 65535) {
        problems.push({ field: `${field}.staticConfigs[${j}].targets[${k}]`, message: `${quoted(target)} is not host:port`, fix: "write the host and port without scheme or path, e.g. 'db-1.example.com:9187' or '10.0.0.5:9100' (scheme and metricsPath are fields of their own)" });
      }
    });
    for (const name of Object.keys(group.labels ?? {})) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) {
        problems.push({ field: `${field}.staticConfigs[${j}].labels.${name}`, message: `${quoted(name)} is not a label name a series may carry`, fix: 'use letters, digits and "_", not starting with a digit or "__"' });
      }
    }
  });
  const { metricsPath, scrapeInterval, ...settings } = sc;
  problems.push(...checkScrapeSettings({ ...settings, path: metricsPath, interval: scrapeInterval }, field, defaultInterval, { path: 'metricsPath', interval: 'scrapeInterval' }));
  problems.push(...checkLimits(sc, field));
  return problems;
}

/** The ScrapeConfigs of static targets, and the egress of the stack's Prometheus to them. */
export class ScrapeConfigs extends Component {
  private readonly added: ScrapeConfigValues[] = [];

  constructor(scope: Construct, id: string, props: ScrapeConfigsProps) {
    super(scope, id, props);
    if (props.prometheusPods) {
      const name = `${NAMES.prometheus}-scrape-configs`;
      egressPolicy(this, { name, namespace: this.namespace, labels: this.labels(name, 'scrape-config') }, props.prometheusPods, () => this.egress());
    }
    (props.scrapeConfigs ?? []).forEach((sc, i) => this.scrapeConfig(sc, `scrapeConfigs[${i}]`));
  }

  /** The scrape configs, in the order they were added. */
  get scrapeConfigs(): ScrapeConfigValues[] {
    return [...this.added];
  }

  /** Scrapes static targets as job `<name>`. A name already taken is rejected; `field` names it in errors. */
  scrapeConfig(sc: ScrapeConfigValues, field = `scrapeConfig('${sc.name}')`): ScrapeConfig {
    const problems = checkScrapeConfig(sc, field);
    if (this.added.some((a) => a.name === sc.name)) {
      problems.push({ field: `${field}.name`, message: `a scrape config named ${quoted(sc.name)} already exists`, fix: 'give every scrape config a unique name: it is the object\'s name and the job label' });
    }
    if (problems.length) throw new StackError(this.instance, problems);
    this.added.push(sc);
    const relabelings = (sc.relabelings ?? []).map(relabelSpec);
    return new ScrapeConfig(this, `ScrapeConfig-${sc.name}`, {
      metadata: { name: sc.name, namespace: this.namespace, labels: this.labels(sc.name, 'scrape-config') },
      spec: {
        jobName: sc.name,
        staticConfigs: sc.staticConfigs.map((g) => ({ targets: [...g.targets], ...(g.labels && Object.keys(g.labels).length ? { labels: { ...g.labels } } : {}) })),
        metricsPath: sc.metricsPath ?? '/metrics',
        ...(sc.scheme ? { scheme: sc.scheme } : {}),
        ...(sc.scrapeInterval ? { scrapeInterval: sc.scrapeInterval } : {}),
        ...(sc.scrapeTimeout ? { scrapeTimeout: sc.scrapeTimeout } : {}),
        ...(sc.params ? { params: Object.fromEntries(Object.entries(sc.params).map(([k, v]) => [k, [...v]])) } : {}),
        ...(sc.honorLabels !== undefined ? { honorLabels: sc.honorLabels } : {}),
        ...authSpec(sc),
        ...(relabelings.length ? { relabelings } : {}),
        ...(sc.metricRelabelings?.length ? { metricRelabelings: sc.metricRelabelings.map(relabelSpec) } : {}),
        ...limitsSpec(sc),
      },
    });
  }

  /**
   * Each target's address on its port: an IP literal as itself, a name outside the cluster anywhere but the
   * cluster's ranges, an in-cluster Service name its namespace. Once per destination, in the order added.
   */
  private egress(): PeerAllowance[] {
    const seen = new Map<string, PeerAllowance>();
    for (const sc of this.added) {
      for (const target of sc.staticConfigs.flatMap((g) => g.targets)) {
        for (const allowance of urlEgress(this.network, `${sc.scheme ?? 'http'}://${target}`, this.namespace)) {
          seen.set(JSON.stringify(allowance), allowance);
        }
      }
    }
    return [...seen.values()];
  }
}
