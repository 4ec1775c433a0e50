// Presets of the catalogue's overview dashboards: tables that merge instant queries by their labels, and links
// from a table cell to the dashboard that shows that one namespace, pod, workload or node.
import type { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { query, table } from '../house';

/** One column of a merged table: an instant query, the column's header and unit. */
export interface TableColumn {
  readonly header: string;
  readonly expr: string;
  readonly unit: string;
}

/** A field override: what a table column's cell links to. */
export interface DrillDownLink {
  readonly id: 'links';
  readonly value: Array<{ title: string; url: string }>;
}

/**
 * A link to another dashboard that keeps the data source and the given variables (`${x:queryparam}`) and sets
 * others from the row (`var-pod=${__value.raw}`).
 * @param keep the variables carried over as they are
 */
export function drillDown(title: string, uid: string, params: string, keep: readonly string[] = ['datasource', 'cluster']): DrillDownLink {
  const carried = keep.map((name) => `\${${name}:queryparam}`);
  return { id: 'links', value: [{ title, url: `/d/${uid}?${[...carried, params].filter(Boolean).join('&')}` }] };
}

/**
 * A table with one row per value of the `by` labels and one column per query: every query must aggregate to
 * exactly those labels. The time column is hidden, label columns come first under their headers, and `links`
 * makes the cells of a column (by its header) link elsewhere.
 */
export function mergedTable(title: string, by: Array<[label: string, header: string]>, columns: TableColumn[], links: Record<string, DrillDownLink> = {}): TablePanel {
  const panel = table(title, ...columns.map((c) => query(c.expr)));
  const ref = (i: number) => `Value #${String.fromCharCode(65 + i)}`;
  const renameByName: Record<string, string> = Object.fromEntries(by);
  const indexByName: Record<string, number> = Object.fromEntries(by.map(([label], i) => [label, i]));
  columns.forEach((c, i) => {
    renameByName[ref(i)] = c.header;
    indexByName[ref(i)] = by.length + i;
  });
  panel
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true }, indexByName, renameByName } });
  columns.forEach((c) => panel.overrideByName(c.header, [{ id: 'unit', value: c.unit }]));
  for (const [header, link] of Object.entries(links)) panel.overrideByName(header, [link]);
  return panel;
}

/** `part / whole` as a column, for shares such as usage of requests (both aggregate alike). */
export function ratioColumn(header: string, part: string, whole: string): TableColumn {
  return { header, expr: `${part}\n/ ${whole}`, unit: 'percentunit' };
}

/** Usage, requests and limits of one resource, and usage as a share of each (the expressions aggregate alike). */
export function usageColumns(name: string, unit: string, usage: string, requests: string, limits: string): TableColumn[] {
  return [
    { header: `${name} usage`, expr: usage, unit },
    { header: `${name} requests`, expr: requests, unit },
    ratioColumn(`${name} requests %`, usage, requests),
    { header: `${name} limits`, expr: limits, unit },
    ratioColumn(`${name} limits %`, usage, limits),
  ];
}
