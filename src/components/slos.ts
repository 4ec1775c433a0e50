import type { Construct } from 'constructs';
import { slosDashboard } from '../dashboards/catalogue/slos';
import { parsePromQL } from '../promql/parse';
import { sloMetricNames, sloRuleGroup } from '../rules/slo';
import type { SloValues } from '../rules/slo-types';
import { Component, type ComponentProps } from './component';

export interface SlosProps extends ComponentProps {
  /**
   * The SLOs, checked beforehand (values/validate.ts).
   * @default []
   */
  readonly slos?: readonly SloValues[];
}

/**
 * The stack's SLOs: one rule group each (error ratios per window, the page and ticket burn alerts) in the
 * PrometheusRule `slo-rules`, and the SLO dashboard. It runs nothing: the metrics are the user's services'.
 */
export class Slos extends Component {
  constructor(scope: Construct, id: string, props: SlosProps) {
    super(scope, id, props);
    const slos = props.slos ?? [];
    this.addRules('slo-rules', slos.map(sloRuleGroup));
    if (slos.length) this.addDashboards('SLOs', [slosDashboard(slos)]);
    // The services' own metrics: known to the PromQL analyzer, as rules.knownMetrics would make them.
    this.declareMetrics(slos.flatMap((slo) => sloMetricNames(slo, (expr) => parsePromQL(expr).metrics.map((m) => m.name))));
  }
}
