// Every duration, size and clock time in the values is checked at synth, the problem naming its field.
import type { ChaosSchedule } from '../../src/chaos/types';
import type { RuleGroupDefinition } from '../../src/rules/types';
import { RuleSet } from '../../src/rules/rule-set';
import { resolveValues } from '../../src/values/resolve';
import type { StackValues } from '../../src/values/stack-values';
import { checkSemantics, checkShape } from '../../src/values/validate';
import { renderError } from '../helpers';

const schedule: ChaosSchedule = {
  name: 'checkout-pod-failure',
  schedule: '0 4 * * 2',
  experiment: { kind: 'PodChaos', action: 'pod-failure' },
  selector: { namespaces: ['shop'], labels: { app: 'checkout' } },
  mode: { mode: 'one' },
  duration: '5m',
};

const group = (over: Partial<RuleGroupDefinition> = {}, alertFor?: string): RuleGroupDefinition => ({
  name: 'shop',
  rules: [{ alert: 'ShopDown', expr: 'up{job="shop"} == 0', severity: 'critical', summary: 'Shop is down', description: 'Shop is down.', ...(alertFor ? { for: alertFor } : {}) }],
  ...over,
});

const DURATION_FIX = 'write it like 30s, 5m, 1h30m or 15d';

describe('durations are checked wherever they are written', () => {
  test('an override with for "5 min" names rules.overrides.<alert>.for, what is wrong and how to write it', () => {
    const message = renderError({ rules: { overrides: { KubePodCrashLooping: { for: '5 min' } } } });
    expect(message).toContain("rules.overrides.KubePodCrashLooping.for: '5 min' is not a Prometheus duration");
    expect(message).toContain(DURATION_FIX);
  });

  test('an override made in code with a bad for is named too', () => {
    const rules = new RuleSet({ disable: [], overrides: {}, extraLabels: {} });
    rules.add({ component: 'shop', objectName: 'shop', groups: [group()] });
    rules.override('ShopDown', { for: '1.5m' });
    expect(rules.problems()).toEqual([{ field: "rules.override('ShopDown').for", message: "'1.5m' is not a Prometheus duration", fix: expect.stringContaining(DURATION_FIX) }]);
  });

  test('a rule group interval of "1 minute" names rules.groups[i].interval', () => {
    expect(renderError({ rules: { groups: [group({ interval: '1 minute' })] } })).toContain("rules.groups[0].interval: '1 minute' is not a Prometheus duration");
  });

  test('a user alert with for "10min" names rules.groups[i].rules[j].for', () => {
    expect(renderError({ rules: { groups: [group({}, '10min')] } })).toContain("rules.groups[0].rules[0].for: '10min' is not a Prometheus duration");
  });

  test('an application alert with a bad for names applications[i].alerts[j].for', () => {
    const app = { name: 'api', namespace: 'shop', selector: { app: 'api' }, port: 'http', alerts: [{ alert: 'ApiDown', expr: 'up == 0', for: '10min', severity: 'critical' as const, summary: 'x' }] };
    expect(renderError({ applications: [app] })).toContain("applications[0].alerts[0].for: '10min' is not a Prometheus duration");
  });

  test('alert test times and rule unit test times are checked', () => {
    const tested = group({ rules: [{ alert: 'ShopDown', expr: 'up == 0', severity: 'critical', summary: 'x', description: 'x', tests: { fires: { input: [], at: '20 m', expect: [] }, silent: { never: 'always fires' } } }] });
    const message = renderError({ rules: { groups: [tested], tests: [{ name: 't', interval: '1 m', input: [], expect: [{ at: 'soon', alert: 'ShopDown', firing: [] }] }] } });
    expect(message).toContain("rules.groups[0].rules[0].tests.fires.at: '20 m' is not a Prometheus duration");
    expect(message).toContain("rules.tests[0].interval: '1 m' is not a Prometheus duration");
    expect(message).toContain("rules.tests[0].expect[0].at: 'soon' is not a Prometheus duration");
  });

  test('groupWait "30 seconds" is named at every depth of the route tree, and in team routes', () => {
    const message = renderError({
      alertmanager: {
        route: { receiver: 'null', groupWait: '30 seconds', routes: [{ receiver: 'null', groupInterval: '5 minutes', routes: [{ receiver: 'null', repeatInterval: '4 hours' }] }] },
        teams: [{ namespace: 'shop', receivers: [{ name: 'shop', type: 'null' }], route: { receiver: 'shop', groupWait: '1 min' } }],
      },
    });
    expect(message).toContain("alertmanager.route.groupWait: '30 seconds' is not a Prometheus duration");
    expect(message).toContain("alertmanager.route.routes[0].groupInterval: '5 minutes' is not a Prometheus duration");
    expect(message).toContain("alertmanager.route.routes[0].routes[0].repeatInterval: '4 hours' is not a Prometheus duration");
    expect(message).toContain("alertmanager.teams[0].route.groupWait: '1 min' is not a Prometheus duration");
  });

  test('retentionSize "45 GB" is not a byte size, and the fix lists the units', () => {
    const message = renderError({ prometheus: { retentionSize: '45 GB' } });
    expect(message).toContain("prometheus.retentionSize: '45 GB' is not a byte size");
    expect(message).toContain('B, KB, MB, GB, TB, PB or EB');
  });

  test('a chaos expectation within "5 minutes" names chaos.schedules[i].expects[j].within, not a PromQL error', () => {
    const message = renderError({ chaos: { schedules: [{ ...schedule, expects: [{ alert: 'KubePodNotReady', within: '5 minutes' }] }] } });
    expect(message).toContain("chaos.schedules[0].expects[0].within: '5 minutes' is not a Prometheus duration");
    expect(message).not.toContain('NaN');
  });

  test('a chaos schedule duration and the Chaos Mesh durations of an experiment are checked', () => {
    const message = renderError({
      chaos: {
        schedules: [
          { ...schedule, duration: '5 min' },
          { ...schedule, name: 'checkout-latency', schedule: '0 5 * * 2', experiment: { kind: 'NetworkChaos', action: 'delay', latency: '200 ms' } },
          { ...schedule, name: 'checkout-clock', schedule: '0 6 * * 2', experiment: { kind: 'TimeChaos', timeOffset: 'minus ten minutes' } },
        ],
      },
    });
    expect(message).toContain("chaos.schedules[0].duration: '5 min' is not a Prometheus duration");
    expect(message).toContain("chaos.schedules[1].experiment.latency: '200 ms' is not a duration");
    expect(message).toContain("chaos.schedules[2].experiment.timeOffset: 'minus ten minutes' is not a duration");
  });

  test('drill scenario durations (interval, startsAt, within) name their fields', () => {
    const message = renderError({
      drill: { scenarios: [{ name: 'd', interval: '1 minute', startsAt: '5mins', series: [{ series: 'up{job="x"}', values: '1x10' }], expect: [{ alert: 'TargetDown', within: '1.5m' }] }] },
    });
    expect(message).toContain("drill.scenarios[0].interval: '1 minute' is not a Prometheus duration");
    expect(message).toContain("drill.scenarios[0].startsAt: '5mins' is not a Prometheus duration");
    expect(message).toContain("drill.scenarios[0].expect[0].within: '1.5m' is not a Prometheus duration");
  });

  test('a CR status monitor alertAfter and a component threshold duration are checked', () => {
    const monitor = { group: 'example.com', version: 'v1', kind: 'Thing', plural: 'things', states: ['Ready', 'Error'], healthy: 'Ready', alertAfter: '15 minutes' };
    const message = renderError({ kubeStateMetrics: { crStatusMonitors: [monitor] }, prometheus: { thresholds: { targetDownFor: 'ten minutes' } } });
    expect(message).toContain("kubeStateMetrics.crStatusMonitors[0].alertAfter: '15 minutes' is not a Prometheus duration");
    expect(message).toContain("prometheus.thresholds.targetDownFor: 'ten minutes' is not a Prometheus duration");
  });

  test('well-written durations, sizes and time intervals pass the checks', () => {
    const values: StackValues = {
      prometheus: { retentionSize: '45GB', storage: { size: '50Gi' } },
      rules: { overrides: { KubePodCrashLooping: { for: '1h30m' } }, groups: [group({ interval: '1m' }, '10m')] },
      alertmanager: { route: { receiver: 'null', groupWait: '30s', routes: [{ receiver: 'null', repeatInterval: '4h' }] }, timeIntervals: [{ name: 'nights', times: [{ startTime: '22:00', endTime: '24:00' }], weekdays: ['Monday:Friday'], daysOfMonth: ['5:-1'], months: ['1:3'], location: 'Europe/Berlin' }] },
      chaos: { schedules: [{ ...schedule, expects: [{ alert: 'KubePodNotReady', within: '20m' }] }] },
      drill: { scenarios: [{ name: 'd', interval: '1m', startsAt: '5m', series: [{ series: 'up{job="x"}', values: '1x10' }], expect: [{ alert: 'TargetDown', within: '10m' }] }] },
    };
    expect(checkShape(values).problems).toEqual([]);
    expect(checkSemantics(resolveValues(values, 'test'))).toEqual([]);
  });
});

describe('time intervals are checked as Alertmanager reads them', () => {
  const withInterval = (interval: object) => renderError({ alertmanager: { timeIntervals: [{ name: 'nights', ...interval }] } });

  test('startTime "10pm" is not a 24-hour clock time', () => {
    const message = withInterval({ times: [{ startTime: '10pm', endTime: '24:00' }] });
    expect(message).toContain("alertmanager.timeIntervals[0].times[0].startTime: '10pm' is not a start time (HH:MM, 00:00 to 23:59)");
    expect(message).toContain('24-hour clock');
  });

  test('an end before the start is named at endTime; 24:00 is allowed as an end only', () => {
    expect(withInterval({ times: [{ startTime: '22:00', endTime: '06:00' }] })).toContain('alertmanager.timeIntervals[0].times[0].endTime: ends at 06:00, not after it starts (22:00)');
    expect(withInterval({ times: [{ startTime: '24:00', endTime: '24:00' }] })).toContain("times[0].startTime: '24:00' is not a start time");
  });

  test('weekdays, days of month, months and the location are checked', () => {
    const message = withInterval({ weekdays: ['monday:friday', 'mondays', 'friday:monday'], daysOfMonth: ['1:5', '-3:-1', '0', '10:2'], months: ['june:august', '13'], location: 'Mars/Olympus' });
    expect(message).toContain("alertmanager.timeIntervals[0].weekdays[1]: 'mondays' is not a weekday");
    expect(message).toContain("alertmanager.timeIntervals[0].weekdays[2]: 'friday:monday' ends before it starts");
    expect(message).toContain("alertmanager.timeIntervals[0].daysOfMonth[2]: '0' is not a day of the month");
    expect(message).toContain("alertmanager.timeIntervals[0].daysOfMonth[3]: '10:2' ends before it starts");
    expect(message).toContain("alertmanager.timeIntervals[0].months[1]: '13' is not a month");
    expect(message).toContain("alertmanager.timeIntervals[0].location: 'Mars/Olympus' is not a time zone");
    expect(message).toContain('6 problems');
  });
});
