// Every Alertmanager matcher in the values is parsed at synth: routes at any depth, inhibit rules, team routes.
import { renderError } from '../helpers';

const FIX = 'write it like severity="critical"';

describe('matchers are parsed before anything is built', () => {
  test('a bad matcher in a nested route names the route and the matcher index', () => {
    const message = renderError({ alertmanager: { route: { receiver: 'null', routes: [{ receiver: 'null', routes: [{ receiver: 'null', matchers: ['team="a"', 'severity=critical"'] }] }] } } });
    expect(message).toContain("alertmanager.route.routes[0].routes[0].matchers[1]: 'severity=critical\"' is not a matcher");
    expect(message).toContain(FIX);
    expect(message).toContain('1 problem');
  });

  test('a bad matcher in an inhibit rule names sourceMatchers or targetMatchers', () => {
    const message = renderError({ alertmanager: { inhibitRules: [{ sourceMatchers: ['severity = critical'], targetMatchers: ['severity=~"warning|info"', 'alertname=~"(unclosed"'], equal: ['namespace'] }] } });
    expect(message).toContain("alertmanager.inhibitRules[0].targetMatchers[1]: the regular expression of 'alertname=~\"(unclosed\"' does not compile");
    expect(message).not.toContain('sourceMatchers[0]');
    expect(message).toContain('1 problem');
  });

  test('a bad matcher in a team route or a team inhibit rule names the team', () => {
    const message = renderError({
      alertmanager: {
        teams: [{
          namespace: 'shop',
          receivers: [{ name: 'shop', type: 'null' }],
          route: { receiver: 'shop', routes: [{ receiver: 'shop', matchers: ['app: checkout'] }] },
          inhibitRules: [{ sourceMatchers: ['severity=="critical"'], targetMatchers: ['severity="warning"'], equal: [] }],
        }],
      },
    });
    expect(message).toContain("alertmanager.teams[0].route.routes[0].matchers[0]: 'app: checkout' is not a matcher");
    expect(message).toContain("alertmanager.teams[0].inhibitRules[0].sourceMatchers[0]: 'severity==\"critical\"' is not a matcher");
  });

  test('RE2 flags such as (?i) are accepted in regular expression matchers', () => {
    // The unknown receiver makes the stack fail, so that the message shows what else was found: nothing.
    const message = renderError({ alertmanager: { route: { receiver: 'null', routes: [{ receiver: 'nobody', matchers: ['alertname=~"(?i)kube.*"'] }] } } });
    expect(message).toContain("alertmanager.route.routes[0]: receiver 'nobody' is not defined");
    expect(message).toContain('1 problem');
  });
});
