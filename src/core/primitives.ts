// Units and primitives every layer shares. Plain data: the values schema is generated from these types too.

/** A Kubernetes quantity, e.g. `100m`, `1`, `256Mi`. */
export type Quantity = string;

/** A Prometheus duration, e.g. `30s`, `15d`, `1h30m`. */
export type PromDuration = string;

export interface ResourceAmounts {
  readonly cpu?: Quantity;
  readonly memory?: Quantity;
}

/** Container resources. Requests are always set; limits default to memory only (CPU limits throttle). */
export interface ResourceValues {
  readonly requests?: ResourceAmounts;
  readonly limits?: ResourceAmounts;
}

/** A key of a Kubernetes Secret. Credentials are only ever referenced, never written into the stack. */
export interface SecretKeyRef {
  /** Name of the Secret, in the stack's namespace. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}

export interface ImageRef {
  /** e.g. `quay.io/prometheus/prometheus` */
  readonly repository?: string;
  /** e.g. `v3.5.0`; also feeds the `app.kubernetes.io/version` label. */
  readonly tag?: string;
  /**
   * e.g. `sha256:…`: the image is then pulled by digest (`repository:tag@sha256:…`), so a re-pushed tag cannot change
   * what runs. `o11y synth --strict` warns about every image without one.
   * @default none: pulled by tag
   */
  readonly digest?: string;
}

/** `none` is for Watchdog and InfoInhibitor, which exist to be routed, not to page. */
export type Severity = 'critical' | 'warning' | 'info' | 'none';

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: unknown;
}
