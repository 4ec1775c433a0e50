// Grafana's values: where dashboards may come from is named namespace by namespace, and every namespace only on request.
import { at, find, render, renderError } from '../helpers';

describe('grafana.dashboardNamespaces', () => {
  test('named namespaces render, each with its Role and RoleBinding, and pass every check', () => {
    const stack = render({ grafana: { dashboardNamespaces: ['team-a', 'team-b'] } });
    expect(find(stack, 'Role', 'grafana-dashboards-team-a').metadata.namespace).toBe('team-a');
    expect(at(find(stack, 'RoleBinding', 'grafana-dashboards-team-b'), 'roleRef')).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'grafana-dashboards-team-b' });
    expect(stack.warnings.filter((w) => w.code.startsWith('grafana/') || w.code.startsWith('policy/'))).toEqual([]);
  });

  test('each entry must be a namespace name, and ALL in the list is not a way around the opt-in', () => {
    const message = renderError({ grafana: { dashboardNamespaces: ['team-a', 'Team_B', 'ALL'] } });
    expect(message).toContain('stack test: 2 problems\n');
    expect(message).toContain("grafana.dashboardNamespaces[1]: 'Team_B' is not a valid namespace name");
    expect(message).toContain("grafana.dashboardNamespaces[2]: 'ALL' is not a valid namespace name");
  });

  test('the opt-ins and the cookie setting are booleans', () => {
    expect(renderError({ grafana: { cookieSecure: 'yes' as never } })).toContain('grafana.cookieSecure: must be boolean');
    expect(renderError({ grafana: { allowDashboardUrls: 1 as never } })).toContain('grafana.allowDashboardUrls: must be boolean');
  });
});
