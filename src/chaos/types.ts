import type { PromDuration } from '../core/primitives';
// Chaos Mesh experiments as typed values, scheduled by Schedule resources.

export type ChaosMode =
  | { readonly mode: 'one' | 'all' }
  | { readonly mode: 'fixed' | 'fixed-percent' | 'random-max-percent'; readonly value: number };

/** Which pods an experiment hits: all conditions must hold. */
export interface ChaosSelector {
  readonly namespaces: string[];
  readonly labels?: Record<string, string>;
  /** Pods by namespace and name. */
  readonly pods?: Record<string, string[]>;
}

export type PodChaosExperiment = {
  readonly kind: 'PodChaos';
  readonly action: 'pod-kill' | 'pod-failure' | 'container-kill';
  readonly containerNames?: string[];
  readonly gracePeriod?: number;
};

export type NetworkChaosExperiment =
  | { readonly kind: 'NetworkChaos'; readonly action: 'delay'; readonly latency: string; readonly jitter?: string; readonly correlation?: string }
  | { readonly kind: 'NetworkChaos'; readonly action: 'loss'; readonly lossPercent: number }
  | { readonly kind: 'NetworkChaos'; readonly action: 'duplicate'; readonly duplicatePercent: number }
  | { readonly kind: 'NetworkChaos'; readonly action: 'corrupt'; readonly corruptPercent: number }
  | { readonly kind: 'NetworkChaos'; readonly action: 'partition'; readonly externalTargets: string[] }
  | { readonly kind: 'NetworkChaos'; readonly action: 'bandwidth'; readonly rate: string; readonly limit: number; readonly buffer: number };

export type DnsChaosExperiment = {
  readonly kind: 'DNSChaos';
  readonly action: 'error' | 'random';
  /** Domains, `?` and a trailing `*` allowed; empty means every domain. */
  readonly patterns?: string[];
};

export type StressChaosExperiment = {
  readonly kind: 'StressChaos';
  readonly cpu?: { readonly workers: number; readonly load?: number };
  readonly memory?: { readonly workers: number; readonly size?: string };
};

export type HttpChaosExperiment = {
  readonly kind: 'HTTPChaos';
  readonly target: 'Request' | 'Response';
  readonly port: number;
  readonly path?: string;
  readonly method?: string;
  readonly abort?: boolean;
  /** e.g. `2s` */
  readonly delay?: string;
};

export type IoChaosExperiment = {
  readonly kind: 'IOChaos';
  readonly action: 'latency' | 'fault';
  readonly volumePath: string;
  readonly path?: string;
  /** For latency, e.g. `100ms`. */
  readonly delay?: string;
  /** For fault, e.g. 5 (EIO). */
  readonly errno?: number;
  readonly percent?: number;
};

export type TimeChaosExperiment = {
  readonly kind: 'TimeChaos';
  /** Signed duration, e.g. `-10m`. */
  readonly timeOffset: string;
};

export type ChaosExperiment =
  | PodChaosExperiment
  | NetworkChaosExperiment
  | DnsChaosExperiment
  | StressChaosExperiment
  | HttpChaosExperiment
  | IoChaosExperiment
  | TimeChaosExperiment;

/** Safety rules this schedule is allowed to break, each on purpose. */
export interface ChaosAllowances {
  /** Target kube-system or the monitoring namespace. */
  readonly protectedNamespaces?: boolean;
  /** Mode `all`: every matching pod at once. */
  readonly modeAll?: boolean;
  /** Run while another schedule hits the same pods. */
  readonly overlap?: boolean;
}

/** An alert the experiment must set off: the chaos contract. */
export interface ChaosExpectation {
  /** The alert's name; for an SLO's burn alert, `SLOErrorBudgetBurn` (with `slo`). */
  readonly alert: string;
  /** It must fire within this time after the experiment starts. */
  readonly within: PromDuration;
  /** Receivers it must reach. @default any */
  readonly receivers?: string[];
  /**
   * The SLO (of `slos`) whose burn alert must fire: only the `SLOErrorBudgetBurn` alerts with its `slo` label count.
   * @default any alert of that name
   */
  readonly slo?: string;
  /**
   * With `slo`: which tier of its burn alert must fire, the page (critical) or the ticket (warning) one.
   * @default either
   */
  readonly tier?: 'page' | 'ticket';
}

export interface ChaosSchedule {
  readonly name: string;
  /** Namespace of the Schedule. @default the first target namespace */
  readonly namespace?: string;
  /** Cron (5 fields, or `@every 30m`, `@hourly`, `@daily`). */
  readonly schedule: string;
  readonly experiment: ChaosExperiment;
  readonly selector: ChaosSelector;
  readonly mode: ChaosMode;
  /** How long each run stays injected; required except for one-shot actions (pod-kill, container-kill). */
  readonly duration?: PromDuration;
  /** @default "Forbid" */
  readonly concurrencyPolicy?: 'Forbid' | 'Allow';
  /** @default 3 */
  readonly historyLimit?: number;
  /** @default 120 */
  readonly startingDeadlineSeconds?: number;
  /** @default false */
  readonly paused?: boolean;
  readonly allow?: ChaosAllowances;
  /** The alerts this experiment must set off. */
  readonly expects?: ChaosExpectation[];
}
