// Credentials never reach the generated files: only Secret references and the paths Secrets are mounted at.
import * as path from 'path';
import { stackFiles } from '../../src/synth/layout';
import { loadStackFile } from '../../src/load/stack-file';
import { renderStack } from '../../src/synth/pipeline';
import { renderError } from '../helpers';

describe('secrets by reference', () => {
  test('a credential pasted into a plain field stops the synth, and the message does not repeat it', () => {
    const token = 'q8Zr2mW4tY7uK1pL9sD3fG6hJ0aX5cVb';
    const message = renderError({
      alertmanager: {
        receivers: [{ name: 'incident', type: 'webhook', url: `https://incidents.example.com/hook?api_key=${token}` }],
        route: { receiver: 'incident' },
      },
    });
    expect(message).toContain('alertmanager.receivers[0].url');
    expect(message).not.toContain(token);
  });

  test('a Slack hook URL in a team webhook is caught too', () => {
    const message = renderError({
      alertmanager: {
        teams: [{ namespace: 'shop', receivers: [{ name: 'shop', type: 'webhook', url: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX' }], route: { receiver: 'shop' } }],
      },
    });
    expect(message).toContain('alertmanager.teams[0].receivers[0].url');
  });

  test('the generated files of the routing example hold Secret references and mount paths, no credential', () => {
    const files = stackFiles(renderStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts'))));
    const all = files.map((f) => f.content).join('\n');
    expect(all).toContain('credentials_file: /etc/alertmanager/secrets/alertmanager-incident-tool/token');
    expect(all).toContain('routing_key_file: /etc/alertmanager/secrets/alertmanager-pagerduty/routing-key');
    expect(all).not.toMatch(/hooks\.slack\.com|xox[abp]-|\b(password|token|api_key|routing_key|api_url):\s*\S/);
    // The only Secret written is the configuration itself; credentials live in Secrets the users create.
    expect(files.filter((f) => /\/Secret-/.test(f.path)).map((f) => path.basename(f.path))).toEqual(['Secret-alertmanager-main-config.yaml']);
  });
});
