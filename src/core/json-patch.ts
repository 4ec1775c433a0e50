// JSON Patch (RFC 6902), applied strictly: `replace` and `remove` on a missing path, `add` into a missing parent,
// a `from` that does not exist and a failing `test` are errors, as the RFC says. (The library cdk8s uses adds the
// field instead, which silently turns a typo in a path into a new field.)

export interface JsonPatchOp {
  readonly op: 'add' | 'remove' | 'replace' | 'copy' | 'move' | 'test';
  /** JSON pointer into the object, e.g. `/spec/replicas`. */
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}

/** Why one operation cannot apply; `op` is its index in the patch. */
export class JsonPatchError extends Error {
  constructor(readonly op: number, message: string) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];

function tokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`'${pointer}' is not a JSON pointer (start it with "/")`);
  return pointer.slice(1).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function arrayIndex(array: unknown[], token: string, pointer: string, allowEnd: boolean): number {
  if (allowEnd && token === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`'${token}' in ${pointer} is not an array index`);
  const index = Number(token);
  if (index > array.length || (!allowEnd && index === array.length)) throw new Error(`${pointer}: index ${index} is past the end of the array (length ${array.length})`);
  return index;
}

function has(container: Container, token: string): boolean {
  return Array.isArray(container) ? /^(0|[1-9][0-9]*)$/.test(token) && Number(token) < container.length : Object.prototype.hasOwnProperty.call(container, token);
}

/** The parent container of a pointer's target and the last token; the parent must exist. */
function parentOf(document: unknown, pointer: string): { parent: Container; last: string } {
  const path = tokens(pointer);
  if (!path.length) throw new Error('the whole object cannot be the target; patch a field of it');
  let node = document;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isContainer(node) || !has(node, path[i])) throw new Error(`${pointer}: /${path.slice(0, i + 1).join('/')} does not exist`);
    node = (node as Record<string, unknown>)[path[i]];
  }
  if (!isContainer(node)) throw new Error(`${pointer}: the parent is not an object or array`);
  return { parent: node, last: path[path.length - 1] };
}

function get(document: unknown, pointer: string): unknown {
  const { parent, last } = parentOf(document, pointer);
  if (!has(parent, last)) throw new Error(`${pointer} does not exist`);
  return (parent as Record<string, unknown>)[last];
}

function add(document: unknown, pointer: string, value: unknown): void {
  const { parent, last } = parentOf(document, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, pointer, true), 0, value);
  else defineKey(parent, last, value);
}

function remove(document: unknown, pointer: string): unknown {
  const { parent, last } = parentOf(document, pointer);
  if (!has(parent, last)) throw new Error(`${pointer} does not exist, so it cannot be removed`);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, pointer, false), 1)[0];
  const old = parent[last];
  delete parent[last];
  return old;
}

/** Own data property, so that a key like `__proto__` is a field, not the prototype. */
function defineKey(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => has(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function applyOne(document: unknown, op: JsonPatchOp): void {
  switch (op.op) {
    case 'add':
      return add(document, op.path, clone(op.value));
    case 'remove':
      remove(document, op.path);
      return;
    case 'replace': {
      const { parent, last } = parentOf(document, op.path);
      if (!has(parent, last)) throw new Error(`${op.path} does not exist, so it cannot be replaced (use "add" to create it)`);
      if (Array.isArray(parent)) parent[Number(last)] = clone(op.value);
      else defineKey(parent, last, clone(op.value));
      return;
    }
    case 'move': {
      const from = requireFrom(op);
      if (op.path.startsWith(`${from}/`)) throw new Error(`cannot move ${from} into its own child ${op.path}`);
      return add(document, op.path, remove(document, from));
    }
    case 'copy':
      return add(document, op.path, clone(get(document, requireFrom(op))));
    case 'test': {
      const actual = get(document, op.path);
      if (!deepEqual(actual, op.value)) throw new Error(`test failed: ${op.path} is ${short(actual)}, not ${short(op.value)}`);
      return;
    }
    default:
      throw new Error(`'${String((op as { op: unknown }).op)}' is not a JSON patch operation (add, remove, replace, move, copy, test)`);
  }
}

function requireFrom(op: JsonPatchOp): string {
  if (typeof op.from !== 'string') throw new Error(`'${op.op}' needs 'from'`);
  return op.from;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The document with every operation applied, in order; the input is left as it was. Throws JsonPatchError. */
export function applyJsonPatch<T>(document: T, ops: readonly JsonPatchOp[]): T {
  const result = clone(document);
  ops.forEach((op, i) => {
    try {
      applyOne(result, op);
    } catch (error) {
      throw new JsonPatchError(i, (error as Error).message);
    }
  });
  return result;
}
