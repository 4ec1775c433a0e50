import { Testing } from 'cdk8s';
import { Applications } from '../../src/components/applications';
import { at, find, objectsOf, render, renderError } from '../helpers';
import { describeWithSharedCrds } from '../crd-schemas';
import { runTool, testWithTool } from '../tools';
import { toYaml } from '../../src/core/yaml';
import { common, only, synth } from './props';

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
const cart = { name: 'cart', namespace: 'shop', selector: { app: 'cart' }, port: 'http' };
const worker = { name: 'worker', namespace: 'jobs', kind: 'PodMonitor' as const, selector: { app: 'worker' }, port: 'metrics', path: '/stats', interval: '1m' };

describe('applications component', () => {
  const objects = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [shop, cart] }));
  const stack = render({ applications: [shop, cart] });

  test('a ServiceMonitor per application, in the stack namespace, selecting the app namespace, job named after the app', () => {
    const monitor = only(objects, 'ServiceMonitor', 'checkout');
    expect(at(monitor, 'metadata.namespace')).toBe('monitoring');
    expect(at(monitor, 'spec.namespaceSelector')).toEqual({ matchNames: ['shop'] });
    expect(at(monitor, 'spec.endpoints.0')).toEqual({
      path: '/metrics', port: 'metrics', relabelings: [{ action: 'replace', replacement: 'checkout', targetLabel: 'job' }],
    });
  });

  test('with kind PodMonitor, a PodMonitor selecting the pods and scraping their container port', () => {
    const pods = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [worker] }));
    expect(pods.map((m) => m.kind)).toEqual(['PodMonitor']);
    const monitor = only(pods, 'PodMonitor', 'worker');
    expect(at(monitor, 'spec')).toEqual({
      selector: { matchLabels: { app: 'worker' } },
      namespaceSelector: { matchNames: ['jobs'] },
      podMetricsEndpoints: [{ port: 'metrics', path: '/stats', interval: '1m', relabelings: [{ action: 'replace', replacement: 'worker', targetLabel: 'job' }] }],
    });
  });

  test('an application added with monitor() after the constructor is scraped too, and a name taken is rejected', () => {
    const apps = new Applications(Testing.chart(), 'applications', { ...common(), applications: [cart] });
    expect(apps.monitor(worker).kind).toBe('PodMonitor');
    expect(apps.applications.map((a) => a.name)).toEqual(['cart', 'worker']);
    expect(() => apps.monitor({ ...cart, port: 'other' })).toThrow("monitor('cart'): an application named 'cart' is already monitored");
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

  describeWithSharedCrds('a PodMonitor', (schemas) => {
    test('is valid against the upstream CRD schema', () => {
      const [monitor] = synth((chart) => new Applications(chart, 'applications', { ...common(), applications: [worker] }));
      expect(schemas().validate(monitor)).toEqual([]);
    });
  });

  test('matches its snapshot', () => {
    // Rules become objects only in a stack; this covers the component's own objects.
    expect(objects).toMatchSnapshot();
  });
});
