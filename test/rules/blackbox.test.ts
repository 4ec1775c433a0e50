// The probe alerts are proven by promtool, as the whole catalogue is: a case where each fires and one where it stays silent.
import { defineStack } from '../../src';
import { isAlert } from '../../src/rules/types';
import { renderGroups } from '../../src/rules/render';
import { promtoolTestFiles, testCasesOf, TESTS_FILE } from '../../src/rules/unit-tests';
import { buildStack } from '../../src/synth/pipeline';
import { toYaml } from '../../src/core/yaml';
import { runTool, testWithTool } from '../tools';

const stack = buildStack({ definition: defineStack({ probes: [{ name: 'shop', module: 'http_2xx', targets: ['https://shop.example.com'] }] }), name: 'default', source: 'stacks/default.ts' });
stack.finalize();
const sources = stack.rules.effective().filter((s) => s.component === 'blackbox-exporter');
const alerts = sources.flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert)));

describe('the blackbox exporter\'s rules', () => {
  test('are one PrometheusRule of six alerts, each with a case that fires and one that stays silent', () => {
    expect(sources.map((s) => s.objectName)).toEqual(['blackbox-exporter-rules']);
    expect(alerts.map((a) => a.alert)).toEqual(['ProbeFailed', 'ProbeSlow', 'ProbeHttpStatusCode', 'SslCertificateWillExpireSoon', 'SslCertificateExpired', 'BlackboxConfigReloadFailure']);
    for (const a of alerts) {
      expect([a.alert, a.tests!.fires.expect.length > 0, 'input' in a.tests!.silent && a.tests!.silent.expect.length === 0]).toEqual([a.alert, true, true]);
    }
  });

  test('thresholds change the alerts', () => {
    const tuned = buildStack({ definition: defineStack({ blackboxExporter: { enabled: true, thresholds: { probeSlowSeconds: 3, certificateExpiryDays: 30 } } }), name: 'tuned', source: 'stacks/tuned.ts' });
    tuned.finalize();
    const exprs = tuned.rules.effective().flatMap((s) => s.groups.flatMap((g) => g.rules.filter(isAlert))).map((a) => `${a.alert}: ${a.expr}`);
    expect(exprs).toContain('ProbeSlow: avg_over_time(probe_duration_seconds[5m]) > 3');
    expect(exprs.find((e) => e.startsWith('SslCertificateWillExpireSoon'))).toContain('/ 86400 < 30');
  });

  testWithTool('promtool', 'promtool check rules accepts every group', () => {
    const rendered = renderGroups(stack.rules.effectiveGroups('blackbox-exporter-rules'), stack.values.rules.runbookBaseUrl);
    const result = runTool('promtool', ['check', 'rules', 'rules.yaml'], { 'rules.yaml': toYaml(rendered) });
    expect(result.output).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  testWithTool('promtool', 'every alert unit test passes in promtool', () => {
    const cases = testCasesOf(sources.flatMap((s) => s.groups));
    expect(cases.length).toBe(12);
    const result = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, stack.values.prometheus.evaluationInterval));
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });
});
