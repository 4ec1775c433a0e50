// Durations in rule files are checked like those in the values, the field naming the file and the place in it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadRuleFiles } from '../../src/load/rule-files';

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('rule files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-rule-files-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a group interval of "1 minute" and an alert for of "10min" in a YAML rule file name the file and the place', () => {
    fs.writeFileSync(path.join(dir, 'shop.yaml'), [
      'groups:',
      '  - name: shop',
      '    interval: 1 minute',
      '    rules:',
      '      - alert: ShopDown',
      '        expr: up{job="shop"} == 0',
      '        for: 10min',
      '        labels: { severity: critical }',
      '        annotations: { summary: Shop is down }',
    ].join('\n'));
    const message = errorOf(() => loadRuleFiles(['shop.yaml'], dir, 'test'));
    expect(message).toContain("rules.files[0] (shop.yaml: groups[0].interval): '1 minute' is not a Prometheus duration");
    expect(message).toContain("rules.files[0] (shop.yaml: groups[0].rules[0].for): '10min' is not a Prometheus duration");
    expect(message).toContain('2 problems');
  });

  test('well-written durations load', () => {
    fs.writeFileSync(path.join(dir, 'ok.yaml'), 'groups:\n  - name: ok\n    interval: 1m\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n');
    expect(loadRuleFiles(['ok.yaml'], dir, 'test')).toEqual([{ name: 'ok', interval: '1m', rules: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }] }]);
  });
});
