// Chaos contracts on an SLO: `expects: [{ alert: 'SLOErrorBudgetBurn', slo, tier }]` counts only that SLO's burn
// alert (of that tier), checked at synth like any contract: the SLO must exist, the tier must fire in time and reach
// the receivers expected.
import type { ChaosExpectation, ChaosSchedule } from '../../src/chaos/types';
import type { SloValues, StackValues } from '../../src/values/stack-values';
import { find, render, renderError } from '../helpers';

const CHECKOUT: SloValues = {
  name: 'checkout-availability',
  service: 'checkout',
  objective: 99.9,
  indicator: { ratio: { errors: 'http_requests_total{namespace="shop", job="checkout", code=~"5.."}', total: 'http_requests_total{namespace="shop", job="checkout"}' } },
};
const SEARCH: SloValues = { ...CHECKOUT, name: 'search-availability', service: 'search' };
const podFailure: ChaosSchedule = {
  name: 'checkout-pod-failure',
  schedule: '0 4 * * 2',
  experiment: { kind: 'PodChaos', action: 'pod-failure' },
  selector: { namespaces: ['shop'], labels: { app: 'checkout' } },
  mode: { mode: 'all' },
  allow: { modeAll: true },
  duration: '20m',
};

/** Pages (the page tier) go to `pager`, everything else to `incident`. */
function stack(expectation: Partial<ChaosExpectation>): StackValues {
  return {
    alertmanager: {
      receivers: [
        { name: 'null', type: 'null' },
        { name: 'incident', type: 'webhook', url: 'https://incidents.example.com/hook' },
        { name: 'pager', type: 'webhook', url: 'https://pager.example.com/hook' },
      ],
      route: { receiver: 'incident', routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }, { receiver: 'pager', matchers: ['slo_tier="page"'] }] },
    },
    slos: [CHECKOUT, SEARCH],
    chaos: { schedules: [{ ...podFailure, expects: [{ alert: 'SLOErrorBudgetBurn', within: '10m', ...expectation }] }] },
  };
}

describe('a chaos contract on an SLO', () => {
  test('holds when the SLO\'s page alert fires in time and reaches the pager', () => {
    const rendered = render(stack({ slo: 'checkout-availability', tier: 'page', receivers: ['pager'] }));
    expect(rendered.warnings.filter((w) => w.code.startsWith('chaos'))).toEqual([]);
    // The in-cluster proof waits for that SLO's alert of that tier, not any SLO's.
    const rule = find(rendered, 'PrometheusRule', 'chaos-verification-rules');
    expect(JSON.stringify(rule.spec)).toContain('ALERTS{alertname=\\"SLOErrorBudgetBurn\\", slo=\\"checkout-availability\\", slo_tier=\\"page\\", alertstate=\\"firing\\"}');
  });

  test('naming an SLO the stack does not have is an error with the closest names', () => {
    const message = renderError(stack({ slo: 'checkout-availabilty' }));
    expect(message).toContain("chaos.schedules[0] (checkout-pod-failure) › expects[0] (SLOErrorBudgetBurn, slo checkout-availabilty): the stack has no SLO named 'checkout-availabilty' (SLOs: checkout-availability, search-availability)");
    expect(message).toContain("did you mean 'checkout-availability'");
  });

  test('naming an SLO with another alert is an error', () => {
    expect(renderError(stack({ alert: 'KubePodNotReady', slo: 'checkout-availability' }))).toContain(
      "names slo 'checkout-availability', whose burn alert is SLOErrorBudgetBurn, not KubePodNotReady",
    );
  });

  test('the tier counts: the ticket alert (for 15m) cannot fire within 10m, though the page alert could', () => {
    expect(renderError(stack({ slo: 'checkout-availability', tier: 'ticket' }))).toContain(
      'cannot fire in time: for 900s + scrape interval 30s + evaluation interval 30s = 960s, more than within 10m',
    );
    expect(render(stack({ slo: 'checkout-availability', tier: 'page' })).warnings.filter((w) => w.code.startsWith('chaos'))).toEqual([]);
  });

  test('the tier\'s labels route: the ticket tier does not reach the pager', () => {
    const message = renderError(stack({ slo: 'checkout-availability', tier: 'ticket', within: '30m', receivers: ['pager'] }));
    expect(message).toContain("reaches [incident], not 'pager'");
  });
});
