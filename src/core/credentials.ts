// Credential detection in plain strings: URLs with user info, token parameters, webhook URLs that are themselves
// secrets, chat tokens, random-looking keys. Callers say where a credential seems to be, never the value.

export type FindingKind = 'url-password' | 'secret-parameter' | 'slack-webhook' | 'discord-webhook' | 'teams-webhook' | 'slack-token' | 'telegram-token' | 'random-token';

export interface Finding {
  readonly kind: FindingKind;
  /** What was found, without the value. */
  readonly what: string;
}

/** Query parameters that carry credentials by name (`?token=`, `?api_key=`, `?sig=`, `?x-api-key=` ...). */
const SECRET_PARAMETER = /^(token|key|secret|password|passwd|pwd|apikey|api[_-]?key|access[_-]?token|auth|sig|signature|jwt|bearer|credentials?|private[_-]?token)$|[_-](token|key|secret|password)$/i;

/** Keys whose values are credentials whatever they look like (`password`, `bearerToken`, `apiKey`, `clientSecret` ...). */
export const SECRET_KEY_NAME = /(password|passwd|secret|token|api[_-]?key|credentials?|routing[_-]?key|private[_-]?key)$/i;
export const SLACK_TOKEN = /\bxox[abposre]-[A-Za-z0-9-]{8,}|\bxapp-[A-Za-z0-9-]{8,}/;
// Not \b: in URLs the token follows a word (`/bot<id>:<secret>/sendMessage`).
export const TELEGRAM_TOKEN = /(^|[^0-9])\d{6,}:[A-Za-z0-9_-]{30,}/;
export const TOKEN_RUN = /[A-Za-z0-9_-]{32,}/g;
export const EMBEDDED_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

function transitions(text: string, classOf: (c: string) => string | undefined): number {
  let count = 0;
  let previous: string | undefined;
  for (const c of text) {
    const current = classOf(c);
    if (current && previous && current !== previous) count++;
    if (current) previous = current;
  }
  return count;
}

/**
 * A run of 32+ token characters that is not made of words: slugs (`alertmanager-webhook-receiver-eu-west-1`) and
 * UUIDs have no piece of 16+ characters between separators; random keys mix letters with digits (or cases) often.
 */
export function randomLooking(run: string): boolean {
  if (Math.max(...run.split(/[-_]/).map((p) => p.length)) < 16) return false;
  const digits = (run.match(/[0-9]/g) ?? []).length;
  const letterDigit = transitions(run, (c) => (/[0-9]/.test(c) ? 'd' : /[A-Za-z]/.test(c) ? 'l' : undefined));
  const caseChanges = transitions(run, (c) => (/[a-z]/.test(c) ? 'a' : /[A-Z]/.test(c) ? 'A' : undefined));
  return /[A-Za-z]/.test(run) && ((digits >= 2 && letterDigit >= 3) || caseChanges >= run.length / 3);
}

function randomTokenIn(text: string): number | undefined {
  for (const [run] of text.matchAll(TOKEN_RUN)) if (randomLooking(run)) return run.length;
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function tokenFinding(text: string, where: string): Finding | undefined {
  if (SLACK_TOKEN.test(text)) return { kind: 'slack-token', what: `${where} holds a Slack token (xox…-)` };
  if (TELEGRAM_TOKEN.test(text)) return { kind: 'telegram-token', what: `${where} holds what looks like a Telegram bot token (<bot id>:<secret>)` };
  const length = randomTokenIn(text);
  if (length) return { kind: 'random-token', what: `${where} holds a random-looking string of ${length} characters, most likely a token or key` };
  return undefined;
}

/** Credentials inside one URL: in its user info, query, path or fragment, or the URL itself being a secret hook. */
export function urlFinding(text: string): Finding | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (url.password) return { kind: 'url-password', what: 'the URL carries a password (user:password@host)' };
  if (host === 'hooks.slack.com' && path.length > 1) {
    return { kind: 'slack-webhook', what: 'this is a Slack webhook URL (hooks.slack.com/…), which is itself a credential' };
  }
  if (/^((ptb|canary)\.)?discord(app)?\.com$/.test(host) && path.startsWith('/api/webhooks/')) {
    return { kind: 'discord-webhook', what: 'this is a Discord webhook URL (discord.com/api/webhooks/…), which is itself a credential' };
  }
  if (/(^|\.)(webhook\.office\.com|logic\.azure\.com|powerplatform\.com)$/.test(host) || (/^outlook\.office(365)?\.com$/.test(host) && path.startsWith('/webhook'))) {
    return { kind: 'teams-webhook', what: 'this is a Microsoft Teams (or Power Automate) webhook URL, which is itself a credential' };
  }
  for (const [name, value] of url.searchParams) {
    if (value && SECRET_PARAMETER.test(name)) return { kind: 'secret-parameter', what: `the URL's query parameter "${name}" carries a credential` };
  }
  const parts: Array<[string, string]> = [
    [safeDecode(url.username), "the URL's user name"],
    ...path.split('/').map((segment): [string, string] => [safeDecode(segment), 'a path segment of the URL']),
    ...[...url.searchParams].map(([name, value]): [string, string] => [value, `the URL's query parameter "${name}"`]),
    [safeDecode(url.hash), "the URL's fragment"],
  ];
  for (const [part, where] of parts) {
    const found = part ? tokenFinding(part, where) : undefined;
    if (found) return found;
  }
  return undefined;
}

/** A credential anywhere in a plain string: in URLs it embeds, or as a token on its own. */
export function credentialIn(text: string): Finding | undefined {
  for (const [url] of text.matchAll(EMBEDDED_URL)) {
    const found = urlFinding(url);
    if (found) return found;
  }
  return tokenFinding(text.replace(EMBEDDED_URL, ' '), 'the value');
}

