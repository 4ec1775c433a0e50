// The kube-apiserver's audit policy file (audit.k8s.io/v1 Policy): its types and a JSON schema of them, written from
// the Kubernetes API types (k8s.io/apiserver/pkg/apis/audit/v1/types.go: Policy, PolicyRule, GroupResources, Level,
// Stage). The API server reads this file at start and refuses to start on an invalid one, so the stack checks what
// it writes before writing it.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/** How much of a request is recorded (audit.k8s.io/v1 `Level`). */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

/** A stage of a request's handling (audit.k8s.io/v1 `Stage`). */
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

/** Resources of one API group (audit.k8s.io/v1 `GroupResources`); `group: ""` is the core group. */
export interface AuditGroupResources {
  readonly group?: string;
  /** Resources, subresources such as `pods/log`, or wildcards (`*`, and `*` with a subresource). */
  readonly resources?: string[];
  readonly resourceNames?: string[];
}

/** One rule; the first rule that matches a request sets its level (audit.k8s.io/v1 `PolicyRule`). */
export interface AuditPolicyRule {
  readonly level: AuditLevel;
  readonly users?: string[];
  readonly userGroups?: string[];
  readonly verbs?: string[];
  readonly resources?: AuditGroupResources[];
  readonly namespaces?: string[];
  readonly nonResourceURLs?: string[];
  readonly omitStages?: AuditStage[];
  readonly omitManagedFields?: boolean;
}

/** audit.k8s.io/v1 `Policy`, as `--audit-policy-file` takes it. */
export interface AuditPolicy {
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly kind: 'Policy';
  readonly metadata?: { readonly name?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly rules: AuditPolicyRule[];
  readonly omitStages?: AuditStage[];
  readonly omitManagedFields?: boolean;
}

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

const DNS_SUBDOMAIN_OR_EMPTY = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$';
const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const stages = { type: 'array', items: { enum: STAGES }, uniqueItems: true } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/**
 * JSON schema of audit.k8s.io/v1 Policy. Closed objects: the API server decodes the file strictly, so an unknown or
 * misspelt field (`omitStage`) is an error there too, not an ignored key.
 */
export const AUDIT_POLICY_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'audit.k8s.io/v1/Policy',
  type: 'object',
  additionalProperties: false,
  required: ['apiVersion', 'kind', 'rules'],
  properties: {
    apiVersion: { const: 'audit.k8s.io/v1' },
    kind: { const: 'Policy' },
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { name: { type: 'string' }, labels: stringMap, annotations: stringMap },
    },
    rules: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['level'],
        properties: {
          level: { enum: LEVELS },
          users: strings,
          userGroups: strings,
          verbs: strings,
          resources: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { group: { type: 'string', pattern: DNS_SUBDOMAIN_OR_EMPTY }, resources: strings, resourceNames: strings },
              // ValidatePolicy: "using resourceNames requires at least one resource".
              if: { type: 'object', required: ['resourceNames'], properties: { resourceNames: { type: 'array', minItems: 1 } } },
              then: { type: 'object', required: ['resources'], properties: { resources: { type: 'array', minItems: 1 } } },
            },
          },
          namespaces: { type: 'array', items: { type: 'string' } },
          // ValidatePolicy: an absolute path, `*` alone, or a path ending in one `*`.
          nonResourceURLs: { type: 'array', items: { type: 'string', pattern: '^(\\*|/[^*]*\\*?)$' } },
          omitStages: stages,
          omitManagedFields: { type: 'boolean' },
        },
        // ValidatePolicy: "rules cannot apply to both regular resources and non-resource URLs".
        if: { type: 'object', required: ['nonResourceURLs'], properties: { nonResourceURLs: { type: 'array', minItems: 1 } } },
        then: {
          not: {
            anyOf: [
              { type: 'object', required: ['resources'], properties: { resources: { type: 'array', minItems: 1 } } },
              { type: 'object', required: ['namespaces'], properties: { namespaces: { type: 'array', minItems: 1 } } },
            ],
          },
        },
      },
    },
    omitStages: stages,
    omitManagedFields: { type: 'boolean' },
  },
} as const;

let validator: ValidateFunction | undefined;

function describe(error: ErrorObject): string {
  const at = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') return `${at}: unknown field '${String(error.params.additionalProperty)}'`;
  if (error.keyword === 'enum') return `${at}: must be one of ${(error.params.allowedValues as string[]).join(', ')}`;
  if (error.keyword === 'not') return `${at}: a rule names resources (or namespaces) or nonResourceURLs, not both`;
  if (error.keyword === 'if') return '';
  return `${at}: ${error.message ?? error.keyword}`;
}

/** What is wrong with an audit policy document (parsed YAML or JSON), one message per JSON pointer; [] when valid. */
export function auditPolicyProblems(document: unknown): string[] {
  validator ??= new Ajv({ allErrors: true, strict: true }).compile(AUDIT_POLICY_SCHEMA);
  if (validator(document)) return [];
  return [...new Set((validator.errors ?? []).map(describe).filter((m) => m !== ''))];
}
