// The model of one stack: everything that will be written, read back from the FINAL objects (after patches, the
// customize hook and extra objects). Analyzers, the drill, SUMMARY.md and the writer all read this, never the
// construct tree or the values before patches: what is checked is what is written.
import type { Diagnostic } from '../core/diagnostic';
import type { KubernetesObject } from '../core/primitives';
import type { WrittenRouting } from '../alerting/read';
import type { TeamRouting } from '../alerting/types';
import type { ChaosSchedule } from '../chaos/types';
import type { ComponentFile } from '../components/component';
import type { Dashboard } from '../dashboards/model';
import type { WrittenCustomResource } from '../ksm/read';
import type { RuleSource } from '../rules/rule-set';
import type { ResolvedValues } from '../values/defaults';
import type { CollectorConfig } from '../otel/config';

export type Manifest = KubernetesObject;

/** One object as it will be written: its component (output folder) and its final manifest. */
export interface ModelObject {
  readonly component: string;
  readonly manifest: Manifest;
}

/** What Prometheus will run with, from the written Prometheus resource. */
export interface PrometheusFacts {
  readonly scrapeInterval: string;
  readonly evaluationInterval: string;
  /** Labels Prometheus adds to every alert it sends: its external labels and the operator's `prometheus` label. */
  readonly alertLabels: Record<string, string>;
}

/** Alertmanager's routing as written: the configuration Secret and the teams' AlertmanagerConfigs. */
export interface AlertingModel {
  readonly namespace: string;
  readonly global: WrittenRouting;
  readonly teams: readonly TeamRouting[];
  /** The Alertmanager resource's `alertmanagerConfigMatcherStrategy.type`. */
  readonly teamMatcherStrategy: string;
}

export interface WrittenCollector {
  /** The object and key it was read from, for diagnostics. */
  readonly where: string;
  readonly config: Partial<CollectorConfig>;
}

export interface StackModel {
  readonly name: string;
  /** The stack file, relative to the project root. */
  readonly source: string;
  /** What only the values say: chaos contracts' and routing expectations, drill scenarios, receivers left unrouted. */
  readonly values: ResolvedValues;
  readonly objects: readonly ModelObject[];
  /** The rules of every PrometheusRule object, by object. */
  readonly rules: readonly RuleSource[];
  /** Undefined when the stack has no Prometheus resource. */
  readonly prometheus: PrometheusFacts | undefined;
  /** Undefined when the stack has no Alertmanager configuration. */
  readonly alerting: AlertingModel | undefined;
  /** Every dashboard a delivery object (ConfigMap or GrafanaDashboard) holds. */
  readonly dashboards: readonly Dashboard[];
  /** Every Schedule object, with its contract from the values where one is declared. */
  readonly chaos: readonly ChaosSchedule[];
  /** The resources kube-state-metrics' custom-resource-state config watches. */
  readonly customResources: readonly WrittenCustomResource[];
  /** The OpenTelemetry Collector's configuration; undefined without a Collector. */
  readonly collector: WrittenCollector | undefined;
  /** Plain files components write beside the objects (e.g. the kube-apiserver's audit policy), as written. */
  readonly files: readonly ComponentFile[];
  /** Every metric name rules and dashboards may use: what targets expose, recording rules produce, the user declared. */
  readonly metrics: ReadonlySet<string>;
  /** Written objects whose embedded documents cannot be read (a patch that broke a dashboard's JSON, say): errors. */
  readonly unreadable: readonly Diagnostic[];
}
