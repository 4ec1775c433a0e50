// What an alert's labels may be before it fires, and whether Alertmanager matchers select it: yes, no, or maybe
// (when the matcher is on a label whose value only the firing series knows).
import { matches, parseMatcher, type ParsedMatcher } from '../alerting/matchers';
import type { LabelSet } from '../promql/parse';

/** What the analyzer knows of an alert's labels: some values exactly, others only whether they may exist. */
export interface AlertProfile {
  readonly alert: string;
  /** Labels whose values are known: alertname, severity, the rule's static labels, the external labels. */
  readonly known: ReadonlyMap<string, string>;
  /** Labels of the expression's result, whose values are not known. */
  readonly dynamic: LabelSet;
  /** For an open result: the labels it plausibly carries (target labels, and those its expression names). */
  readonly plausible: ReadonlySet<string>;
}

export type Tri = 'yes' | 'no' | 'maybe';

export function mayCarry(profile: AlertProfile, label: string): boolean {
  if (profile.known.has(label)) return true;
  const d = profile.dynamic;
  if (d.kind === 'closed') return d.labels.has(label);
  if (d.kind === 'open') return d.added.has(label) || (!d.removed.has(label) && profile.plausible.has(label));
  return false;
}

export function matchTri(profile: AlertProfile, m: ParsedMatcher): Tri {
  const value = profile.known.get(m.name);
  if (value !== undefined) return matches(m, value) ? 'yes' : 'no';
  if (!mayCarry(profile, m.name)) return matches(m, '') ? 'yes' : 'no';
  return 'maybe';
}

export function allTri(profile: AlertProfile, matchers: readonly ParsedMatcher[]): Tri {
  let result: Tri = 'yes';
  for (const m of matchers) {
    const t = matchTri(profile, m);
    if (t === 'no') return 'no';
    if (t === 'maybe') result = 'maybe';
  }
  return result;
}

/** The matchers that parse (the others are reported as errors elsewhere). */
export const parsed = (matchers: readonly string[] | undefined): ParsedMatcher[] =>
  (matchers ?? []).map((m) => parseMatcher(m)).filter((m): m is ParsedMatcher => m !== undefined);
