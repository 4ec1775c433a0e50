import type { StackProblem } from '../core/problems';
import { closestNames } from '../core/suggest';
import { checkPromDuration } from '../core/checks';
import { isAlert, type RuleDefinition, type RuleGroupDefinition } from './types';
import type { AlertOverride } from './types';
import type { Severity } from '../core/primitives';

/** The groups one PrometheusRule object holds, and who owns it. */
export interface RuleSource {
  readonly component: string;
  /** Name of the PrometheusRule object. */
  readonly objectName: string;
  readonly groups: readonly RuleGroupDefinition[];
}

/** Where `RuleSet.addGroup` puts the user's groups: the PrometheusRule of the user-rules component. */
export const USER_RULES = { component: 'rules', objectName: 'custom-rules' } as const;

export interface RuleSetOptions {
  readonly disable: readonly string[];
  readonly overrides: Readonly<Record<string, AlertOverride>>;
  readonly extraLabels: Readonly<Record<string, string>>;
}

/**
 * Every rule of the stack, gathered from the components (the mixin idea), with the stack's changes on top:
 * alerts or groups disabled by name, per-alert overrides, labels added to every rule.
 */
export class RuleSet {
  private readonly sources: RuleSource[] = [];
  private readonly disabled = new Map<string, string>();
  private readonly overrides = new Map<string, { override: AlertOverride; origin: string }>();
  private readonly extraLabels: Record<string, string>;

  constructor(options: RuleSetOptions) {
    options.disable.forEach((name, i) => this.disabled.set(name, `rules.disable[${i}]`));
    for (const [name, override] of Object.entries(options.overrides)) this.overrides.set(name, { override, origin: `rules.overrides.${name}` });
    this.extraLabels = { ...options.extraLabels };
  }

  add(source: RuleSource): void {
    this.sources.push(source);
  }

  /**
   * Adds a rule group of your own, next to those of `rules.groups` and `rules.files`: into the user-rules
   * PrometheusRule (`rules/PrometheusRule-custom-rules.yaml`). A group name already used in the stack is rejected:
   * Prometheus loads all groups side by side.
   */
  addGroup(group: RuleGroupDefinition): void {
    const owner = this.sources.find((s) => s.groups.some((g) => g.name === group.name));
    if (owner) throw new Error(`rules.addGroup('${group.name}'): a group of that name is already in ${owner.component}/${owner.objectName}; give the group another name`);
    const withArea = { runbookArea: 'custom', ...group };
    const index = this.sources.findIndex((s) => s.component === USER_RULES.component && s.objectName === USER_RULES.objectName);
    if (index < 0) this.sources.push({ ...USER_RULES, groups: [withArea] });
    else this.sources[index] = { ...this.sources[index], groups: [...this.sources[index].groups, withArea] };
  }

  /** Leaves out an alert, recording rule or whole group, by name. */
  disable(name: string): void {
    this.disabled.set(name, `rules.disable('${name}')`);
  }

  /** Changes an alert's severity, `for`, labels or annotations. */
  override(alert: string, override: AlertOverride): void {
    const previous = this.overrides.get(alert)?.override ?? {};
    this.overrides.set(alert, { override: { ...previous, ...override }, origin: `rules.override('${alert}')` });
  }

  /** Every source with the stack's changes applied. */
  effective(): RuleSource[] {
    return this.sources.map((source) => ({ ...source, groups: this.apply(source.groups) })).filter((s) => s.groups.length > 0);
  }

  effectiveGroups(objectName: string): RuleGroupDefinition[] {
    return this.effective().find((s) => s.objectName === objectName)?.groups.slice() ?? [];
  }

  /** Overrides and disables that name nothing, with the closest existing names. */
  problems(): StackProblem[] {
    const groupNames = this.sources.flatMap((s) => s.groups.map((g) => g.name));
    const ruleNames = this.sources.flatMap((s) => s.groups.flatMap((g) => g.rules.map(nameOf)));
    const alertNames = this.sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((r) => r.alert)));
    const problems: StackProblem[] = [];
    for (const [name, origin] of this.disabled) {
      if (!groupNames.includes(name) && !ruleNames.includes(name)) {
        problems.push({ field: origin, message: `no rule or group is named '${name}'`, fix: suggestion(name, [...groupNames, ...ruleNames]) });
      }
    }
    for (const [name, { override, origin }] of this.overrides) {
      if (!alertNames.includes(name)) problems.push({ field: origin, message: `no alert is named '${name}'`, fix: suggestion(name, alertNames) });
      const duration = checkPromDuration(override.for, `${origin}.for`);
      if (duration) problems.push(duration);
    }
    return problems;
  }

  private apply(groups: readonly RuleGroupDefinition[]): RuleGroupDefinition[] {
    return groups
      .filter((group) => !this.disabled.has(group.name))
      .map((group) => ({ ...group, rules: group.rules.filter((r) => !this.disabled.has(nameOf(r))).map((r) => this.applyToRule(r)) }))
      .filter((group) => group.rules.length > 0);
  }

  private applyToRule(rule: RuleDefinition): RuleDefinition {
    const labels = { ...this.extraLabels, ...rule.labels };
    if (!isAlert(rule)) return Object.keys(labels).length ? { ...rule, labels } : rule;
    const override = this.overrides.get(rule.alert)?.override;
    return {
      ...rule,
      severity: (override?.severity ?? rule.severity) as Severity,
      for: override?.for ?? rule.for,
      labels: { ...labels, ...override?.labels },
      annotations: { ...rule.annotations, ...override?.annotations },
    };
  }
}

function nameOf(rule: RuleDefinition): string {
  return isAlert(rule) ? rule.alert : rule.record;
}

function suggestion(name: string, candidates: string[]): string {
  const near = closestNames(name, [...new Set(candidates)], 3);
  return near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : 'check the name against dist/<stack>/**/PrometheusRule-*.yaml';
}

/**
 * The durations of rule groups written by hand (rules.groups, rule files): each group's interval, each alert's `for`,
 * and the evaluation times of its tests. `fieldOf` turns a path inside the list (`[0].interval`) into the field.
 */
export function checkRuleGroups(groups: readonly RuleGroupDefinition[], fieldOf: (path: string) => string): StackProblem[] {
  const problems: StackProblem[] = [];
  const duration = (value: unknown, path: string) => {
    const problem = checkPromDuration(value, fieldOf(path));
    if (problem) problems.push(problem);
  };
  groups.forEach((group, i) => {
    duration(group.interval, `[${i}].interval`);
    (group.rules ?? []).forEach((rule, j) => {
      if (!isAlert(rule)) return;
      const at = `[${i}].rules[${j}]`;
      duration(rule.for, `${at}.for`);
      const cases: Array<[string, unknown]> = [['fires', rule.tests?.fires], ['silent', rule.tests?.silent]];
      for (const [name, test] of cases) {
        if (!test || typeof test !== 'object' || 'never' in test) continue;
        const c = test as { interval?: unknown; at?: unknown };
        duration(c.interval, `${at}.tests.${name}.interval`);
        duration(c.at, `${at}.tests.${name}.at`);
      }
    });
  });
  return problems;
}
