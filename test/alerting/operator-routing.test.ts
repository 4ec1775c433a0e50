// The routing Alertmanager runs once the operator has merged the teams' AlertmanagerConfigs into the global one.
import { operatorRouting } from '../../src/alerting/operator-routing';
import type { TeamRouting } from '../../src/alerting/types';
import { routeLabels } from '../../src/analyze/routing';

const team = (namespace: string): TeamRouting => ({
  namespace,
  receivers: [{ name: 'chat', type: 'webhook', url: 'https://chat.example.com/hook' }],
  route: { receiver: 'chat', matchers: ['severity="warning"'], routes: [{ receiver: 'chat', matchers: ['alertname="X"'] }] },
  inhibitRules: [{ sourceMatchers: ['alertname="A"'], targetMatchers: ['alertname="B"'], equal: ['pod'] }],
});
const global = {
  receivers: [{ name: 'default', type: 'null' as const }],
  route: { receiver: 'default', routes: [{ receiver: 'default', matchers: ['alertname="Watchdog"'] }] },
  inhibitRules: [],
  teams: [team('shop'), team('monitoring'), team('billing')],
};

describe('the operator\'s merge of team routing', () => {
  test('OnNamespace: team routes first (sorted), confined to their namespace, with continue; receivers namespaced', () => {
    const merged = operatorRouting({ ...global, teamMatcherStrategy: 'OnNamespace' }, 'monitoring');
    expect(merged.route.routes!.map((r) => [r.receiver, r.matchers, r.continue])).toEqual([
      ['billing/billing-routing/chat', ['severity="warning"', 'namespace="billing"'], true],
      ['monitoring/monitoring-routing/chat', ['severity="warning"', 'namespace="monitoring"'], true],
      ['shop/shop-routing/chat', ['severity="warning"', 'namespace="shop"'], true],
      ['default', ['alertname="Watchdog"'], undefined],
    ]);
    expect(merged.route.routes![2].routes![0].receiver).toBe('shop/shop-routing/chat');
    expect(merged.receivers.map((r) => r.name)).toEqual(['default', 'billing/billing-routing/chat', 'monitoring/monitoring-routing/chat', 'shop/shop-routing/chat']);
    expect(merged.inhibitRules[2]).toEqual({ sourceMatchers: ['alertname="A"', 'namespace="shop"'], targetMatchers: ['alertname="B"', 'namespace="shop"'], equal: ['pod'] });
    // A warning in shop reaches the shop team and, through continue, the global routes (here: only the root's
    // receiver, which takes just the alerts no child route matched).
    expect(routeLabels(merged.route, { alertname: 'Y', severity: 'warning', namespace: 'shop' })).toEqual(['shop/shop-routing/chat']);
    expect(routeLabels(merged.route, { alertname: 'Watchdog', severity: 'warning', namespace: 'shop' })).toEqual(['shop/shop-routing/chat', 'default']);
    expect(routeLabels(merged.route, { alertname: 'Y', severity: 'warning', namespace: 'web' })).toEqual(['default']);
  });

  test('OnNamespaceExceptForAlertmanagerNamespace leaves the Alertmanager namespace\'s team unconfined; None confines none', () => {
    const except = operatorRouting({ ...global, teamMatcherStrategy: 'OnNamespaceExceptForAlertmanagerNamespace' }, 'monitoring');
    expect(except.route.routes!.map((r) => r.matchers)).toEqual([['severity="warning"', 'namespace="billing"'], ['severity="warning"'], ['severity="warning"', 'namespace="shop"'], ['alertname="Watchdog"']]);
    const none = operatorRouting({ ...global, teamMatcherStrategy: 'None' }, 'monitoring');
    expect(none.route.routes!.slice(0, 3).every((r) => r.matchers!.join() === 'severity="warning"' && r.continue)).toBe(true);
    expect(routeLabels(none.route, { alertname: 'Y', severity: 'warning', namespace: 'web' })).toEqual(['billing/billing-routing/chat', 'monitoring/monitoring-routing/chat', 'shop/shop-routing/chat']);
  });
});

describe('expectations on team receivers', () => {
  const { renderError } = require('../helpers');
  test('a team receiver named bare says what Alertmanager calls it', () => {
    const message = renderError({
      alertmanager: {
        receivers: [{ name: 'null', type: 'null' }, { name: 'ops', type: 'webhook', url: 'https://ops.example.com/hook' }],
        route: { receiver: 'ops' },
        teams: [{ namespace: 'shop', receivers: [{ name: 'chat', type: 'webhook', url: 'https://chat.example.com/hook' }], route: { receiver: 'chat' } }],
        expectations: [{ labels: { alertname: 'KubePodCrashLooping', severity: 'warning', namespace: 'shop' }, receivers: ['chat'] }],
      },
    });
    expect(message).toContain('goes to [shop/shop-routing/chat], not [chat]');
    expect(message).toContain("fix: name team receivers as Alertmanager does: 'chat' is 'shop/shop-routing/chat' in Alertmanager");
  });
});

describe('a root receiver that team routes hide', () => {
  const { render } = require('../helpers');
  const team = { namespace: 'shop', receivers: [{ name: 'chat', type: 'webhook', url: 'https://chat.example.com/hook' }], route: { receiver: 'chat' } };
  const receivers = [{ name: 'null', type: 'null' }, { name: 'ops', type: 'webhook', url: 'https://ops.example.com/hook' }];
  const codes = (route: object) => render({ alertmanager: { receivers, route, teams: [team] } as never }).warnings.map((w: { code: string }) => w.code);

  test('is a warning without a catch-all child route, and not with one', () => {
    expect(codes({ receiver: 'ops', routes: [{ receiver: 'null', matchers: ['alertname="Watchdog"'] }] })).toContain('routing/team-hides-default');
    expect(codes({ receiver: 'ops', routes: [{ receiver: 'null', matchers: ['alertname="Watchdog"'] }, { receiver: 'ops' }] })).not.toContain('routing/team-hides-default');
  });
});
