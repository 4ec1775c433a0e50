// Dashboards exported from Grafana (JSON), checked and normalized to the house conventions.
import type { StackProblem } from '../core/problems';
import { DATASOURCE, labelVariable } from './house';
import { allPanels, type DashboardJson } from './model';

const UID = /^[a-zA-Z0-9_-]{1,40}$/;
/** What an export carries that a provisioned dashboard must not: import inputs, database ids, versions. */
const EXPORT_ONLY_FIELDS = ['__inputs', '__elements', '__requires', 'id', 'version', 'iteration'];
const PANELS_WITHOUT_QUERIES = new Set(['row', 'text', 'news', 'dashlist', 'alertlist', 'annolist']);

/** Prometheus datasource references of any form (name, uid, `${DS_PROMETHEUS}`) become the datasource variable. */
function normalizeDatasources(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeDatasources);
  if (typeof node !== 'object' || node === null) return node;
  const object = node as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'datasource' && isPrometheusReference(value)) result[key] = { ...DATASOURCE };
    else if (key === 'templating') result[key] = value;
    else result[key] = normalizeDatasources(value);
  }
  return result;
}

function isPrometheusReference(value: unknown): boolean {
  if (typeof value === 'string') return value === '' || /prometheus|^\$\{?DS_/i.test(value) || value === '${datasource}';
  if (typeof value === 'object' && value !== null) {
    const ref = value as { type?: unknown; uid?: unknown };
    return ref.type === 'prometheus' || (ref.type === undefined && typeof ref.uid === 'string' && /^\$\{?DS_|prometheus/i.test(ref.uid));
  }
  return false;
}

/**
 * Checks an exported dashboard (title, uid, panels, queries) and normalizes it: datasources to the datasource
 * variable, the datasource and cluster variables added when missing, export-only fields dropped.
 */
export function normalizeDashboard(raw: unknown, where: string): { json?: DashboardJson; problems: StackProblem[] } {
  const problems: StackProblem[] = [];
  const fail = (message: string, fix: string) => problems.push({ field: where, message, fix });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('is not a dashboard (a JSON object)', 'export it from Grafana with "Export > Export as JSON"');
    return { problems };
  }
  const input = raw as Record<string, unknown>;
  if (typeof input.title !== 'string' || input.title.trim() === '') fail('has no title', 'set "title"');
  if (typeof input.uid !== 'string' || !UID.test(input.uid)) fail(`has ${input.uid === undefined ? 'no uid' : `uid ${JSON.stringify(input.uid)}, which is not valid`}`, 'set "uid" to 1-40 letters, digits, "-" or "_", unique across your dashboards');
  if (!Array.isArray(input.panels) || input.panels.length === 0) fail('has no panels', 'export a dashboard with at least one panel');
  if (problems.length) return { problems };

  const normalized = normalizeDatasources(Object.fromEntries(Object.entries(input).filter(([k]) => !EXPORT_ONLY_FIELDS.includes(k)))) as DashboardJson;
  for (const panel of allPanels(normalized)) {
    if (PANELS_WITHOUT_QUERIES.has(panel.type ?? '')) continue;
    if (!panel.targets?.length) problems.push({ field: `${where} › panel '${panel.title ?? '(untitled)'}'`, message: 'has no queries', fix: 'add a query or remove the panel' });
  }
  const templating = (normalized.templating as { list?: Array<{ name?: string }> } | undefined)?.list ?? [];
  const names = new Set(templating.map((v) => v.name));
  const added = [
    ...(names.has('datasource') ? [] : [{ type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus' }]),
    ...(names.has('cluster') ? [] : [JSON.parse(JSON.stringify(labelVariable('cluster', 'up', 'Cluster', false).build())) as Record<string, unknown>]),
  ];
  return { json: { ...normalized, templating: { list: [...added, ...templating] } }, problems };
}
