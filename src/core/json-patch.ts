export interface JsonPatchOp {
  readonly op: 'add' | 'remove' | 'replace' | 'copy' | 'move' | 'test';
  /** JSON pointer into the object, e.g. `/spec/replicas`. */
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}
