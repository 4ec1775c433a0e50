import type { PromDuration, Severity } from '../core/primitives';
// Rules as plain values. Components and users build them; they become PrometheusRule objects only at the edge.

/** One input series of a unit test, in promtool's notation: `series: 'up{job="x"}'`, `values: '1x10 0x20'`. */
export interface SeriesInput {
  readonly series: string;
  readonly values: string;
}

/** One unit-test case of an alert: input series, when to evaluate, and which alerts must then be firing. */
export interface AlertCase {
  /** Step between the values of the input series. @default "1m" */
  readonly interval?: PromDuration;
  readonly input: SeriesInput[];
  /** Evaluation time, e.g. `20m`. */
  readonly at: PromDuration;
  /**
   * The labels of each alert expected to fire, besides those the rule adds itself (alertname, severity, the rule's
   * and the stack's static labels). An empty list means the alert must stay silent. Where a warning and a
   * critical variant share a name, name the other variant's alerts with their `severity`.
   */
  readonly expect: Record<string, string>[];
}

/** For the rare alert that is never silent by design (Watchdog): why. */
export interface NeverSilent {
  readonly never: string;
}

/** Every shipped alert proves itself: a case where it fires, and one where it stays silent. */
export interface AlertTests {
  readonly fires: AlertCase;
  readonly silent: AlertCase | NeverSilent;
}

export interface AlertDefinition {
  readonly alert: string;
  readonly expr: string;
  /** @default "0s" (fires at the first evaluation) */
  readonly for?: PromDuration;
  readonly severity: Severity;
  /** One line; may use `{{ $labels.x }}` and `{{ $value }}`. */
  readonly summary: string;
  readonly description: string;
  readonly labels?: Record<string, string>;
  /** Further annotations (summary, description and runbook_url are set from the fields above). */
  readonly annotations?: Record<string, string>;
  readonly tests?: AlertTests;
}

export interface RecordDefinition {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
}

export type RuleDefinition = AlertDefinition | RecordDefinition;

export interface RuleGroupDefinition {
  readonly name: string;
  /** @default the Prometheus evaluation interval */
  readonly interval?: PromDuration;
  /** Thanos Ruler only; Prometheus ignores it. */
  readonly partialResponseStrategy?: 'warn' | 'abort';
  /** Folder of the group's runbooks under the runbook base URL, e.g. `kubernetes`, `node`. */
  readonly runbookArea?: string;
  readonly rules: RuleDefinition[];
}

export function isAlert(rule: RuleDefinition): rule is AlertDefinition {
  return 'alert' in rule;
}

/** A unit test of the stack's rules, run by `o11y test` with promtool. */
export interface RuleUnitTest {
  readonly name: string;
  /** Step between the values of the input series. @default "1m" */
  readonly interval?: PromDuration;
  readonly input: SeriesInput[];
  /** At each time, the alerts of that name that must be firing (by their series labels); `[]` means none. */
  readonly expect: { readonly at: PromDuration; readonly alert: string; readonly firing: Record<string, string>[] }[];
}
/** Changes to one alert of the catalogue, by name. */
export interface AlertOverride {
  readonly severity?: Severity;
  readonly for?: PromDuration;
  /** Added to (or replacing) the alert's labels. */
  readonly labels?: Record<string, string>;
  /** Added to (or replacing) the alert's annotations. */
  readonly annotations?: Record<string, string>;
}
