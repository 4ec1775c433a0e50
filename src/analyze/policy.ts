// The stack's secure defaults, checked on the final objects: whatever a patch, the customize hook or an extra object
// changed, what is written keeps them. Errors for security (Pod Security "restricted", RBAC, network isolation,
// credentials), warnings for availability (probes, disruption budgets, service accounts).
//
// Rules (code: what it asks):
//   policy/run-as-root            pods set runAsNonRoot: true; no pod or container runs as user 0
//   policy/seccomp                pods use the RuntimeDefault (or a Localhost) seccomp profile
//   policy/writable-root-fs       every container: readOnlyRootFilesystem: true
//   policy/privilege-escalation   every container: allowPrivilegeEscalation: false
//   policy/privileged             no container is privileged
//   policy/capabilities           every container drops ALL capabilities and adds none
//   policy/pod-security-level     every pod meets the Pod Security level (pod-security.ts) that its namespace
//                                 enforces, when the stack defines that namespace
//   policy/no-requests            every container requests CPU and memory
//   policy/no-memory-limit        every container has a memory limit
//   policy/image-not-pinned       every image has a tag (not latest) or a digest
//   policy/no-network-policy      every pod is selected by a NetworkPolicy of its namespace
//   policy/rbac-wildcard          no '*' in a role's apiGroups, resources, verbs or nonResourceURLs; no cluster-admin
//   policy/literal-credential     credentials only by Secret reference: none in env values, Secrets, ConfigMaps or
//                                 fields named like credentials
//   policy/no-probes (warning)    every long-running container has a readiness and a liveness probe
//   policy/no-pdb (warning)       every replicated workload has a PodDisruptionBudget
//   policy/service-account (warning)  pods name a ServiceAccount, and the stack has it
//   policy/missing-role (warning)     bindings refer to roles the stack has (or built-in ones)
//
// Exceptions: POLICY_EXCEPTIONS below, each with its reason. There is no switch to turn a rule off: an exception is
// added there, in a reviewed change, for one container or object.
import type { Diagnostic } from '../core/diagnostic';
import { credentialIn, urlFinding } from '../core/credentials';
import type { KubernetesObject } from '../core/primitives';
import { isSecretKey } from '../core/redact';
import type { ModelObject as RenderedObject } from '../model/stack-model';
import { objectName } from './object-name';
import { namespaceLevels, podSecurityLevel, podSecurityViolations, type NamespacePodSecurity, type PodSecurityFinding, type PodToCheck } from './pod-security';
import { selects, type LabelSelector } from './label-selector';

export interface PolicyException {
  readonly code: string;
  /** The container it applies to, by name and image (both must match). */
  readonly container: string;
  readonly image: RegExp;
  readonly reason: string;
}

/** The reviewed exceptions. */
export const POLICY_EXCEPTIONS: readonly PolicyException[] = [
  {
    code: 'policy/no-probes',
    container: 'dashboard-sidecar',
    image: /(^|\/)kiwigrid\/k8s-sidecar[:@]/,
    reason: "k8s-sidecar has no health endpoint; Grafana's own probes cover the pod",
  },
];

type Labels = Record<string, string>;

interface Container {
  readonly name: string;
  readonly image?: string;
  readonly securityContext?: SecurityContext;
  readonly resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  readonly readinessProbe?: unknown;
  readonly livenessProbe?: unknown;
  readonly env?: Array<{ name?: string; value?: unknown }>;
}

interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: { type?: string };
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { add?: string[]; drop?: string[] };
}

interface PodSpec {
  readonly securityContext?: SecurityContext;
  readonly containers?: Container[];
  readonly initContainers?: Container[];
  readonly serviceAccountName?: string;
  readonly serviceAccount?: string;
}

/** Pods a manifest makes: a workload's template, a Pod, or what the operator makes of a Prometheus or Alertmanager. */
export interface PodSource {
  readonly manifest: KubernetesObject;
  readonly where: string;
  readonly namespace: string | undefined;
  readonly labels: Labels;
  readonly spec: PodSpec;
  /** JSON pointer of the pod spec, for fixes: `/spec/template/spec`. */
  readonly specPath: string;
  /** Replicas of a replicated controller (Deployment, StatefulSet, ReplicaSet, the CRs); undefined for others. */
  readonly replicas: number | undefined;
  /** Pods that run to completion (Jobs) need no probes. */
  readonly runsToCompletion: boolean;
  /** For the CRs: containers the operator makes itself (a `containers` entry of that name only patches them). */
  readonly operatorContainers: ReadonlySet<string>;
  /** For the CRs: the main container's resources, from `spec.resources`. */
  readonly mainResources?: { name: string; resources: Container['resources'] };
}

const get = (object: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), object);
const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const labelsOf = (value: unknown): Labels => record(value) as Labels;

const TEMPLATE_KINDS: Record<string, { path: string[]; replicated: boolean; completes: boolean }> = {
  Deployment: { path: ['spec', 'template'], replicated: true, completes: false },
  StatefulSet: { path: ['spec', 'template'], replicated: true, completes: false },
  ReplicaSet: { path: ['spec', 'template'], replicated: true, completes: false },
  DaemonSet: { path: ['spec', 'template'], replicated: false, completes: false },
  Job: { path: ['spec', 'template'], replicated: false, completes: true },
  CronJob: { path: ['spec', 'jobTemplate', 'spec', 'template'], replicated: false, completes: true },
};

/** The containers prometheus-operator makes for each CR, and the labels it gives their pods. */
const OPERATOR_CRS: Record<string, { containers: string[]; labels: (name: string) => Labels }> = {
  Prometheus: {
    containers: ['prometheus', 'config-reloader', 'thanos-sidecar', 'init-config-reloader'],
    labels: (name) => ({
      'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'prometheus-operator',
      prometheus: name, 'operator.prometheus.io/name': name,
    }),
  },
  PrometheusAgent: {
    containers: ['prometheus', 'config-reloader', 'init-config-reloader'],
    labels: (name) => ({
      'app.kubernetes.io/name': 'prometheus-agent', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'prometheus-operator',
      'operator.prometheus.io/name': name,
    }),
  },
  Alertmanager: {
    containers: ['alertmanager', 'config-reloader', 'init-config-reloader'],
    labels: (name) => ({
      'app.kubernetes.io/name': 'alertmanager', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/managed-by': 'prometheus-operator',
      alertmanager: name,
    }),
  },
};

export function podSources(objects: readonly RenderedObject[]): PodSource[] {
  const sources: PodSource[] = [];
  for (const { manifest } of objects) {
    const base = { manifest, where: objectName(manifest), namespace: manifest.metadata?.namespace };
    const template = TEMPLATE_KINDS[manifest.kind];
    if (template) {
      const t = get(manifest, ...template.path);
      sources.push({
        ...base,
        labels: labelsOf(get(t, 'metadata', 'labels')),
        spec: record(get(t, 'spec')) as PodSpec,
        specPath: `/${template.path.join('/')}/spec`,
        replicas: template.replicated ? ((get(manifest, 'spec', 'replicas') as number | undefined) ?? 1) : undefined,
        runsToCompletion: template.completes,
        operatorContainers: new Set(),
      });
    } else if (manifest.kind === 'Pod' && manifest.apiVersion === 'v1') {
      sources.push({
        ...base, labels: labelsOf(manifest.metadata.labels), spec: record(manifest.spec) as PodSpec, specPath: '/spec',
        replicas: undefined, runsToCompletion: get(manifest, 'spec', 'restartPolicy') === 'Never' || get(manifest, 'spec', 'restartPolicy') === 'OnFailure', operatorContainers: new Set(),
      });
    } else if (OPERATOR_CRS[manifest.kind] && manifest.apiVersion.startsWith('monitoring.coreos.com/')) {
      const cr = OPERATOR_CRS[manifest.kind];
      const spec = record(manifest.spec);
      sources.push({
        ...base,
        labels: { ...labelsOf(get(spec, 'podMetadata', 'labels')), ...cr.labels(manifest.metadata.name) },
        spec: { securityContext: spec.securityContext as SecurityContext | undefined, containers: spec.containers as Container[] | undefined, initContainers: spec.initContainers as Container[] | undefined, serviceAccountName: spec.serviceAccountName as string | undefined },
        specPath: '/spec',
        replicas: (spec.replicas as number | undefined) ?? 1,
        runsToCompletion: false,
        operatorContainers: new Set(cr.containers),
        mainResources: { name: cr.containers[0], resources: spec.resources as Container['resources'] },
      });
    }
  }
  return sources;
}

// Moved to label-selector.ts (the network policy evaluator uses it too); re-exported for existing callers.
export { selects };

/** An image is pinned by a digest, or by a tag other than latest. */
function pinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastPart = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastPart.includes(':') ? lastPart.slice(lastPart.indexOf(':') + 1) : '';
  return tag !== '' && tag !== 'latest';
}

const FIX_CREDENTIAL = 'keep credentials out of the stack: create the Secret in the cluster (kubectl create secret generic …, Sealed Secrets or External Secrets) and refer to it by name and key';

export interface PolicyOptions {
  /**
   * API groups whose every resource the stack was asked to read (a kube-state-metrics wildcard kind): a role rule
   * that only lists, gets and watches `*` resources of exactly these groups is what was asked, not a mistake.
   */
  readonly readAllOfGroups?: readonly string[];
  /** Images must be pinned by digest, not only by tag (`o11y synth --strict`): each without one is a warning. */
  readonly requireDigests?: boolean;
}

export function analyzePolicy(objects: readonly RenderedObject[], options: PolicyOptions = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const report = (severity: Diagnostic['severity'], code: string, where: string, message: string, fix: string) =>
    diagnostics.push({ severity, code, where, message, fix });
  const manifests = objects.map((o) => o.manifest);
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const pods = podSources(objects);

  const networkPolicies = ofKind('NetworkPolicy');
  const budgets = ofKind('PodDisruptionBudget');
  const accounts = new Set(ofKind('ServiceAccount').map((s) => `${s.metadata.namespace ?? ''}/${s.metadata.name}`));

  const namespaces = namespaceLevels(manifests);

  for (const pod of pods) {
    checkPodSecurity(pod, report);
    checkPodSecurityLevel(pod, namespaces, report);
    const containers = [
      ...(pod.spec.initContainers ?? []).map((c, i) => ({ c, path: `${pod.specPath}/initContainers/${i}`, init: true })),
      ...(pod.spec.containers ?? []).map((c, i) => ({ c, path: `${pod.specPath}/containers/${i}`, init: false })),
    ];
    for (const { c, path, init } of containers) checkContainer(pod, c, path, init, report);
    if (pod.mainResources) checkResources(`${pod.where} › container ${pod.mainResources.name}`, pod.mainResources.resources, '/spec/resources', report);

    const ns = pod.namespace ?? '';
    if (!networkPolicies.some((p) => (p.metadata.namespace ?? '') === ns && selects(get(p, 'spec', 'podSelector') as LabelSelector | undefined, pod.labels))) {
      report('error', 'policy/no-network-policy', pod.where, `no NetworkPolicy in namespace ${ns || '(none)'} selects its pods, so any pod in the cluster can reach them`,
        'add a NetworkPolicy whose podSelector matches the pod labels and that admits only the clients it needs');
    }
    if (pod.replicas !== undefined && pod.replicas > 1 && !budgets.some((b) => (b.metadata.namespace ?? '') === ns && selects(get(b, 'spec', 'selector') as LabelSelector | undefined, pod.labels))) {
      report('warning', 'policy/no-pdb', pod.where, `runs ${pod.replicas} replicas but no PodDisruptionBudget covers them: a node drain may stop all at once`,
        'add a PodDisruptionBudget (e.g. maxUnavailable: 1) selecting its pods');
    }
    const account = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
    if (!account) {
      report('warning', 'policy/service-account', pod.where, "names no ServiceAccount, so its pods run as the namespace's default one",
        `set ${pod.specPath}/serviceAccountName to a ServiceAccount of its own`);
    } else if (!accounts.has(`${ns}/${account}`)) {
      report('warning', 'policy/service-account', pod.where, `uses ServiceAccount ${account}, which the stack does not create in namespace ${ns || '(none)'}: its pods will not start until it exists`,
        'add the ServiceAccount to the stack, or make sure it exists in the cluster');
    }
  }

  if (options.requireDigests) checkDigests(pods, report);
  checkRbac(manifests, report, options.readAllOfGroups ?? []);
  for (const m of manifests) checkCredentials(m, report);
  return diagnostics;
}

type Report = (severity: Diagnostic['severity'], code: string, where: string, message: string, fix: string) => void;

function checkPodSecurity(pod: PodSource, report: Report): void {
  const sc = pod.spec.securityContext ?? {};
  const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
  const own = containers.filter((c) => !pod.operatorContainers.has(c.name));
  const scPath = `${pod.specPath}/securityContext`;
  const everyContainer = (test: (c: SecurityContext) => boolean) => own.length > 0 && pod.operatorContainers.size === 0 && own.every((c) => test(c.securityContext ?? {}));
  if (sc.runAsNonRoot !== true && !everyContainer((c) => c.runAsNonRoot === true)) {
    report('error', 'policy/run-as-root', pod.where, 'pods may run as root: securityContext.runAsNonRoot is not true',
      `set ${scPath}/runAsNonRoot: true and a non-zero runAsUser`);
  }
  if (sc.runAsUser === 0) report('error', 'policy/run-as-root', pod.where, 'pods run as user 0 (root)', `set ${scPath}/runAsUser to a non-zero user, e.g. 65534`);
  const confined = (s: SecurityContext) => s.seccompProfile?.type === 'RuntimeDefault' || s.seccompProfile?.type === 'Localhost';
  if (!confined(sc) && !everyContainer(confined)) {
    report('error', 'policy/seccomp', pod.where, `pods run without a seccomp profile (${sc.seccompProfile?.type ?? 'none set'})`,
      `set ${scPath}/seccompProfile: {type: RuntimeDefault}`);
  }
}

/** The pod the admission controller sees for a pod source, and where the manifest writes each of its fields. */
export interface AdmittedPod {
  readonly pod: PodToCheck;
  /** The manifest's JSON pointer of a finding; for a field the operator writes itself, how to set it. */
  readonly locate: (finding: PodSecurityFinding) => string;
}

/** What prometheus-operator sets on every container it makes. */
const OPERATOR_CONTAINER_SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/** A containers entry patches the operator's container as a strategic merge does: objects merge, lists replace. */
function mergedPatch(base: unknown, patch: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(base) || !isObject(patch)) return patch === undefined ? base : patch;
  return Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(patch)])].map((k) => [k, mergedPatch(base[k], patch[k])]));
}

export function admittedPod(source: PodSource): AdmittedPod {
  const { manifest, specPath } = source;
  const at = (pointer: string) => get(manifest, ...pointer.split('/').slice(1));
  if (source.operatorContainers.size === 0) {
    const metadataPath = specPath.replace(/\/spec$/, '/metadata');
    return {
      pod: { spec: at(specPath), annotations: labelsOf(get(at(metadataPath), 'annotations')) },
      locate: (f) => `${f.in === 'metadata' ? metadataPath : specPath}${f.pointer}`,
    };
  }
  // A Prometheus or Alertmanager: the pod is the operator's. Its containers (init- ones are init containers; the
  // Thanos sidecar only with spec.thanos) come first as the CR's entries patch them, so that the index of a CR
  // entry is its index in the pod; the operator's containers no entry patches follow.
  const spec = record(manifest.spec);
  const own = [...source.operatorContainers].filter((n) => n !== 'thanos-sidecar' || spec.thanos !== undefined);
  const containers = (field: 'containers' | 'initContainers') => {
    const entries = Array.isArray(spec[field]) ? (spec[field] as unknown[]) : [];
    const mine = own.filter((n) => n.startsWith('init-') === (field === 'initContainers'));
    const patched = new Set(entries.map((e) => record(e).name));
    return [
      ...entries.map((e) => (mine.includes(String(record(e).name)) ? mergedPatch({ securityContext: OPERATOR_CONTAINER_SECURITY }, e) : e)),
      ...mine.filter((n) => !patched.has(n)).map((name) => ({ name, securityContext: OPERATOR_CONTAINER_SECURITY })),
    ];
  };
  const rendered = { securityContext: spec.securityContext, hostNetwork: spec.hostNetwork, hostUsers: spec.hostUsers, volumes: spec.volumes, containers: containers('containers'), initContainers: containers('initContainers') };
  return {
    pod: { spec: rendered, annotations: labelsOf(get(spec, 'podMetadata', 'annotations')) },
    locate: (f) => {
      if (f.in === 'metadata') return `/spec/podMetadata${f.pointer}`;
      const m = /^\/(containers|initContainers)\/(\d+)(.*)$/.exec(f.pointer);
      const entries = m && Array.isArray(spec[m[1]]) ? (spec[m[1]] as unknown[]).length : 0;
      if (!m || Number(m[2]) < entries) return `/spec${f.pointer}`;
      const name = String(record(rendered[m[1] as 'containers' | 'initContainers'][Number(m[2])]).name);
      return `${m[3]} of the operator's container ${name} (a /spec/${m[1]} entry named ${name} sets it)`;
    },
  };
}

// Only a namespace the stack defines has a level that the objects say: a pod in any other namespace is admitted by
// labels the cluster's administrators set (or the controller's cluster-wide defaults), so this rule does not check it.
function checkPodSecurityLevel(source: PodSource, namespaces: ReadonlyMap<string, NamespacePodSecurity>, report: Report): void {
  const namespace = namespaces.get(source.namespace ?? '');
  if (!namespace || namespace.enforce === 'privileged') return;
  const admitted = admittedPod(source);
  const violations = podSecurityViolations(admitted.pod, namespace.enforce);
  if (!violations.length) return;
  const notes = [
    ...namespace.invalid.filter((l) => l.includes('/enforce=')).map((l) => `its label ${l} is not a level, so the controller enforces restricted`),
    ...(namespace.versions.enforce === 'latest' ? [] : [`checked against the latest standard, though the namespace pins ${namespace.versions.enforce}`]),
  ];
  report('error', 'policy/pod-security-level', source.where,
    `${source.where} runs in namespace ${source.namespace}, which enforces Pod Security level ${namespace.enforce}${notes.length ? ` (${notes.join('; ')})` : ''}, ` +
    `and the admission controller will reject its pods: ${violations.map((v) => `${v.title} (${v.check}) at ${admitted.locate(v)}: ${v.problem}`).join('; ')}`,
    `${violations.map((v) => `${admitted.locate(v)} must be ${v.allowed}`).join('; ')}; ` +
    `or run it in a namespace that enforces ${podSecurityLevel(admitted.pod)}, the strictest level it meets`);
}

function checkContainer(pod: PodSource, c: Container, path: string, init: boolean, report: Report): void {
  const where = `${pod.where} › ${init ? 'init container' : 'container'} ${c.name}`;
  const sc = c.securityContext ?? {};
  const scPath = `${path}/securityContext`;
  // A containers entry named like an operator container only patches it: the operator's secure settings stay
  // unless the entry weakens them.
  const patchesOperator = pod.operatorContainers.has(c.name);
  if (sc.runAsUser === 0 || sc.runAsNonRoot === false) {
    report('error', 'policy/run-as-root', where, sc.runAsUser === 0 ? 'runs as user 0 (root)' : 'sets runAsNonRoot: false', `remove ${scPath}/runAsUser and runAsNonRoot, or set a non-zero user`);
  }
  if (sc.seccompProfile?.type === 'Unconfined') report('error', 'policy/seccomp', where, 'turns seccomp off (Unconfined)', `remove ${scPath}/seccompProfile`);
  if (patchesOperator ? sc.readOnlyRootFilesystem === false : sc.readOnlyRootFilesystem !== true) {
    report('error', 'policy/writable-root-fs', where, 'can write to its root filesystem', `set ${scPath}/readOnlyRootFilesystem: true and mount an emptyDir where it must write`);
  }
  if (patchesOperator ? sc.allowPrivilegeEscalation === true : sc.allowPrivilegeEscalation !== false) {
    report('error', 'policy/privilege-escalation', where, 'may gain more privileges than its parent process (allowPrivilegeEscalation is not false)', `set ${scPath}/allowPrivilegeEscalation: false`);
  }
  if (sc.privileged === true) report('error', 'policy/privileged', where, 'runs privileged, with every capability and device of the host', `remove ${scPath}/privileged`);
  const add = sc.capabilities?.add ?? [];
  if (add.length) report('error', 'policy/capabilities', where, `adds capabilities ${add.join(', ')}`, `remove ${scPath}/capabilities/add`);
  if (!patchesOperator && !(sc.capabilities?.drop ?? []).includes('ALL')) {
    report('error', 'policy/capabilities', where, 'keeps the default Linux capabilities (does not drop ALL)', `set ${scPath}/capabilities/drop: [ALL]`);
  }
  if (!patchesOperator) {
    checkResources(where, c.resources, `${path}/resources`, report);
    if (c.image === undefined || !pinned(c.image)) {
      report('error', 'policy/image-not-pinned', where, c.image === undefined ? 'names no image' : `image ${c.image} is not pinned: without a tag, or with latest, each node may run another version`,
        `set ${path}/image to a released tag or a digest (repository:1.2.3 or repository@sha256:…)`);
    }
    if (!init && !pod.runsToCompletion && !(c.readinessProbe && c.livenessProbe) && !excepted('policy/no-probes', c)) {
      const missing = [c.readinessProbe ? undefined : 'readiness', c.livenessProbe ? undefined : 'liveness'].filter(Boolean).join(' and ');
      report('warning', 'policy/no-probes', where, `has no ${missing} probe: Kubernetes cannot tell when it is ready or stuck`,
        `add ${path}/readinessProbe and livenessProbe (or a reviewed entry in POLICY_EXCEPTIONS, src/analyze/policy.ts)`);
    }
  }
  (c.env ?? []).forEach((e, i) => {
    if (typeof e.value !== 'string' || e.value === '') return;
    const finding = isSecretKey(e.name) ? `is named like a credential (${e.name ?? ''}) and has a literal value` : credentialIn(e.value)?.what;
    if (finding) report('error', 'policy/literal-credential', `${where} › env ${e.name ?? i}`, `the environment variable ${finding}`, `use ${path}/env/${i}/valueFrom/secretKeyRef; ${FIX_CREDENTIAL}`);
  });
}

function excepted(code: string, c: Container): boolean {
  return POLICY_EXCEPTIONS.some((e) => e.code === code && e.container === c.name && c.image !== undefined && e.image.test(c.image));
}

function checkResources(where: string, resources: Container['resources'], path: string, report: Report): void {
  const missing = ['cpu', 'memory'].filter((r) => resources?.requests?.[r] === undefined);
  if (missing.length) {
    report('error', 'policy/no-requests', where, `requests no ${missing.join(' and ')}: the scheduler cannot place it by what it needs`, `set ${path}/requests/${missing.join(' and ')}`);
  }
  if (resources?.limits?.memory === undefined) {
    report('error', 'policy/no-memory-limit', where, 'has no memory limit: a leak can take the memory of every pod on its node', `set ${path}/limits/memory`);
  }
}

const BUILT_IN_ROLES = new Set(['admin', 'edit', 'view']);

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** A rule that reads every resource of groups the stack was asked to read whole, and nothing else. */
function askedFor(rule: Record<string, unknown>, readAllOfGroups: readonly string[]): boolean {
  const list = (f: string) => (Array.isArray(rule[f]) ? (rule[f] as unknown[]) : []);
  return list('resources').length === 1 && list('apiGroups').length > 0 && list('nonResourceURLs').length === 0 &&
    list('apiGroups').every((g) => typeof g === 'string' && g !== '*' && readAllOfGroups.includes(g)) &&
    list('verbs').every((v) => typeof v === 'string' && READ_VERBS.has(v));
}

/** Every image a pod runs (a CR's own image included), by where it is written. */
function checkDigests(pods: readonly PodSource[], report: Report): void {
  for (const pod of pods) {
    const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c, i) => ({ image: c.image, where: `${pod.where} › container ${c.name || i}` }));
    const own = pod.operatorContainers.size ? [{ image: get(pod.manifest, 'spec', 'image') as string | undefined, where: `${pod.where} › spec.image` }] : [];
    for (const { image, where } of [...own, ...containers]) {
      if (image === undefined || /@sha256:[0-9a-f]{64}$/.test(image)) continue;
      report('warning', 'policy/image-digest', where, `image ${image} is pinned by tag only: a tag re-pushed in the registry changes what runs`,
        'set common.images.<image>.digest (e.g. from `crane digest <image>`), or a digest in the image of your object');
    }
  }
}

function checkRbac(manifests: readonly KubernetesObject[], report: Report, readAllOfGroups: readonly string[]): void {
  const roles = manifests.filter((m) => (m.kind === 'ClusterRole' || m.kind === 'Role') && m.apiVersion.startsWith('rbac.authorization.k8s.io/'));
  for (const role of roles) {
    const rules = Array.isArray(role.rules) ? (role.rules as Array<Record<string, unknown>>) : [];
    rules.forEach((rule, i) => {
      const wild = ['apiGroups', 'resources', 'verbs', 'nonResourceURLs'].filter((f) => Array.isArray(rule[f]) && (rule[f] as unknown[]).includes('*'));
      if (wild.length && !askedFor(rule, readAllOfGroups)) {
        report('error', 'policy/rbac-wildcard', `${objectName(role)} › rules[${i}]`, `grants '*' in ${wild.join(', ')}: it covers whatever the cluster has or will have`,
          `list the ${wild.join(', ')} it needs`);
      }
    });
  }
  const known = new Set(roles.map((r) => `${r.kind}/${r.kind === 'Role' ? r.metadata.namespace ?? '' : ''}/${r.metadata.name}`));
  for (const binding of manifests.filter((m) => (m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding') && m.apiVersion.startsWith('rbac.authorization.k8s.io/'))) {
    const ref = record(binding.roleRef) as { kind?: string; name?: string };
    const where = `${objectName(binding)} › roleRef`;
    if (ref.kind === 'ClusterRole' && ref.name === 'cluster-admin') {
      report('error', 'policy/rbac-wildcard', where, "binds cluster-admin, which grants '*' on everything", 'bind a ClusterRole that lists what its subjects need');
      continue;
    }
    const key = `${ref.kind}/${ref.kind === 'Role' ? binding.metadata.namespace ?? '' : ''}/${ref.name}`;
    const builtIn = (ref.kind === 'ClusterRole' && (BUILT_IN_ROLES.has(ref.name ?? '') || (ref.name ?? '').startsWith('system:')))
      // Every cluster has it: aggregated API servers (prometheus-adapter) read the front-proxy CA with it.
      || (ref.kind === 'Role' && binding.metadata.namespace === 'kube-system' && ref.name === 'extension-apiserver-authentication-reader');
    if (!known.has(key) && !builtIn) {
      report('warning', 'policy/missing-role', where, `refers to ${ref.kind} ${ref.name}, which the stack does not define${ref.kind === 'Role' ? ` in namespace ${binding.metadata.namespace ?? '(none)'}` : ''}: it grants nothing until that exists`,
        `add the ${ref.kind} to the stack, or fix roleRef.name`);
    }
  }
}

/** `key: value` and `"key": "value"` lines of configuration text (YAML, JSON, INI-like). */
const KEY_LINE = /^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Any word a credential key ends with: lines without one need no closer look (dashboards are large). */
const CREDENTIAL_WORD = /passw(or)?d|secret|token|api[_-]?key|credential|routing[_-]?key|private[_-]?key/i;

/** Where configuration text holds a credential: a key named like one with a literal value, a private key, a URL. */
function credentialInText(text: string, tokensToo: boolean): string | undefined {
  if (text.includes('PRIVATE KEY-----') && PRIVATE_KEY.test(text)) return 'holds a private key';
  if (CREDENTIAL_WORD.test(text)) {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!CREDENTIAL_WORD.test(lines[i])) continue;
      const m = KEY_LINE.exec(lines[i]);
      if (!m || !isSecretKey(m[1])) continue;
      const value = m[2].replace(/^["']|["']$/g, '');
      // Empty, nested, multi-line or a reference (`${VAR}`, `$__file{...}`): not a literal.
      if (value === '' || /^[[{|>&*$~]/.test(value) || value === 'null') continue;
      return `sets ${m[1]} to a literal value (line ${i + 1})`;
    }
  }
  if (tokensToo) return credentialIn(text)?.what;
  if (!text.includes('://')) return undefined;
  for (const [url] of text.matchAll(URL_IN_TEXT)) {
    const found = urlFinding(url);
    if (found) return found.what;
  }
  return undefined;
}

const WITHOUT_CREDENTIAL_FIELDS = new Set(['PrometheusRule', 'GrafanaDashboard']);
const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function checkCredentials(m: KubernetesObject, report: Report): void {
  if (m.kind === 'Secret' && m.apiVersion === 'v1') {
    const entries: Array<[string, string, string]> = [
      ...Object.entries(record(m.stringData)).map(([k, v]): [string, string, string] => ['stringData', k, String(v)]),
      ...Object.entries(record(m.data)).map(([k, v]): [string, string, string] => ['data', k, Buffer.from(String(v), 'base64').toString('utf8')]),
    ];
    for (const [field, key, value] of entries) {
      if (value === '') continue;
      const finding = isSecretKey(key) ? `holds a credential under key ${key}` : credentialInText(value, true);
      if (finding) report('error', 'policy/literal-credential', `${objectName(m)} › ${field}.${key}`, `the Secret is written to dist/ and ${finding}`, FIX_CREDENTIAL);
    }
    return;
  }
  if (m.kind === 'ConfigMap' && m.apiVersion === 'v1') {
    for (const [key, value] of Object.entries(record(m.data))) {
      const finding = typeof value === 'string' ? credentialInText(value, false) : undefined;
      if (finding) report('error', 'policy/literal-credential', `${objectName(m)} › data.${key}`, `a ConfigMap is readable by anyone who can read the namespace, and it ${finding}`, FIX_CREDENTIAL);
    }
    return;
  }
  // Rules and dashboards: their schemas have no credential field, and they are the bulk of the stack.
  if (WITHOUT_CREDENTIAL_FIELDS.has(m.kind)) return;
  walkFields(m.spec, '/spec', (key, value, pointer) => {
    if (isSecretKey(key)) {
      // `configSecret: alertmanager-main-config` names a Secret; `bearerToken: abc…` is one.
      if (/secret$/i.test(key) && DNS_NAME.test(value)) return;
      report('error', 'policy/literal-credential', `${objectName(m)} › ${pointer}`, `${key} holds a literal credential`, `use the field's Secret reference form instead; ${FIX_CREDENTIAL}`);
    } else if (/url$/i.test(key)) {
      const found = urlFinding(value);
      if (found) report('error', 'policy/literal-credential', `${objectName(m)} › ${pointer}`, found.what, `use a URL without credentials and the field's Secret reference for them; ${FIX_CREDENTIAL}`);
    }
  });
}

/** Calls `visit` for every non-empty string field (not list items) under a value, with its key and pointer. */
function walkFields(value: unknown, pointer: string, visit: (key: string, value: string, pointer: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walkFields(item, `${pointer}/${i}`, visit));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childPointer = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (typeof child === 'string') {
        if (child !== '') visit(key, child, childPointer);
      } else {
        walkFields(child, childPointer, visit);
      }
    }
  }
}
