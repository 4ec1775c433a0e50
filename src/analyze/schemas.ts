// Schema validation of every final object: custom resources against their CRD's openAPIV3Schema, core Kubernetes
// objects against the Kubernetes OpenAPI schemas (kubernetes-models). One diagnostic per mistake, at its JSON pointer.
import type { ErrorObject } from 'ajv';
import type { Diagnostic } from '../core/diagnostic';
import type { KubernetesObject } from '../core/primitives';
import { shown } from '../core/redact';
import { closestNames } from '../core/suggest';
import type { ModelObject as RenderedObject } from '../model/stack-model';
import { apiVersionsOf, coreModelNames, coreValidator, isKubernetesGroup } from './core-schema';
import { servedVersions, validateCustomResource, type CrdVersion } from './crd-schema';
import { objectName } from './object-name';

/** More problems than this in one object are summed up in one last diagnostic. */
const MOST_PER_OBJECT = 10;

/**
 * Checks every object: a custom resource whose CRD is among the stack's CustomResourceDefinition objects or
 * `extraCrds` against that CRD's schema for its version; an object of a Kubernetes API group against Kubernetes' own
 * schema. Custom resources of groups no given CRD defines are not checked. The stack's own CRDs win over extra ones.
 */
export function analyzeSchemas(objects: readonly RenderedObject[], extraCrds: readonly KubernetesObject[] = []): Diagnostic[] {
  const crds = crdIndex([...objects.map((o) => o.manifest).filter(isCrd), ...extraCrds.filter(isCrd)]);
  return objects.flatMap(({ manifest }) => {
    if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') return [];
    if (isKubernetesGroup(manifest.apiVersion)) return checkCore(manifest);
    return checkCustom(manifest, crds);
  });
}

const isCrd = (m: KubernetesObject) => m.kind === 'CustomResourceDefinition' && m.apiVersion?.startsWith('apiextensions.k8s.io/');

interface CrdIndex {
  /** By `group/kind`. */
  readonly versions: Map<string, CrdVersion[]>;
  /** Kinds by group. */
  readonly kinds: Map<string, string[]>;
}

function crdIndex(crds: readonly KubernetesObject[]): CrdIndex {
  const seen = new Set<string>();
  const versions = new Map<string, CrdVersion[]>();
  const kinds = new Map<string, string[]>();
  for (const crd of crds) {
    if (seen.has(crd.metadata.name)) continue;
    seen.add(crd.metadata.name);
    for (const version of servedVersions(crd)) {
      const key = `${version.group}/${version.kind}`;
      versions.set(key, [...(versions.get(key) ?? []), version]);
      const ofGroup = kinds.get(version.group) ?? [];
      if (!ofGroup.includes(version.kind)) kinds.set(version.group, [...ofGroup, version.kind]);
    }
  }
  return { versions, kinds };
}

function checkCore(manifest: KubernetesObject): Diagnostic[] {
  const validate = coreValidator(manifest.apiVersion, manifest.kind);
  if (validate) return diagnosticsOf(manifest, problemsOf(validate(manifest), manifest));
  const elsewhere = apiVersionsOf(manifest.kind);
  const near = closestNames(manifest.kind, coreModelNames(manifest.apiVersion), 5).filter((k) => coreValidator(manifest.apiVersion, k)).slice(0, 2);
  return [{
    severity: 'error',
    code: 'schema/unknown-kind',
    where: objectName(manifest),
    message: `Kubernetes has no kind ${manifest.kind} in ${manifest.apiVersion}`,
    fix: elsewhere.length
      ? `use apiVersion ${elsewhere.map((v) => `'${v}'`).join(' or ')}`
      : near.length ? `did you mean ${near.map((k) => `'${k}'`).join(', ')}?` : 'check the apiVersion and kind against the Kubernetes API reference',
  }];
}

function checkCustom(manifest: KubernetesObject, crds: CrdIndex): Diagnostic[] {
  const [group, version] = manifest.apiVersion.split('/');
  const candidates = crds.versions.get(`${group}/${manifest.kind}`);
  if (!candidates) {
    const known = crds.kinds.get(group);
    if (!known) return [];
    const near = closestNames(manifest.kind, known, 2);
    return [{
      severity: 'warning',
      code: 'schema/no-crd',
      where: objectName(manifest),
      message: `no CRD given defines kind ${manifest.kind} of ${group} (they define ${known.slice().sort().join(', ')}), so it is not checked`,
      fix: near.length ? `did you mean ${near.map((k) => `'${k}'`).join(', ')}?` : 'add its CRD to crds.paths',
    }];
  }
  const served = candidates.find((v) => v.version === version);
  if (!served) {
    return [{
      severity: 'error',
      code: `schema/${manifest.kind}`,
      where: `${objectName(manifest)} › /apiVersion`,
      message: `CRD ${candidates[0].crd} serves no version ${version ?? '(none)'} (it serves ${candidates.map((v) => v.version).join(', ')})`,
      fix: `use apiVersion ${candidates.map((v) => `'${group}/${v.version}'`).join(' or ')}`,
    }];
  }
  return diagnosticsOf(manifest, problemsOf(validateCustomResource(served, manifest), manifest));
}

interface Problem {
  readonly pointer: string;
  readonly message: string;
  readonly fix: string;
}

function diagnosticsOf(manifest: KubernetesObject, problems: Problem[]): Diagnostic[] {
  const shownProblems = problems.length > MOST_PER_OBJECT ? problems.slice(0, MOST_PER_OBJECT - 1) : problems;
  const diagnostics: Diagnostic[] = shownProblems.map((p) => ({
    severity: 'error',
    code: `schema/${manifest.kind}`,
    where: p.pointer ? `${objectName(manifest)} › ${p.pointer}` : objectName(manifest),
    message: p.message,
    fix: p.fix,
  }));
  if (shownProblems.length < problems.length) {
    diagnostics.push({
      severity: 'error',
      code: `schema/${manifest.kind}`,
      where: objectName(manifest),
      message: `and ${problems.length - shownProblems.length} more schema problems`,
      fix: 'fix the ones above first',
    });
  }
  return diagnostics;
}

/** The value at a JSON pointer, or undefined. */
function valueAt(object: unknown, pointer: string): unknown {
  if (!pointer) return object;
  return pointer.slice(1).split('/').reduce<unknown>((value, token) => {
    if (value === null || typeof value !== 'object') return undefined;
    return (value as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }, object);
}

const lastToken = (pointer: string) => pointer.split('/').pop()?.replace(/~1/g, '/').replace(/~0/g, '~');
const escapeToken = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

const FORMATS: Record<string, string> = {
  quantity: 'a quantity such as 100m, 1.5 or 256Mi',
  'date-time': 'an RFC 3339 time such as 2026-01-31T12:00:00Z',
  'int-or-string': 'an integer or a string',
  byte: 'base64 text',
};

function typeName(type: string): string {
  switch (type) {
    case 'integer': return 'an integer';
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    case 'object': return 'an object (a map of fields)';
    case 'array': return 'a list';
    case 'null': return 'null';
    default: return type;
  }
}

/** What a value is, as a message says it: `the string "two"`, `an object`, never a long or secret value. */
function described(value: unknown, pointer: string): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = shown(value, lastToken(pointer));
  return typeof value === 'string' ? `the string ${text}` : text;
}

function orList(items: readonly string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? unique.join('') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function allowedValues(values: readonly unknown[]): string {
  const listed = values.slice(0, 8).map((v) => JSON.stringify(v)).join(', ');
  return values.length > 8 ? `${listed}, … (${values.length} values)` : listed;
}

/** What an error wants, for the alternatives of an anyOf/oneOf (`an integer`, `a quantity ...`). */
function expectation(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'type') return orList(String(params.type).split(',').map(typeName));
  if (error.keyword === 'format') return FORMATS[String(params.format)] ?? `a string in ${String(params.format)} format`;
  if (error.keyword === 'enum') return `one of ${allowedValues(params.allowedValues as unknown[])}`;
  return undefined;
}

const PRIORITY = ['type', 'required', 'additionalProperties', 'enum', 'const', 'format', 'pattern'];
const rank = (keyword: string) => (PRIORITY.includes(keyword) ? PRIORITY.indexOf(keyword) : PRIORITY.length);

/**
 * Readable problems from ajv errors: the alternatives of an anyOf/oneOf become one problem (`must be an integer or a
 * string`), a missing or unknown field is named at its own pointer, and each pointer gets one problem, the most basic.
 */
export function problemsOf(errors: readonly ErrorObject[], object: unknown): Problem[] {
  const alternatives = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const partOf = (e: ErrorObject, a: ErrorObject) =>
    e !== a && (e.instancePath === a.instancePath || (e.instancePath.startsWith(`${a.instancePath}/`) && e.schemaPath.startsWith(`${a.schemaPath}/`)));
  const grouped = new Set<ErrorObject>();
  const problems = new Map<string, { rank: number; problem: Problem }>();
  const offer = (pointer: string, keyword: string, problem: Problem) => {
    const known = problems.get(pointer);
    if (!known || rank(keyword) < known.rank) problems.set(pointer, { rank: rank(keyword), problem });
  };

  for (const a of alternatives) {
    if (grouped.has(a)) continue;
    const branches = errors.filter((e) => partOf(e, a));
    for (const e of branches) grouped.add(e);
    const wanted = orList(branches.filter((e) => e.instancePath === a.instancePath).map(expectation).filter((x): x is string => x !== undefined));
    const value = valueAt(object, a.instancePath);
    offer(a.instancePath, 'type', {
      pointer: a.instancePath,
      message: wanted ? `must be ${wanted}, got ${described(value, a.instancePath)}` : `matches none of the allowed forms (got ${described(value, a.instancePath)})`,
      fix: `correct ${a.instancePath} in what sets it (stack values, a patch, the customize hook or an extra object)`,
    });
  }

  for (const e of errors) {
    if (grouped.has(e) || alternatives.includes(e) || e.keyword === 'if') continue;
    const params = e.params as Record<string, unknown>;
    if (e.keyword === 'required') {
      const pointer = `${e.instancePath}/${escapeToken(String(params.missingProperty))}`;
      offer(pointer, e.keyword, { pointer, message: 'is required but missing', fix: `add ${pointer}` });
      continue;
    }
    if (e.keyword === 'additionalProperties') {
      const field = String(params.additionalProperty);
      const pointer = `${e.instancePath}/${escapeToken(field)}`;
      const known = Object.keys(((e.parentSchema ?? {}) as { properties?: object }).properties ?? {});
      const near = closestNames(field, known, 2);
      offer(pointer, e.keyword, {
        pointer,
        message: `is not a field of the schema: the API server would drop it${e.instancePath ? '' : ' from the object'}`,
        fix: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : `remove ${pointer}, or check the field against the CRD`,
      });
      continue;
    }
    const value = valueAt(object, e.instancePath);
    const got = described(value, e.instancePath);
    const wanted = expectation(e);
    let message: string;
    switch (e.keyword) {
      case 'type':
      case 'format':
      case 'enum':
        message = `must be ${wanted}, got ${got}`;
        break;
      case 'const':
        message = `must be ${JSON.stringify(params.allowedValue)}, got ${got}`;
        break;
      case 'pattern': {
        const pattern = String(params.pattern);
        message = `must match the pattern ${pattern.length > 60 ? `${pattern.slice(0, 57)}…` : pattern}, got ${got}`;
        break;
      }
      case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
        message = `must be ${String(params.comparison)} ${String(params.limit)}, got ${got}`;
        break;
      case 'minItems': message = `must have at least ${String(params.limit)} items`; break;
      case 'maxItems': message = `must have at most ${String(params.limit)} items`; break;
      case 'minLength': message = `must be at least ${String(params.limit)} characters long`; break;
      case 'maxLength': message = `must be at most ${String(params.limit)} characters long`; break;
      case 'minProperties': message = `must have at least ${String(params.limit)} fields`; break;
      case 'maxProperties': message = `must have at most ${String(params.limit)} fields`; break;
      default:
        message = `${e.message ?? `fails the schema's ${e.keyword} check`}`;
    }
    offer(e.instancePath, e.keyword, { pointer: e.instancePath, message, fix: `correct ${e.instancePath || 'the object'} in what sets it (stack values, a patch, the customize hook or an extra object)` });
  }
  // A problem inside a value that has the wrong type is noise: the value itself is the mistake.
  const typeErrors = [...problems.entries()].filter(([, p]) => p.rank === 0).map(([pointer]) => pointer);
  return [...problems.entries()]
    .filter(([pointer]) => !typeErrors.some((t) => pointer !== t && pointer.startsWith(`${t}/`)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, p]) => p.problem);
}
