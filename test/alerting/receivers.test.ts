import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { SECRETS_MOUNT, checkReceivers, renderReceiver, renderReceiverResource, secretsOf } from '../../src/alerting/receivers';
import type { Receiver } from '../../src/alerting/types';
import { SHARED_CRDS, describeWithSharedCrds } from '../crd-schemas';
import { runTool, testWithTool, type ToolRun } from '../tools';
import type { SecretKeyRef } from '../../src/core/primitives';
import { toYaml } from '../../src/core/yaml';

const ref = (name: string, key: string): SecretKeyRef => ({ name, key });
const file = (name: string, key: string) => `${SECRETS_MOUNT}/${name}/${key}`;

// Secret names and keys are distinctive, so that finding them anywhere in a rendered file means something.
const NULL: Receiver = { name: 'null', type: 'null' };
const WEBHOOK: Receiver = { name: 'relay', type: 'webhook', url: 'http://alert-relay.ops.svc:8080/hook', bearerToken: ref('sec-relay', 'key-relay-bearer'), maxAlerts: 20 };
const WEBHOOK_BASIC: Receiver = {
  name: 'incident',
  type: 'webhook',
  url: 'https://incident.example.com/api/v1/alerts',
  basicAuth: { username: ref('sec-incident', 'key-incident-user'), password: ref('sec-incident', 'key-incident-password') },
  sendResolved: false,
};
const SLACK: Receiver = {
  name: 'slack',
  type: 'slack',
  apiUrl: ref('sec-slack', 'key-slack-url'),
  channel: '#alerts',
  title: '{{ .CommonLabels.alertname }}',
  text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}',
};
const PAGERDUTY: Receiver = { name: 'pagerduty', type: 'pagerduty', routingKey: ref('sec-pagerduty', 'key-pagerduty-routing'), severity: '{{ .CommonLabels.severity }}' };
const EMAIL: Receiver = {
  name: 'email',
  type: 'email',
  to: 'oncall@example.com, Platform Team <platform@example.com>',
  from: 'alertmanager@example.com',
  smarthost: 'smtp.example.com:587',
  authUsername: 'alertmanager@example.com',
  authPassword: ref('sec-smtp', 'key-smtp-password'),
  requireTls: true,
};
const OPSGENIE: Receiver = { name: 'opsgenie', type: 'opsgenie', apiKey: ref('sec-opsgenie', 'key-opsgenie-api'), apiUrl: 'https://api.eu.opsgenie.com/', priority: 'P2' };
const TELEGRAM: Receiver = { name: 'telegram', type: 'telegram', botToken: ref('sec-telegram', 'key-telegram-bot'), chatId: -1001234567890 };
const DISCORD: Receiver = { name: 'discord', type: 'discord', webhookUrl: ref('sec-discord', 'key-discord-url') };
const MSTEAMS: Receiver = { name: 'teams', type: 'msteams', webhookUrl: ref('sec-teams', 'key-teams-url'), sendResolved: false };

const ALL: Receiver[] = [NULL, WEBHOOK, WEBHOOK_BASIC, SLACK, PAGERDUTY, EMAIL, OPSGENIE, TELEGRAM, DISCORD, MSTEAMS];

/** Every SecretKeyRef in the values: objects with exactly a name and a key. */
function secretRefsIn(value: unknown): SecretKeyRef[] {
  if (Array.isArray(value)) return value.flatMap(secretRefsIn);
  if (typeof value !== 'object' || value === null) return [];
  const keys = Object.keys(value).sort();
  if (keys.join() === 'key,name') return [value as SecretKeyRef];
  return Object.values(value).flatMap(secretRefsIn);
}

/** Every string leaf with its dotted path. */
function stringsIn(value: unknown, at = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${at}[${i}]`));
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([k, v]) => stringsIn(v, at ? `${at}.${k}` : k));
  return [];
}

function keysIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...keysIn(v)]);
}

describe('renderReceiver (alertmanager.yaml)', () => {
  test('a null receiver is just its name', () => {
    expect(renderReceiver(NULL)).toEqual({ name: 'null' });
  });

  test('a webhook reads its bearer token from the mounted Secret and keeps url, send_resolved and max_alerts', () => {
    expect(renderReceiver(WEBHOOK)).toEqual({
      name: 'relay',
      webhook_configs: [
        {
          url: 'http://alert-relay.ops.svc:8080/hook',
          http_config: { authorization: { credentials_file: file('sec-relay', 'key-relay-bearer') } },
          send_resolved: true,
          max_alerts: 20,
        },
      ],
    });
  });

  test('a webhook with basic auth reads both username and password from files', () => {
    expect(renderReceiver(WEBHOOK_BASIC)).toEqual({
      name: 'incident',
      webhook_configs: [
        {
          url: 'https://incident.example.com/api/v1/alerts',
          http_config: { basic_auth: { username_file: file('sec-incident', 'key-incident-user'), password_file: file('sec-incident', 'key-incident-password') } },
          send_resolved: false,
        },
      ],
    });
  });

  test('a webhook without credentials has no http_config', () => {
    expect(renderReceiver({ name: 'plain', type: 'webhook', url: 'http://relay:8080/' })).toEqual({
      name: 'plain',
      webhook_configs: [{ url: 'http://relay:8080/', send_resolved: true }],
    });
  });

  test('a Slack receiver reads its webhook URL from a file and keeps channel, title and text', () => {
    expect(renderReceiver(SLACK)).toEqual({
      name: 'slack',
      slack_configs: [
        {
          api_url_file: file('sec-slack', 'key-slack-url'),
          channel: '#alerts',
          title: '{{ .CommonLabels.alertname }}',
          text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}',
          send_resolved: true,
        },
      ],
    });
  });

  test('Slack gets send_resolved: true written out, since Alertmanager defaults it to false for Slack', () => {
    const rendered = renderReceiver({ name: 's', type: 'slack', apiUrl: ref('a', 'b'), channel: '#c' }) as { slack_configs: Array<Record<string, unknown>> };
    expect(rendered.slack_configs[0]).toEqual({ api_url_file: file('a', 'b'), channel: '#c', send_resolved: true });
  });

  test('PagerDuty reads its routing key from a file', () => {
    expect(renderReceiver(PAGERDUTY)).toEqual({
      name: 'pagerduty',
      pagerduty_configs: [{ routing_key_file: file('sec-pagerduty', 'key-pagerduty-routing'), severity: '{{ .CommonLabels.severity }}', send_resolved: true }],
    });
  });

  test('email reads its SMTP password from a file and does not send resolved notifications by default', () => {
    expect(renderReceiver(EMAIL)).toEqual({
      name: 'email',
      email_configs: [
        {
          to: 'oncall@example.com, Platform Team <platform@example.com>',
          from: 'alertmanager@example.com',
          smarthost: 'smtp.example.com:587',
          auth_username: 'alertmanager@example.com',
          auth_password_file: file('sec-smtp', 'key-smtp-password'),
          require_tls: true,
          send_resolved: false,
        },
      ],
    });
  });

  test('email without authentication leaves out auth fields and require_tls', () => {
    expect(renderReceiver({ name: 'm', type: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'mail:25', sendResolved: true })).toEqual({
      name: 'm',
      email_configs: [{ to: 'a@example.com', from: 'b@example.com', smarthost: 'mail:25', send_resolved: true }],
    });
  });

  test('Opsgenie reads its API key from a file and keeps api_url and priority', () => {
    expect(renderReceiver(OPSGENIE)).toEqual({
      name: 'opsgenie',
      opsgenie_configs: [{ api_key_file: file('sec-opsgenie', 'key-opsgenie-api'), api_url: 'https://api.eu.opsgenie.com/', priority: 'P2', send_resolved: true }],
    });
  });

  test('Telegram reads its bot token from a file and keeps the numeric chat id', () => {
    expect(renderReceiver(TELEGRAM)).toEqual({
      name: 'telegram',
      telegram_configs: [{ bot_token_file: file('sec-telegram', 'key-telegram-bot'), chat_id: -1001234567890, send_resolved: true }],
    });
  });

  test('Discord and Microsoft Teams read their webhook URLs from files', () => {
    expect(renderReceiver(DISCORD)).toEqual({ name: 'discord', discord_configs: [{ webhook_url_file: file('sec-discord', 'key-discord-url'), send_resolved: true }] });
    expect(renderReceiver(MSTEAMS)).toEqual({ name: 'teams', msteams_configs: [{ webhook_url_file: file('sec-teams', 'key-teams-url'), send_resolved: false }] });
  });

  test('the rendered configuration refers to Secrets only through *_file paths, so no Secret value can be in it', () => {
    const config = { route: { receiver: 'null' }, receivers: ALL.map(renderReceiver) };
    const yaml = toYaml(config);
    const refs = secretRefsIn(ALL);
    const paths = new Set(refs.map((r) => file(r.name, r.key)));
    expect(refs.length).toBeGreaterThanOrEqual(10);

    const leaves = stringsIn(parse(yaml));
    const fileLeaves = leaves.filter(([at]) => at.endsWith('_file'));
    // Each Secret key is read, and only from where the Alertmanager CR mounts it.
    expect(new Set(fileLeaves.map(([, value]) => value))).toEqual(paths);
    for (const [at, value] of leaves.filter(([leaf]) => !leaf.endsWith('_file'))) {
      for (const r of refs) {
        expect({ at, value, mentions: value.includes(r.name) || value.includes(r.key) }).toEqual({ at, value, mentions: false });
      }
    }
    let rest = yaml;
    for (const p of paths) rest = rest.split(p).join('');
    for (const r of refs) {
      expect(rest).not.toContain(r.name);
      expect(rest).not.toContain(r.key);
    }
    // None of Alertmanager's inline credential fields is ever written (api_url is one for Slack, not for Opsgenie).
    const inline = ['routing_key', 'service_key', 'api_key', 'bot_token', 'webhook_url', 'auth_password', 'auth_secret', 'credentials', 'password', 'username', 'bearer_token'];
    expect(keysIn(config).filter((k) => inline.includes(k))).toEqual([]);
    expect(leaves.filter(([at]) => at.endsWith('.api_url')).map(([at]) => at)).toEqual(['receivers[6].opsgenie_configs[0].api_url']);
  });
});

describe('secretsOf', () => {
  test('lists each Secret the receivers read once, sorted', () => {
    expect(secretsOf(ALL)).toEqual(['sec-discord', 'sec-incident', 'sec-opsgenie', 'sec-pagerduty', 'sec-relay', 'sec-slack', 'sec-smtp', 'sec-teams', 'sec-telegram']);
  });

  test('is empty for receivers without credentials', () => {
    expect(secretsOf([NULL, { name: 'm', type: 'email', to: 'a@example.com', from: 'b@example.com', smarthost: 'mail:25' }])).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ amtool

function amtoolCheck(config: unknown): ToolRun {
  return runTool('amtool', ['check-config', 'alertmanager.yaml'], { 'alertmanager.yaml': toYaml(config) });
}

describe('amtool check-config (the deployed Alertmanager version)', () => {
  testWithTool('amtool', 'accepts every receiver type as rendered, with every credential as a *_file path', () => {
    const receivers = [NULL, WEBHOOK, WEBHOOK_BASIC, SLACK, PAGERDUTY, EMAIL, OPSGENIE, TELEGRAM, DISCORD, MSTEAMS];
    const run = amtoolCheck({ route: { receiver: 'null' }, receivers: receivers.map(renderReceiver) });
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining(`${receivers.length} receivers`) });
  });

  testWithTool('amtool', 'rejects a webhook with both a bearer token and basic auth, which checkReceivers reports first', () => {
    const both: Receiver = { ...WEBHOOK, bearerToken: ref('a', 'token'), basicAuth: { username: ref('a', 'user'), password: ref('a', 'password') } } as Receiver;
    const run = amtoolCheck({ route: { receiver: 'relay' }, receivers: [renderReceiver(both)] });
    expect(run.status).not.toBe(0);
    expect(run.output).toContain('at most one of basic_auth, oauth2 & authorization must be configured');
    expect(checkReceivers([both], 'r').map((p) => p.field)).toEqual(['r[0].bearerToken']);
  });
});

// ------------------------------------------------------------------------------------------------ CRD

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
}

/** Paths of fields the schema does not declare: the CRD's structural schema drops them silently, ajv lets them pass. */
function undeclared(schema: Schema, value: unknown, at: string): string[] {
  if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => undeclared(schema.items!, v, `${at}[${i}]`)) : [];
  if (typeof value !== 'object' || value === null || !schema.properties) return [];
  return Object.entries(value).flatMap(([k, v]) => (schema.properties![k] ? undeclared(schema.properties![k], v, `${at}.${k}`) : [`${at}.${k}`]));
}

function alertmanagerConfig(receivers: Receiver[]) {
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: { name: 'team-a', namespace: 'team-a' },
    spec: { route: { receiver: receivers[0].name }, receivers: receivers.map(renderReceiverResource) },
  };
}

describeWithSharedCrds('renderReceiverResource (AlertmanagerConfig v1alpha1)', (schemas) => {
  const specSchema = (): Schema => {
    const crd = parse(fs.readFileSync(path.join(SHARED_CRDS, 'prometheus-operator', 'monitoring.coreos.com_alertmanagerconfigs.yaml'), 'utf8'));
    const version = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1');
    return version.schema.openAPIV3Schema.properties.spec as Schema;
  };

  test('an AlertmanagerConfig with every receiver type validates against the CRD', () => {
    expect(schemas().validate(alertmanagerConfig(ALL))).toEqual([]);
  });

  test.each(ALL.map((r) => [r.type, r.name, r] as const))('the %s receiver %s validates on its own and uses only fields the CRD declares', (_type, _name, receiver) => {
    const object = alertmanagerConfig([receiver]);
    expect(schemas().validate(object)).toEqual([]);
    expect(undeclared(specSchema(), object.spec, 'spec')).toEqual([]);
  });

  test('the declared-field check catches a misspelled field, which the schema validation alone lets through', () => {
    const object = alertmanagerConfig([SLACK]);
    const slack = (object.spec.receivers[0] as { slackConfigs: Array<Record<string, unknown>> }).slackConfigs[0];
    slack.apiUrl = slack.apiURL;
    delete slack.apiURL;
    expect(schemas().validate(object)).toEqual([]);
    expect(undeclared(specSchema(), object.spec, 'spec')).toEqual(['spec.receivers[0].slackConfigs[0].apiUrl']);
  });

  test('credentials are Secret key references in the camelCase fields the operator reads', () => {
    const [, webhook, basic, slack, pagerduty, email, opsgenie, telegram, discord, teams] = ALL.map(renderReceiverResource);
    expect(webhook).toEqual({
      name: 'relay',
      webhookConfigs: [{ url: 'http://alert-relay.ops.svc:8080/hook', httpConfig: { authorization: { credentials: ref('sec-relay', 'key-relay-bearer') } }, sendResolved: true, maxAlerts: 20 }],
    });
    expect(basic).toMatchObject({
      webhookConfigs: [{ httpConfig: { basicAuth: { username: ref('sec-incident', 'key-incident-user'), password: ref('sec-incident', 'key-incident-password') } }, sendResolved: false }],
    });
    expect(slack).toEqual({
      name: 'slack',
      slackConfigs: [{ apiURL: ref('sec-slack', 'key-slack-url'), channel: '#alerts', title: '{{ .CommonLabels.alertname }}', text: '{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}', sendResolved: true }],
    });
    expect(pagerduty).toEqual({ name: 'pagerduty', pagerdutyConfigs: [{ routingKey: ref('sec-pagerduty', 'key-pagerduty-routing'), severity: '{{ .CommonLabels.severity }}', sendResolved: true }] });
    expect(email).toEqual({
      name: 'email',
      emailConfigs: [
        {
          to: 'oncall@example.com, Platform Team <platform@example.com>',
          from: 'alertmanager@example.com',
          smarthost: 'smtp.example.com:587',
          authUsername: 'alertmanager@example.com',
          authPassword: ref('sec-smtp', 'key-smtp-password'),
          requireTLS: true,
          sendResolved: false,
        },
      ],
    });
    expect(opsgenie).toEqual({ name: 'opsgenie', opsgenieConfigs: [{ apiKey: ref('sec-opsgenie', 'key-opsgenie-api'), apiURL: 'https://api.eu.opsgenie.com/', priority: 'P2', sendResolved: true }] });
    expect(telegram).toEqual({ name: 'telegram', telegramConfigs: [{ botToken: ref('sec-telegram', 'key-telegram-bot'), chatID: -1001234567890, sendResolved: true }] });
    expect(discord).toEqual({ name: 'discord', discordConfigs: [{ apiURL: ref('sec-discord', 'key-discord-url'), sendResolved: true }] });
    expect(teams).toEqual({ name: 'teams', msteamsConfigs: [{ webhookUrl: ref('sec-teams', 'key-teams-url'), sendResolved: false }] });
  });

  test('a rendered resource does not share objects with the values', () => {
    const rendered = renderReceiverResource(PAGERDUTY) as { pagerdutyConfigs: Array<{ routingKey: SecretKeyRef }> };
    expect(rendered.pagerdutyConfigs[0].routingKey).not.toBe((PAGERDUTY as { routingKey: SecretKeyRef }).routingKey);
  });
});

// ------------------------------------------------------------------------------------------------ checkReceivers

const FIELD = 'alertmanager.receivers';
const webhook = (url: string): Receiver => ({ name: 'hook', type: 'webhook', url });

describe('checkReceivers', () => {
  test('passes the example receivers and ordinary URLs, channels and templates', () => {
    const ordinary: Receiver[] = [
      ...ALL,
      webhook('https://incident.example.com/api/v1/alerts'),
      { ...webhook('http://alert-relay.ops.svc:8080/hook'), name: 'h2' },
      { ...webhook('https://alerts.example.com/hooks/alertmanager-webhook-receiver-production-eu-west-1'), name: 'h3' },
      { ...webhook('https://tenant.example.com/api/v2/tenants/3f2504e0-4f89-11d3-9a0c-0305e82c3301/alerts'), name: 'h4' },
      { ...webhook('https://relay.example.com/alerts?source=alertmanager&cluster=prod-eu-1&monkey=1'), name: 'h5' },
      { ...webhook('https://alertmanager@relay.example.com/hook'), name: 'h6' },
      { ...webhook('http://[::1]:9095/alerts'), name: 'h7' },
      { ...webhook('https://relay.example.com/AlertmanagerWebhookReceiverForProduction'), name: 'h8' },
      { name: 's2', type: 'slack', apiUrl: ref('slack-webhook', 'url'), channel: '#team-platform-alerts', text: '{{ template "slack.default.text" . }} see https://runbooks.example.com/alerts/{{ .CommonLabels.alertname }}' },
      { name: 'm2', type: 'email', to: '{{ .CommonLabels.owner }}@example.com', from: 'Alertmanager <alertmanager@example.com>', smarthost: '[2001:db8::1]:25' },
    ];
    expect(checkReceivers(ordinary, FIELD)).toEqual([]);
  });

  // [what, receiver, field, message, fix, the literal secret that must not be quoted]
  const credentials: Array<[string, Receiver, string, RegExp, RegExp, string]> = [
    ['a password in the URL', webhook('https://alerts:S3cretPassw0rd@incident.example.com/api/v1/alerts'), 'url', /password \(user:password@host\)/, /basicAuth: \{ username: \{ name, key \}, password: \{ name, key \} \}/, 'S3cretPassw0rd'],
    ...['token', 'key', 'secret', 'password', 'apikey', 'api_key', 'access_token', 'sig', 'X-Api-Key'].map(
      (param): [string, Receiver, string, RegExp, RegExp, string] => [
        `a "${param}" query parameter`,
        webhook(`https://incident.example.com/api/v1/alerts?team=platform&${param}=hunter2value`),
        'url',
        new RegExp(`query parameter "${param}" carries a credential`),
        /bearerToken: \{ name, key \}/,
        'hunter2value',
      ],
    ),
    ['a Slack hook as a webhook URL', webhook('https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX'), 'url', /Slack webhook URL/, /type slack with apiUrl: \{ name, key \}/, 'XXXXXXXXXXXXXXXXXXXXXXXX'],
    ['a Discord hook as a webhook URL', webhook('https://discord.com/api/webhooks/123456789012345678/abcDEFghiJKLmnoPQR'), 'url', /Discord webhook URL/, /type discord with webhookUrl/, 'abcDEFghiJKLmnoPQR'],
    [
      'a Teams hook as a webhook URL',
      webhook('https://contoso.webhook.office.com/webhookb2/9e8d6a2c-0000-4000-8000-000000000000@72f988bf-0000-4000-8000-000000000000/IncomingWebhook/0123abcd/ffff'),
      'url',
      /Microsoft Teams/,
      /type msteams with webhookUrl/,
      'IncomingWebhook/0123abcd',
    ],
    ['a Power Automate workflow URL', webhook('https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=Zm9vYmFy'), 'url', /Microsoft Teams/, /msteams/, 'Zm9vYmFy'],
    ['a Slack bot token as the channel', { ...SLACK, channel: 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx' } as Receiver, 'channel', /Slack token/, /apiUrl: \{ name, key \}/, 'AbCdEfGhIjKlMnOpQrStUvWx'],
    ['a Slack user token in the text', { ...SLACK, text: 'token xoxp-1234567890-abcdef' } as Receiver, 'text', /Slack token/, /apiUrl/, 'abcdef'],
    ['a Slack hook as the channel', { ...SLACK, channel: 'https://hooks.slack.com/services/T0/B0/abc' } as Receiver, 'channel', /Slack webhook URL/, /reference it as apiUrl: \{ name, key \}/, 'T0/B0/abc'],
    ['a hex key in a URL path', webhook('https://events.example.com/integration/9f86d081884c7d659a2feaa0c55ad015/enqueue'), 'url', /path segment .* 32 characters/, /bearerToken/, '9f86d081884c7d659a2feaa0c55ad015'],
    ['a base64url token in a URL path', webhook('https://relay.example.com/h/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg'), 'url', /random-looking/, /bearerToken/, 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg'],
    ['a random token as the URL user', webhook('https://Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg@relay.example.com/h'), 'url', /user name/, /bearerToken/, 'Zm9vYmFyYmF6'],
    ['a Telegram bot token in a URL', webhook('https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage'), 'url', /Telegram bot token/, /type telegram with botToken: \{ name, key \}/, 'AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'],
    ['a routing key as the PagerDuty severity', { ...PAGERDUTY, severity: '9f86d081884c7d659a2feaa0c55ad015' } as Receiver, 'severity', /random-looking/, /routingKey: \{ name, key \}/, '9f86d081884c7d659a2feaa0c55ad015'],
    ['an API key in the Opsgenie URL', { ...OPSGENIE, apiUrl: 'https://api.opsgenie.com/?apiKey=0000-1111' } as Receiver, 'apiUrl', /query parameter "apiKey"/, /apiKey: \{ name, key \}/, '0000-1111'],
    ['a password in the SMTP user', { ...EMAIL, authUsername: 'https://user:Passw0rd@smtp.example.com' } as Receiver, 'authUsername', /password/, /authPassword: \{ name, key \}/, 'Passw0rd'],
  ];

  test.each(credentials)('reports %s, with the fix and without quoting the credential', (_what, receiver, field, message, fix, literal) => {
    const problems = checkReceivers([receiver], FIELD);
    expect(problems).toEqual([{ field: `${FIELD}[0].${field}`, message: expect.stringMatching(message), fix: expect.stringMatching(fix) }]);
    expect(JSON.stringify(problems)).not.toContain(literal);
  });

  test('reports a credential pasted into a Secret reference, without quoting it', () => {
    const hook = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';
    const problems = checkReceivers([{ ...SLACK, apiUrl: { name: hook, key: 'url' } } as Receiver, { ...PAGERDUTY, routingKey: { name: 'pagerduty', key: '9f86d081884c7d659a2feaa0c55ad015' } } as Receiver], FIELD);
    expect(problems).toEqual([
      { field: `${FIELD}[0].apiUrl.name`, message: expect.stringMatching(/looks like the credential itself .*not the name of a Secret/), fix: expect.stringMatching(/kubectl create secret generic/) },
      { field: `${FIELD}[1].routingKey.key`, message: expect.stringMatching(/looks like the credential itself .*not the key of a Secret/), fix: expect.any(String) },
    ]);
    expect(JSON.stringify(problems)).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
    expect(JSON.stringify(problems)).not.toContain('9f86d081884c7d659a2feaa0c55ad015');
  });

  test('reports Secret references that are not Kubernetes names or keys (they become file paths)', () => {
    const problems = checkReceivers([{ ...DISCORD, webhookUrl: { name: 'Discord_Hook', key: '../token' } } as Receiver], FIELD);
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      [`${FIELD}[0].webhookUrl.name`, expect.stringMatching(/"Discord_Hook" is not a Secret name/)],
      [`${FIELD}[0].webhookUrl.key`, expect.stringMatching(/"..\/token" is not a key/)],
    ]);
  });

  test('reports duplicate receiver names at the later one', () => {
    const problems = checkReceivers([SLACK, PAGERDUTY, { ...EMAIL, name: 'slack' } as Receiver], FIELD);
    expect(problems).toEqual([{ field: `${FIELD}[2].name`, message: `receiver "slack" is already defined at ${FIELD}[0]`, fix: expect.stringMatching(/own name/) }]);
  });

  test.each([
    ['a "to" that is not an address', { to: 'oncall' }, 'to', /"oncall" does not look like an email address/],
    ['one bad address in a list', { to: 'oncall@example.com, platform' }, 'to', /"platform" does not look like an email address/],
    ['a "from" that is not an address', { from: 'Alertmanager' }, 'from', /does not look like an email address/],
    ['two "from" addresses', { from: 'a@example.com, b@example.com' }, 'from', /single address/],
    ['a smarthost without a port', { smarthost: 'smtp.example.com' }, 'smarthost', /host:port/],
  ])('reports %s in an email receiver', (_what, change, field, message) => {
    expect(checkReceivers([{ ...EMAIL, ...change } as Receiver], FIELD)).toEqual([{ field: `${FIELD}[0].${field}`, message: expect.stringMatching(message), fix: expect.any(String) }]);
  });

  test.each(['ftp://relay.example.com/hook', 'alert-relay.ops.svc:8080/hook', '/hook'])('reports the webhook URL %s, which is not http(s)', (url) => {
    expect(checkReceivers([webhook(url)], FIELD)).toEqual([{ field: `${FIELD}[0].url`, message: 'must be an http:// or https:// URL', fix: expect.any(String) }]);
  });

  test.each([1.5, 0, Number.NaN, 2 ** 60])('reports the Telegram chat id %s, which is not a non-zero integer', (chatId) => {
    expect(checkReceivers([{ ...TELEGRAM, chatId }], FIELD)).toEqual([{ field: `${FIELD}[0].chatId`, message: 'must be a non-zero integer', fix: expect.stringMatching(/numeric id/) }]);
  });

  test('reports empty fields, a negative maxAlerts and an Opsgenie URL that is not http(s)', () => {
    const problems = checkReceivers(
      [{ ...SLACK, channel: ' ', title: '' } as Receiver, { ...WEBHOOK, maxAlerts: -1 } as Receiver, { ...OPSGENIE, apiUrl: 'api.opsgenie.com' } as Receiver],
      FIELD,
    );
    expect(problems.map((p) => [p.field, p.message])).toEqual([
      [`${FIELD}[0].channel`, 'must not be empty'],
      [`${FIELD}[0].title`, 'is empty'],
      [`${FIELD}[1].maxAlerts`, expect.stringMatching(/0 or more/)],
      [`${FIELD}[2].apiUrl`, 'must be an http:// or https:// URL'],
    ]);
  });
});
