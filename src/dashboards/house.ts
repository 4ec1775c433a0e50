// The house style of every dashboard: datasource and cluster variables, Prometheus queries through the
// datasource variable, and panel presets (timeseries, stat, table) with units and thresholds.
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, RowBuilder, ThresholdsConfigBuilder, ThresholdsMode,
  VariableRefresh, VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

export { DashboardBuilder, RowBuilder };

/** Every panel reads from the datasource the `datasource` variable selects (default: the stack's Prometheus). */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** The selector every query carries, so that one Grafana can show several clusters. */
export const CLUSTER = 'cluster="$cluster"';

export interface DashboardOptions {
  readonly uid: string;
  readonly title: string;
  readonly tags?: string[];
  readonly description?: string;
  /** Extra variables after datasource and cluster, e.g. namespace, pod, node. */
  readonly variables?: QueryVariableBuilder[];
  /** The cluster variable selects several clusters (and All): for dashboards that compare clusters, whose queries match `cluster=~"$cluster"`. */
  readonly multiCluster?: boolean;
}

/** A dashboard with the house defaults and the two variables every dashboard has: datasource and cluster. */
export function dashboard(options: DashboardOptions): DashboardBuilder {
  const builder = new DashboardBuilder(options.title)
    .uid(options.uid)
    .tags(['cdk8s-o11y', ...(options.tags ?? [])])
    .editable()
    .readonly()
    .timezone('browser')
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(labelVariable('cluster', 'up', 'Cluster', false, '', options.multiCluster));
  if (options.description) builder.description(options.description);
  for (const variable of options.variables ?? []) builder.withVariable(variable);
  return builder;
}

/**
 * A variable listing the values of a label: `label_values(<metric>{cluster="$cluster"}, <label>)`.
 * @param filter further matchers, e.g. `namespace="$namespace"`
 */
export function labelVariable(name: string, metric: string, label: string, filtered = true, filter = '', includeAll = false): QueryVariableBuilder {
  const selector = [filtered ? CLUSTER : '', filter].filter(Boolean).join(', ');
  const variable = new QueryVariableBuilder(name)
    .label(label)
    .query(`label_values(${metric}${selector ? `{${selector}}` : ''}, ${name})`)
    .datasource(DATASOURCE)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
  return includeAll ? variable.includeAll(true).multi(true) : variable;
}

/** A Prometheus query; `legend` uses Grafana's `{{label}}` syntax. */
export function query(expr: string, legend?: string, refId = 'A'): DataqueryBuilder {
  const q = new DataqueryBuilder().expr(expr).refId(refId).datasource(DATASOURCE);
  return legend ? q.legendFormat(legend) : q;
}

/** A timeseries panel: one or more queries, a unit, legend as a table with last and max. */
export function timeseries(title: string, unit: string, ...queries: DataqueryBuilder[]): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).showLegend(true).calcs(['lastNotNull', 'max']))
    .height(8)
    .span(12);
  queries.forEach((q, i) => panel.withTarget(q.refId(String.fromCharCode(65 + i))));
  return panel;
}

/** A single-value panel; `thresholds` are [value, color] steps above the base (green). */
export function stat(title: string, unit: string, q: DataqueryBuilder, thresholds: Array<[number, string]> = []): StatPanel {
  return new StatPanel()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .withTarget(q.instant())
    .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'green' }, ...thresholds.map(([value, color]) => ({ value, color }))]))
    .height(4)
    .span(4);
}

/** A table of instant queries, merged by their labels. */
export function table(title: string, ...queries: DataqueryBuilder[]): TablePanel {
  const panel = new TablePanel().title(title).datasource(DATASOURCE).height(10).span(24);
  queries.forEach((q, i) => panel.withTarget(q.refId(String.fromCharCode(65 + i)).instant().format(PromQueryFormat.Table)));
  return panel;
}
