import { at, find, objectsOf, render, renderError } from '../helpers';
import { runTool, testWithTool } from '../tools';
import { toYaml } from '../../src/core/yaml';

const shop = {
  name: 'checkout',
  namespace: 'shop',
  selector: { app: 'checkout' },
  port: 'metrics',
  records: [{ record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total[5m]))' }],
  alerts: [
    { alert: 'CheckoutDown', expr: 'up{job="checkout"} == 0', for: '5m', severity: 'critical' as const, summary: 'Checkout is down.', description: '{{ $labels.instance }} is down.' },
  ],
};

describe('applications component', () => {
  const stack = render({ applications: [shop, { name: 'cart', namespace: 'shop', selector: { app: 'cart' }, port: 'http' }] });

  test('a ServiceMonitor per application, in the stack namespace, selecting the app namespace, job named after the app', () => {
    const monitor = find(stack, 'ServiceMonitor', 'checkout');
    expect(at(monitor, 'metadata.namespace')).toBe('monitoring');
    expect(at(monitor, 'spec.namespaceSelector')).toEqual({ matchNames: ['shop'] });
    expect(at(monitor, 'spec.endpoints.0')).toEqual({
      path: '/metrics', port: 'metrics', relabelings: [{ action: 'replace', replacement: 'checkout', targetLabel: 'job' }],
    });
  });

  test('a PrometheusRule only for applications that bring rules, with severity and summary on each alert', () => {
    expect(objectsOf(stack, 'applications').map((o) => `${o.manifest.kind}/${o.manifest.metadata.name}`)).toEqual([
      'ServiceMonitor/checkout', 'ServiceMonitor/cart', 'PrometheusRule/checkout',
    ]);
    expect(at(find(stack, 'PrometheusRule', 'checkout'), 'spec.groups.0.rules.1')).toEqual({
      alert: 'CheckoutDown', expr: 'up{job="checkout"} == 0', for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'Checkout is down.',
        description: '{{ $labels.instance }} is down.',
        runbook_url: 'https://runbooks.prometheus-operator.dev/runbooks/applications/checkoutdown',
      },
    });
  });

  testWithTool('promtool', 'promtool check rules accepts the generated rule file', () => {
    const groups = at(find(stack, 'PrometheusRule', 'checkout'), 'spec');
    const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(groups) });
    expect(result.output).toContain('SUCCESS: 2 rules found');
    expect(result.status).toBe(0);
  });

  testWithTool('promtool', 'promtool rejects a broken rule file (so the check above can fail)', () => {
    const spec = at(find(stack, 'PrometheusRule', 'checkout'), 'spec') as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const broken = { groups: [{ ...spec.groups[0], rules: [{ ...spec.groups[0].rules[1], expr: 'up{job="checkout" == 0' }] }] };
    expect(runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(broken) }).status).not.toBe(0);
  });

  test('a broken expression never gets that far: the synth rejects it, naming the rule and column', () => {
    expect(renderError({ applications: [{ ...shop, alerts: [{ ...shop.alerts[0], expr: 'up{job="checkout" == 0' }] }] })).toContain(
      'applications/checkout › checkout.rules › CheckoutDown: syntax error at column 19',
    );
  });

  test('matches its snapshot', () => {
    // Rules and dashboards have their own tests and snapshots; this one covers the component's other objects.
    expect(objectsOf(stack, 'applications').filter((o) => o.manifest.kind !== 'PrometheusRule' && at(o.manifest, 'metadata.labels')?.['app.kubernetes.io/component' as never] !== 'dashboard').map((o) => o.manifest)).toMatchSnapshot();
  });
});
