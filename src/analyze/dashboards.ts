// Every panel query of every dashboard, through the same PromQL checks as the rules.
import type { Dashboard } from '../dashboards/model';
import { allPanels } from '../dashboards/model';
import { closestNames } from '../core/suggest';
import type { Diagnostic } from '../core/diagnostic';
import { parsePromQL } from '../promql/parse';

/** Grafana's variables, replaced by values PromQL accepts, so that the expression can be parsed. */
export function withoutVariables(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '5m')
    .replace(/\$__interval|\$\{__interval\}|\$__range|\$\{__range\}/g, '1m')
    .replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::[a-z]+)?\}|\$[A-Za-z_][A-Za-z0-9_]*/g, 'x');
}

export function analyzeDashboards(dashboards: readonly Dashboard[], knownMetrics: ReadonlySet<string>, strict: boolean): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const known = [...knownMetrics];
  for (const dashboard of dashboards) {
    for (const panel of allPanels(dashboard.json)) {
      const where = `dashboard '${dashboard.json.title}' › panel '${panel.title ?? '(untitled)'}'`;
      for (const target of panel.targets ?? []) {
        if (typeof target.expr !== 'string' || target.expr.trim() === '') continue;
        const parsed = parsePromQL(withoutVariables(target.expr));
        for (const error of parsed.syntaxErrors) {
          diagnostics.push({ severity: 'error', code: 'promql/syntax', where, message: `syntax error at column ${error.column}, near '${error.near}': ${target.expr}`, fix: 'check brackets, quotes and operators at that column' });
        }
        if (parsed.syntaxErrors.length) continue;
        for (const name of new Set(parsed.metrics.map((m) => m.name))) {
          if (knownMetrics.has(name)) continue;
          const [near] = closestNames(name, known, 1);
          diagnostics.push({
            severity: strict ? 'error' : 'warning',
            code: 'promql/unknown-metric',
            where,
            message: `metric '${name}' is produced by no component of the stack and no recording rule`,
            fix: `${near ? `did you mean '${near}'? ` : ''}if your own targets expose it, add it to rules.knownMetrics`,
          });
        }
      }
    }
  }
  return diagnostics;
}
