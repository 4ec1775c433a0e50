// A CustomResourceDefinition's openAPIV3Schema as an ajv validator: the upstream schemas with the documented fixes
// (../shared/TOOLCHAIN.md), and the API server's pruning made visible. Compiled once per CRD version and process.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { KubernetesObject } from '../core/primitives';

/** One served version of a CRD. */
export interface CrdVersion {
  /** The CRD's name, e.g. `prometheuses.monitoring.coreos.com`. */
  readonly crd: string;
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Record<string, unknown> | undefined;
}

interface CrdSpec {
  group?: string;
  names?: { kind?: string };
  versions?: Array<{ name?: string; served?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }>;
}

/** The served versions a CRD object declares (versions with `served: false` are not accepted by the API server). */
export function servedVersions(crd: KubernetesObject): CrdVersion[] {
  const spec = (crd.spec ?? {}) as CrdSpec;
  if (!spec.group || !spec.names?.kind) return [];
  return (spec.versions ?? [])
    .filter((v) => v.served && v.name)
    .map((v) => ({ crd: crd.metadata.name, group: spec.group!, kind: spec.names!.kind!, version: v.name!, schema: v.schema?.openAPIV3Schema }));
}

/** Go's `(?i)` inline flag (RE2) is not JavaScript: strip it and make the whole pattern case-insensitive. */
function goRegExp(pattern: string, flags = ''): RegExp {
  const insensitive = pattern.includes('(?i)');
  return new RegExp(pattern.split('(?i)').join(''), insensitive && !flags.includes('i') ? `${flags}i` : flags);
}
goRegExp.code = 'goRegExp';

/** OpenAPI formats that only name a Go type, and `duration` (Go's `5m`, which ajv would read as ISO 8601). */
const LOOSE_FORMATS = ['int32', 'int64', 'double', 'float', 'byte', 'binary', 'password', 'duration', 'date-time', 'date', 'uri', 'email', 'hostname', 'ipv4', 'ipv6', 'uuid'];

let shared: Ajv | undefined;
function ajv(): Ajv {
  if (!shared) {
    shared = new Ajv({ strict: false, allErrors: true, verbose: true, code: { regExp: goRegExp as never } });
    for (const format of LOOSE_FORMATS) shared.addFormat(format, true);
  }
  return shared;
}

/**
 * Makes an upstream schema compile and say what the API server does:
 * - OpenAPI 3.0's boolean `exclusiveMinimum: true` becomes draft-07's numeric form;
 * - an object node with `properties` gets `additionalProperties: false` unless it preserves unknown fields: the API
 *   server prunes (silently drops) fields a structural schema does not list, so such a field is a mistake;
 * - formats ajv does not know are accepted as they are.
 */
function adapt(node: unknown, formats: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) adapt(item, formats);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Record<string, unknown>;
  if (schema.exclusiveMinimum === true && typeof schema.minimum === 'number') {
    schema.exclusiveMinimum = schema.minimum;
    delete schema.minimum;
  } else if (typeof schema.exclusiveMinimum === 'boolean') {
    delete schema.exclusiveMinimum;
  }
  if (schema.exclusiveMaximum === true && typeof schema.maximum === 'number') {
    schema.exclusiveMaximum = schema.maximum;
    delete schema.maximum;
  } else if (typeof schema.exclusiveMaximum === 'boolean') {
    delete schema.exclusiveMaximum;
  }
  if (typeof schema.format === 'string') formats.add(schema.format);
  const preserves = schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (schema.properties && typeof schema.properties === 'object' && schema.additionalProperties === undefined && !preserves) {
    // An embedded resource (x-kubernetes-embedded-resource) keeps apiVersion, kind and metadata too.
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    const properties = schema.properties as Record<string, unknown>;
    if (embedded) for (const field of ['apiVersion', 'kind', 'metadata']) properties[field] ??= {};
    schema.additionalProperties = false;
  }
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps field names to schemas; `enum`, `required` and `default` hold values, not schemas.
    if (key === 'enum' || key === 'required' || key === 'default' || key === 'example') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      for (const child of Object.values(value as Record<string, unknown>)) adapt(child, formats);
    } else {
      adapt(value, formats);
    }
  }
}

interface Compiled {
  readonly source: string;
  readonly validate: ValidateFunction;
}

/** By `crd/version`. The source text guards against two different CRDs of one name (e.g. two operator versions). */
const compiled = new Map<string, Compiled>();
/** The source text of schema objects already seen, so one loaded CRD is serialized once. */
const sources = new WeakMap<object, string>();

/** The validator of one CRD version; compiled on first use and kept for the process. */
export function crdValidator(version: CrdVersion): ValidateFunction | undefined {
  const schema = version.schema;
  if (!schema) return undefined;
  let source = sources.get(schema);
  if (source === undefined) {
    source = JSON.stringify(schema);
    sources.set(schema, source);
  }
  const key = `${version.crd}/${version.version}`;
  const known = compiled.get(key);
  if (known?.source === source) return known.validate;
  const copy = JSON.parse(source) as Record<string, unknown>;
  const formats = new Set<string>();
  adapt(copy, formats);
  const instance = ajv();
  for (const format of formats) if (!instance.formats[format]) instance.addFormat(format, true);
  const validate = instance.compile(copy);
  compiled.set(key, { source, validate });
  return validate;
}

/** Validates a custom resource; the errors are ajv's (see `schemaProblems` for readable ones). */
export function validateCustomResource(version: CrdVersion, object: unknown): ErrorObject[] {
  const validate = crdValidator(version);
  if (!validate || validate(object)) return [];
  return [...(validate.errors ?? [])];
}
