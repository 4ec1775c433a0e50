import { at, find, render, renderError } from '../helpers';

type Rule = { alert?: string; record?: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const rulesOf = (values: Parameters<typeof render>[0] = {}, customize?: Parameters<typeof render>[1]) =>
  (at(find(render(values, customize), 'PrometheusRule', 'prometheus-k8s-rules'), 'spec.groups') as Array<{ name: string; rules: Rule[] }>).flatMap((g) => g.rules);
const alertNamed = (rules: Rule[], name: string) => rules.find((r) => r.alert === name);

describe('rule overrides in typed code', () => {
  test('every alert carries severity, summary, description and a runbook_url under the configured base', () => {
    const targetDown = alertNamed(rulesOf({ rules: { runbookBaseUrl: 'https://wiki.example.com/runbooks/' } }), 'TargetDown')!;
    expect(targetDown.labels).toEqual({ severity: 'warning' });
    expect(Object.keys(targetDown.annotations!).sort()).toEqual(['description', 'runbook_url', 'summary']);
    expect(targetDown.annotations!.runbook_url).toBe('https://wiki.example.com/runbooks/general/targetdown');
  });

  test('an alert or a whole group is disabled by name', () => {
    expect(alertNamed(rulesOf({ rules: { disable: ['InfoInhibitor'] } }), 'InfoInhibitor')).toBeUndefined();
    expect(alertNamed(rulesOf({ rules: { disable: ['InfoInhibitor'] } }), 'Watchdog')).toBeDefined();
    const groupNames = (values: Parameters<typeof render>[0]) => render(values).objects
      .filter((o) => o.manifest.kind === 'PrometheusRule')
      .flatMap((o) => (at(o.manifest, 'spec.groups') as Array<{ name: string }>).map((g) => g.name));
    expect(groupNames({})).toContain('general.rules');
    expect(groupNames({ rules: { disable: ['general.rules'] } })).not.toContain('general.rules');
  });

  test('severity, for, labels and annotations are changed by alert name', () => {
    const targetDown = alertNamed(rulesOf({
      rules: { overrides: { TargetDown: { severity: 'critical', for: '30m', labels: { team: 'sre' }, annotations: { dashboard: 'https://grafana/d/targets' } } } },
    }), 'TargetDown')!;
    expect(targetDown.for).toBe('30m');
    expect(targetDown.labels).toEqual({ severity: 'critical', team: 'sre' });
    expect(targetDown.annotations!.dashboard).toBe('https://grafana/d/targets');
  });

  test('thresholds are typed component values', () => {
    const targetDown = alertNamed(rulesOf({ prometheus: { thresholds: { targetDownPercent: 25, targetDownFor: '20m' } } }), 'TargetDown')!;
    expect(targetDown.for).toBe('20m');
    expect((targetDown as { expr?: string }).expr).toMatch(/> 25$/);
  });

  test('extra labels go on every rule, alerts and recording rules alike', () => {
    const stack = render({ rules: { extraLabels: { tier: 'prod' } } });
    const all = stack.objects.filter((o) => o.manifest.kind === 'PrometheusRule').flatMap((o) => (at(o.manifest, 'spec.groups') as Array<{ rules: Rule[] }>).flatMap((g) => g.rules));
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) expect([rule.alert ?? rule.record, rule.labels?.tier]).toEqual([rule.alert ?? rule.record, 'prod']);
  });

  test('the same changes are intent methods on the stack', () => {
    const rules = rulesOf({}, (stack) => {
      stack.rules.disable('Watchdog');
      stack.rules.override('TargetDown', { severity: 'info' });
    });
    expect(alertNamed(rules, 'Watchdog')).toBeUndefined();
    expect(alertNamed(rules, 'TargetDown')!.labels!.severity).toBe('info');
  });

  test('an unknown name in an override or disable is an error listing the closest existing names', () => {
    const message = renderError({ rules: { disable: ['Watchdgo'], overrides: { TargetDwn: { severity: 'info' } } } });
    expect(message).toContain("rules.disable[0]: no rule or group is named 'Watchdgo'");
    expect(message).toContain("did you mean 'Watchdog'?");
    expect(message).toContain("rules.overrides.TargetDwn: no alert is named 'TargetDwn'");
    expect(message).toContain("did you mean 'TargetDown'?");
    expect(renderError({}, (stack) => stack.rules.override('Nope', { for: '1m' }))).toContain("rules.override('Nope'): no alert is named 'Nope'");
  });

  test('user groups are rendered into their own PrometheusRule, selected by Prometheus', () => {
    const stack = render({ rules: { groups: [{ name: 'mine', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }] } });
    const custom = find(stack, 'PrometheusRule', 'custom-rules');
    expect(at(custom, 'spec.groups')).toEqual([{ name: 'mine', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }]);
    expect(at(custom, 'metadata.labels.role')).toBe('alert-rules');
  });
});
