// Redaction: no problem message ever repeats a credential, and no value is quoted at full length. Messages end up in
// CI logs and chat; a secret pasted into the wrong field must not travel further than the stack file.
import { EMBEDDED_URL, SECRET_KEY_NAME, SLACK_TOKEN, TELEGRAM_TOKEN, TOKEN_RUN, credentialIn, randomLooking, urlFinding } from './credentials';

/** Values longer than this are cut to their first CUT_TO characters. */
const LONGEST_SHOWN = 80;
const CUT_TO = 60;
const REDACTED = '(redacted)';

/** The non-secret part of a URL: scheme and host, without user info, path or query. */
function urlOrigin(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.host ? `${url.protocol}//${url.host}/…` : `${url.protocol}…`;
  } catch {
    return undefined;
  }
}

/** Whether a key names a credential (`password`, `bearerToken`, `apiKey`, `credentials` ...). */
export function isSecretKey(key: string | undefined): boolean {
  return key !== undefined && SECRET_KEY_NAME.test(key);
}

/** The text to show for a string value, or undefined when it is safe to show as it is. */
function redactedForm(value: string, key?: string): string | undefined {
  if (isSecretKey(key) || credentialIn(value)) {
    const origin = /^[a-z][a-z0-9+.-]*:\/\//i.test(value.trim()) ? urlOrigin(value.trim()) : undefined;
    return `${JSON.stringify(origin ?? '…')} ${REDACTED}`;
  }
  return undefined;
}

/**
 * A value as a message quotes it: JSON for short values, cut when long, and a short redacted form for anything that
 * looks like a credential or sits under a key named like one. `key` is the field's last name, if known.
 */
export function shown(value: unknown, key?: string): string {
  if (typeof value === 'string') {
    const redacted = redactedForm(value, key);
    if (redacted) return redacted;
    return JSON.stringify(value.length > LONGEST_SHOWN ? `${value.slice(0, CUT_TO)}…` : value);
  }
  if (isSecretKey(key) && value !== null && typeof value !== 'object') return `"…" ${REDACTED}`;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > LONGEST_SHOWN ? `${text.slice(0, CUT_TO)}…` : text;
}

/** Like `shown`, in single quotes (the style of most semantic messages): `'5 min'`. */
export function quoted(value: string, key?: string): string {
  const redacted = redactedForm(value, key);
  if (redacted) return redacted.replace(/^"(.*)" /, "'$1' ");
  return `'${value.length > LONGEST_SHOWN ? `${value.slice(0, CUT_TO)}…` : value}'`;
}

const global = (re: RegExp) => new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
const SLACK_TOKENS = global(SLACK_TOKEN);
const TELEGRAM_TOKENS = global(TELEGRAM_TOKEN);
const URLS = global(EMBEDDED_URL);
const TOKEN_RUNS = global(TOKEN_RUN);

/**
 * Free text with every credential-looking part replaced: URLs with user info, token parameters or secret paths
 * (webhook URLs), chat tokens and random-looking keys. Ordinary text comes back unchanged (and fast: one scan).
 */
export function redactText(text: string): string {
  if (!text) return text;
  // A URL already cut to its origin (`https://hooks.slack.com/…`) stays as it is.
  let result = text.replace(URLS, (url) => (!/^[^/]*\/\/[^/]*\/…$/.test(url) && urlFinding(url) ? `${urlOrigin(url) ?? '…'} ${REDACTED}` : url));
  result = result.replace(SLACK_TOKENS, (token) => `${token.slice(0, 5)}… ${REDACTED}`);
  result = result.replace(TELEGRAM_TOKENS, (token, lead: string) => `${lead}… ${REDACTED}`);
  return result.replace(TOKEN_RUNS, (run) => (randomLooking(run) ? `… ${REDACTED}` : run));
}
