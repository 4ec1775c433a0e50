import { parsePromQL } from '../../src/promql/parse';
import { scaleDuration, scaleExpression, scaleRuleGroups } from '../../src/drill/scale';
import { defineStack } from '../../src';
import { renderGroups } from '../../src/rules/render';
import { buildStack } from '../../src/synth/pipeline';
import { runTool, testWithTool } from '../tools';
import { toYaml } from '../../src/core/yaml';

describe('time scaling for drills', () => {
  test('durations are divided by the factor, never below a second', () => {
    expect(scaleDuration('15m', 60)).toBe('15s');
    expect(scaleDuration('1h30m', 30)).toBe('3m');
    expect(scaleDuration('5m', 7)).toBe('42s857ms');
    expect(scaleDuration('30s', 60)).toBe('1s');
    expect(scaleDuration('0s', 60)).toBe('0s');
  });

  test('ranges, subqueries and offsets are scaled through the syntax tree; numbers and strings are not', () => {
    expect(scaleExpression('sum(rate(x_total{job="5m"}[5m])) > 300', 60)).toBe('sum(rate(x_total{job="5m"}[5s])) > 300');
    expect(scaleExpression('max_over_time(up[10m:1m]) offset 1h', 60)).toBe('max_over_time(up[10s:1s]) offset 1m');
    expect(scaleExpression('predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0', 60)).toBe('predict_linear(node_filesystem_avail_bytes[6m], 4 * 3600) < 0');
  });

  test('every rule of the default stack still parses after scaling', () => {
    const stack = buildStack({ definition: defineStack({}), name: 'd', source: 'x' });
    stack.finalize();
    const groups = scaleRuleGroups(renderGroups(stack.rules.effective().flatMap((s) => s.groups), 'https://runbooks.invalid').groups, 60);
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(150);
    for (const rule of rules) expect([rule.expr, parsePromQL(rule.expr).syntaxErrors]).toEqual([rule.expr, []]);
  });

  testWithTool('promtool', 'promtool accepts the scaled rules of the default stack', () => {
    const stack = buildStack({ definition: defineStack({}), name: 'd', source: 'x' });
    stack.finalize();
    const groups = scaleRuleGroups(renderGroups(stack.rules.effective().flatMap((s) => s.groups), 'https://runbooks.invalid').groups, 60);
    const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml({ groups }) });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});

describe("the drill's Alertmanager configuration", () => {
  const path = require('path');
  const { loadStackFile } = require('../../src/load/stack-file');
  const { drillAlertmanagerConfig } = require('../../src/drill/alertmanager');
  const { operatorRouting } = require('../../src/alerting/operator-routing');
  const teams = buildStack(loadStackFile(path.resolve(__dirname, '../../stacks/teams.ts')));
  const config = drillAlertmanagerConfig(operatorRouting(teams.values.alertmanager, teams.values.common.namespace), 60, 'http://127.0.0.1:9999/capture');

  test('every receiver becomes a webhook to the local capture endpoint, and grouping times are scaled', () => {
    expect(config.receivers).toContainEqual({ name: 'pagerduty', webhook_configs: [{ url: 'http://127.0.0.1:9999/capture/pagerduty', send_resolved: false }] });
    expect(JSON.stringify(config)).not.toContain('_file');
    expect(config.route).toMatchObject({ receiver: 'incident-tool', group_wait: '1s', group_interval: '5s', repeat_interval: '4m' });
    expect(JSON.stringify(config)).not.toContain('mute_time_intervals');
  });

  testWithTool('amtool', 'amtool accepts it, and routes every expectation of the stack as the real configuration does', () => {
    const yaml = toYaml(config);
    expect(runTool('amtool', ['check-config', 'alertmanager.yaml'], { 'alertmanager.yaml': yaml }).output).toContain('SUCCESS');
    for (const expectation of teams.values.alertmanager.expectations) {
      const labels = Object.entries(expectation.labels as Record<string, string>).map(([k, v]) => `${k}=${v}`);
      const routed = runTool('amtool', ['config', 'routes', 'test', '--config.file=alertmanager.yaml', ...labels], { 'alertmanager.yaml': yaml });
      expect([labels.join(' '), routed.stdout.trim()]).toEqual([labels.join(' '), expectation.receivers.join(',')]);
    }
  });
});
