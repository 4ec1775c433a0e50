// Values are merged into the defaults without losing keys: even `__proto__` reaches the checks.
import { deepMerge } from '../../src/values/resolve';
import { renderError } from '../helpers';

describe('deepMerge keeps every key', () => {
  test('a label key __proto__ from JSON survives the merge and is reported as an invalid label key', () => {
    const labels = JSON.parse('{"__proto__": "x", "team": "shop"}') as Record<string, string>;
    const message = renderError({ common: { labels } });
    expect(message).toContain("common.labels.__proto__: '__proto__' is not a valid Kubernetes label key");
    expect(message).toContain('1 problem');
  });

  test('a label key __proto__ defined as an own property survives too', () => {
    const labels: Record<string, string> = {};
    Object.defineProperty(labels, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    expect(renderError({ common: { ruleLabels: labels } })).toContain("common.ruleLabels.__proto__: '__proto__' is not a valid Kubernetes label key");
  });

  test('the merge defines keys as own properties and never changes a prototype', () => {
    const merged = deepMerge<Record<string, unknown>>({ a: { b: 1 } }, JSON.parse('{"__proto__": {"polluted": true}, "a": {"c": 2}}'));
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged).sort()).toEqual(['__proto__', 'a']);
    expect(merged.a).toEqual({ b: 1, c: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
