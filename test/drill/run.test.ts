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
    expect(expandSeries('0+10x3 _ 5x2 _x1')).toEqual([0, 10, 20, 30, undefined, 5, 5, 5, undefined, undefined]);
    expect(() => expandSeries('abc')).toThrow("'abc' is not promtool series notation");
  });
});

describe('a drill scenario on the teams example stack', () => {
  drillTest('a target going down in shop fires TargetDown, delivered to the shop team\'s Slack (its AlertmanagerConfig) and the incident tool', async () => {
    const stack = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts')));
    stack.finalize();
    const groups = scaleRuleGroups(renderGroups(stack.rules.effective().flatMap((s) => s.groups), 'https://runbooks.invalid').groups, FACTOR);
    const scenario: DrillScenario = {
      name: 'checkout target down',
      origin: 'test',
      stepMs: 500,
      series: [
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.1:8080"}', values: '0x300' },
        { series: 'up{job="checkout", namespace="shop", service="checkout", instance="10.0.0.2:8080"}', values: '1x300' },
      ],
      expect: [{ alert: 'TargetDown', receivers: ['shop/shop-routing/shop-slack', 'incident-tool'] }],
    };
    const [result] = await runScenario({
      rulesYaml: toYaml({ groups }),
      alertmanagerConfig: (url) => drillAlertmanagerConfig(operatorRouting(stack.values.alertmanager, stack.values.common.namespace), FACTOR, url),
      interval: '1s',
      externalLabels: { cluster: 'eu-prod-1' },
      resendDelay: '1s',
      timeoutMs: 60000,
    }, scenario);
    expect(result).toMatchObject({ alert: 'TargetDown', expected: { receivers: ['shop/shop-routing/shop-slack', 'incident-tool'] }, passed: true, problems: [], inhibitedBy: [] });
    // TargetDown has `for: 10m`: at factor 60 it fires after about 10 s, and not before.
    expect(result.firedAfter).toBeGreaterThanOrEqual(9);
    expect(result.firedAfter).toBeLessThan(30);
    expect(result.delivered['incident-tool']).toBeGreaterThanOrEqual(result.firedAfter!);
    expect(result.delivered['shop/shop-routing/shop-slack']).toBeGreaterThanOrEqual(result.firedAfter!);
  }, 90000);
});
