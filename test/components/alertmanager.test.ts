import { parse } from 'yaml';
import { at, find, objectsOf, render } from '../helpers';
import { runTool, testWithTool } from '../tools';

describe('alertmanager component', () => {
  const stack = render();
  const alertmanager = find(stack, 'Alertmanager', 'main');
  const config = (at(find(stack, 'Secret', 'alertmanager-main-config'), 'stringData') as Record<string, string>)['alertmanager.yaml'];

  test('runs 3 replicas from its own config Secret', () => {
    expect(at(alertmanager, 'spec.replicas')).toBe(3);
    expect(at(alertmanager, 'spec.configSecret')).toBe('alertmanager-main-config');
  });

  test('the default config routes Watchdog to the null receiver and lets critical inhibit warning', () => {
    const parsed = parse(config);
    expect(parsed.route.receiver).toBe('null');
    expect(parsed.route.routes).toContainEqual({ receiver: 'null', matchers: ['alertname="Watchdog"'] });
    expect(parsed.inhibit_rules[0]).toEqual({
      source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: ['namespace', 'alertname'],
    });
  });

  test('receivers read credentials from Secrets the Alertmanager mounts, and team configs are selected', () => {
    const routed = render({
      alertmanager: {
        receivers: [{ name: 'pager', type: 'pagerduty', routingKey: { name: 'pd', key: 'key' } }],
        route: { receiver: 'pager' },
        teams: [{ namespace: 'shop', receivers: [{ name: 'null', type: 'null' }], route: { receiver: 'null' } }],
      },
    });
    const spec = at(find(routed, 'Alertmanager', 'main'), 'spec') as Record<string, unknown>;
    expect(spec.secrets).toEqual(['pd']);
    expect(spec.alertmanagerConfigNamespaceSelector).toEqual({});
    expect(find(routed, 'AlertmanagerConfig', 'shop-routing')).toBeDefined();
  });

  testWithTool('amtool', 'amtool check-config accepts the generated config of every stack in stacks/', () => {
    const path = require('path');
    const { defaultStackFiles, loadStackFile } = require('../../src/load/stack-file');
    const { renderStack } = require('../../src/model/render');
    const stacks = [stack, ...defaultStackFiles(path.resolve(__dirname, '../../stacks')).map((f: string) => renderStack(loadStackFile(f)))];
    for (const s of stacks) {
      const yaml = (at(find(s, 'Secret', 'alertmanager-main-config'), 'stringData') as Record<string, string>)['alertmanager.yaml'];
      const result = runTool('amtool', ['check-config', 'alertmanager.yaml'], { 'alertmanager.yaml': yaml });
      expect([s.name, result.output]).toEqual([s.name, expect.stringContaining('SUCCESS')]);
    }
  });

  testWithTool('amtool', 'amtool routes Watchdog and any other alert as the config says', () => {
    const route = (labels: string) => runTool('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yaml', ...labels.split(' ')], { 'alertmanager.yaml': config });
    expect(route('alertname=Watchdog').stdout.trim()).toBe('null');
    expect(route('alertname=KubePodCrashLooping severity=warning').stdout.trim()).toBe('null');
  });

  test('gossip between replicas is allowed by its NetworkPolicy, on TCP and UDP', () => {
    const ingress = at(find(stack, 'NetworkPolicy', 'alertmanager-main'), 'spec.ingress') as Array<{ ports: Array<{ port: number; protocol: string }> }>;
    expect(ingress.flatMap((r) => r.ports)).toEqual(expect.arrayContaining([{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }]));
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'alertmanager').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
