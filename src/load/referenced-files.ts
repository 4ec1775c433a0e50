import type { StackValues } from '../values/stack-values';
import type { ReferencedFiles } from '../values/referenced-files';
import { loadCrdFiles } from './crd-files';
import { loadDashboardFiles } from './dashboard-files';
import { loadRuleFiles } from './rule-files';

/** Only a list of strings names files; anything else is left for the values check to name. */
function entries(value: unknown): string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : [];
}

/** Reads every file a stack's values name, relative to the stack file's folder. Throws a StackError naming the field. */
export function loadReferencedFiles(values: StackValues, baseDir: string, stackName: string): ReferencedFiles {
  return {
    ruleGroups: loadRuleFiles(entries(values.rules?.files), baseDir, stackName),
    dashboards: values.grafana?.enabled === false ? [] : loadDashboardFiles(entries(values.grafana?.dashboardFiles), baseDir, stackName),
    crds: loadCrdFiles(entries(values.crds?.paths), baseDir, stackName),
  };
}
