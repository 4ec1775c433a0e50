// A real Prometheus and Alertmanager on 127.0.0.1 (Debian packages), with the stack's rules and routing scaled.
import * as path from 'path';
import { operatorRouting } from '../../src/alerting/operator-routing';
import { drillAlertmanagerConfig } from '../../src/drill/alertmanager';
import { runScenario, type DrillScenario } from '../../src/drill/run';
import { scaleRuleGroups } from '../../src/drill/scale';
import { expandSeries } from '../../src/promql/series';
import { renderGroups } from '../../src/rules/render';
import { loadStackFile } from '../../src/load/stack-file';
import { buildStack } from '../../src/synth/pipeline';
import { drillTest } from '../tools';
import { toYaml } from '../../src/core/yaml';

const FACTOR = 60;

describe('series notation', () => {
  test('expands like promtool', () => {
    expect(expandSeries('0+10x3 _ 5x2 _x2')).toEqual([0, 10, 20, 30, undefined, 5, 5, 5, undefined, undefined]);
    expect(() => expandSeries('abc')).toThrow("'abc' is not promtool series notation");
  });
});

describe('a drill scenario on the teams example stack', () => {
  drillTest('a target going down in shop fires TargetDown, delivered to the shop team\'s Slack (its AlertmanagerConfig) and the incident tool, timed from the experiment\'s start', async () => {
    const stack = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts')));
    stack.finalize();
    const groups = scaleRuleGroups(renderGroups(stack.rules.effective().flatMap((s) => s.groups), 'https://runbooks.invalid').groups, FACTOR);
    const scenario: DrillScenario = {
      name: 'checkout target down',
      origin: 'test',
      stepMs: 500,
      // Healthy for 10 s (20 steps), then the target goes down: the experiment starts there.
      series: [
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.1:8080"}', values: '1x19 0x300' },
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.2:8080"}', values: '1x320' },
      ],
      startsAt: 10,
      expect: [
        { alert: 'TargetDown', receivers: ['shop/shop-routing/shop-slack', 'incident-tool'], within: '15m', deadline: 15 },
        // The same alert, promised sooner than its `for: 10m` allows: late, by the same clock.
        { alert: 'TargetDown', receivers: ['shop/shop-routing/shop-slack', 'incident-tool'], within: '5m', deadline: 5 },
      ],
    };
    const [result, late] = await runScenario({
      rulesYaml: toYaml({ groups }),
      alertmanagerConfig: (url) => drillAlertmanagerConfig(operatorRouting(stack.values.alertmanager, stack.values.common.namespace), FACTOR, url),
      interval: '1s',
      externalLabels: { cluster: 'eu-prod-1' },
      resendDelay: '1s',
      timeoutMs: 60000,
    }, scenario);
    expect(result).toMatchObject({ alert: 'TargetDown', expected: { receivers: ['shop/shop-routing/shop-slack', 'incident-tool'], deadline: 15 }, startedAt: 10, passed: true, problems: [], inhibitedBy: [] });
    // TargetDown has `for: 10m`: at factor 60 it fires about 10 s after the target went down, and not before.
    expect(result.firedAfter).toBeGreaterThanOrEqual(9);
    expect(result.firedAfter).toBeLessThan(15);
    expect(late.firedAfter).toBe(result.firedAfter);
    expect(late.problems).toEqual([expect.stringMatching(/^fired [\d.]+s later than its contract allows \(by 5s, 5m after the experiment started\)$/)]);
    expect(result.delivered['incident-tool']).toBeGreaterThanOrEqual(result.firedAfter!);
    expect(result.delivered['shop/shop-routing/shop-slack']).toBeGreaterThanOrEqual(result.firedAfter!);
  }, 90000);
});
