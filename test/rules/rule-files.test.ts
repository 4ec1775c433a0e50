import * as fs from 'fs';
import * as path from 'path';
import { at, find, render, renderError } from '../helpers';
import { tempFolder } from '../helpers';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'rules');
const REPO = path.resolve(__dirname, '..', '..');

function ruleFile(content: string): string {
  const file = path.join(tempFolder('o11y-rules-'), 'rules.yaml');
  fs.writeFileSync(file, content);
  return file;
}

type Rule = { alert?: string; record?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
const customRules = (values: Parameters<typeof render>[0]) =>
  (at(find(render(values), 'PrometheusRule', 'custom-rules'), 'spec.groups') as Array<{ name: string; rules: Rule[] }>);

describe('rule files picked up by a stack', () => {
  test('a Prometheus rule file becomes typed rules: severity from its label, summary and description from annotations', () => {
    const groups = customRules({ rules: { files: [path.join(REPO, 'rules', 'checkout.yaml')], knownMetrics: ['checkout_request_duration_seconds_bucket'] } });
    expect(groups.map((g) => g.name)).toEqual(['checkout-latency']);
    const alert = groups[0].rules[1];
    expect(alert.labels).toEqual({ severity: 'warning', team: 'shop' });
    expect(alert.annotations!.summary).toBe("Checkout's 99th percentile latency is above 500ms.");
    expect(alert.annotations!.runbook_url).toBe('https://runbooks.prometheus-operator.dev/runbooks/custom/checkoutslowrequests');
  });

  test('a TypeScript rule module is picked up, and so is a folder', () => {
    const groups = customRules({ rules: { files: [path.join(FIXTURES, 'module.ts')], knownMetrics: ['orders_total'] } });
    expect(groups[0].rules.map((r) => r.alert ?? r.record)).toEqual(['job:orders:rate5m', 'OrdersStopped']);
  });

  test('an unknown field in a rule file is an error naming the file and the rule', () => {
    const file = ruleFile('groups:\n  - name: g\n    rules:\n      - alert: A\n        exprr: up == 0\n');
    const message = renderError({ rules: { files: [file] } });
    expect(message).toContain("rules.files[0] (rules.yaml: groups[0].rules[0]): unknown field 'exprr'");
  });

  test('an alert without a severity label or summary is an error with the fix', () => {
    const file = ruleFile('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n');
    const message = renderError({ rules: { files: [file] } });
    expect(message).toContain("alert 'A' has no severity label");
    expect(message).toContain('fix: add labels: { severity: critical | warning | info | none }');
    expect(message).toContain("alert 'A' has no summary annotation");
  });

  test('broken YAML, a missing file and a module with a wrong export are clear errors', () => {
    expect(renderError({ rules: { files: [ruleFile('groups: [\n')] } })).toContain('is not valid YAML');
    expect(renderError({ rules: { files: ['nope.yaml'] } })).toContain("rules.files[0]: 'nope.yaml' does not exist");
    expect(renderError({ rules: { files: [path.join(FIXTURES, 'bad-module.ts')] } })).toContain("must have required property 'expr'");
  });

  test('rules from files go through the analyzer like every other rule', () => {
    const file = ruleFile([
      'groups:', '  - name: g', '    rules:', '      - alert: A', '        expr: sum by (namespace) (up) == 0',
      '        labels: { severity: warning }', '        annotations: { summary: "{{ $labels.pod }} down" }', '',
    ].join('\n'));
    expect(renderError({ rules: { files: [file] } })).toContain("annotation 'summary' uses $labels.pod");
  });
});
