import { parse } from 'yaml';
import type { AlertmanagerValues } from '../../src';
import { routeLabels } from '../../src/analyze/routing';
import { at, find, render, renderError } from '../helpers';
import { runTool, testWithTool } from '../tools';

const incident = { name: 'incident', type: 'webhook' as const, url: 'https://incidents.example.com/hook', bearerToken: { name: 'incident', key: 'token' } };
const pager = { name: 'pager', type: 'pagerduty' as const, routingKey: { name: 'pd', key: 'key' } };
const nullReceiver = { name: 'null', type: 'null' as const };
const base: AlertmanagerValues = {
  receivers: [nullReceiver, incident, pager],
  route: {
    receiver: 'incident',
    groupBy: ['alertname', 'namespace'],
    routes: [
      { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
      { receiver: 'pager', matchers: ['severity="critical"'], continue: true },
    ],
  },
  // Mail goes out on the submission port, which the NetworkPolicy must then allow.
  egress: [{ ports: [443, 587] }],
};
const codes = (alertmanager: AlertmanagerValues) => render({ alertmanager }).warnings.map((w) => w.code);
const warningsOf = (alertmanager: AlertmanagerValues, code: string) => render({ alertmanager }).warnings.filter((w) => w.code === code);

describe('routing analyzer', () => {
  test('a sound routing tree has nothing to report', () => {
    expect(codes(base)).toEqual([]);
  });

  test('alerts that reach only the null receiver are reported, unless declared intentional', () => {
    const route = { ...base.route!, routes: [...base.route!.routes!, { receiver: 'null', matchers: ['alertname="TargetDown"'] }] };
    const [warning] = warningsOf({ ...base, route: { ...route, routes: [route.routes[0], route.routes[2], route.routes[1]] } }, 'routing/only-null');
    expect(warning.where).toBe('alert TargetDown (warning)');
    expect(warning.message).toContain('reaches only the null receiver');
    expect(warningsOf({ ...base, route: { ...route, routes: [route.routes[0], route.routes[2], route.routes[1]] }, intentionallyUnrouted: ['Watchdog', 'InfoInhibitor', 'TargetDown'] }, 'routing/only-null')).toEqual([]);
  });

  test('with no receiver but null, one warning says nobody is notified', () => {
    expect(codes({})).toEqual(['routing/no-receivers']);
  });

  test('a route that an earlier sibling without continue always catches is shadowed', () => {
    const [warning] = warningsOf({
      ...base,
      route: { receiver: 'incident', routes: [{ receiver: 'pager', matchers: ['severity="critical"'] }, { receiver: 'null', matchers: ['severity="critical"', 'namespace="shop"'] }, { receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }] },
    }, 'routing/shadowed-route');
    expect(warning.where).toBe('alertmanager.route.routes[1]');
    expect(warning.message).toContain('can never match: alertmanager.route.routes[0] comes first, has no continue');
  });

  test('a receiver no route uses is reported', () => {
    const [warning] = warningsOf({ ...base, receivers: [...base.receivers!, { name: 'email', type: 'email', to: 'ops@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587' }] }, 'routing/unused-receiver');
    expect(warning.message).toBe("receiver 'email' is used by no route");
  });

  test('group_by on a label none of the routed alerts carries is reported', () => {
    const [warning] = warningsOf({ ...base, route: { ...base.route!, routes: [base.route!.routes![0], { receiver: 'pager', matchers: ['alertname="KubeAPIDown"'], groupBy: ['pod'] }] } }, 'routing/group-by-missing-label');
    expect(warning.message).toContain("groups by 'pod', which none of the 1 alerts reaching it carries");
  });

  test('a matcher on a label no alert carries is reported', () => {
    const [warning] = warningsOf({ ...base, route: { ...base.route!, routes: [...base.route!.routes!, { receiver: 'pager', matchers: ['tema="shop"'] }] } }, 'routing/unknown-label');
    expect(warning.message).toContain("matcher 'tema=\"shop\"' is on label 'tema', which no alert of the stack carries");
  });

  test('an inhibit rule whose equal label both sides lack is reported (it inhibits across the cluster)', () => {
    const [warning] = warningsOf({ ...base, inhibitRules: [{ sourceMatchers: ['alertname="KubeAPIDown"'], targetMatchers: ['alertname="KubeletDown"'], equal: ['namespace'] }] }, 'routing/inhibit-missing-label');
    expect(warning.message).toContain("equal label 'namespace' is missing on both sides");
    expect(warning.message).toContain('KubeAPIDown -> KubeletDown');
    // The default rules are sound: a critical alert silencing its own warning variant is tied by alertname.
    expect(warningsOf(base, 'routing/inhibit-missing-label')).toEqual([]);
  });

  test('declared expectations are checked, and a wrong one stops the synth with what was found', () => {
    // A matching child route takes the alert, continue or not: the parent's receiver is only the fallback.
    const ok = { ...base, expectations: [{ labels: { alertname: 'KubeAPIDown', severity: 'critical' }, receivers: ['pager'] }] };
    expect(codes(ok)).toEqual([]);
    const message = renderError({ alertmanager: { ...base, expectations: [{ labels: { alertname: 'KubeAPIDown', severity: 'critical' }, receivers: ['pager', 'incident'] }] } });
    expect(message).toContain('alertmanager.expectations[0]: an alert with {"alertname":"KubeAPIDown","severity":"critical"} goes to [pager], not [pager, incident]');
  });

  test('unknown receivers, bad matchers and unknown time intervals are errors', () => {
    const message = renderError({ alertmanager: { ...base, route: { receiver: 'incident', routes: [{ receiver: 'pagr', matchers: ['severity=="critical"'], muteTimeIntervals: ['weekends'] }] } } });
    expect(message).toContain("alertmanager.route.routes[0]: receiver 'pagr' is not defined");
    expect(message).toContain("'severity==\"critical\"' is not a matcher");
    expect(message).toContain("time interval 'weekends' is not defined");
  });

  test('team routes under OnNamespace never see cluster-level alerts: a note in the summary, a warning only where a team route names them', () => {
    const team = { namespace: 'shop', receivers: [{ name: 'shop', type: 'slack' as const, apiUrl: { name: 'slack', key: 'url' }, channel: '#shop' }], route: { receiver: 'shop' } };
    const plain = render({ alertmanager: { ...base, teams: [team] } });
    expect(plain.warnings.filter((w) => w.code === 'routing/team-namespace-scope')).toEqual([]);
    expect(plain.reports.join('\n')).toMatch(/^- Team `shop` \(OnNamespace\): the operator adds `namespace="shop"` to its routes.*cluster-level alerts without a namespace label \(KubeAPIDown/m);
    // A team route on alertnames of cluster-level alerts expects what it can never get.
    const naming = { ...team, route: { receiver: 'shop', routes: [{ receiver: 'shop', matchers: ['alertname=~"KubeAPIDown|KubePodCrashLooping"'] }] } };
    const [warning] = warningsOf({ ...base, teams: [naming] }, 'routing/team-namespace-scope');
    expect(warning.where).toBe('alertmanager.teams › shop › route.routes[0]');
    expect(warning.message).toBe('matches 1 cluster-level alert without a namespace label (KubeAPIDown), which can never reach it: with OnNamespace, the operator adds namespace="shop" to this team\'s routes');
    expect(warningsOf({ ...base, teams: [naming], teamMatcherStrategy: 'None' }, 'routing/team-namespace-scope')).toEqual([]);
    expect(render({ alertmanager: { ...base, teams: [naming], teamMatcherStrategy: 'None' } }).reports.join('\n')).not.toContain('- Team `shop`');
  });

  test('the summary shows the routing tree and, per receiver, a table of the alerts it receives', () => {
    const report = render({ alertmanager: base }).reports.join('\n');
    expect(report).toContain('incident\n  - null {alertname=~"Watchdog|InfoInhibitor"}\n  - pager {severity="critical"} (continue)');
    const pager = report.slice(report.indexOf('### `pager`'), report.indexOf('\n\n', report.indexOf('| alert |', report.indexOf('### `pager`'))));
    expect(pager).toContain('| KubeAPIDown | critical | `severity="critical"` | `alertname`, `namespace` | 30s / 5m / 4h |');
    expect(pager).not.toContain('NodeCPUHighUsage');
    // The default receiver: what no route took, with Alertmanager's default timing.
    expect(report).toContain('| NodeCPUHighUsage | info | no route matched (default receiver) | `alertname`, `namespace` | 30s / 5m / 4h |');
    // A critical alert matches the pager route (continue) and no other: Alertmanager then skips the root's receiver.
    const incident = report.slice(report.indexOf('### `incident`'), report.indexOf('### `null`'));
    expect(incident).not.toContain('| KubeAPIDown |');
  });
});

describe('the routing of the teams example stack', () => {
  const { loadStackFile } = require('../../src/load/stack-file');
  const { renderStack } = require('../../src/synth/pipeline');
  const path = require('path');
  const stack = renderStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts')));
  const config = parse((at(find(stack, 'Secret', 'alertmanager-main-config'), 'stringData') as Record<string, string>)['alertmanager.yaml']);
  const values = require('../../stacks/teams').default.values.alertmanager;

  test('time intervals are rendered for Alertmanager and referenced by name', () => {
    expect(config.time_intervals).toEqual([{ name: 'night', time_intervals: [{ location: 'Europe/Berlin', times: [{ end_time: '24:00', start_time: '22:00' }, { end_time: '07:00', start_time: '00:00' }] }] }]);
    expect(config.route.routes[2].mute_time_intervals).toEqual(['night']);
  });

  testWithTool('amtool', 'amtool check-config accepts the generated configuration', () => {
    const result = runTool('amtool', ['check-config', 'alertmanager.yaml'], { 'alertmanager.yaml': require('../../src/core/yaml').toYaml(config) });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  testWithTool('amtool', 'amtool config routes test, on the configuration the operator merges with the team\'s AlertmanagerConfig, agrees with every declared expectation', () => {
    const { alertmanagerConfig } = require('../../src/alerting/config');
    const { operatorRouting } = require('../../src/alerting/operator-routing');
    const resolved = require('../../src/synth/pipeline').buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts'))).values.alertmanager;
    const merged = operatorRouting(resolved, 'monitoring');
    const yaml = require('../../src/core/yaml').toYaml(alertmanagerConfig({ ...merged, timeIntervals: resolved.timeIntervals }));
    expect(yaml).toContain('receiver: shop/shop-routing/shop-slack');
    for (const expectation of values.expectations) {
      const labels = Object.entries(expectation.labels as Record<string, string>).map(([k, v]) => `${k}=${v}`);
      const result = runTool('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yaml', ...labels], { 'alertmanager.yaml': yaml });
      expect([labels.join(' '), result.stdout.trim()]).toEqual([labels.join(' '), expectation.receivers.join(',')]);
      expect(routeLabels(merged.route, expectation.labels)).toEqual(expectation.receivers);
    }
  });

  test('the team routing is an AlertmanagerConfig in the team namespace, selected by the Alertmanager', () => {
    const team = find(stack, 'AlertmanagerConfig', 'shop-routing');
    expect(at(team, 'metadata.namespace')).toBe('shop');
    expect(at(team, 'spec.receivers.0.name')).toBe('shop-slack');
    // Every AlertmanagerConfig is selected (the team's and other teams' own), each confined to its namespace.
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.alertmanagerConfigSelector')).toEqual({});
    expect(at(find(stack, 'Alertmanager', 'main'), 'spec.alertmanagerConfigMatcherStrategy')).toEqual({ type: 'OnNamespace' });
  });
});
