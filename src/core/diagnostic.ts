/** A finding of an analyzer: errors stop the synth, warnings are printed and kept in the summary. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** Stable identifier, e.g. `promql/unknown-metric`. */
  readonly code: string;
  /** Where: the component, the object and the rule, e.g. `node-exporter/node-exporter-rules › node-exporter › NodeClockSkewDetected`. */
  readonly where: string;
  readonly message: string;
  readonly fix?: string;
}
