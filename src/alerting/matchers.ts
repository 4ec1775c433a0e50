// Alertmanager matchers: `name op "value"`, op one of = != =~ !~.

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface ParsedMatcher {
  readonly name: string;
  readonly matchType: MatchType;
  readonly value: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))\s*$/;

/** Parses one matcher; undefined when it is not one. */
export function parseMatcher(text: string): ParsedMatcher | undefined {
  const m = MATCHER.exec(text);
  if (!m) return undefined;
  const value = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4];
  return { name: m[1], matchType: m[2] as MatchType, value };
}

/** Whether a label value satisfies a matcher; a missing label has the value "" (as in Alertmanager). */
export function matches(matcher: ParsedMatcher, value: string): boolean {
  switch (matcher.matchType) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(value);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(value);
  }
}

/** The canonical text of a matcher, so that equal matchers compare equal. */
export function matcherText(m: ParsedMatcher): string {
  return `${m.name}${m.matchType}${JSON.stringify(m.value)}`;
}
