// Drill scenarios declared in a stack: plain values, checked at synth, played by `o11y drill`.
import type { PromDuration } from '../core/primitives';
import type { SeriesInput } from '../rules/types';

/** What a drill scenario must show: an alert that fires and where it goes. */
export interface DrillExpectation {
  readonly alert: string;
  /** Receivers it must reach, exactly these. @default any receiver */
  readonly receivers?: string[];
  /** It must fire but be inhibited by another alert, reaching no receiver. @default false */
  readonly inhibited?: boolean;
  /** Alerts it must arrive with in one notification (grouped by the route). @default [] */
  readonly groupedWith?: string[];
  /** It must fire within this time after the experiment starts (`startsAt` of the scenario). */
  readonly within?: PromDuration;
}

/** A built-in simulation: what happens to which workload, played against the metrics the expected alerts read. */
export interface DrillSimulation {
  readonly kind: 'pod-failure' | 'crash-loop' | 'target-down' | 'node-down' | 'memory-growth' | 'latency';
  /** Namespace of the workload. */
  readonly namespace: string;
  /** Name of the workload: its pods, containers, Deployment and scrape job are named after it. */
  readonly app: string;
  /** Pods (for node-down: nodes). @default 4 */
  readonly replicas?: number;
  /** How many of them are hit. @default 1 */
  readonly affected?: number;
  /** latency: the seconds added to every answer. @default twice the alert's threshold */
  readonly latencySeconds?: number;
  /** How long it lasts; at least 30 minutes are played. @default 30 */
  readonly minutes?: number;
}

/** A drill scenario: series a local exporter serves to a real Prometheus, and the alerts that must follow. */
export interface DrillScenarioValues {
  readonly name: string;
  /**
   * The chaos schedule this scenario plays: its contract's alerts are expected (unless `expect` is given), and the
   * drill uses this scenario instead of a built-in simulation.
   */
  readonly chaos?: string;
  /** Series in promtool's notation (`0+10x30`, `1x10 0x20`, `_`), one value per `interval`; or `simulate`. */
  readonly series?: SeriesInput[];
  /** A built-in simulation instead of `series` (1m steps). */
  readonly simulate?: DrillSimulation;
  /** Step between the values. @default "1m" */
  readonly interval?: PromDuration;
  /** When the experiment starts in the series: expectations' `within` counts from here. @default "0s" */
  readonly startsAt?: PromDuration;
  /** Required unless `chaos` names a schedule with expectations. */
  readonly expect?: DrillExpectation[];
}

export interface DrillValues {
  /**
   * Scenarios `o11y drill` plays besides the built-in ones (a real node_exporter going down, the chaos contracts).
   * @default []
   */
  readonly scenarios?: DrillScenarioValues[];
}
