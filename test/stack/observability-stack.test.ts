// The stack root: wiring, typed component fields and intent methods for the customize hook.
import { parse } from 'yaml';
import { App } from 'cdk8s';
import { ObservabilityStack } from '../../src';
import { alertingRule, ruleGroup } from '../../src/rules/builders';
import { at, find, objectsOf, render, renderError } from '../helpers';

const configOf = (stack: ReturnType<typeof render>) => parse((at(find(stack, 'Secret', 'alertmanager-main-config'), 'stringData') as Record<string, string>)['alertmanager.yaml']);
const oncall = { name: 'oncall', type: 'webhook' as const, url: 'https://oncall.example.com/alerts', bearerToken: { name: 'oncall-token', key: 'token' } };

describe('the stack', () => {
  test('exposes every component as a typed field, wired to the others', () => {
    const stack = new ObservabilityStack(new App(), 'test');
    expect(stack.prometheus?.alertmanager).toBe(stack.alertmanager);
    expect(stack.prometheus?.node.id).toBe('prometheus');
    expect(stack.alertmanager?.node.id).toBe('alertmanager');
    expect(stack.prometheusOperator?.node.id).toBe('prometheus-operator');
    expect(stack.nodeExporter?.port).toBe(9100);
    expect(stack.kubeStateMetrics?.node.id).toBe('kube-state-metrics');
    expect(stack.grafana?.node.id).toBe('grafana');
    expect(stack.controlPlane.node.id).toBe('control-plane');
    expect([stack.applications, stack.chaos, stack.crds]).toEqual([undefined, undefined, undefined]);
  });

  test('the field of a disabled component is undefined, and nothing is wired to it', () => {
    const stack = new ObservabilityStack(new App(), 'test', {
      prometheusOperator: { enabled: false }, alertmanager: { enabled: false }, nodeExporter: { enabled: false },
      kubeStateMetrics: { enabled: false }, grafana: { enabled: false },
    });
    expect([stack.prometheusOperator, stack.alertmanager, stack.nodeExporter, stack.kubeStateMetrics, stack.grafana]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(stack.prometheus?.alertmanager).toBeUndefined();
    expect(new ObservabilityStack(new App(), 'test', { prometheus: { enabled: false } }).prometheus).toBeUndefined();
  });

  describe('in the customize hook', () => {
    test('alertmanager.addReceiver and addRoute reach the configuration Secret and the routing report, and the receiver\'s Secret is mounted', () => {
      const stack = render({}, (s) => {
        s.alertmanager!.addReceiver(oncall);
        s.alertmanager!.addRoute({ receiver: 'oncall', matchers: ['severity="critical"'] });
      });
      const config = configOf(stack);
      expect(config.receivers.map((r: { name: string }) => r.name)).toEqual(['null', 'oncall']);
      expect(config.route.routes.at(-1)).toEqual({ receiver: 'oncall', matchers: ['severity="critical"'] });
      expect(at(find(stack, 'Alertmanager', 'main'), 'spec.secrets')).toEqual(['oncall-token']);
      // What is analyzed is what is written: the routing report reads the Secret.
      expect(stack.reports.join('\n')).toContain('- oncall {severity="critical"}');
    });

    test('a receiver whose name is taken is rejected, naming it', () => {
      expect(renderError({}, (s) => s.alertmanager!.addReceiver({ name: 'null', type: 'null' }))).toContain("alertmanager.addReceiver('null'): a receiver named 'null' already exists");
    });

    test('a route to a receiver that was never added fails the synth', () => {
      expect(renderError({}, (s) => s.alertmanager!.addRoute({ receiver: 'oncall' }))).toContain("names receiver 'oncall', which does not exist");
    });

    test('stack.monitor scrapes an application with a PodMonitor or a ServiceMonitor, with its rules', () => {
      const stack = render({}, (s) => {
        s.monitor({ name: 'worker', namespace: 'jobs', kind: 'PodMonitor', selector: { app: 'worker' }, port: 'metrics' });
        s.monitor({
          name: 'api', namespace: 'shop', selector: { app: 'api' }, port: 'http',
          alerts: [{ alert: 'ApiDown', expr: 'up{job="api"} == 0', severity: 'critical', summary: 'The API is down.' }],
        });
      });
      expect(objectsOf(stack, 'applications').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`)).toEqual(['PodMonitor/worker', 'ServiceMonitor/api', 'PrometheusRule/api']);
      expect(at(find(stack, 'PodMonitor', 'worker'), 'spec.podMetricsEndpoints.0.port')).toBe('metrics');
      expect(at(find(stack, 'PodMonitor', 'worker'), 'spec.selector.matchLabels')).toEqual({ app: 'worker' });
    });

    test('stack.monitor adds to the applications of the values, and a name taken is rejected', () => {
      const app = { name: 'api', namespace: 'shop', selector: { app: 'api' }, port: 'http' };
      expect(renderError({ applications: [app] }, (s) => s.monitor(app))).toContain("monitor('api'): an application named 'api' is already monitored");
      const stack = render({ applications: [app] }, (s) => s.monitor({ ...app, name: 'web', kind: 'PodMonitor' }));
      expect(objectsOf(stack, 'applications').map((o) => o.manifest.kind)).toEqual(['ServiceMonitor', 'PodMonitor']);
    });

    test('stack.rules.addGroup puts a rule group into the user-rules PrometheusRule, after those of the values', () => {
      const mine = ruleGroup('mine.rules', [alertingRule({ alert: 'MyAlert', expr: 'vector(1) == 0', severity: 'warning', summary: 'Mine.', description: 'Mine.' })]);
      const onlyHook = render({}, (s) => s.rules.addGroup(mine));
      const spec = at(find(onlyHook, 'PrometheusRule', 'custom-rules'), 'spec') as { groups: Array<{ name: string; rules: Array<{ annotations: Record<string, string> }> }> };
      expect(objectsOf(onlyHook, 'rules').map((o) => o.manifest.kind)).toEqual(['PrometheusRule']);
      expect(spec.groups.map((g) => g.name)).toEqual(['mine.rules']);
      expect(spec.groups[0].rules[0].annotations.runbook_url).toBe('https://runbooks.prometheus-operator.dev/runbooks/custom/myalert');

      const both = render({ rules: { groups: [ruleGroup('values.rules', [alertingRule({ alert: 'Other', expr: 'vector(1) == 0', severity: 'info', summary: 'x', description: 'x' })])] } }, (s) => s.rules.addGroup(mine));
      expect((at(find(both, 'PrometheusRule', 'custom-rules'), 'spec.groups') as Array<{ name: string }>).map((g) => g.name)).toEqual(['values.rules', 'mine.rules']);
    });

    test('stack.rules.addGroup rejects a group name the stack already uses', () => {
      expect(renderError({}, (s) => s.rules.addGroup(ruleGroup('general.rules', [])))).toContain("rules.addGroup('general.rules'): a group of that name is already in prometheus/prometheus-k8s-rules");
    });

    test('without any user rule, the rules component writes nothing', () => {
      expect(objectsOf(render(), 'rules')).toEqual([]);
    });
  });
});
