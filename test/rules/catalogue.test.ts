// Every shipped alert is proven by promtool: a case where it fires and one where it stays silent.
import { defineStack } from '../../src';
import type { RuleSource } from '../../src/rules/rule-set';
import { isAlert } from '../../src/rules/types';
import { promtoolTestFiles, testCasesOf, TESTS_FILE } from '../../src/rules/unit-tests';
import { buildStack } from '../../src/synth/pipeline';
import { runTool, testWithTool } from '../tools';
import { COMMUNITY_ALERT_NAMES } from './community-alert-names';
import { toYaml } from '../../src/core/yaml';

// Every alert the catalogue has: the default stack with the control-plane monitors, the Collector and the blackbox
// exporter, off by default.
const stack = buildStack({ definition: defineStack({ controlPlane: { kubeScheduler: { enabled: true }, kubeControllerManager: { enabled: true }, kubeProxy: { enabled: true } }, otelCollector: { enabled: true }, blackboxExporter: { enabled: true } }), name: 'default', source: 'stacks/default.ts' });
stack.finalize();
const sources: RuleSource[] = stack.rules.effective();
const alerts = sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert)));
const evaluationInterval = stack.values.prometheus.evaluationInterval;

describe('the default rule catalogue', () => {
  test(`covers at least 110 of the ${COMMUNITY_ALERT_NAMES.length} community alert names`, () => {
    const shipped = new Set(alerts.map((a) => a.alert));
    const missing = COMMUNITY_ALERT_NAMES.filter((n) => !shipped.has(n));
    // At most 15 may be missing; the list in the failure message says which.
    expect(missing.length <= COMMUNITY_ALERT_NAMES.length - 110 ? [] : missing).toEqual([]);
  });

  test('alerts are unique by name, severity and static labels (a name may have a warning and a critical variant)', () => {
    const keys = alerts.map((a) => `${a.alert}/${a.severity}/${JSON.stringify(a.labels ?? {})}`);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  test('group names are unique across the stack (Prometheus loads them side by side)', () => {
    const names = sources.flatMap((s) => s.groups.map((g) => g.name));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  test('every alert has a severity, a summary, a description and a test that fires and one that stays silent', () => {
    for (const a of alerts) {
      expect([a.alert, a.summary.length > 0, a.description.length > 0]).toEqual([a.alert, true, true]);
      expect([a.alert, Boolean(a.tests)]).toEqual([a.alert, true]);
      expect([a.alert, a.tests!.fires.expect.length > 0]).toEqual([a.alert, true]);
      if ('input' in a.tests!.silent) expect([a.alert, a.tests!.silent.expect]).toEqual([a.alert, []]);
    }
  });

  for (const source of sources) {
    testWithTool('promtool', `${source.objectName}: promtool check rules accepts every group`, () => {
      const spec = stack.rules.effectiveGroups(source.objectName);
      const rendered = require('../../src/rules/render').renderGroups(spec, stack.values.rules.runbookBaseUrl);
      const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(rendered) });
      expect(result.output).toContain('SUCCESS');
      expect(result.status).toBe(0);
    });

    const cases = testCasesOf(source.groups);
    if (cases.length === 0) continue;
    testWithTool('promtool', `${source.objectName}: all ${cases.length} alert unit tests pass in promtool`, () => {
      const result = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, evaluationInterval));
      expect(result.output).not.toContain('FAILED');
      expect(result.status).toBe(0);
    });
  }
});
