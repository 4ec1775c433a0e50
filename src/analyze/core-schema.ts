// Core Kubernetes objects against the Kubernetes OpenAPI schemas, as the kubernetes-models package compiles them
// (ajv standalone validators generated from the upstream OpenAPI document; 4.x is the last line with CommonJS and
// Node 20 support). Each kind's validator is loaded on first use: loading, not validating, is the cost.
import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject } from 'ajv';

interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: unknown): void };
}

type Validator = (object: unknown) => ErrorObject[];

let groupVersions: Set<string> | undefined;

/** The API versions the library models (`v1`, `apps/v1`, `policy/v1` ...), from its package exports. */
function modelledApiVersions(): Set<string> {
  if (!groupVersions) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exports = (require('kubernetes-models/package.json') as { exports: Record<string, unknown> }).exports;
    groupVersions = new Set(
      Object.keys(exports)
        .map((key) => key.replace(/^\.\//, ''))
        .filter((key) => /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(key)),
    );
  }
  return groupVersions;
}

/** `*.k8s.io` groups that clusters install as CRDs (SIG projects), not served by the API server itself. */
const CRD_GROUPS_OF_K8S_IO = new Set(['gateway.networking.k8s.io', 'policy.networking.k8s.io', 'snapshot.storage.k8s.io']);

/** Whether the API group is one of Kubernetes' own: the core group, a group without a dot, or `*.k8s.io` (not a CRD one). */
export function isKubernetesGroup(apiVersion: string): boolean {
  if (!apiVersion.includes('/')) return true;
  const group = apiVersion.split('/')[0];
  return !group.includes('.') || (group.endsWith('.k8s.io') && !CRD_GROUPS_OF_K8S_IO.has(group));
}

const validators = new Map<string, Validator | undefined>();

function load(apiVersion: string, kind: string): Validator | undefined {
  if (!modelledApiVersions().has(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  let model: ModelClass | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    model = (require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, ModelClass | undefined>)[kind];
  } catch {
    return undefined;
  }
  // The folders also hold the types objects are made of (DeploymentSpec ...): only a kind has apiVersion and kind.
  if (!model || model.apiVersion !== apiVersion || model.kind !== kind) return undefined;
  const validate = model.prototype.validate;
  return (object) => {
    try {
      // The model's own validate(), run on the manifest as it is (a model instance would first copy it).
      validate.call(object);
      return [];
    } catch (error) {
      const errors = (error as { errors?: ErrorObject[] }).errors;
      if (!errors) throw error;
      return errors;
    }
  };
}

/** The validator of a core kind, or undefined when Kubernetes has no such kind in that API version. */
export function coreValidator(apiVersion: string, kind: string): Validator | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) validators.set(key, load(apiVersion, kind));
  return validators.get(key);
}

const packageDir = () => path.dirname(require.resolve('kubernetes-models/package.json'));

/**
 * The names of the models of an API version: its kinds and the types they are made of (check a candidate with
 * `coreValidator`). Only read for "did you mean", when an object's kind is unknown.
 */
export function coreModelNames(apiVersion: string): string[] {
  if (!modelledApiVersions().has(apiVersion)) return [];
  return fs.readdirSync(path.join(packageDir(), apiVersion))
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => f.replace(/\.js$/, ''));
}

/** The API versions that have this kind, e.g. `policy/v1` for PodDisruptionBudget. */
export function apiVersionsOf(kind: string): string[] {
  return [...modelledApiVersions()]
    .filter((v) => fs.existsSync(path.join(packageDir(), v, `${kind}.js`)) && coreValidator(v, kind) !== undefined)
    .sort();
}
