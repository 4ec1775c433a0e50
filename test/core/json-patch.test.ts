import { applyJsonPatch, JsonPatchError } from '../../src/core/json-patch';

const doc = () => ({ spec: { replicas: 2, template: { spec: { nodeSelector: { os: 'linux' } } }, args: ['a', 'b'] } });

function failure(ops: Parameters<typeof applyJsonPatch>[1]): JsonPatchError {
  try {
    applyJsonPatch(doc(), ops);
  } catch (error) {
    if (error instanceof JsonPatchError) return error;
    throw error;
  }
  throw new Error('expected the patch to fail');
}

describe('JSON patch (RFC 6902)', () => {
  test('add, replace, remove, move, copy and test apply in order and leave the input as it was', () => {
    const input = doc();
    const result = applyJsonPatch(input, [
      { op: 'replace', path: '/spec/replicas', value: 3 },
      { op: 'add', path: '/spec/args/-', value: 'c' },
      { op: 'add', path: '/spec/args/0', value: 'z' },
      { op: 'remove', path: '/spec/args/1' },
      { op: 'copy', from: '/spec/replicas', path: '/spec/minReplicas' },
      { op: 'move', from: '/spec/template/spec/nodeSelector', path: '/spec/selector' },
      { op: 'test', path: '/spec/selector', value: { os: 'linux' } },
    ]);
    expect(result).toEqual({ spec: { replicas: 3, minReplicas: 3, args: ['z', 'b', 'c'], template: { spec: {} }, selector: { os: 'linux' } } });
    expect(input).toEqual(doc());
  });

  test('replace on a missing path is an error naming the operation, not a new field', () => {
    const error = failure([{ op: 'add', path: '/spec/paused', value: true }, { op: 'replace', path: '/spec/replica', value: 3 }]);
    expect(error.op).toBe(1);
    expect(error.message).toBe('/spec/replica does not exist, so it cannot be replaced (use "add" to create it)');
  });

  test('remove of a missing path, add under a missing parent and a missing from are errors', () => {
    expect(failure([{ op: 'remove', path: '/spec/template/spec/nodeSelectr' }]).message).toBe('/spec/template/spec/nodeSelectr does not exist, so it cannot be removed');
    expect(failure([{ op: 'add', path: '/spec/strategy/type', value: 'Recreate' }]).message).toBe('/spec/strategy/type: /spec/strategy does not exist');
    expect(failure([{ op: 'copy', from: '/spec/nothing', path: '/spec/x' }]).message).toBe('/spec/nothing does not exist');
    expect(failure([{ op: 'add', path: '/spec/args/5', value: 'x' }]).message).toBe('/spec/args/5: index 5 is past the end of the array (length 2)');
  });

  test('a failing test stops the patch with both values', () => {
    expect(failure([{ op: 'test', path: '/spec/replicas', value: 5 }]).message).toBe('test failed: /spec/replicas is 2, not 5');
  });

  test('pointer escapes and a __proto__ key are fields like any other', () => {
    const result = applyJsonPatch({ metadata: { labels: {} as Record<string, string> } }, [
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' },
      { op: 'add', path: '/metadata/labels/__proto__', value: 'y' },
    ]);
    expect(Object.keys(result.metadata.labels)).toEqual(['app.kubernetes.io/name', '__proto__']);
    expect(Object.getPrototypeOf(result.metadata.labels)).toBe(Object.prototype);
  });

  test('a pointer without a leading slash, and an unknown op, are errors', () => {
    expect(failure([{ op: 'add', path: 'spec/x', value: 1 }]).message).toBe(`'spec/x' is not a JSON pointer (start it with "/")`);
    expect(failure([{ op: 'frobnicate' as 'add', path: '/spec/x' }]).message).toContain("'frobnicate' is not a JSON patch operation");
  });
});
