// Credentials are passed by Secret reference only: a URL that carries one is an error, and no message repeats it.
import { formatProblems, StackError } from '../../src/core/problems';
import { renderError } from '../helpers';

const SLACK_HOOK = 'https://hooks.slack.com/services/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';
const HOOK_SECRET = 'Zx9Qw8Er7Ty6Ui5Op4As3Df2';

describe('credentials in URLs', () => {
  test('a remote-write URL with user:password@ is an error that says how to pass it, without printing it', () => {
    const message = renderError({ prometheus: { remoteWrite: [{ url: 'https://writer:Hunter2Pass@metrics.example.com/api/v1/write' }] } });
    expect(message).toContain('prometheus.remoteWrite[0].url: holds a credential: the URL carries a password (user:password@host)');
    expect(message).toContain('basicAuth: { username: { name, key }, password: { name, key } }');
    expect(message).toContain('kubectl create secret generic');
    expect(message).not.toContain('Hunter2Pass');
  });

  test.each(['token', 'api_key', 'access_token', 'apikey', 'X-Api-Key'])('a remote-write URL with a %s query parameter is an error', (param) => {
    const message = renderError({ prometheus: { remoteWrite: [{ url: `https://metrics.example.com/api/v1/write?tenant=shop&${param}=s3cr3tValue42` }] } });
    expect(message).toContain(`prometheus.remoteWrite[0].url: holds a credential: the URL's query parameter "${param}" carries a credential`);
    expect(message).toContain('bearerToken: { name, key }');
    expect(message).not.toContain('s3cr3tValue42');
  });

  test('a webhook receiver URL with a token parameter is an error, without printing it', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'null', type: 'null' }, { name: 'relay', type: 'webhook', url: 'https://relay.example.com/hook?access_token=s3cr3tValue42' }] } });
    expect(message).toContain('alertmanager.receivers[1].url: looks like a credential in a plain field');
    expect(message).not.toContain('s3cr3tValue42');
  });

  test('a Grafana root URL or an external URL with a password is an error too', () => {
    const message = renderError({ grafana: { rootUrl: 'https://admin:Hunter2Pass@grafana.example.com/' }, prometheus: { externalUrl: 'https://p.example.com/?token=s3cr3tValue42' } });
    expect(message).toContain('grafana.rootUrl: holds a credential');
    expect(message).toContain('prometheus.externalUrl: holds a credential');
    expect(message).not.toContain('Hunter2Pass');
    expect(message).not.toContain('s3cr3tValue42');
  });
});

describe('a Slack hook pasted where a Secret reference belongs', () => {
  test('gives exactly one problem, at apiUrl, that says how to pass it and does not contain the secret part', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'x', type: 'slack', apiUrl: SLACK_HOOK as never, channel: '#alerts' }] } });
    expect(message).toContain('stack test: 1 problem\n');
    expect(message).toContain("alertmanager.receivers[0].apiUrl: must be a Secret reference { name, key }, not the credential itself (got \"https://hooks.slack.com/…\" (redacted))");
    expect(message).toContain("reference it as apiUrl: { name: '<name>', key: '<key>' }");
    expect(message).not.toContain(HOOK_SECRET);
    expect(message).not.toContain('T0001ABCD');
  });

  test('without the channel, the branch meant (type slack) still gives only its own mistakes', () => {
    const message = renderError({ alertmanager: { receivers: [{ name: 'x', type: 'slack', apiUrl: SLACK_HOOK } as never] } });
    expect(message).toContain('stack test: 2 problems\n');
    expect(message).toContain("alertmanager.receivers[0]: missing required field 'channel'");
    expect(message).not.toContain('routingKey');
    expect(message).not.toContain(HOOK_SECRET);
  });
});

describe('redaction of every message', () => {
  test('a problem built with a credential in it is printed redacted, and long values are cut', () => {
    const problems = [
      { field: 'x.url', message: `'${SLACK_HOOK}' is wrong`, fix: 'token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx' },
      { field: 'x.password', message: "'hunter2' is too short" },
      { field: 'x.url', message: "'https://bob:Hunter2Pass@example.com/x' is wrong" },
    ];
    const message = formatProblems('test', problems);
    expect(message).toContain("x.url: 'https://hooks.slack.com/… (redacted)' is wrong");
    expect(message).toContain('xoxb-… (redacted)');
    expect(message).toContain("x.password: '…' (redacted) is too short");
    expect(message).toContain("'https://example.com/… (redacted)' is wrong");
    for (const secret of [HOOK_SECRET, 'AbCdEfGhIjKlMnOpQrStUvWx', 'hunter2', 'Hunter2Pass']) expect(message).not.toContain(secret);
    expect(JSON.stringify(new StackError('test', problems).problems)).not.toContain(HOOK_SECRET);
  });

  test('a long value in a schema error is cut to 60 characters', () => {
    const long = 'x'.repeat(200);
    const message = renderError({ grafana: { dashboardNamespaces: long as never } });
    expect(message).toContain(`"${'x'.repeat(60)}…" is not allowed`);
    expect(message).not.toContain('x'.repeat(61));
  });

  test('a string under a key named like a credential is never shown', () => {
    const message = renderError({ prometheus: { remoteWrite: [{ url: 'https://m.example.com/write', bearerToken: 'plain-token-value' as never }] } });
    expect(message).toContain('prometheus.remoteWrite[0].bearerToken: must be a Secret reference { name, key }');
    expect(message).not.toContain('plain-token-value');
  });
});
