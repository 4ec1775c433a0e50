// Validation of custom resources against the upstream CRD schemas in ../shared/crds (never copied here).
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const SHARED_CRDS = path.resolve(__dirname, '..', '..', 'shared', 'crds');

interface CrdVersion {
  name: string;
  served: boolean;
  schema?: { openAPIV3Schema: Record<string, unknown> };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/** Go's `(?i)` inline flag (RE2) is not JavaScript: strip it and make the whole pattern case-insensitive. */
function goRegExp(pattern: string, flags = '') {
  const insensitive = pattern.includes('(?i)');
  return new RegExp(pattern.split('(?i)').join(''), insensitive && !flags.includes('i') ? `${flags}i` : flags);
}
goRegExp.code = 'goRegExp';

/** OpenAPI 3.0's boolean `exclusiveMinimum: true` becomes draft-07's numeric form. */
function fixExclusiveMinimum(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(fixExclusiveMinimum);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.exclusiveMinimum === true && typeof schema.minimum === 'number') {
    schema.exclusiveMinimum = schema.minimum;
    delete schema.minimum;
  } else if (schema.exclusiveMinimum === false) {
    delete schema.exclusiveMinimum;
  }
  Object.values(schema).forEach(fixExclusiveMinimum);
}

export class CrdSchemas {
  private readonly schemas = new Map<string, Record<string, unknown>>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv: Ajv;

  constructor(folders: string[]) {
    this.ajv = new Ajv({ strict: false, allErrors: true, code: { regExp: goRegExp as never } });
    for (const format of ['int32', 'int64', 'double', 'float', 'byte', 'binary', 'password', 'duration', 'date-time', 'uri']) {
      this.ajv.addFormat(format, true);
    }
    for (const folder of folders) {
      for (const file of fs.readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf8'))) {
          const crd = doc.toJS() as Crd | null;
          if (!crd?.spec?.versions) continue;
          for (const version of crd.spec.versions.filter((v) => v.served && v.schema)) {
            this.schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema!.openAPIV3Schema);
          }
        }
      }
    }
  }

  get kinds(): string[] {
    return [...this.schemas.keys()].sort();
  }

  /** Whether a CRD of this object's group is loaded (so the object must validate against one). */
  covers(apiVersion: string): boolean {
    const group = apiVersion.split('/')[0];
    return this.kinds.some((k) => k.startsWith(`${group}/`));
  }

  /** Error lines for one object; empty when it is valid. */
  validate(object: { apiVersion: string; kind: string }): string[] {
    const key = `${object.apiVersion}/${object.kind}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.schemas.get(key);
      if (!schema) return [`no served CRD version for ${key}`];
      const copy = structuredClone(schema);
      fixExclusiveMinimum(copy);
      validate = this.ajv.compile(copy);
      this.compiled.set(key, validate);
    }
    if (validate(object)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
}

/**
 * Runs `body` when ../shared/crds exists. Elsewhere the tests say they were skipped; under CI=true a missing
 * ../shared is a failure, since CI always has it.
 */
export function describeWithSharedCrds(title: string, body: (schemas: () => CrdSchemas) => void): void {
  if (fs.existsSync(SHARED_CRDS)) {
    let schemas: CrdSchemas | undefined;
    const folders = fs.readdirSync(SHARED_CRDS).map((f) => path.join(SHARED_CRDS, f)).filter((f) => fs.statSync(f).isDirectory()).sort();
    describe(title, () => body(() => (schemas ??= new CrdSchemas(folders))));
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      test('has the upstream CRDs in ../shared/crds', () => {
        throw new Error(`${SHARED_CRDS} is missing: CI must run with shared/ beside the clone`);
      });
    });
  } else {
    describe(title, () => {
      test.skip(`SKIPPED: ${SHARED_CRDS} not found, so no custom resource was checked against its CRD`, () => undefined);
    });
    console.warn(`SKIPPED ${title}: ${SHARED_CRDS} not found`);
  }
}
