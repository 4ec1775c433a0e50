// `o11y diff` as Markdown for a PR comment: a line of counts, then one short table per kind of change.
import type { FieldChange, StackDiff } from './stack-diff';

/** Field changes listed per object or schedule before "and N more" (the JSON output has them all). */
const SHOWN_FIELDS = 8;

/** Rows per table before "and N more" (a new stack adds every object). */
const SHOWN_ROWS = 40;

/** A table cell: pipes escaped, newlines folded, so that one value stays in one cell. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
/** Inline code that survives backticks inside it. */
const code = (text: string) => {
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text.includes('`') ? ` ${text} ` : text}${ticks}`;
};

function field(f: FieldChange): string {
  if (f.secret) return `${code(f.path)} changed (secret)`;
  if (f.before === undefined) return `${code(f.path)} added: ${code(f.after ?? '')}`;
  if (f.after === undefined) return `${code(f.path)} removed (was ${code(f.before)})`;
  // Both cut to the same prefix: a long value (an embedded document, whose own section says more).
  if (f.before === f.after) return `${code(f.path)} changed (long value)`;
  return `${code(f.path)}: ${code(f.before)} → ${code(f.after)}`;
}

function fields(list: readonly FieldChange[]): string {
  const shown = list.slice(0, SHOWN_FIELDS).map(field);
  if (list.length > SHOWN_FIELDS) shown.push(`and ${list.length - SHOWN_FIELDS} more`);
  return shown.join('<br>');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const name = (namespace: string | undefined, n: string) => (namespace ? `${namespace}/${n}` : n);
const receivers = (list: readonly string[]) => (list.length ? list.join(', ') : '(none)');

function counts(d: StackDiff): string {
  const parts: string[] = [];
  const add = (what: string, c: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => {
    const n = [c.changed.length && `${c.changed.length} changed`, c.added.length && `${c.added.length} added`, c.removed.length && `${c.removed.length} removed`].filter(Boolean);
    if (n.length) parts.push(`${what}: ${n.join(', ')}`);
  };
  add('objects', d.objects);
  add('files', d.files);
  add('alerts', d.alerts);
  if (d.routes.length) parts.push(`routing configuration: ${plural(d.routes.length, 'field')} changed`);
  if (d.routing.length) parts.push(`routing: ${plural(d.routing.length, 'alert')} reach other receivers`);
  add('dashboards', d.dashboards);
  add('chaos schedules', d.chaos);
  return parts.join(' · ');
}

/** The Markdown of one stack's diff. */
export function stackDiffMarkdown(d: StackDiff): string {
  const lines = [`### Stack \`${d.stack}\` (against ${d.against})`, ''];
  if (!d.changed) return [...lines, 'No changes.', ''].join('\n');
  lines.push(counts(d), '');
  const table = (title: string, header: string[], rows: string[][]) => {
    if (!rows.length) return;
    lines.push(`#### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.slice(0, SHOWN_ROWS).map((r) => `| ${r.map(cell).join(' | ')} |`), '');
    if (rows.length > SHOWN_ROWS) lines.push(`and ${rows.length - SHOWN_ROWS} more (\`o11y diff --json\` lists them all)`, '');
  };
  table('Objects', ['', 'kind', 'name', 'component', 'changed fields'], [
    ...d.objects.changed.map((o) => ['~', o.kind, name(o.namespace, o.name), o.component, fields(o.fields)]),
    ...d.objects.added.map((o) => ['+', o.kind, name(o.namespace, o.name), o.component, '']),
    ...d.objects.removed.map((o) => ['−', o.kind, name(o.namespace, o.name), o.component, '']),
  ]);
  table('Files', ['', 'file'], [
    ...d.files.changed.map((f) => ['~', f]),
    ...d.files.added.map((f) => ['+', f]),
    ...d.files.removed.map((f) => ['−', f]),
  ]);
  table('Alerts', ['', 'alert', 'severity', 'change'], [
    ...d.alerts.changed.map((a) => ['~', a.alert, a.severity, a.fields.map(field).join('<br>')]),
    ...d.alerts.added.map((a) => ['+', a.alert, a.severity, `${code(a.expr)}${a.for !== '0s' ? ` for ${a.for}` : ''} → ${receivers(a.receivers)}`]),
    ...d.alerts.removed.map((a) => ['−', a.alert, a.severity, `${code(a.expr)}${a.for !== '0s' ? ` for ${a.for}` : ''}`]),
  ]);
  table('Routing configuration', ['field', 'before', 'after'], d.routes.map((f) => [code(f.path), f.before === undefined ? '' : code(f.before), f.after === undefined ? '' : code(f.after)]));
  table('Routing: alerts whose receivers change', ['alert', 'severity', 'before', 'after'], d.routing.map((r) => [r.alert, r.severity, receivers(r.before), receivers(r.after)]));
  table('Dashboards', ['', 'dashboard', 'change'], [
    ...d.dashboards.changed.map((c) => ['~', `${c.title} (${c.uid})`, [
      ...c.panelsAdded.map((p) => `panel added: ${p}`),
      ...c.panelsRemoved.map((p) => `panel removed: ${p}`),
      ...c.queriesChanged.map((q) => `queries of ${q.panel}: ${q.before.map(code).join(', ') || '(none)'} → ${q.after.map(code).join(', ') || '(none)'}`),
      ...c.panelsChanged.map((p) => `panel changed: ${p}`),
      ...(c.otherFields.length ? [`fields: ${c.otherFields.map(code).join(', ')}`] : []),
    ].join('<br>')]),
    ...d.dashboards.added.map((c) => ['+', `${c.title} (${c.uid})`, `folder ${c.folder}`]),
    ...d.dashboards.removed.map((c) => ['−', `${c.title} (${c.uid})`, '']),
  ]);
  table('Chaos schedules', ['', 'schedule', 'experiment', 'change'], [
    ...d.chaos.changed.map((s) => ['~', name(s.namespace, s.name), s.experiment, fields(s.fields)]),
    ...d.chaos.added.map((s) => ['+', name(s.namespace, s.name), s.experiment, code(s.schedule)]),
    ...d.chaos.removed.map((s) => ['−', name(s.namespace, s.name), s.experiment, '']),
  ]);
  return lines.join('\n');
}

/** The whole PR comment: a heading and every stack. */
export function diffMarkdown(diffs: readonly StackDiff[]): string {
  const changed = diffs.filter((d) => d.changed).length;
  return [`## o11y diff: ${changed ? `${plural(changed, 'stack')} of ${diffs.length} changed` : 'no changes'}`, '', ...diffs.map(stackDiffMarkdown)].join('\n');
}
