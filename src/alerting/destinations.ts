// Where an Alertmanager sends each notification, read from its written configuration (alertmanager.yaml) and from
// the AlertmanagerConfig resources it merges: a URL (or an email smarthost), or why it cannot be known. The network
// flow analyzer turns these into the flows the Alertmanager pods need.

type Raw = Record<string, unknown>;
const record = (value: unknown): Raw => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** One integration of one receiver: where it sends (through a proxy, if it has one), or why that is unknown. */
export type ReceiverDestination =
  | { readonly receiver: string; readonly type: string; readonly url: string; readonly proxy?: string }
  | { readonly receiver: string; readonly type: string; readonly unknown: string };

/**
 * Where each integration sends: the field holding its URL, the global setting it falls back on, and Alertmanager's
 * own default. `fileField` set and no default: the URL is only in a file, so the port is unknown.
 */
interface Integration {
  readonly type: string;
  readonly urlField?: string;
  readonly fileField?: string;
  readonly global?: string;
  readonly default?: string;
}

const INTEGRATIONS: Record<string, Integration> = {
  webhook_configs: { type: 'webhook', urlField: 'url', fileField: 'url_file' },
  slack_configs: { type: 'slack', urlField: 'api_url', fileField: 'api_url_file', global: 'slack_api_url', default: 'https://slack.com/api/chat.postMessage' },
  pagerduty_configs: { type: 'pagerduty', urlField: 'url', global: 'pagerduty_url', default: 'https://events.pagerduty.com/v2/enqueue' },
  opsgenie_configs: { type: 'opsgenie', urlField: 'api_url', global: 'opsgenie_api_url', default: 'https://api.opsgenie.com/' },
  victorops_configs: { type: 'victorops', urlField: 'api_url', global: 'victorops_api_url', default: 'https://alert.victorops.com/integrations/generic/20131114/alert/' },
  // pushover's `url` is a link shown in the message, not where it is sent.
  pushover_configs: { type: 'pushover', default: 'https://api.pushover.net/1/messages.json' },
  wechat_configs: { type: 'wechat', urlField: 'api_url', global: 'wechat_api_url', default: 'https://qyapi.weixin.qq.com/cgi-bin/' },
  telegram_configs: { type: 'telegram', urlField: 'api_url', global: 'telegram_api_url', default: 'https://api.telegram.org' },
  webex_configs: { type: 'webex', urlField: 'api_url', global: 'webex_api_url', default: 'https://webexapis.com/v1/messages' },
  discord_configs: { type: 'discord', urlField: 'webhook_url', fileField: 'webhook_url_file', default: 'https://discord.com/api/webhooks/' },
  msteams_configs: { type: 'msteams', urlField: 'webhook_url', fileField: 'webhook_url_file', default: 'https://outlook.office.com/webhook/' },
  msteamsv2_configs: { type: 'msteamsv2', urlField: 'webhook_url', fileField: 'webhook_url_file', default: 'https://prod.logic.azure.com/' },
  sns_configs: { type: 'sns', urlField: 'api_url', default: 'https://sns.amazonaws.com/' },
  jira_configs: { type: 'jira', urlField: 'api_url', global: 'jira_api_url' },
  rocketchat_configs: { type: 'rocketchat', urlField: 'api_url', global: 'rocketchat_api_url', default: 'https://open.rocket.chat/' },
  incidentio_configs: { type: 'incidentio', urlField: 'url', fileField: 'url_file' },
};

/** AlertmanagerConfig (v1alpha1) field names: URLs are strings, or Secret key selectors (objects) read at runtime. */
const RESOURCE_INTEGRATIONS: Record<string, { readonly of: string; readonly urlField?: string }> = {
  webhookConfigs: { of: 'webhook_configs', urlField: 'url' },
  slackConfigs: { of: 'slack_configs', urlField: 'apiURL' },
  pagerdutyConfigs: { of: 'pagerduty_configs', urlField: 'url' },
  opsgenieConfigs: { of: 'opsgenie_configs', urlField: 'apiURL' },
  victoropsConfigs: { of: 'victorops_configs', urlField: 'apiUrl' },
  pushoverConfigs: { of: 'pushover_configs' },
  wechatConfigs: { of: 'wechat_configs', urlField: 'apiURL' },
  telegramConfigs: { of: 'telegram_configs', urlField: 'apiURL' },
  webexConfigs: { of: 'webex_configs', urlField: 'apiURL' },
  discordConfigs: { of: 'discord_configs', urlField: 'apiURL' },
  msteamsConfigs: { of: 'msteams_configs', urlField: 'webhookUrl' },
  msteamsv2Configs: { of: 'msteamsv2_configs', urlField: 'webhookURL' },
  snsConfigs: { of: 'sns_configs', urlField: 'apiURL' },
  rocketchatConfigs: { of: 'rocketchat_configs', urlField: 'apiURL' },
};

/**
 * One receiver integration's destination: its URL; for a URL read from a file or a Secret, the integration's default
 * host (the port is that of its scheme), or unknown when it has none (a webhook); without either, the global
 * setting, then Alertmanager's default.
 */
function integrationTarget(key: string, url: string | undefined, fromFile: boolean, global: Raw): Target {
  const integration = INTEGRATIONS[key];
  if (url) return { url };
  const unknownPort = { unknown: `its ${integration.type} URL is read from a file (or Secret) at runtime, so its port is unknown and the policy cannot be checked` };
  if (fromFile) return integration.default ? { url: integration.default } : unknownPort;
  const globalUrl = integration.global ? str(global[integration.global]) : undefined;
  if (globalUrl) return { url: globalUrl };
  if (integration.global && str(global[`${integration.global}_file`])) return integration.default ? { url: integration.default } : unknownPort;
  return integration.default ? { url: integration.default } : { unknown: `it names no ${integration.type} URL` };
}

type Target = { url: string } | { unknown: string };

function destination(receiver: string, type: string, target: Target, proxy: string | undefined): ReceiverDestination {
  return 'url' in target ? { receiver, type, url: target.url, ...(proxy ? { proxy } : {}) } : { receiver, type, unknown: target.unknown };
}

function smarthostTarget(smarthost: string | undefined): Target {
  return smarthost ? { url: smarthost } : { unknown: 'it names no smarthost' };
}

/** The destinations of alertmanager.yaml's receivers (its `global` block supplies defaults and the proxy). */
export function configDestinations(config: Raw): ReceiverDestination[] {
  const global = record(config.global);
  const globalProxy = str(record(global.http_config).proxy_url);
  return list(config.receivers).flatMap((r) => {
    const receiver = record(r);
    const name = str(receiver.name) ?? '(unnamed)';
    return [
      ...Object.entries(INTEGRATIONS).flatMap(([key, integration]) => list(receiver[key]).map((c) => {
        const settings = record(c);
        const fromFile = integration.fileField !== undefined && str(settings[integration.fileField]) !== undefined;
        const url = integration.urlField ? str(settings[integration.urlField]) : undefined;
        return destination(name, integration.type, integrationTarget(key, url, fromFile, global), str(record(settings.http_config).proxy_url) ?? globalProxy);
      })),
      ...list(receiver.email_configs).map((c) => destination(name, 'email', smarthostTarget(str(record(c).smarthost) ?? str(global.smtp_smarthost)), undefined)),
    ];
  });
}

/**
 * The destinations of an AlertmanagerConfig's receivers, named `<namespace>/<config>/<receiver>` as the operator
 * names them; `global` is the Alertmanager configuration's global block (defaults for what the resource leaves out).
 */
export function resourceDestinations(namespace: string, name: string, spec: unknown, config: Raw): ReceiverDestination[] {
  const global = record(config.global);
  const globalProxy = str(record(global.http_config).proxy_url);
  return list(record(spec).receivers).flatMap((r) => {
    const receiver = record(r);
    const full = `${namespace}/${name}/${str(receiver.name) ?? '(unnamed)'}`;
    return [
      ...Object.entries(RESOURCE_INTEGRATIONS).flatMap(([key, { of, urlField }]) => list(receiver[key]).map((c) => {
        const settings = record(c);
        const value = urlField ? settings[urlField] : undefined;
        const url = str(value);
        // A Secret key selector (or webhookConfigs' urlSecret): the URL is only known at runtime.
        const fromSecret = (value !== undefined && url === undefined) || (key === 'webhookConfigs' && settings.urlSecret !== undefined);
        return destination(full, INTEGRATIONS[of].type, integrationTarget(of, url, fromSecret, global), str(record(settings.httpConfig).proxyURL) ?? globalProxy);
      })),
      ...list(receiver.emailConfigs).map((c) => destination(full, 'email', smarthostTarget(str(record(c).smarthost) ?? str(global.smtp_smarthost)), undefined)),
    ];
  });
}
