// Receivers rendered for Alertmanager: credentials only ever as files from mounted Secrets (the global
// configuration) or as Secret key references (AlertmanagerConfig resources). Written by the receivers work.
import type { StackProblem } from '../core/problems';
import type { Receiver, WebhookReceiver } from './types';
import type { SecretKeyRef } from '../core/primitives';
import { credentialIn, type FindingKind } from '../core/credentials';

/** Where the Alertmanager CR mounts the Secrets listed in its `spec.secrets`. */
export const SECRETS_MOUNT = '/etc/alertmanager/secrets';

/** The file a Secret key becomes once the Alertmanager CR mounts the Secret. */
function secretFile(ref: SecretKeyRef): string {
  return `${SECRETS_MOUNT}/${ref.name}/${ref.key}`;
}

/** A copy, so that rendered objects never share (or later mutate) the values' objects. */
function secretRef(ref: SecretKeyRef): { name: string; key: string } {
  return { name: ref.name, key: ref.key };
}

/** Drops undefined entries, keeping the literal's key order. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/**
 * Always written out: Alertmanager's own defaults differ by type (Slack's is false), while ours is true for every
 * type but email.
 */
function sendResolved(receiver: Receiver): boolean {
  return receiver.sendResolved ?? receiver.type !== 'email';
}

function unreachable(receiver: never): never {
  throw new Error(`unknown receiver type ${(receiver as { type?: unknown }).type}`);
}

function webhookHttpConfig(receiver: WebhookReceiver): Record<string, unknown> | undefined {
  if (!receiver.bearerToken && !receiver.basicAuth) return undefined;
  return defined({
    authorization: receiver.bearerToken ? { credentials_file: secretFile(receiver.bearerToken) } : undefined,
    basic_auth: receiver.basicAuth
      ? { username_file: secretFile(receiver.basicAuth.username), password_file: secretFile(receiver.basicAuth.password) }
      : undefined,
  });
}

/** The receiver as an entry of alertmanager.yaml's `receivers:`, credentials as `*_file` paths. */
export function renderReceiver(receiver: Receiver): Record<string, unknown> {
  const name = receiver.name;
  switch (receiver.type) {
    case 'null':
      return { name };
    case 'webhook':
      return {
        name,
        webhook_configs: [
          defined({ url: receiver.url, http_config: webhookHttpConfig(receiver), send_resolved: sendResolved(receiver), max_alerts: receiver.maxAlerts }),
        ],
      };
    case 'slack':
      return {
        name,
        slack_configs: [
          defined({
            api_url_file: secretFile(receiver.apiUrl),
            channel: receiver.channel,
            title: receiver.title,
            text: receiver.text,
            send_resolved: sendResolved(receiver),
          }),
        ],
      };
    case 'pagerduty':
      return {
        name,
        pagerduty_configs: [defined({ routing_key_file: secretFile(receiver.routingKey), severity: receiver.severity, send_resolved: sendResolved(receiver) })],
      };
    case 'email':
      return {
        name,
        email_configs: [
          defined({
            to: receiver.to,
            from: receiver.from,
            smarthost: receiver.smarthost,
            auth_username: receiver.authUsername,
            auth_password_file: receiver.authPassword ? secretFile(receiver.authPassword) : undefined,
            require_tls: receiver.requireTls,
            send_resolved: sendResolved(receiver),
          }),
        ],
      };
    case 'opsgenie':
      return {
        name,
        opsgenie_configs: [
          defined({ api_key_file: secretFile(receiver.apiKey), api_url: receiver.apiUrl, priority: receiver.priority, send_resolved: sendResolved(receiver) }),
        ],
      };
    case 'telegram':
      return {
        name,
        telegram_configs: [{ bot_token_file: secretFile(receiver.botToken), chat_id: receiver.chatId, send_resolved: sendResolved(receiver) }],
      };
    case 'discord':
      return { name, discord_configs: [{ webhook_url_file: secretFile(receiver.webhookUrl), send_resolved: sendResolved(receiver) }] };
    case 'msteams':
      return { name, msteams_configs: [{ webhook_url_file: secretFile(receiver.webhookUrl), send_resolved: sendResolved(receiver) }] };
    default:
      return unreachable(receiver);
  }
}

/** Every Secret key a receiver reads, with the field (relative to the receiver) that names it. */
function secretRefsOf(receiver: Receiver): Array<{ field: string; ref: SecretKeyRef }> {
  switch (receiver.type) {
    case 'null':
      return [];
    case 'webhook':
      return [
        ...(receiver.bearerToken ? [{ field: 'bearerToken', ref: receiver.bearerToken }] : []),
        ...(receiver.basicAuth
          ? [
              { field: 'basicAuth.username', ref: receiver.basicAuth.username },
              { field: 'basicAuth.password', ref: receiver.basicAuth.password },
            ]
          : []),
      ];
    case 'slack':
      return [{ field: 'apiUrl', ref: receiver.apiUrl }];
    case 'pagerduty':
      return [{ field: 'routingKey', ref: receiver.routingKey }];
    case 'email':
      return receiver.authPassword ? [{ field: 'authPassword', ref: receiver.authPassword }] : [];
    case 'opsgenie':
      return [{ field: 'apiKey', ref: receiver.apiKey }];
    case 'telegram':
      return [{ field: 'botToken', ref: receiver.botToken }];
    case 'discord':
    case 'msteams':
      return [{ field: 'webhookUrl', ref: receiver.webhookUrl }];
    default:
      return unreachable(receiver);
  }
}

/** Names of the Secrets the global configuration reads credentials from (to mount into Alertmanager). */
export function secretsOf(receivers: readonly Receiver[]): string[] {
  return [...new Set(receivers.flatMap((r) => secretRefsOf(r).map(({ ref }) => ref.name)))].sort();
}

/** The receiver as an AlertmanagerConfig (monitoring.coreos.com/v1alpha1) receiver, credentials as Secret key references. */
export function renderReceiverResource(receiver: Receiver): Record<string, unknown> {
  const name = receiver.name;
  const send = sendResolved(receiver);
  switch (receiver.type) {
    case 'null':
      return { name };
    case 'webhook': {
      const httpConfig =
        receiver.bearerToken || receiver.basicAuth
          ? defined({
              authorization: receiver.bearerToken ? { credentials: secretRef(receiver.bearerToken) } : undefined,
              basicAuth: receiver.basicAuth ? { username: secretRef(receiver.basicAuth.username), password: secretRef(receiver.basicAuth.password) } : undefined,
            })
          : undefined;
      return { name, webhookConfigs: [defined({ url: receiver.url, httpConfig, sendResolved: send, maxAlerts: receiver.maxAlerts })] };
    }
    case 'slack':
      return {
        name,
        slackConfigs: [defined({ apiURL: secretRef(receiver.apiUrl), channel: receiver.channel, title: receiver.title, text: receiver.text, sendResolved: send })],
      };
    case 'pagerduty':
      return { name, pagerdutyConfigs: [defined({ routingKey: secretRef(receiver.routingKey), severity: receiver.severity, sendResolved: send })] };
    case 'email':
      return {
        name,
        emailConfigs: [
          defined({
            to: receiver.to,
            from: receiver.from,
            smarthost: receiver.smarthost,
            authUsername: receiver.authUsername,
            authPassword: receiver.authPassword ? secretRef(receiver.authPassword) : undefined,
            requireTLS: receiver.requireTls,
            sendResolved: send,
          }),
        ],
      };
    case 'opsgenie':
      return {
        name,
        opsgenieConfigs: [defined({ apiKey: secretRef(receiver.apiKey), apiURL: receiver.apiUrl, priority: receiver.priority, sendResolved: send })],
      };
    case 'telegram':
      return { name, telegramConfigs: [{ botToken: secretRef(receiver.botToken), chatID: receiver.chatId, sendResolved: send }] };
    case 'discord':
      return { name, discordConfigs: [{ apiURL: secretRef(receiver.webhookUrl), sendResolved: send }] };
    case 'msteams':
      return { name, msteamsConfigs: [{ webhookUrl: secretRef(receiver.webhookUrl), sendResolved: send }] };
    default:
      return unreachable(receiver);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Credential checks (detection: core/credentials). Messages say where a credential seems to be, never the value:
// they end up in CI logs.

/** Where the credential belongs instead, for this receiver type. */
function credentialFix(receiver: Receiver, kind: FindingKind): string {
  const store = 'put it in a Secret (kubectl create secret generic <name> --from-literal=<key>=…) and';
  if (kind === 'slack-webhook') {
    return receiver.type === 'slack' ? `${store} reference it as apiUrl: { name, key }` : `${store} use a receiver of type slack with apiUrl: { name, key }`;
  }
  if (kind === 'discord-webhook') {
    return receiver.type === 'discord' ? `${store} reference it as webhookUrl: { name, key }` : `${store} use a receiver of type discord with webhookUrl: { name, key }`;
  }
  if (kind === 'teams-webhook') {
    return receiver.type === 'msteams' ? `${store} reference it as webhookUrl: { name, key }` : `${store} use a receiver of type msteams with webhookUrl: { name, key }`;
  }
  if (kind === 'telegram-token' && receiver.type !== 'telegram') return `${store} use a receiver of type telegram with botToken: { name, key }`;
  switch (receiver.type) {
    case 'webhook':
      return kind === 'url-password'
        ? `remove user:password@ from the URL; ${store} use basicAuth: { username: { name, key }, password: { name, key } }`
        : `remove it from the URL; ${store} use bearerToken: { name, key } (sent as "Authorization: Bearer …")`;
    case 'slack':
      return `remove it; the Slack webhook URL belongs in a Secret referenced as apiUrl: { name, key }`;
    case 'pagerduty':
      return `remove it; ${store} reference it as routingKey: { name, key }`;
    case 'email':
      return `remove it; ${store} reference it as authPassword: { name, key }`;
    case 'opsgenie':
      return `remove it; ${store} reference it as apiKey: { name, key }`;
    case 'telegram':
      return `remove it; ${store} reference it as botToken: { name, key }`;
    case 'discord':
    case 'msteams':
      return `remove it; ${store} reference it as webhookUrl: { name, key }`;
    case 'null':
      return `remove it; a receiver of type null sends nothing`;
    default:
      return unreachable(receiver);
  }
}

/** The plain (non-credential) strings of a receiver, by field relative to the receiver. */
function plainStringsOf(receiver: Receiver): Array<[string, string | undefined]> {
  const name: [string, string] = ['name', receiver.name];
  switch (receiver.type) {
    case 'null':
    case 'telegram':
    case 'discord':
    case 'msteams':
      return [name];
    case 'webhook':
      return [name, ['url', receiver.url]];
    case 'slack':
      return [name, ['channel', receiver.channel], ['title', receiver.title], ['text', receiver.text]];
    case 'pagerduty':
      return [name, ['severity', receiver.severity]];
    case 'email':
      return [name, ['to', receiver.to], ['from', receiver.from], ['smarthost', receiver.smarthost], ['authUsername', receiver.authUsername]];
    case 'opsgenie':
      return [name, ['apiUrl', receiver.apiUrl], ['priority', receiver.priority]];
    default:
      return unreachable(receiver);
  }
}

/** Fields Alertmanager needs; the others may be left out but not set empty (the CRD requires 1+ characters). */
const REQUIRED_STRINGS = new Set(['name', 'url', 'channel', 'to', 'from', 'smarthost']);

const SECRET_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const EMAIL_ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[^\s:@/[\]]+):\d{1,5}$/;

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

/** Addresses of an email field: comma-separated, each `addr@host` or `Name <addr@host>`; templates are left to Alertmanager. */
function badAddresses(text: string, single: boolean): string | undefined {
  if (text.includes('{{')) return undefined;
  const entries = text.split(',').map((e) => e.trim());
  if (single && entries.length > 1) return 'must be a single address';
  for (const entry of entries) {
    const address = /<([^<>]*)>\s*$/.exec(entry)?.[1]?.trim() ?? entry;
    if (!EMAIL_ADDRESS.test(address)) return `"${entry}" does not look like an email address (user@example.com or Name <user@example.com>)`;
  }
  return undefined;
}

function checkSecretRef(receiver: Receiver, field: string, ref: SecretKeyRef): StackProblem[] {
  const problems: StackProblem[] = [];
  for (const [part, value, valid, rule] of [
    ['name', ref.name, SECRET_NAME.test(ref.name) && ref.name.length <= 253, 'a Secret name: lowercase letters, digits, "-" and "."'],
    ['key', ref.key, SECRET_KEY.test(ref.key) && ref.key.length <= 253 && !ref.key.startsWith('..') && ref.key !== '.', 'a key: letters, digits, "-", "_" and "."'],
  ] as const) {
    // The credential itself pasted into the reference would also end up in a file path: say which mistake it is.
    const found = credentialIn(value)?.what.replace(/^the value /, 'it ') ?? (value.includes('://') ? 'it is a URL' : undefined);
    if (found) {
      problems.push({
        field: `${field}.${part}`,
        message: `looks like the credential itself (${found}), not the ${part} of a Secret`,
        fix: `create a Secret holding the credential (kubectl create secret generic <name> --from-literal=<key>=…) and reference it as { name, key }`,
      });
    } else if (!valid) {
      problems.push({ field: `${field}.${part}`, message: `"${value}" is not ${rule}`, fix: `reference the Secret that holds ${credentialName(receiver)} by its Kubernetes name and key` });
    }
  }
  return problems;
}

function credentialName(receiver: Receiver): string {
  return receiver.type === 'webhook' ? 'the credential' : `the ${receiver.type} credential`;
}

function checkReceiver(receiver: Receiver, at: string): StackProblem[] {
  const problems: StackProblem[] = [];
  for (const [name, value] of plainStringsOf(receiver)) {
    if (value === undefined) continue;
    if (!value.trim()) {
      problems.push(
        REQUIRED_STRINGS.has(name)
          ? { field: `${at}.${name}`, message: 'must not be empty' }
          : { field: `${at}.${name}`, message: 'is empty', fix: `leave ${name} out to use Alertmanager's default` },
      );
      continue;
    }
    const found = credentialIn(value);
    if (found) problems.push({ field: `${at}.${name}`, message: `looks like a credential in a plain field: ${found.what}`, fix: credentialFix(receiver, found.kind) });
  }
  for (const { field, ref } of secretRefsOf(receiver)) problems.push(...checkSecretRef(receiver, `${at}.${field}`, ref));
  switch (receiver.type) {
    case 'webhook':
      if (receiver.url.trim() && !isHttpUrl(receiver.url)) {
        problems.push({ field: `${at}.url`, message: 'must be an http:// or https:// URL', fix: 'give the full URL, e.g. http://alert-relay.ops.svc:8080/hook' });
      }
      if (receiver.bearerToken && receiver.basicAuth) {
        problems.push({
          field: `${at}.bearerToken`,
          message: 'bearerToken and basicAuth are both set; Alertmanager accepts at most one of basic_auth and authorization',
          fix: 'keep the one the endpoint expects',
        });
      }
      if (receiver.maxAlerts !== undefined && !(Number.isSafeInteger(receiver.maxAlerts) && receiver.maxAlerts >= 0)) {
        problems.push({ field: `${at}.maxAlerts`, message: 'must be a whole number of 0 or more (0: all alerts)' });
      }
      break;
    case 'opsgenie':
      if (receiver.apiUrl?.trim() && !isHttpUrl(receiver.apiUrl)) {
        problems.push({ field: `${at}.apiUrl`, message: 'must be an http:// or https:// URL', fix: "e.g. https://api.eu.opsgenie.com/, or leave it out for Opsgenie's US API" });
      }
      break;
    case 'email': {
      const to = receiver.to.trim() ? badAddresses(receiver.to, false) : undefined;
      if (to) problems.push({ field: `${at}.to`, message: to, fix: 'give one or more addresses separated by commas' });
      const from = receiver.from.trim() ? badAddresses(receiver.from, true) : undefined;
      if (from) problems.push({ field: `${at}.from`, message: from, fix: 'give the one sender address, e.g. alertmanager@example.com' });
      if (receiver.smarthost.trim() && !HOST_PORT.test(receiver.smarthost)) {
        problems.push({ field: `${at}.smarthost`, message: 'must be host:port', fix: 'e.g. smtp.example.com:587' });
      }
      break;
    }
    case 'telegram':
      if (typeof receiver.chatId !== 'number' || !Number.isSafeInteger(receiver.chatId) || receiver.chatId === 0) {
        problems.push({ field: `${at}.chatId`, message: 'must be a non-zero integer', fix: "the chat's numeric id, e.g. -1001234567890 for a group (not its @name)" });
      }
      break;
    default:
      break;
  }
  return problems;
}

/** Values that look like credentials in fields that are not credentials (URLs with tokens, keys in channels...). */
export function checkReceivers(receivers: readonly Receiver[], field: string): StackProblem[] {
  const problems: StackProblem[] = [];
  const firstIndex = new Map<string, number>();
  receivers.forEach((receiver, i) => {
    const at = `${field}[${i}]`;
    const first = firstIndex.get(receiver.name);
    if (first !== undefined) {
      problems.push({ field: `${at}.name`, message: `receiver "${receiver.name}" is already defined at ${field}[${first}]`, fix: 'give each receiver its own name; routes refer to receivers by name' });
    } else {
      firstIndex.set(receiver.name, i);
    }
    problems.push(...checkReceiver(receiver, at));
  });
  return problems;
}
