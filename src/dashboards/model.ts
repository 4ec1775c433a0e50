// Dashboards as values: Grafana's JSON model, with the folder it belongs in and the component that owns it.
import type { DashboardBuilder } from './house';

export interface DashboardPanel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly targets?: Array<Record<string, unknown> & { readonly expr?: string }>;
  readonly panels?: DashboardPanel[];
  readonly [field: string]: unknown;
}

/** Grafana's dashboard JSON. */
export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels?: DashboardPanel[];
  readonly [field: string]: unknown;
}

export interface Dashboard {
  readonly json: DashboardJson;
  /** Grafana folder. */
  readonly folder: string;
  /** Component that owns it (its output folder). */
  readonly component: string;
  /** Where it came from, for messages: `built-in` or the file. */
  readonly origin: string;
}

/** Every panel, rows' collapsed panels included, in order. */
export function allPanels(json: DashboardJson): DashboardPanel[] {
  return (json.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** The JSON of a built dashboard, with panel ids numbered in order (Grafana needs them unique). */
export function buildDashboard(builder: DashboardBuilder): DashboardJson {
  const json = JSON.parse(JSON.stringify(builder.build())) as DashboardJson & { panels?: Array<DashboardPanel & { id?: number }> };
  let id = 1;
  const number = (panels: DashboardPanel[] | undefined): DashboardPanel[] | undefined =>
    panels?.map((p) => ({ ...p, id: id++, ...(p.panels ? { panels: number(p.panels) } : {}) }));
  return { ...json, panels: number(json.panels) };
}

/** Keys sorted at every level: the same dashboard is always the same bytes, and diffs stay small. */
export function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]));
}

export function dashboardText(json: DashboardJson): string {
  return `${JSON.stringify(sortedJson(json), null, 2)}\n`;
}
