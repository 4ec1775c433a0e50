import type { PromDuration } from '../core/primitives';
// Service level objectives as values: what the user's service promises, from which the burn-rate rules, their
// promtool tests and the SLO dashboard are generated (rules/slo.ts).

/** The SLI as two counters: the events that failed, and all events. */
export interface SloRatioIndicator {
  readonly ratio: {
    /**
     * The failed events: a counter selector, e.g. `http_requests_total{job="checkout", code=~"5.."}` (the stack takes
     * its `rate` over each window), or an expression with `$window` where the window goes, e.g.
     * `rate(a_errors_total[$window]) + rate(b_errors_total[$window])`. Summed over all series.
     */
    readonly errors: string;
    /** All events, written like `errors`, e.g. `http_requests_total{job="checkout"}`. */
    readonly total: string;
  };
}

/** The SLI as a latency histogram: an event is good when it took at most `threshold`. */
export interface SloLatencyIndicator {
  readonly latency: {
    /** Base name of the histogram, e.g. `http_request_duration_seconds` (its `_bucket` and `_count` series are read). */
    readonly histogram: string;
    /** The bucket boundary good events stay within, exactly as its `le` label is written, e.g. `0.3`. */
    readonly threshold: string;
    /**
     * Matchers of the histogram's series, e.g. `{job="checkout"}`.
     * @default all series of the histogram
     */
    readonly selector?: string;
  };
}

export type SloIndicator = SloRatioIndicator | SloLatencyIndicator;

/** How the SLO's error budget burn alerts page and open tickets. */
export interface SloAlertingValues {
  /**
   * How long the fast burn (page tier, severity critical) must hold before it pages.
   * @default "2m"
   */
  readonly pageFor?: PromDuration;
  /**
   * How long the slow burn (ticket tier, severity warning) must hold before it fires.
   * @default "15m"
   */
  readonly ticketFor?: PromDuration;
  /**
   * The least request rate (events per second, over each alert's short window) at which the alerts fire: an idle
   * or nearly idle service does not page.
   * @default 0
   */
  readonly minTraffic?: number;
}

/** A service level objective: a share of good events over a rolling window. */
export interface SloValues {
  /** Name of the SLO (the `slo` label of its rules and alerts), e.g. `checkout-availability`. */
  readonly name: string;
  /** The service it is about (the `service` label). */
  readonly service: string;
  /** The promised share of good events, in percent, e.g. 99.9. */
  readonly objective: number;
  /**
   * The rolling window the objective holds over, at least 1d.
   * @default "30d"
   */
  readonly window?: PromDuration;
  readonly indicator: SloIndicator;
  /**
   * Labels added to the SLO's recording rules and alerts (e.g. `team`, for routing).
   * @default {}
   */
  readonly labels?: Record<string, string>;
  /** @default { pageFor: "2m", ticketFor: "15m", minTraffic: 0 } */
  readonly alerting?: SloAlertingValues;
}

/** The defaults of every SLO's optional fields. */
export const SLO_DEFAULTS = {
  window: '30d',
  alerting: { pageFor: '2m', ticketFor: '15m', minTraffic: 0 },
} as const;
