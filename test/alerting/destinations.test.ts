// Where each receiver integration sends, as Alertmanager would: its URL, the global setting, Alertmanager's default
// host when the URL is in a file or a Secret, or unknown (a webhook's url_file).
import { configDestinations, resourceDestinations } from '../../src/alerting/destinations';

describe('alertmanager.yaml', () => {
  test.each([
    ['a webhook URL', { webhook_configs: [{ url: 'http://relay.ops.svc:8080/hook' }] }, { url: 'http://relay.ops.svc:8080/hook' }],
    ['a webhook url_file: the port is unknown', { webhook_configs: [{ url_file: '/etc/alertmanager/secrets/hook/url' }] }, { unknown: expect.stringContaining('its port is unknown') }],
    ['slack api_url_file: Slack\'s host', { slack_configs: [{ api_url_file: '/etc/alertmanager/secrets/slack/url' }] }, { url: 'https://slack.com/api/chat.postMessage' }],
    ['pagerduty without url: its default', { pagerduty_configs: [{ routing_key_file: '/x' }] }, { url: 'https://events.pagerduty.com/v2/enqueue' }],
    ['opsgenie api_url', { opsgenie_configs: [{ api_url: 'https://api.eu.opsgenie.com/' }] }, { url: 'https://api.eu.opsgenie.com/' }],
    ['discord webhook_url_file: Discord\'s host', { discord_configs: [{ webhook_url_file: '/x' }] }, { url: 'https://discord.com/api/webhooks/' }],
    ['pushover: its API, whatever its `url` link says', { pushover_configs: [{ url: 'https://example.com/runbook' }] }, { url: 'https://api.pushover.net/1/messages.json' }],
    ['email smarthost', { email_configs: [{ smarthost: 'smtp.example.com:587' }] }, { url: 'smtp.example.com:587' }],
    ['a proxy: the flow goes there', { webhook_configs: [{ url: 'https://hooks.example.com/', http_config: { proxy_url: 'http://proxy.net.svc:3128' } }] }, { url: 'https://hooks.example.com/', proxy: 'http://proxy.net.svc:3128' }],
  ])('%s', (_, receiver, expected) => {
    expect(configDestinations({ receivers: [{ name: 'r', ...receiver }] })).toEqual([{ receiver: 'r', type: expect.any(String), ...expected }]);
  });

  test('the global block supplies URLs, the smarthost and the proxy', () => {
    const config = {
      global: { slack_api_url: 'https://hooks.slack.com/services/x', smtp_smarthost: 'mail.example.com:25', http_config: { proxy_url: 'http://proxy:3128' } },
      receivers: [{ name: 'r', slack_configs: [{ channel: '#a' }], email_configs: [{ to: 'a@example.com' }] }, { name: 'null' }],
    };
    expect(configDestinations(config)).toEqual([
      { receiver: 'r', type: 'slack', url: 'https://hooks.slack.com/services/x', proxy: 'http://proxy:3128' },
      { receiver: 'r', type: 'email', url: 'mail.example.com:25' },
    ]);
  });
});

describe('AlertmanagerConfig resources', () => {
  test('receivers named as the operator names them; Secret-held URLs by the default host, or unknown for webhooks', () => {
    const spec = {
      receivers: [{
        name: 'team',
        webhookConfigs: [{ url: 'https://hooks.example.com/a' }, { urlSecret: { name: 'hook', key: 'url' } }],
        slackConfigs: [{ apiURL: { name: 'slack', key: 'url' } }],
        emailConfigs: [{ smarthost: 'smtp.example.com:2525' }],
      }],
    };
    expect(resourceDestinations('team-a', 'routing', spec, {})).toEqual([
      { receiver: 'team-a/routing/team', type: 'webhook', url: 'https://hooks.example.com/a' },
      { receiver: 'team-a/routing/team', type: 'webhook', unknown: expect.stringContaining('its port is unknown') },
      { receiver: 'team-a/routing/team', type: 'slack', url: 'https://slack.com/api/chat.postMessage' },
      { receiver: 'team-a/routing/team', type: 'email', url: 'smtp.example.com:2525' },
    ]);
  });
});
