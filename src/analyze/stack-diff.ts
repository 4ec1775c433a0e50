// The semantic diff of one stack for PR review (`o11y diff`): what was written before and what the stack generates
// now, both read into the same model, compared as a reviewer asks: which objects, alerts, routes, dashboards and
// chaos schedules change. Pure functions of two models; reading the two sides is the CLI's job.
import { shown } from '../core/redact';
import type { WrittenModel } from '../model/build';
import { allPanels, sortedJson, type DashboardJson, type DashboardPanel } from '../dashboards/model';
import { isAlert, type AlertDefinition } from '../rules/types';
import { alertProfiles, alertReceivers, type RoutingInput } from './routing';

/** One side of the diff: the objects' model and the plain files beside them. */
export interface DiffSide {
  readonly model: WrittenModel;
  readonly files: ReadonlyMap<string, string>;
}

/**
 * A field that differs. `before`/`after` are shortened JSON (equal when both were cut to the same prefix); absent
 * when the field is absent on that side.
 */
export interface FieldChange {
  /** A JSON pointer (RFC 6901) into the object, or the alert's field (`expr`, `for`, `labels/team` ...). */
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
  /** A Secret's data: the values are never shown, only that they changed. */
  readonly secret?: true;
}

export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** The component (output folder) it belongs to, on the side that has it (after, when both do). */
  readonly component: string;
}

export interface ObjectChange extends ObjectRef {
  readonly fields: FieldChange[];
}

export interface AlertRef {
  readonly alert: string;
  readonly severity: string;
  /** The PrometheusRule object and group that hold it. */
  readonly object: string;
  readonly group: string;
}

export interface AlertSummary extends AlertRef {
  readonly expr: string;
  readonly for: string;
  /** Receivers it may reach (empty without an Alertmanager). */
  readonly receivers: string[];
}

export interface AlertChange extends AlertRef {
  /** `expr`, `for`, `severity`, `summary`, `description`, `labels/<name>`, `annotations/<name>`: values in full. */
  readonly fields: FieldChange[];
}

/** An alert on both sides whose possible receivers differ. */
export interface RoutingChange {
  readonly alert: string;
  readonly severity: string;
  readonly before: string[];
  readonly after: string[];
}

export interface DashboardRef {
  readonly uid: string;
  readonly title: string;
  readonly folder: string;
}

export interface QueryChange {
  readonly panel: string;
  readonly before: string[];
  readonly after: string[];
}

export interface DashboardChange extends DashboardRef {
  readonly panelsAdded: string[];
  readonly panelsRemoved: string[];
  readonly queriesChanged: QueryChange[];
  /** Panels on both sides that changed other than in their queries (type, thresholds, position ...), by title. */
  readonly panelsChanged: string[];
  /** Top-level fields other than panels that changed (`/title`, `/templating` ...), as JSON pointers. */
  readonly otherFields: string[];
}

export interface ScheduleRef {
  readonly namespace?: string;
  readonly name: string;
  readonly schedule: string;
  /** `<kind>/<action>`, e.g. `PodChaos/pod-kill`. */
  readonly experiment: string;
}

export interface ScheduleChange extends ScheduleRef {
  /** JSON pointers into `{schedule, experiment, selector, mode, duration}`. */
  readonly fields: FieldChange[];
}

export interface Changes<Ref, Change> {
  readonly added: Ref[];
  readonly removed: Ref[];
  readonly changed: Change[];
}

/** What changes in one stack. Every list is sorted; an unchanged stack has every list empty. */
export interface StackDiff {
  readonly stack: string;
  /** What the "before" side is, e.g. `dist/default at HEAD` or `/tmp/out/default`. */
  readonly against: string;
  readonly changed: boolean;
  readonly objects: Changes<ObjectRef, ObjectChange>;
  /** Plain files of components (not objects), by path in the stack folder. */
  readonly files: Changes<string, string>;
  readonly alerts: Changes<AlertSummary, AlertChange>;
  readonly routing: RoutingChange[];
  /**
   * The routing configuration as Alertmanager reads it (the config Secret's route tree, receivers' names and types,
   * inhibit rules, time intervals; the teams' AlertmanagerConfigs), as JSON pointers: never a credential.
   */
  readonly routes: FieldChange[];
  readonly dashboards: Changes<DashboardRef, DashboardChange>;
  readonly chaos: Changes<ScheduleRef, ScheduleChange>;
}

type Json = unknown;

const isPlainObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const pointerPart = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');
const same = (a: Json, b: Json) => JSON.stringify(sortedJson(a)) === JSON.stringify(sortedJson(b));
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The leaves where two JSON values differ, as JSON pointers below `path`. */
function fieldChanges(before: Json, after: Json, path: string, secret: (path: string) => boolean, into: FieldChange[]): void {
  if (same(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(byText)) {
      fieldChanges(before[key], after[key], `${path}/${pointerPart(key)}`, secret, into);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) fieldChanges(before[i], after[i], `${path}/${i}`, secret, into);
    return;
  }
  if (secret(path)) {
    into.push({ path, secret: true });
    return;
  }
  const key = path.split('/').pop();
  into.push({ path, ...(before !== undefined ? { before: shown(before, key) } : {}), ...(after !== undefined ? { after: shown(after, key) } : {}) });
}

function keyed<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(key(item))) map.set(key(item), item);
  return map;
}

/** Added, removed and changed items of two keyed lists, sorted by key. */
function compare<T, Ref, Change>(before: Map<string, T>, after: Map<string, T>, ref: (item: T) => Ref, change: (b: T, a: T) => Change | undefined): Changes<Ref, Change> {
  const keys = (m: Map<string, T>, other: Map<string, T>) => [...m.keys()].filter((k) => !other.has(k)).sort(byText);
  const changed = [...after.keys()].filter((k) => before.has(k)).sort(byText).flatMap((k) => {
    const c = change(before.get(k)!, after.get(k)!);
    return c === undefined ? [] : [c];
  });
  return { added: keys(after, before).map((k) => ref(after.get(k)!)), removed: keys(before, after).map((k) => ref(before.get(k)!)), changed };
}

function objectDiff(before: WrittenModel, after: WrittenModel): Changes<ObjectRef, ObjectChange> {
  const key = (o: WrittenModel['objects'][number]) => `${o.manifest.kind}\0${o.manifest.metadata.namespace ?? ''}\0${o.manifest.metadata.name}`;
  const ref = (o: WrittenModel['objects'][number]): ObjectRef => ({
    kind: o.manifest.kind,
    ...(o.manifest.metadata.namespace !== undefined ? { namespace: o.manifest.metadata.namespace } : {}),
    name: o.manifest.metadata.name,
    component: o.component,
  });
  return compare(keyed(before.objects, key), keyed(after.objects, key), ref, (b, a) => {
    const fields: FieldChange[] = [];
    // A Secret's values never leave it: its data and stringData only say "changed".
    const secret = a.manifest.kind === 'Secret' ? (path: string) => /^\/(data|stringData)(\/|$)/.test(path) : () => false;
    fieldChanges(b.manifest, a.manifest, '', secret, fields);
    return fields.length ? { ...ref(a), fields } : undefined;
  });
}

interface PlacedAlert {
  readonly rule: AlertDefinition;
  readonly object: string;
  readonly group: string;
}

function alertsOf(model: WrittenModel): PlacedAlert[] {
  return model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert).map((rule) => ({ rule, object: s.objectName, group: g.name }))));
}

/**
 * Before and after of every alert: by name where each side has one alert of that name (a severity change is a
 * change), else by severity, object and group, then by severity.
 */
function pairAlerts(before: PlacedAlert[], after: PlacedAlert[]): { pairs: Array<[PlacedAlert, PlacedAlert]>; added: PlacedAlert[]; removed: PlacedAlert[] } {
  const names = [...new Set([...before, ...after].map((a) => a.rule.alert))].sort(byText);
  const pairs: Array<[PlacedAlert, PlacedAlert]> = [];
  const added: PlacedAlert[] = [];
  const removed: PlacedAlert[] = [];
  for (const name of names) {
    let b = before.filter((a) => a.rule.alert === name);
    let a = after.filter((x) => x.rule.alert === name);
    if (b.length === 1 && a.length === 1) {
      pairs.push([b[0], a[0]]);
      continue;
    }
    for (const key of [(x: PlacedAlert) => `${x.rule.severity}\0${x.object}\0${x.group}`, (x: PlacedAlert) => x.rule.severity]) {
      for (const left of [...b]) {
        const right = a.find((x) => key(x) === key(left));
        if (!right) continue;
        pairs.push([left, right]);
        b = b.filter((x) => x !== left);
        a = a.filter((x) => x !== right);
      }
    }
    removed.push(...b);
    added.push(...a);
  }
  return { pairs, added, removed };
}

function alertFields(a: AlertDefinition): Record<string, string> {
  return {
    expr: a.expr,
    for: a.for ?? '0s',
    severity: a.severity,
    summary: a.summary,
    description: a.description,
    ...Object.fromEntries(Object.entries(a.labels ?? {}).map(([k, v]) => [`labels/${pointerPart(k)}`, v])),
    ...Object.fromEntries(Object.entries(a.annotations ?? {}).map(([k, v]) => [`annotations/${pointerPart(k)}`, v])),
  };
}

const alertRef = (a: PlacedAlert): AlertRef => ({ alert: a.rule.alert, severity: a.rule.severity, object: a.object, group: a.group });
const alertKey = (alert: string, severity: string) => `${alert} (${severity})`;
const byAlert = (x: AlertRef | RoutingChange, y: AlertRef | RoutingChange) => byText(alertKey(x.alert, x.severity), alertKey(y.alert, y.severity));

/** Where each alert may go (`<alert> (<severity>)` -> receivers), through the routing the model's objects hold. */
function receiversOf(model: WrittenModel): Map<string, string[]> {
  const a = model.alerting;
  if (!a) return new Map();
  // Expectations and unrouted alerts are the values' business: where alerts go is what the objects say.
  const input: RoutingInput = { ...a.global, teams: a.teams, teamMatcherStrategy: a.teamMatcherStrategy, intentionallyUnrouted: [], expectations: [] };
  return alertReceivers(input, alertProfiles(model.rules, model.prometheus?.alertLabels ?? {}), a.namespace);
}

function alertDiff(before: WrittenModel, after: WrittenModel): { alerts: Changes<AlertSummary, AlertChange>; routing: RoutingChange[] } {
  const { pairs, added, removed } = pairAlerts(alertsOf(before), alertsOf(after));
  const reachBefore = receiversOf(before);
  const reachAfter = receiversOf(after);
  const summary = (a: PlacedAlert, reach: Map<string, string[]>): AlertSummary => ({
    ...alertRef(a), expr: a.rule.expr, for: a.rule.for ?? '0s', receivers: reach.get(alertKey(a.rule.alert, a.rule.severity)) ?? [],
  });
  const changed: AlertChange[] = [];
  const routing = new Map<string, RoutingChange>();
  for (const [b, a] of pairs) {
    const fb = alertFields(b.rule);
    const fa = alertFields(a.rule);
    const fields = [...new Set([...Object.keys(fb), ...Object.keys(fa)])]
      .filter((k) => fb[k] !== fa[k])
      .map((path) => ({ path, ...(fb[path] !== undefined ? { before: fb[path] } : {}), ...(fa[path] !== undefined ? { after: fa[path] } : {}) }));
    if (fields.length) changed.push({ ...alertRef(a), fields });
    const rb = reachBefore.get(alertKey(b.rule.alert, b.rule.severity)) ?? [];
    const ra = reachAfter.get(alertKey(a.rule.alert, a.rule.severity)) ?? [];
    if (rb.join() !== ra.join()) routing.set(alertKey(a.rule.alert, a.rule.severity), { alert: a.rule.alert, severity: a.rule.severity, before: rb, after: ra });
  }
  return {
    alerts: { added: added.map((a) => summary(a, reachAfter)).sort(byAlert), removed: removed.map((a) => summary(a, reachBefore)).sort(byAlert), changed: changed.sort(byAlert) },
    routing: [...routing.values()].sort(byAlert),
  };
}

const panelTitle = (p: DashboardPanel, i: number) => p.title || `(untitled panel ${i + 1})`;
const queries = (p: DashboardPanel) => (p.targets ?? []).map((t) => String(t.expr ?? JSON.stringify(sortedJson(t))));

/** Titles of `from` not in `other`, counting repeats. */
function missingTitles(from: string[], other: string[]): string[] {
  const left = [...other];
  return from.filter((t) => {
    const i = left.indexOf(t);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

function dashboardChange(b: DashboardJson, a: DashboardJson, ref: DashboardRef): DashboardChange | undefined {
  if (same(b, a)) return undefined;
  const pb = allPanels(b);
  const pa = allPanels(a);
  const tb = pb.map(panelTitle);
  const ta = pa.map(panelTitle);
  const queriesChanged: QueryChange[] = [];
  const panelsChanged: string[] = [];
  for (const title of [...new Set(ta)].filter((t) => tb.includes(t))) {
    const before = pb[tb.indexOf(title)];
    const after = pa[ta.indexOf(title)];
    if (queries(before).join('\n') !== queries(after).join('\n')) queriesChanged.push({ panel: title, before: queries(before), after: queries(after) });
    const rest = (p: DashboardPanel) => ({ ...p, targets: undefined, panels: undefined, id: undefined });
    if (!same(rest(before), rest(after))) panelsChanged.push(title);
  }
  const top = (d: DashboardJson): Record<string, Json> => ({ ...d, panels: undefined });
  const otherFields = [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => k !== 'panels' && !same(top(b)[k], top(a)[k]))
    .sort(byText)
    .map((k) => `/${pointerPart(k)}`);
  return { ...ref, panelsAdded: missingTitles(ta, tb), panelsRemoved: missingTitles(tb, ta), queriesChanged, panelsChanged, otherFields };
}

function dashboardDiff(before: WrittenModel, after: WrittenModel): Changes<DashboardRef, DashboardChange> {
  type D = WrittenModel['dashboards'][number];
  const ref = (d: D): DashboardRef => ({ uid: d.json.uid, title: d.json.title, folder: d.folder });
  return compare(keyed(before.dashboards, (d) => d.json.uid), keyed(after.dashboards, (d) => d.json.uid), ref, (b, a) => {
    const change = dashboardChange(b.json, a.json, ref(a));
    if (change || b.folder === a.folder) return change;
    return { ...ref(a), panelsAdded: [], panelsRemoved: [], queriesChanged: [], panelsChanged: [], otherFields: ['folder'] };
  });
}

function chaosDiff(before: WrittenModel, after: WrittenModel): Changes<ScheduleRef, ScheduleChange> {
  type S = WrittenModel['chaos'][number];
  const key = (s: S) => `${s.namespace ?? ''}\0${s.name}`;
  const experiment = (s: S) => ('action' in s.experiment ? `${s.experiment.kind}/${s.experiment.action}` : s.experiment.kind);
  const ref = (s: S): ScheduleRef => ({ ...(s.namespace !== undefined ? { namespace: s.namespace } : {}), name: s.name, schedule: s.schedule, experiment: experiment(s) });
  const facts = (s: S) => JSON.parse(JSON.stringify({ schedule: s.schedule, experiment: s.experiment, selector: s.selector, mode: s.mode, duration: s.duration })) as Json;
  return compare(keyed(before.chaos, key), keyed(after.chaos, key), ref, (b, a) => {
    const fields: FieldChange[] = [];
    fieldChanges(facts(b), facts(a), '', () => false, fields);
    return fields.length ? { ...ref(a), fields } : undefined;
  });
}

function fileDiff(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): Changes<string, string> {
  return {
    added: [...after.keys()].filter((k) => !before.has(k)).sort(byText),
    removed: [...before.keys()].filter((k) => !after.has(k)).sort(byText),
    changed: [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort(byText),
  };
}

/** The routing facts of a model: what `alerting/read.ts` reads, which holds names and types, never credentials. */
function routingFacts(model: WrittenModel): Json {
  const a = model.alerting;
  return a ? JSON.parse(JSON.stringify({ ...a.global, teams: a.teams, teamMatcherStrategy: a.teamMatcherStrategy })) : {};
}

const anything = (c: Changes<unknown, unknown>) => c.added.length + c.removed.length + c.changed.length > 0;

/** What changes in stack `stack` from `before` (described by `against`) to `after`. */
export function diffStack(stack: string, against: string, before: DiffSide, after: DiffSide): StackDiff {
  const objects = objectDiff(before.model, after.model);
  const files = fileDiff(before.files, after.files);
  const { alerts, routing } = alertDiff(before.model, after.model);
  const dashboards = dashboardDiff(before.model, after.model);
  const chaos = chaosDiff(before.model, after.model);
  const routes: FieldChange[] = [];
  fieldChanges(routingFacts(before.model), routingFacts(after.model), '', () => false, routes);
  const changed = [objects, files, alerts, dashboards, chaos].some(anything) || routing.length > 0 || routes.length > 0;
  return { stack, against, changed, objects, files, alerts, routing, routes, dashboards, chaos };
}
