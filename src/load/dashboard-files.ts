// Dashboards a stack picks up (`grafana.dashboardFiles`): JSON exports from Grafana, and TypeScript modules.
import * as fs from 'fs';
import * as path from 'path';
import { StackError, type StackProblem } from '../core/problems';
import { prepareModuleLoading } from './module-hooks';
import { DashboardBuilder } from '../dashboards/house';
import { buildDashboard, type DashboardJson } from '../dashboards/model';
import { normalizeDashboard } from '../dashboards/normalize';

function filesOf(entry: string): string[] {
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs.readdirSync(entry).filter((f) => /\.(json|ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort().map((f) => path.join(entry, f));
}

function fromModule(file: string, where: string, problems: StackProblem[]): DashboardJson[] {
  prepareModuleLoading(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = (require(file) as { default?: unknown }).default;
  return (Array.isArray(exported) ? exported : [exported]).flatMap((item, i) => {
    if (item instanceof DashboardBuilder || (typeof item === 'object' && item !== null && typeof (item as DashboardBuilder).build === 'function')) {
      return [buildDashboard(item as DashboardBuilder)];
    }
    const { json, problems: found } = normalizeDashboard(item, `${where}: default export[${i}]`);
    problems.push(...found);
    return json ? [json] : [];
  });
}

function fromJson(file: string, where: string, problems: StackProblem[]): DashboardJson[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push({ field: where, message: `is not valid JSON: ${(error as Error).message}` });
    return [];
  }
  const { json, problems: found } = normalizeDashboard(raw, where);
  problems.push(...found);
  return json ? [json] : [];
}

/** Loads every dashboard file a stack names; every problem of every file is reported at once. */
export function loadDashboardFiles(entries: readonly string[], baseDir: string, stackName: string): DashboardJson[] {
  const dashboards: DashboardJson[] = [];
  const problems: StackProblem[] = [];
  entries.forEach((entry, i) => {
    const field = `grafana.dashboardFiles[${i}]`;
    const resolved = path.resolve(baseDir, entry);
    if (!fs.existsSync(resolved)) {
      problems.push({ field, message: `'${entry}' does not exist`, fix: 'give a dashboard file (.json, .ts) or folder, relative to the stack file' });
      return;
    }
    for (const file of filesOf(resolved)) {
      const where = `${field} (${path.basename(file)})`;
      dashboards.push(...(file.endsWith('.json') ? fromJson(file, where, problems) : fromModule(file, where, problems)));
    }
  });
  if (problems.length) throw new StackError(stackName, problems);
  return dashboards;
}
