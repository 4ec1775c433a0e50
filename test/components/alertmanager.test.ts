import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { Alertmanager } from '../../src/components/alertmanager';
import type { KubernetesObject } from '../../src/core/primitives';
import { at, find, render } from '../helpers';
import { runTool, testWithTool } from '../tools';
import { alertmanagerProps, only, synth } from './props';

const configOf = (objects: readonly KubernetesObject[]) => (at(only(objects, 'Secret', 'alertmanager-main-config'), 'stringData') as Record<string, string>)['alertmanager.yaml'];

describe('alertmanager component', () => {
  const objects = synth((chart) => new Alertmanager(chart, 'alertmanager', alertmanagerProps()));
  const alertmanager = only(objects, 'Alertmanager', 'main');
  const config = configOf(objects);

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

  test('receivers read credentials from Secrets the Alertmanager mounts, and every AlertmanagerConfig is selected, confined to its namespace', () => {
    const routed = synth((chart) => new Alertmanager(chart, 'alertmanager', alertmanagerProps({
      receivers: [{ name: 'pager', type: 'pagerduty', routingKey: { name: 'pd', key: 'key' } }],
      route: { receiver: 'pager' },
      teams: [{ namespace: 'shop', receivers: [{ name: 'null', type: 'null' }], route: { receiver: 'null' } }],
    })));
    const spec = at(only(routed, 'Alertmanager', 'main'), 'spec') as Record<string, unknown>;
    expect(spec.secrets).toEqual(['pd']);
    expect(spec.alertmanagerConfigNamespaceSelector).toEqual({});
    expect(spec.alertmanagerConfigSelector).toEqual({});
    expect(spec.alertmanagerConfigMatcherStrategy).toEqual({ type: 'OnNamespace' });
    expect(at(only(routed, 'AlertmanagerConfig', 'shop-routing'), 'metadata.namespace')).toBe('shop');
    expect(at(alertmanager, 'spec.secrets')).toBeUndefined();
  });

  test('a receiver and a route added after the constructor reach the config Secret, and the receiver\'s Secret is mounted', () => {
    const added = synth((chart) => {
      const am = new Alertmanager(chart, 'alertmanager', alertmanagerProps());
      am.addReceiver({ name: 'oncall', type: 'webhook', url: 'https://oncall.example.com/alerts', bearerToken: { name: 'oncall-token', key: 'token' } });
      am.addRoute({ receiver: 'oncall', matchers: ['severity="critical"'] });
      expect(am.receivers.map((r) => r.name)).toEqual(['null', 'oncall']);
    });
    const parsed = parse(configOf(added));
    expect(parsed.receivers.map((r: { name: string }) => r.name)).toEqual(['null', 'oncall']);
    expect(parsed.route.routes.at(-1)).toEqual({ receiver: 'oncall', matchers: ['severity="critical"'] });
    expect(at(only(added, 'Alertmanager', 'main'), 'spec.secrets')).toEqual(['oncall-token']);
  });

  test('a receiver whose name is taken is rejected, naming it', () => {
    const am = new Alertmanager(Testing.chart(), 'alertmanager', alertmanagerProps());
    expect(() => am.addReceiver({ name: 'null', type: 'null' })).toThrow("alertmanager.addReceiver('null'): a receiver named 'null' already exists");
  });

  test('a receiver with a credential in a plain field is rejected like in the values', () => {
    const am = new Alertmanager(Testing.chart(), 'alertmanager', alertmanagerProps());
    expect(() => am.addReceiver({ name: 'hook', type: 'webhook', url: 'https://user:hunter2@hooks.example.com/alerts' })).toThrow("alertmanager.addReceiver('hook')");
    expect(am.receivers.map((r) => r.name)).toEqual(['null']);
  });

  test('a route added to a receiver that never comes fails the validation, saying which', () => {
    const am = new Alertmanager(Testing.chart(), 'alertmanager', alertmanagerProps());
    am.addRoute({ receiver: 'nobody', routes: [{ receiver: 'null' }] });
    expect(am.node.validate()).toEqual([expect.stringContaining("a route added with addRoute names receiver 'nobody', which does not exist")]);
    am.addReceiver({ name: 'nobody', type: 'null' });
    expect(am.node.validate()).toEqual([]);
  });

  testWithTool('amtool', 'amtool check-config accepts the generated config of every stack in stacks/', () => {
    const path = require('path');
    const { defaultStackFiles, loadStacks } = require('../../src/load/stack-file');
    const { renderStack } = require('../../src/synth/pipeline');
    // A fleet file (stacks/fleet.ts) is a stack per cluster.
    const stacks = [render(), ...defaultStackFiles(path.resolve(__dirname, '../../stacks')).flatMap((f: string) => loadStacks(f)).map((l: never) => renderStack(l))];
    // An agent-mode stack has no Alertmanager; every other stack does.
    for (const s of stacks.filter((s) => s.model.values.alertmanager.enabled)) {
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
    const ingress = at(only(objects, 'NetworkPolicy', 'alertmanager-main'), 'spec.ingress') as Array<{ ports: Array<{ port: number; protocol: string }> }>;
    expect(ingress.flatMap((r) => r.ports)).toEqual(expect.arrayContaining([{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }]));
  });

  test('brings its rules and the Alertmanager dashboard, red below its replicas', () => {
    const am = new Alertmanager(Testing.chart(), 'alertmanager', alertmanagerProps({ replicas: 2 }));
    expect(am.ruleSources.map((s) => s.objectName)).toEqual(['alertmanager-main-rules']);
    expect(am.dashboards.map((d) => [d.json.uid, d.folder, d.component])).toEqual([['o11y-alertmanager-overview', 'Monitoring', 'alertmanager']]);
    expect(JSON.stringify(am.dashboards[0].json)).toContain('red below the 2 configured replicas');
  });

  test('matches its snapshot', () => {
    // Rules and dashboards become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
