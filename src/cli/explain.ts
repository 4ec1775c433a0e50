// `o11y explain <alert> [stack]`: everything the stack knows about one alert, read from the model of the final
// objects (what is written), so the answer holds after patches and customize steps.
import { routingInput } from '../analyze/model';
import { matches, parseMatcher, type ParsedMatcher } from '../alerting/matchers';
import { operatorRouting } from '../alerting/operator-routing';
import { routeLabels } from '../analyze/routing';
import { StackError } from '../core/problems';
import { closestNames } from '../core/suggest';
import { allPanels } from '../dashboards/model';
import type { StackModel } from '../model/stack-model';
import { parsePromQL } from '../promql/parse';
import { sloTestCases } from '../rules/slo';
import { isAlert, type AlertDefinition, type AlertOverride } from '../rules/types';
import { testCasesOf } from '../rules/unit-tests';
import type { Route } from '../alerting/types';
import { renderStacks, stackFilesFor } from './stacks';

export interface ExplainOptions {
  /** Print ExplainJson instead of text. */
  readonly json?: boolean;
}

/** Where one alert with these labels goes: the receivers, in order, and the labels assumed to get there. */
export interface AlertRouting {
  /** Labels the alert's expression may or may not carry, given a value here to follow the routes that match on them. */
  readonly assumed: Record<string, string>;
  /** Every label the route was followed with: alertname, severity, the rule's static labels, Prometheus' external labels, the assumed ones. */
  readonly labels: Record<string, string>;
  readonly receivers: string[];
}

/** An inhibit rule of Alertmanager that can hold the alert back while its source alerts fire. */
export interface AlertInhibition {
  readonly sourceMatchers: string[];
  readonly targetMatchers: string[];
  readonly equal: string[];
  /** `certain`: every target matcher matches labels the alert is known to carry; `possible`: depends on labels only known at run time. */
  readonly match: 'certain' | 'possible';
}

/** One rule of that name (an alert name may have variants: one warning, one critical). */
export interface AlertVariant {
  readonly component: string;
  readonly prometheusRule: { readonly namespace: string | undefined; readonly name: string; readonly file: string };
  readonly group: string;
  /** `catalogue`, `rules.groups`, `rules.files`, `applications` or `slos`. */
  readonly origin: string;
  readonly expr: string;
  readonly for: string | undefined;
  readonly severity: string;
  readonly labels: Record<string, string>;
  /** Fields of the component's `thresholds` the alert was built with: named after the alert and found in its expression or `for`. */
  readonly thresholds: Array<{ readonly field: string; readonly value: unknown }>;
  /** `rules.overrides.<alert>` of the values, when set (overrides made in code by `rules.override()` show in the fields above only). */
  readonly override: AlertOverride | undefined;
  readonly tests: { readonly count: number; readonly names: string[] };
  /** Empty when the stack has no Alertmanager configuration. */
  readonly routing: AlertRouting[];
  readonly inhibitions: AlertInhibition[];
}

/** `o11y explain --json`, per stack that has the alert. Fields are only ever added. */
export interface ExplainJson {
  readonly stack: string;
  readonly source: string;
  readonly alert: string;
  readonly variants: AlertVariant[];
  /** Chaos Schedules whose contract expects the alert. */
  readonly chaos: Array<{ readonly schedule: string; readonly within: string; readonly receivers: string[] | 'any' }>;
  /** Dashboard panels whose query names the alert. */
  readonly dashboards: Array<{ readonly uid: string; readonly title: string; readonly panel: string }>;
}

const USER_ORIGINS: Record<string, string> = { applications: 'applications', slos: 'slos' };
const UNIT_WORDS = new Set(['warning', 'critical', 'info', 'percent', 'ratio', 'for', 'hours', 'seconds', 'minutes', 'bytes', 'count', 'threshold', 'min', 'max']);

const words = (name: string): string[] => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
const camel = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Thresholds of the component named like the alert (every significant word of the field is in the alert's name) whose value it uses. */
function thresholdsOf(model: StackModel, component: string, alert: AlertDefinition): AlertVariant['thresholds'] {
  const values = (model.values as unknown as Record<string, { thresholds?: Record<string, unknown> } | undefined>)[camel(component)];
  const alertWords = new Set(words(alert.alert));
  const used = new Set([...(alert.expr.match(/[0-9]+(?:\.[0-9]+)?(?:[smhdwy]\b)?/g) ?? []), ...(alert.for ? [alert.for] : [])]);
  return Object.entries(values?.thresholds ?? {})
    .filter(([field, value]) => {
      const significant = words(field).filter((w) => !UNIT_WORDS.has(w));
      return significant.length > 0 && significant.every((w) => alertWords.has(w)) && used.has(String(value));
    })
    .map(([field, value]) => ({ field, value }));
}

/** Whether the expression's result may carry the label (exactly known labels aside). */
function mayCarry(expr: string, label: string): boolean {
  const result = parsePromQL(expr).resultLabels;
  if (!result || result.kind === 'open') return !result || result.added.has(label) || !result.removed.has(label);
  return result.kind === 'closed' && result.labels.has(label);
}

const parsedAll = (texts: readonly string[] | undefined): ParsedMatcher[] => (texts ?? []).map((t) => parseMatcher(t)).filter((m): m is ParsedMatcher => m !== undefined);

function routesOf(route: Route): Route[] {
  return [route, ...(route.routes ?? []).flatMap(routesOf)];
}

/** The alert's routes: with its known labels, and, where routes match on `namespace` and the alert may carry one, once per namespace named. */
function routingOf(model: StackModel, known: Record<string, string>, expr: string): AlertRouting[] {
  const input = routingInput(model);
  if (!input || !model.alerting) return [];
  const route = operatorRouting(input, model.alerting.namespace).route;
  const follow = (assumed: Record<string, string>): AlertRouting => {
    const labels = { ...known, ...assumed };
    return { assumed, labels, receivers: routeLabels(route, labels) };
  };
  const namespaces = known.namespace !== undefined || !mayCarry(expr, 'namespace')
    ? []
    : [...new Set(routesOf(route).flatMap((r) => parsedAll(r.matchers)).filter((m) => m.name === 'namespace' && m.matchType === '=').map((m) => m.value))].sort();
  return [follow({}), ...namespaces.map((namespace) => follow({ namespace }))];
}

function inhibitionsOf(model: StackModel, known: Record<string, string>, expr: string): AlertInhibition[] {
  const input = routingInput(model);
  if (!input || !model.alerting) return [];
  return operatorRouting(input, model.alerting.namespace).inhibitRules.flatMap((rule) => {
    let certain = true;
    for (const m of parsedAll(rule.targetMatchers)) {
      const value = known[m.name];
      if (value !== undefined || !mayCarry(expr, m.name)) {
        if (!matches(m, value ?? '')) return [];
      } else certain = false;
    }
    return [{ sourceMatchers: [...rule.sourceMatchers], targetMatchers: [...rule.targetMatchers], equal: [...rule.equal], match: certain ? 'certain' : 'possible' } as const];
  });
}

/** The explanation of one alert in one stack, or undefined when the stack has no alert of that name. */
export function explainAlert(model: StackModel, alertName: string): ExplainJson | undefined {
  const labelsOfPrometheus = model.prometheus?.alertLabels ?? {};
  const userGroups = new Set((model.values.rules.groups ?? []).map((g) => g.name));
  const variants: AlertVariant[] = [];
  for (const source of model.rules) {
    const object = model.objects.find((o) => o.component === source.component && o.manifest.kind === 'PrometheusRule' && o.manifest.metadata.name === source.objectName);
    for (const group of source.groups) {
      for (const alert of group.rules.filter(isAlert).filter((r) => r.alert === alertName)) {
        const origin = source.component === 'rules' ? (userGroups.has(group.name) ? 'rules.groups' : 'rules.files') : USER_ORIGINS[source.component] ?? 'catalogue';
        const known = { ...labelsOfPrometheus, ...alert.labels, severity: alert.severity, alertname: alert.alert };
        const sameVariant = (check: { alert: string; rule?: AlertDefinition }) => check.alert === alertName && (!check.rule || check.rule.severity === alert.severity);
        const tests = [
          ...model.values.rules.tests.filter((t) => t.expect.some((e) => e.alert === alertName)).map((t) => t.name),
          ...testCasesOf([{ ...group, rules: [alert] }]).map((c) => c.name),
          ...(source.component === 'slos' ? sloTestCases(model.values.slos, model.rules).filter((c) => c.checks.some(sameVariant)).map((c) => c.name) : []),
        ];
        const uniqueTests = [...new Set(tests)];
        variants.push({
          component: source.component,
          prometheusRule: { namespace: object?.manifest.metadata.namespace, name: source.objectName, file: `${model.name}/${source.component}/PrometheusRule-${source.objectName}.yaml` },
          group: group.name,
          origin,
          expr: alert.expr,
          for: alert.for,
          severity: alert.severity,
          labels: alert.labels ?? {},
          thresholds: thresholdsOf(model, source.component, alert),
          override: model.values.rules.overrides?.[alertName],
          tests: { count: uniqueTests.length, names: uniqueTests },
          routing: routingOf(model, known, alert.expr),
          inhibitions: inhibitionsOf(model, known, alert.expr),
        });
      }
    }
  }
  if (!variants.length) return undefined;
  const named = new RegExp(`\\b${alertName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  return {
    stack: model.name,
    source: model.source,
    alert: alertName,
    variants,
    chaos: model.chaos.flatMap((s) => (s.expects ?? []).filter((e) => e.alert === alertName).map((e) => ({ schedule: s.name, within: e.within, receivers: e.receivers ?? 'any' as const }))),
    dashboards: model.dashboards.flatMap((d) => allPanels(d.json)
      // A negative matcher (`alertname!="Watchdog"`) hides the alert: not a panel that shows it.
      .filter((p) => (p.targets ?? []).some((t) => typeof t.expr === 'string' && named.test(t.expr.replace(/\w+\s*!~?\s*"(?:[^"\\]|\\.)*"/g, ''))))
      .map((p) => ({ uid: String(d.json.uid), title: String(d.json.title ?? ''), panel: String(p.title ?? '') }))),
  };
}

/** Every alert name of a stack, for "did you mean". */
function alertNames(model: StackModel): string[] {
  return [...new Set(model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert))))].sort();
}

const list = (items: readonly string[]) => (items.length ? items.join(', ') : 'none');
const labelText = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ');

export function explanationText(e: ExplainJson): string {
  const lines = [`alert ${e.alert} in stack ${e.stack} (${e.source}): ${e.variants.length} rule${e.variants.length === 1 ? '' : 's'}`];
  for (const v of e.variants) {
    lines.push(
      '',
      `${v.severity}: component ${v.component}, PrometheusRule ${v.prometheusRule.namespace ? `${v.prometheusRule.namespace}/` : ''}${v.prometheusRule.name} (${v.prometheusRule.file}), group ${v.group}, from ${v.origin}`,
      `  expr:        ${v.expr.trim().split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}`,
      `  for:         ${v.for ?? 'none (fires at once)'}`,
      `  labels:      ${labelText(v.labels) || 'none'}`,
      `  thresholds:  ${v.thresholds.length ? v.thresholds.map((t) => `${v.component} thresholds.${t.field} = ${JSON.stringify(t.value)}`).join(', ') : 'none known'}`,
      `  override:    ${v.override ? `rules.overrides.${e.alert} = ${JSON.stringify(v.override)}` : 'none in the values'}`,
      `  tests:       ${v.tests.count}${v.tests.count ? `: ${v.tests.names.join(', ')}` : ''}`,
    );
    if (!v.routing.length) lines.push('  routing:     the stack has no Alertmanager configuration');
    for (const r of v.routing) {
      const assumed = Object.keys(r.assumed).length ? `assuming ${labelText(r.assumed)}` : 'with its known labels';
      lines.push(`  routes to:   ${list(r.receivers)}  (${assumed}: ${labelText(r.labels)})`);
    }
    lines.push(`  inhibited by: ${v.inhibitions.length ? '' : 'no inhibit rule'}`);
    for (const i of v.inhibitions) lines.push(`    source {${i.sourceMatchers.join(', ')}} target {${i.targetMatchers.join(', ')}} equal [${i.equal.join(', ')}] (${i.match})`);
  }
  lines.push('', `chaos schedules expecting it: ${e.chaos.length ? e.chaos.map((c) => `${c.schedule} (within ${c.within}, receivers ${c.receivers === 'any' ? 'any' : c.receivers.join(', ')})`).join('; ') : 'none'}`);
  lines.push(`dashboards showing it: ${e.dashboards.length ? e.dashboards.map((d) => `${d.title} (${d.uid}) › ${d.panel}`).join('; ') : 'none'}`);
  return lines.join('\n');
}

/** `o11y explain <alert> [stack]`: explains the alert in each stack that has it; an unknown name fails with the closest ones. */
export function explainCommand(alert: string, stack: string | undefined, options: ExplainOptions): void {
  const stacks = renderStacks(stackFilesFor(stack ? [stack] : []));
  const found = stacks.flatMap((s) => explainAlert(s.model, alert) ?? []);
  if (!found.length) {
    const names = [...new Set(stacks.flatMap((s) => alertNames(s.model)))];
    const near = closestNames(alert, names, 3);
    throw new StackError(stacks.map((s) => s.name).join(', '), [{
      field: 'alert',
      message: `no alert is named '${alert}'`,
      fix: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : `the stack's alerts are listed in SUMMARY.md (${names.length} alerts)`,
    }]);
  }
  if (options.json) console.log(JSON.stringify(found, null, 2));
  else console.log(found.map(explanationText).join('\n\n'));
}
