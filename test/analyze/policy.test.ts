// Each policy rule: GIVEN the default stack's real objects with one thing changed WHEN analyzed THEN that diagnostic.
import { analyzePolicy, POLICY_EXCEPTIONS, selects } from '../../src/analyze/policy';
import type { Diagnostic } from '../../src/core/diagnostic';
import type { Manifest, RenderedObject } from '../../src/synth/pipeline';
import { render } from '../helpers';

const stack = render({ name: 'policy', grafana: { replicas: 2 } });

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A deep copy of the stack's objects with `change` applied to the one of this kind and name. */
function withChange(kind: string, name: string, change: (m: Json) => void, objects: readonly RenderedObject[] = stack.objects): RenderedObject[] {
  const copy = structuredClone(objects) as RenderedObject[];
  const target = copy.filter((o) => o.manifest.kind === kind && o.manifest.metadata.name === name);
  if (target.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${target.length}`);
  change(target[0].manifest as Json);
  return copy;
}
const without = (kind: string, name: string): RenderedObject[] => stack.objects.filter((o) => !(o.manifest.kind === kind && o.manifest.metadata.name === name));
const added = (...manifests: Json[]): RenderedObject[] => [...structuredClone(stack.objects), ...manifests.map((m) => ({ component: 'extra', manifest: m as Manifest }))];

const grafana = (change: (pod: Json) => void) => withChange('Deployment', 'grafana', (d) => change(d.spec.template.spec));
const grafanaContainer = (change: (c: Json) => void) => grafana((pod) => change(pod.containers[0]));
const codes = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.code);
/** Every rule but policy/pod-security-level. */
const stackRules = (objects: readonly RenderedObject[]) => analyzePolicy(objects).filter((d) => d.code !== 'policy/pod-security-level');

const G = 'Deployment monitoring/grafana';
const GC = `${G} › container grafana`;

test('the default stack, as generated, breaks no rule (so each test below sees only its own change)', () => {
  expect(analyzePolicy(stack.objects)).toEqual([]);
});

describe('pods', () => {
  // Most changes below also fail the restricted level the stack's namespace enforces, which
  // policy/pod-security-level reports (tested on its own below): here the stack's own, stricter rules are seen alone.
  const analyzePolicy = stackRules;

  test('policy/run-as-root: a pod without runAsNonRoot, a container as user 0, an operator CR', () => {
    expect(analyzePolicy(grafana((pod) => delete pod.securityContext.runAsNonRoot))).toEqual([{
      severity: 'error', code: 'policy/run-as-root', where: G,
      message: 'pods may run as root: securityContext.runAsNonRoot is not true',
      fix: 'set /spec/template/spec/securityContext/runAsNonRoot: true and a non-zero runAsUser',
    }]);
    expect(analyzePolicy(grafanaContainer((c) => (c.securityContext.runAsUser = 0)))).toEqual([expect.objectContaining({ code: 'policy/run-as-root', where: GC, message: 'runs as user 0 (root)' })]);
    expect(analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.securityContext.runAsNonRoot = false)))).toEqual([
      expect.objectContaining({ severity: 'error', code: 'policy/run-as-root', where: 'Prometheus monitoring/k8s', fix: expect.stringContaining('/spec/securityContext/runAsNonRoot') }),
    ]);
  });

  test('policy/seccomp: no profile on the pod, or Unconfined on a container', () => {
    expect(analyzePolicy(grafana((pod) => delete pod.securityContext.seccompProfile))).toEqual([
      expect.objectContaining({ severity: 'error', code: 'policy/seccomp', where: G, message: 'pods run without a seccomp profile (none set)' }),
    ]);
    expect(codes(analyzePolicy(grafanaContainer((c) => (c.securityContext.seccompProfile = { type: 'Unconfined' }))))).toEqual(['policy/seccomp']);
    // Localhost profiles are as good as RuntimeDefault.
    expect(analyzePolicy(grafana((pod) => (pod.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' })))).toEqual([]);
  });

  test('policy/writable-root-fs, policy/privilege-escalation, policy/privileged, policy/capabilities', () => {
    expect(analyzePolicy(grafanaContainer((c) => (c.securityContext.readOnlyRootFilesystem = false)))).toEqual([{
      severity: 'error', code: 'policy/writable-root-fs', where: GC, message: 'can write to its root filesystem',
      fix: 'set /spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem: true and mount an emptyDir where it must write',
    }]);
    expect(analyzePolicy(grafanaContainer((c) => delete c.securityContext.allowPrivilegeEscalation))).toEqual([expect.objectContaining({ code: 'policy/privilege-escalation', where: GC })]);
    expect(codes(analyzePolicy(grafanaContainer((c) => (c.securityContext.privileged = true))))).toEqual(['policy/privileged']);
    expect(analyzePolicy(grafanaContainer((c) => (c.securityContext.capabilities = { drop: ['NET_RAW'] })))).toEqual([
      expect.objectContaining({ code: 'policy/capabilities', where: GC, message: 'keeps the default Linux capabilities (does not drop ALL)' }),
    ]);
    expect(analyzePolicy(grafanaContainer((c) => (c.securityContext.capabilities.add = ['NET_ADMIN'])))).toEqual([
      expect.objectContaining({ code: 'policy/capabilities', message: 'adds capabilities NET_ADMIN' }),
    ]);
  });

  test('a container without any securityContext breaks each container rule once', () => {
    expect(codes(analyzePolicy(grafanaContainer((c) => delete c.securityContext)))).toEqual(['policy/writable-root-fs', 'policy/privilege-escalation', 'policy/capabilities']);
  });

  test('init containers are checked like containers, except for probes', () => {
    const diagnostics = analyzePolicy(grafana((pod) => (pod.initContainers = [{ name: 'setup', image: 'busybox:1.36' }])));
    expect(diagnostics.map((d) => [d.code, d.where])).toEqual([
      ['policy/writable-root-fs', `${G} › init container setup`], ['policy/privilege-escalation', `${G} › init container setup`],
      ['policy/capabilities', `${G} › init container setup`], ['policy/no-requests', `${G} › init container setup`], ['policy/no-memory-limit', `${G} › init container setup`],
    ]);
  });

  test('policy/no-requests and policy/no-memory-limit, on containers and on the operator CRs', () => {
    expect(analyzePolicy(grafanaContainer((c) => delete c.resources.requests.cpu))).toEqual([{
      severity: 'error', code: 'policy/no-requests', where: GC, message: 'requests no cpu: the scheduler cannot place it by what it needs',
      fix: 'set /spec/template/spec/containers/0/resources/requests/cpu',
    }]);
    expect(analyzePolicy(grafanaContainer((c) => delete c.resources.limits))).toEqual([expect.objectContaining({ code: 'policy/no-memory-limit', where: GC })]);
    expect(analyzePolicy(withChange('Alertmanager', 'main', (a) => delete a.spec.resources)).map((d) => [d.code, d.where, d.message])).toEqual([
      ['policy/no-requests', 'Alertmanager monitoring/main › container alertmanager', 'requests no cpu and memory: the scheduler cannot place it by what it needs'],
      ['policy/no-memory-limit', 'Alertmanager monitoring/main › container alertmanager', expect.any(String)],
    ]);
  });

  test('policy/image-not-pinned: no tag or latest is an error; a tag or a digest is fine', () => {
    for (const image of ['docker.io/grafana/grafana', 'docker.io/grafana/grafana:latest', 'localhost:5000/grafana']) {
      expect([image, analyzePolicy(grafanaContainer((c) => (c.image = image)))]).toEqual([image, [expect.objectContaining({ code: 'policy/image-not-pinned', where: GC, message: expect.stringContaining(`image ${image} is not pinned`) })]]);
    }
    for (const image of ['localhost:5000/grafana:12.1.1', `docker.io/grafana/grafana@sha256:${'a'.repeat(64)}`]) {
      expect([image, analyzePolicy(grafanaContainer((c) => (c.image = image)))]).toEqual([image, []]);
    }
  });

  test('policy/no-probes is a warning; the reviewed exception covers only the k8s-sidecar image', () => {
    expect(analyzePolicy(grafanaContainer((c) => delete c.readinessProbe))).toEqual([{
      severity: 'warning', code: 'policy/no-probes', where: GC, message: 'has no readiness probe: Kubernetes cannot tell when it is ready or stuck',
      fix: expect.stringContaining('POLICY_EXCEPTIONS'),
    }]);
    expect(POLICY_EXCEPTIONS.map((e) => [e.code, e.container])).toEqual([['policy/no-probes', 'dashboard-sidecar']]);
    const otherImage = grafana((pod) => (pod.containers.find((c: Json) => c.name === 'dashboard-sidecar').image = 'example.com/my/sidecar:1.0'));
    expect(analyzePolicy(otherImage).map((d) => [d.severity, d.code, d.where])).toEqual([['warning', 'policy/no-probes', `${G} › container dashboard-sidecar`]]);
  });

  test('Jobs and CronJobs: the template is found, and pods that run to completion need no probes', () => {
    const template = structuredClone((stack.objects.find((o) => o.manifest.kind === 'Deployment' && o.manifest.metadata.name === 'grafana')!.manifest as Json).spec.template);
    for (const c of template.spec.containers) delete c.readinessProbe;
    const cronJob = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'monitoring' }, spec: { schedule: '@daily', jobTemplate: { spec: { template } } } };
    expect(analyzePolicy(added(cronJob))).toEqual([]);
    template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
    expect(analyzePolicy(added(cronJob))).toEqual([expect.objectContaining({
      code: 'policy/writable-root-fs', where: 'CronJob monitoring/backup › container grafana', fix: expect.stringContaining('/spec/jobTemplate/spec/template/spec/containers/0/securityContext'),
    })]);
  });

  test('a containers entry of an operator CR only patches the operator container; an added sidecar meets every rule', () => {
    expect(analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.containers = [{ name: 'prometheus', args: ['--log.level=debug'] }])))).toEqual([]);
    expect(codes(analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.containers = [{ name: 'prometheus', securityContext: { readOnlyRootFilesystem: false } }]))))).toEqual(['policy/writable-root-fs']);
    const sidecar = analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.containers = [{ name: 'proxy', image: 'example.com/proxy:1' }])));
    expect(sidecar.filter((d) => d.severity === 'error').map((d) => [d.code, d.where])).toEqual([
      ['policy/writable-root-fs', 'Prometheus monitoring/k8s › container proxy'], ['policy/privilege-escalation', 'Prometheus monitoring/k8s › container proxy'],
      ['policy/capabilities', 'Prometheus monitoring/k8s › container proxy'], ['policy/no-requests', 'Prometheus monitoring/k8s › container proxy'],
      ['policy/no-memory-limit', 'Prometheus monitoring/k8s › container proxy'],
    ]);
  });

  test('hostNetwork and hostPID (node-exporter) are not against these rules', () => {
    const nodeExporter = stack.objects.find((o) => o.manifest.kind === 'DaemonSet')!.manifest as Json;
    expect([nodeExporter.spec.template.spec.hostNetwork, nodeExporter.spec.template.spec.hostPID]).toEqual([true, true]);
    expect(analyzePolicy([{ component: 'node-exporter', manifest: nodeExporter as Manifest }]).map((d) => d.code)).toEqual(['policy/no-network-policy', 'policy/service-account']);
  });
});

describe('policy/pod-security-level: every pod meets the level its namespace enforces', () => {
  const PSS = 'policy/pod-security-level';
  /** The stack's objects with the namespace monitoring enforcing `level`, then `change` applied. */
  const enforcing = (level: string, change: (objects: RenderedObject[]) => RenderedObject[] = (o) => o) =>
    change(withChange('Namespace', 'monitoring', (n) => (n.metadata.labels['pod-security.kubernetes.io/enforce'] = level)));
  const hostNetworkGrafana = (objects: RenderedObject[]) => withChange('Deployment', 'grafana', (d) => (d.spec.template.spec.hostNetwork = true), objects);
  const levelFindings = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code === PSS);

  test('a Deployment with hostNetwork in a restricted namespace is an error naming the pod, the namespace, the level and the check', () => {
    expect(levelFindings(analyzePolicy(enforcing('restricted', hostNetworkGrafana)))).toEqual([{
      severity: 'error', code: PSS, where: G,
      message: `${G} runs in namespace monitoring, which enforces Pod Security level restricted, and the admission controller will reject its pods: ` +
        'Host Namespaces (hostNamespaces) at /spec/template/spec/hostNetwork: hostNetwork is true; ' +
        // What the admission controller sees: with hostNetwork, the API server defaults the hostPort to the containerPort.
        'Host Ports (hostPorts) at /spec/template/spec/containers/0/ports/0/hostPort: container grafana uses host port 3000 (with hostNetwork, an unset hostPort is the containerPort)',
      fix: '/spec/template/spec/hostNetwork must be false or unset; /spec/template/spec/containers/0/ports/0/hostPort must be 0 or unset, without hostNetwork; ' +
        'or run it in a namespace that enforces privileged, the strictest level it meets',
    }]);
    // Baseline forbids it as well.
    expect(levelFindings(analyzePolicy(enforcing('baseline', hostNetworkGrafana))).map((d) => [d.where, d.message])).toEqual([[G, expect.stringContaining('(hostNamespaces)')]]);
  });

  test('the same Deployment in a privileged namespace passes this rule', () => {
    expect(levelFindings(analyzePolicy(enforcing('privileged', hostNetworkGrafana)))).toEqual([]);
  });

  test('a pod in a namespace the stack does not define is not checked by it (its level is unknown)', () => {
    const elsewhere = enforcing('restricted', (o) => withChange('Deployment', 'grafana', (d) => { d.metadata.namespace = 'elsewhere'; d.spec.template.spec.hostNetwork = true; }, o));
    const diagnostics = analyzePolicy(elsewhere);
    expect(diagnostics.filter((d) => d.where === 'Deployment elsewhere/grafana').map((d) => d.code)).not.toContain(PSS);
    expect(levelFindings(diagnostics)).toEqual([]);
  });

  test("every pod of the stack's namespace meets restricted, the operator's Prometheus and Alertmanager pods included", () => {
    expect(levelFindings(analyzePolicy(enforcing('restricted')))).toEqual([]);
  });

  test("node-exporter needs its privileged namespace: at baseline, each host field it uses is named", () => {
    const nodeBaseline = withChange('Namespace', 'monitoring-node', (n) => (n.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline'));
    const [finding, ...others] = levelFindings(analyzePolicy(nodeBaseline));
    expect(others).toEqual([]);
    expect(finding.where).toBe('DaemonSet monitoring-node/node-exporter');
    expect(finding.message).toMatch(/^DaemonSet monitoring-node\/node-exporter runs in namespace monitoring-node, which enforces Pod Security level baseline, and the admission controller will reject its pods: Host Namespaces \(hostNamespaces\) at \/spec\/template\/spec\/hostNetwork: hostNetwork is true; Host Namespaces \(hostNamespaces\) at \/spec\/template\/spec\/hostPID: hostPID is true; (.*; )?HostPath Volumes \(hostPathVolumes\) at \/spec\/template\/spec\/volumes\/\d+\/hostPath/);
    expect(finding.fix).toMatch(/or run it in a namespace that enforces privileged, the strictest level it meets$/);
  });

  test("a fix names the level the pod does meet; each failing check is listed", () => {
    const capabilities = enforcing('restricted', (o) => withChange('Deployment', 'grafana', (d) => (d.spec.template.spec.containers[0].securityContext.capabilities.add = ['CHOWN']), o));
    expect(levelFindings(analyzePolicy(capabilities))).toEqual([expect.objectContaining({
      where: G,
      message: expect.stringContaining('Capabilities (v1.22+) (capabilities_restricted) at /spec/template/spec/containers/0/securityContext/capabilities/add: container grafana adds CHOWN'),
      fix: '/spec/template/spec/containers/0/securityContext/capabilities/add must be unset or only NET_BIND_SERVICE; or run it in a namespace that enforces baseline, the strictest level it meets',
    })]);
  });

  test("an operator CR is checked as the operator renders its pod: its containers entries patch the operator's secure containers", () => {
    // A patch entry that only changes arguments keeps the operator's securityContext.
    expect(levelFindings(analyzePolicy(enforcing('restricted', (o) => withChange('Prometheus', 'k8s', (p) => (p.spec.containers = [{ name: 'prometheus', args: ['--log.level=debug'] }]), o))))).toEqual([]);
    const weakened = enforcing('restricted', (o) => withChange('Prometheus', 'k8s', (p) => (p.spec.containers = [{ name: 'prometheus', securityContext: { allowPrivilegeEscalation: true } }]), o));
    expect(levelFindings(analyzePolicy(weakened)).map((d) => [d.where, d.message])).toEqual([[
      'Prometheus monitoring/k8s', expect.stringContaining('Privilege Escalation (v1.8+) (allowPrivilegeEscalation) at /spec/containers/0/securityContext/allowPrivilegeEscalation'),
    ]]);
    // Without the pod-level runAsNonRoot, the operator's own containers inherit none.
    const rootPod = enforcing('restricted', (o) => withChange('Alertmanager', 'main', (a) => delete a.spec.securityContext.runAsNonRoot, o));
    const [finding] = levelFindings(analyzePolicy(rootPod));
    expect(finding).toEqual(expect.objectContaining({ where: 'Alertmanager monitoring/main', message: expect.stringContaining("(runAsNonRoot) at /securityContext/runAsNonRoot of the operator's container alertmanager") }));
    // A host path volume on the CR is found at its place in the CR.
    const hostPath = enforcing('baseline', (o) => withChange('Prometheus', 'k8s', (p) => (p.spec.volumes = [{ name: 'root', hostPath: { path: '/' } }]), o));
    expect(levelFindings(analyzePolicy(hostPath)).map((d) => d.message)).toEqual([expect.stringContaining('HostPath Volumes (hostPathVolumes) at /spec/volumes/0/hostPath')]);
  });

  test('an enforce label that is not a level is enforced as restricted, as the controller fails closed', () => {
    const typo = enforcing('Restricted', hostNetworkGrafana);
    expect(levelFindings(analyzePolicy(typo)).map((d) => d.message)).toEqual([expect.stringContaining(
      'enforces Pod Security level restricted (its label pod-security.kubernetes.io/enforce=Restricted is not a level, so the controller enforces restricted)',
    )]);
  });
});

describe('network isolation and availability', () => {
  test('policy/no-network-policy: every pod, workload or operator CR, needs a NetworkPolicy of its namespace', () => {
    expect(analyzePolicy(without('NetworkPolicy', 'grafana'))).toEqual([{
      severity: 'error', code: 'policy/no-network-policy', where: G,
      message: 'no NetworkPolicy in namespace monitoring selects its pods, so any pod in the cluster can reach them',
      fix: expect.stringContaining('podSelector'),
    }]);
    const prometheusPolicy = stack.objects.find((o) => o.manifest.kind === 'NetworkPolicy' && JSON.stringify(o.manifest).includes('"prometheus":"k8s"}},"policyTypes"'));
    expect(prometheusPolicy).toBeDefined();
    const moved = withChange('NetworkPolicy', prometheusPolicy!.manifest.metadata.name, (p) => (p.metadata.namespace = 'elsewhere'));
    expect(analyzePolicy(moved).map((d) => [d.code, d.where])).toEqual([['policy/no-network-policy', 'Prometheus monitoring/k8s']]);
  });

  test('selectors: matchLabels, matchExpressions and the empty selector', () => {
    const labels = { app: 'a', tier: 'web' };
    expect(selects({}, labels)).toBe(true);
    expect(selects(undefined, labels)).toBe(false);
    expect(selects({ matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }, { key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
    const denyAll = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'monitoring' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
    expect(analyzePolicy([...without('NetworkPolicy', 'grafana'), { component: 'extra', manifest: denyAll as Manifest }])).toEqual([]);
  });

  test('policy/no-pdb: a replicated workload without a PodDisruptionBudget is a warning', () => {
    const budgets = stack.objects.filter((o) => o.manifest.kind === 'PodDisruptionBudget').map((o) => o.manifest.metadata.name);
    const diagnostics = analyzePolicy(stack.objects.filter((o) => o.manifest.kind !== 'PodDisruptionBudget'));
    expect(budgets.length).toBeGreaterThan(1);
    expect(diagnostics.map((d) => [d.severity, d.code, d.where]).sort()).toEqual([
      ['warning', 'policy/no-pdb', 'Alertmanager monitoring/main'], ['warning', 'policy/no-pdb', G], ['warning', 'policy/no-pdb', 'Prometheus monitoring/k8s'],
    ]);
    expect(diagnostics[0].message).toMatch(/runs \d replicas but no PodDisruptionBudget covers them/);
  });

  test('policy/service-account: a pod without one, or with one the stack does not create, is a warning', () => {
    expect(analyzePolicy(without('ServiceAccount', 'grafana'))).toEqual([expect.objectContaining({
      severity: 'warning', code: 'policy/service-account', where: G, message: expect.stringContaining('uses ServiceAccount grafana, which the stack does not create'),
    })]);
    expect(analyzePolicy(grafana((pod) => delete pod.serviceAccountName))).toEqual([expect.objectContaining({ severity: 'warning', code: 'policy/service-account', message: expect.stringContaining('default') })]);
  });
});

describe('RBAC', () => {
  const role = stack.objects.find((o) => o.manifest.kind === 'ClusterRole')!.manifest;

  test("policy/rbac-wildcard: '*' in verbs, resources, apiGroups or nonResourceURLs, or a binding to cluster-admin", () => {
    expect(analyzePolicy(withChange('ClusterRole', role.metadata.name, (r) => (r.rules[0].verbs = ['*'])))).toEqual([{
      severity: 'error', code: 'policy/rbac-wildcard', where: `ClusterRole ${role.metadata.name} › rules[0]`,
      message: "grants '*' in verbs: it covers whatever the cluster has or will have", fix: 'list the verbs it needs',
    }]);
    expect(analyzePolicy(withChange('ClusterRole', role.metadata.name, (r) => r.rules.push({ apiGroups: ['*'], resources: ['*'], verbs: ['get'] })))[0].message).toContain("grants '*' in apiGroups, resources");
    const binding = stack.objects.find((o) => o.manifest.kind === 'ClusterRoleBinding')!.manifest;
    expect(analyzePolicy(withChange('ClusterRoleBinding', binding.metadata.name, (b) => (b.roleRef.name = 'cluster-admin')))).toEqual([
      expect.objectContaining({ severity: 'error', code: 'policy/rbac-wildcard', where: `ClusterRoleBinding ${binding.metadata.name} › roleRef` }),
    ]);
  });

  test("policy/rbac-wildcard: reading every resource of a group is allowed only for the groups the stack was asked to read whole", () => {
    const readAll = withChange('ClusterRole', role.metadata.name, (r) => r.rules.push({ apiGroups: ['example.com'], resources: ['*'], verbs: ['list', 'watch'] }));
    expect(codes(analyzePolicy(readAll))).toEqual(['policy/rbac-wildcard']);
    expect(analyzePolicy(readAll, { readAllOfGroups: ['example.com'] })).toEqual([]);
    // Asked to read, not to write; asked for one group, not for another.
    const writeAll = withChange('ClusterRole', role.metadata.name, (r) => r.rules.push({ apiGroups: ['example.com'], resources: ['*'], verbs: ['list', 'delete'] }));
    expect(codes(analyzePolicy(writeAll, { readAllOfGroups: ['example.com'] }))).toEqual(['policy/rbac-wildcard']);
    const otherGroup = withChange('ClusterRole', role.metadata.name, (r) => r.rules.push({ apiGroups: ['example.com', 'apps'], resources: ['*'], verbs: ['list'] }));
    expect(codes(analyzePolicy(otherGroup, { readAllOfGroups: ['example.com'] }))).toEqual(['policy/rbac-wildcard']);
  });

  test('policy/missing-role: a binding to a role the stack lacks is a warning; built-in roles are fine', () => {
    const binding = stack.objects.find((o) => o.manifest.kind === 'ClusterRoleBinding')!.manifest;
    expect(analyzePolicy(withChange('ClusterRoleBinding', binding.metadata.name, (b) => (b.roleRef.name = 'nope')))).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'policy/missing-role', message: 'refers to ClusterRole nope, which the stack does not define: it grants nothing until that exists' }),
    ]);
    expect(analyzePolicy(withChange('ClusterRoleBinding', binding.metadata.name, (b) => (b.roleRef.name = 'view')))).toEqual([]);
    const roleBinding = stack.objects.find((o) => o.manifest.kind === 'RoleBinding')!.manifest;
    expect(codes(analyzePolicy(withChange('RoleBinding', roleBinding.metadata.name, (b) => (b.metadata.namespace = 'other'))))).toEqual(['policy/missing-role']);
  });
});

describe('policy/literal-credential: credentials only by Secret reference, and never quoted', () => {
  const SECRET = 'hunter2-Zq8xW3vK9mP2nR5tL7yB4cF6';
  const expectFlagged = (diagnostics: Diagnostic[], where: string) => {
    expect(diagnostics).toEqual([expect.objectContaining({ severity: 'error', code: 'policy/literal-credential', where, fix: expect.stringContaining('kubectl create secret') })]);
    expect(JSON.stringify(diagnostics)).not.toContain(SECRET);
  };

  test('an environment variable named like a credential, or holding one, with a literal value', () => {
    expectFlagged(analyzePolicy(grafanaContainer((c) => (c.env[1] = { name: 'GF_SECURITY_ADMIN_PASSWORD', value: SECRET }))), `${GC} › env GF_SECURITY_ADMIN_PASSWORD`);
    expectFlagged(analyzePolicy(grafanaContainer((c) => c.env.push({ name: 'UPSTREAM', value: `https://admin:${SECRET}@db.example.com/` }))), `${GC} › env UPSTREAM`);
    // A reference is the right way, and plain settings are not credentials.
    expect(analyzePolicy(grafanaContainer((c) => c.env.push({ name: 'GF_LOG_LEVEL', value: 'debug' }, { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } })))).toEqual([]);
  });

  test('a Secret in the stack: a key named like a credential, a credential in its configuration text, in data or stringData', () => {
    const secret = (data: Json) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'extra', namespace: 'monitoring' }, ...data });
    expectFlagged(analyzePolicy(added(secret({ stringData: { password: SECRET } }))), 'Secret monitoring/extra › stringData.password');
    expectFlagged(analyzePolicy(added(secret({ data: { token: Buffer.from(SECRET).toString('base64') } }))), 'Secret monitoring/extra › data.token');
    const config = withChange('Secret', 'alertmanager-main-config', (s) => {
      s.stringData['alertmanager.yaml'] += `\nreceivers:\n  - name: slack\n    slack_configs:\n      - api_url: https://hooks.slack.com/services/T0/B0/${SECRET}\n`;
    });
    expectFlagged(analyzePolicy(config), 'Secret monitoring/alertmanager-main-config › stringData.alertmanager.yaml');
    const literal = withChange('Secret', 'alertmanager-main-config', (s) => (s.stringData['alertmanager.yaml'] += `\nglobal:\n  smtp_auth_password: ${SECRET}\n`));
    expect(analyzePolicy(literal)).toEqual([expect.objectContaining({ message: expect.stringMatching(/^the Secret is written to dist\/ and sets smtp_auth_password to a literal value \(line \d+\)$/) })]);
  });

  test('a ConfigMap with a credential line or a URL with a password', () => {
    const configMap = (text: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'monitoring' }, data: { 'app.ini': text } });
    expectFlagged(analyzePolicy(added(configMap(`[auth]\nclient_secret = ${SECRET}\n`))), 'ConfigMap monitoring/app › data.app.ini');
    expectFlagged(analyzePolicy(added(configMap(`url: postgres://user:${SECRET}@db:5432/app`))), 'ConfigMap monitoring/app › data.app.ini');
    // References and file paths are not literals.
    expect(analyzePolicy(added(configMap('password_file: /etc/secret/password\ntoken: ${TOKEN}\npassword:\n')))).toEqual([]);
  });

  test('a field of a resource named like a credential holding a literal, or a URL with one', () => {
    expectFlagged(
      analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.remoteWrite = [{ url: 'https://push.example.com/api/v1/write', bearerToken: SECRET }]))),
      'Prometheus monitoring/k8s › /spec/remoteWrite/0/bearerToken',
    );
    expectFlagged(
      analyzePolicy(withChange('Prometheus', 'k8s', (p) => (p.spec.remoteWrite = [{ url: `https://push.example.com/api/v1/write?api_key=${SECRET}` }]))),
      'Prometheus monitoring/k8s › /spec/remoteWrite/0/url',
    );
    // configSecret names a Secret: a reference.
    expect(analyzePolicy(withChange('Alertmanager', 'main', (a) => (a.spec.configSecret = 'my-config')))).toEqual([]);
  });
});
