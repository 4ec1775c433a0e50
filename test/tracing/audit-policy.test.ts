// The audit.k8s.io/v1 Policy schema (from the Kubernetes API types) with ajv: what the kube-apiserver accepts passes,
// what it refuses at start fails, and the policy the stack writes is one it accepts.
import { parse } from 'yaml';
import { auditPolicy, DEFAULT_TRACED_RESOURCES } from '../../src/components/control-plane-tracing';
import { AUDIT_POLICY_SCHEMA, auditPolicyProblems } from '../../src/k8s/audit-policy';
import { analyzeControlPlaneTracing } from '../../src/analyze/control-plane-tracing';
import { render } from '../helpers';

const policy = (rules: unknown[], more: Record<string, unknown> = {}) => ({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules, ...more });

describe('audit.k8s.io/v1 Policy schema', () => {
  test('the policy the stack writes is valid, for the default and for custom traced resources', () => {
    expect(auditPolicyProblems(auditPolicy(DEFAULT_TRACED_RESOURCES))).toEqual([]);
    expect(auditPolicyProblems(auditPolicy([{ group: 'platform.example.com', resources: ['modules'] }]))).toEqual([]);
  });

  test("accepts Kubernetes' own example policy (the audit task page) and Kelemetry's", () => {
    const upstream = parse(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*"
    - "/version"
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "RequestReceived"
`);
    expect(auditPolicyProblems(upstream)).toEqual([]);
    // Kelemetry's hack/audit-policy.yaml at v0.2.7.
    expect(auditPolicyProblems(policy([{ level: 'RequestResponse' }]))).toEqual([]);
  });

  test('refuses levels and stages the API server does not know', () => {
    expect(auditPolicyProblems(policy([{ level: 'Everything' }]))).toEqual(['/rules/0/level: must be one of None, Metadata, Request, RequestResponse']);
    expect(auditPolicyProblems(policy([{ level: 'None', omitStages: ['ResponseDone'] }]))).toEqual(['/rules/0/omitStages/0: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic']);
    expect(auditPolicyProblems(policy([{ level: 'None' }], { omitStages: ['Panic', 'Later'] }))).toEqual(['/omitStages/1: must be one of RequestReceived, ResponseStarted, ResponseComplete, Panic']);
  });

  test('refuses unknown and misspelt fields, a missing level and a wrong apiVersion', () => {
    expect(auditPolicyProblems(policy([{ level: 'None', omitStage: ['Panic'] }]))).toEqual(["/rules/0: unknown field 'omitStage'"]);
    expect(auditPolicyProblems(policy([{ verbs: ['get'] }]))).toEqual(["/rules/0: must have required property 'level'"]);
    expect(auditPolicyProblems({ ...policy([{ level: 'None' }]), apiVersion: 'audit.k8s.io/v1beta1' })).toEqual(['/apiVersion: must be equal to constant']);
    expect(auditPolicyProblems({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy' })).toEqual(["/: must have required property 'rules'"]);
    expect(auditPolicyProblems(policy([{ level: 'None', resources: [{ group: 'apps', resource: ['deployments'] }] }]))).toEqual(["/rules/0/resources/0: unknown field 'resource'"]);
  });

  test('refuses what ValidatePolicy refuses: resources with non-resource URLs, resourceNames alone, relative URLs', () => {
    expect(auditPolicyProblems(policy([{ level: 'None', resources: [{ group: '' }], nonResourceURLs: ['/healthz'] }]))).toEqual(['/rules/0: a rule names resources (or namespaces) or nonResourceURLs, not both']);
    expect(auditPolicyProblems(policy([{ level: 'None', namespaces: ['a'], nonResourceURLs: ['/healthz'] }]))).toEqual(['/rules/0: a rule names resources (or namespaces) or nonResourceURLs, not both']);
    expect(auditPolicyProblems(policy([{ level: 'None', resources: [{ group: '', resourceNames: ['x'] }] }]))).toEqual(["/rules/0/resources/0: must have required property 'resources'"]);
    expect(auditPolicyProblems(policy([{ level: 'None', nonResourceURLs: ['healthz'] }]))).toHaveLength(1);
    expect(auditPolicyProblems(policy([{ level: 'None', nonResourceURLs: ['/a*b'] }]))).toHaveLength(1);
    expect(auditPolicyProblems(policy([{ level: 'None', resources: [{ group: 'Apps' }] }]))).toHaveLength(1);
  });

  test('the schema names every field of the API types', () => {
    expect(Object.keys(AUDIT_POLICY_SCHEMA.properties).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'omitManagedFields', 'omitStages', 'rules']);
    expect(Object.keys(AUDIT_POLICY_SCHEMA.properties.rules.items.properties).sort()).toEqual(['level', 'namespaces', 'nonResourceURLs', 'omitManagedFields', 'omitStages', 'resources', 'userGroups', 'users', 'verbs']);
  });

  test('the synth checks the written policy file: a broken one is an error naming the file', () => {
    const stack = render({ common: { clusterName: 'lab' }, controlPlaneTracing: { enabled: true, webhook: { clusterIP: '10.96.0.50', apiServerCidrs: ['10.0.0.0/24'] } } });
    const files = stack.model.files.map((f) => (f.path.endsWith('audit-policy.yaml') ? { ...f, content: f.content.replace('level: RequestResponse', 'level: Everything') } : f));
    const analysis = analyzeControlPlaneTracing({ ...stack.model, files });
    expect(analysis.diagnostics.map((d) => `${d.code} ${d.where}: ${d.message}`)).toEqual([
      'tracing/audit-policy file control-plane-config/audit-policy.yaml: not an audit.k8s.io/v1 Policy: /rules/3/level: must be one of None, Metadata, Request, RequestResponse',
    ]);
    expect(analyzeControlPlaneTracing(stack.model).diagnostics).toEqual([]);
  });
});
