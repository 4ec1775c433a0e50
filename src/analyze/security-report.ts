// The "## Security" section of SUMMARY.md: what a security reviewer asks of a stack, read from the final objects
// (after patches, extra objects and the customize hook), so the section describes what will run, not what the
// values meant. Pod Security per namespace, RBAC per ServiceAccount, NetworkPolicies in words, exposed ports, and
// how every scrape is encrypted and authenticated. It reports; policy.ts is what refuses.
import type { ResolvedNetwork } from '../k8s/network';
import type { KubernetesObject } from '../core/primitives';
import type { ModelObject } from '../model/stack-model';
import { selects, type LabelSelector } from './label-selector';
import { namespaceLevels, podSecurityLevel, POD_SECURITY_LABEL, type NamespacePodSecurity, type PodSecurityLevel } from './pod-security';
import { admittedPod, podSources, type PodSource } from './policy';

type Json = unknown;
type Row = readonly string[];

const rec = (v: Json): Record<string, Json> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : {});
const arr = (v: Json): Json[] => (Array.isArray(v) ? v : []);
const strings = (v: Json): string[] => arr(v).filter((s): s is string => typeof s === 'string');
const str = (v: Json): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const code = (s: string) => `\`${s}\``;
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const nsName = (m: KubernetesObject) => `${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
const isGroup = (m: KubernetesObject, group: string) => m.apiVersion === group || m.apiVersion.startsWith(`${group}/`);

/** A Markdown table; cells may hold `<br>` but no pipes or newlines (they would break the row). */
function table(header: Row, rows: readonly Row[]): string[] {
  const cell = (c: string) => (c === '' ? ' ' : c.replace(/\|/g, '\\|').replace(/\n/g, ' '));
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)];
}

/** Rows sorted by their first cells, then the first cell blanked where it repeats the row above (a grouped table). */
function grouped(rows: Row[], groupColumns = 1): Row[] {
  return rows.map((r, i) => (i > 0 && rows[i - 1].slice(0, groupColumns).join('\0') === r.slice(0, groupColumns).join('\0') ? [...r.slice(0, groupColumns).map(() => ''), ...r.slice(groupColumns)] : r));
}

const sortRows = (rows: Row[]) => rows.sort((a, b) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return byText(a[i], b[i]);
  return a.length - b.length;
});

const labelsText = (labels: Record<string, Json>) => Object.entries(labels).map(([k, v]) => code(`${k}=${String(v)}`)).join(', ');

function selectorText(selector: LabelSelector): string {
  const expressions = (selector.matchExpressions ?? []).map((e) => code(`${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`));
  return [labelsText(rec(selector.matchLabels)), ...expressions].filter(Boolean).join(', ');
}

const isEmptySelector = (s: LabelSelector) => Object.keys(rec(s.matchLabels)).length === 0 && (s.matchExpressions ?? []).length === 0;

/** How the report names a workload: `DaemonSet node-exporter`, `Prometheus k8s` (the operator makes its pods). */
const workloadName = (pod: PodSource) => `${pod.manifest.kind} ${pod.manifest.metadata.name}`;

/** The pod spec as written: a template's, a Pod's, or the CR's spec (the operator copies most of it to the pods). */
function rawPodSpec(pod: PodSource): Record<string, Json> {
  return pod.specPath.split('/').filter(Boolean).reduce<Record<string, Json>>((v, k) => rec(v[k]), rec(pod.manifest));
}

interface Context {
  readonly manifests: readonly KubernetesObject[];
  readonly pods: readonly PodSource[];
  readonly network?: ResolvedNetwork;
}

/** `network`: the stack's `common.network`, whose defaults (any address) the report points out. */
export function securityReport(objects: readonly ModelObject[], network?: ResolvedNetwork): string {
  const context: Context = { manifests: objects.map((o) => o.manifest), pods: podSources(objects), network };
  return [
    '## Security',
    '',
    'Read from the objects as written. `o11y` refuses what breaks its policy (src/analyze/policy.ts); this says what remains, for review.',
    '',
    ...podSecuritySection(context),
    ...rbacSection(context),
    ...networkPolicySection(context),
    ...exposedPortsSection(context),
    ...scrapeSection(context),
  ].join('\n');
}

// Pod Security ---------------------------------------------------------------------------------------------------

const PSS_MODES = ['enforce', 'audit', 'warn'] as const;

/** What a pod may touch on its node: host namespaces, host paths, host ports. */
function hostAccess(pod: PodSource): string {
  const spec = rawPodSpec(pod);
  const namespaces = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => spec[f] === true);
  const paths = arr(spec.volumes).flatMap((v) => (str(rec(rec(v).hostPath).path) ? [str(rec(rec(v).hostPath).path)!] : []));
  const ports = hostPorts(pod).map((p) => p.port);
  return [
    ...namespaces,
    ...(paths.length ? [`hostPath ${paths.map(code).join(', ')}`] : []),
    ...(ports.length ? [`hostPort ${ports.join(', ')}`] : []),
  ].join(', ') || 'none';
}

const PSS_RANK: Record<PodSecurityLevel, number> = { privileged: 0, baseline: 1, restricted: 2 };

/** A mode's cell: the level the controller applies, said as the label says it (or that it is unset or invalid). */
function modeText(labels: Record<string, string>, levels: NamespacePodSecurity, mode: typeof PSS_MODES[number]): string {
  const value = labels[`${POD_SECURITY_LABEL}${mode}`];
  const version = levels.versions[mode] === 'latest' ? '' : ` (${levels.versions[mode]})`;
  if (value === undefined) return mode === 'enforce' ? 'privileged (unset)' : 'unset';
  if (levels.invalid.includes(`${POD_SECURITY_LABEL}${mode}=${value}`)) return `**⚠ invalid** ${code(value)}: ${levels[mode]}`;
  return `${value}${version}`;
}

/** The strictest level a workload's pods meet, and the modes of its namespace that it falls short of. */
function meetsText(pod: PodSource, levels: NamespacePodSecurity | undefined): string {
  const level = podSecurityLevel(admittedPod(pod).pod);
  const short = levels ? PSS_MODES.filter((m) => PSS_RANK[level] < PSS_RANK[levels[m]]) : [];
  return short.length ? `${level} (**⚠ below ${short.map((m) => `${m} ${levels![m]}`).join(', ')}**)` : level;
}

function podSecuritySection({ manifests, pods }: Context): string[] {
  const levels = namespaceLevels(manifests);
  const labelsOf = new Map(manifests.filter((m) => m.kind === 'Namespace' && m.apiVersion === 'v1').map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const names = [...new Set([...levels.keys(), ...pods.map((p) => p.namespace ?? 'default')])].sort(byText);
  const rows = names.flatMap((ns): Row[] => {
    const nsLevels = levels.get(ns);
    const modes = nsLevels ? PSS_MODES.map((m) => modeText(labelsOf.get(ns) ?? {}, nsLevels, m)) : ['? (Namespace not written by the stack)', '?', '?'];
    const inNamespace = pods.filter((p) => (p.namespace ?? 'default') === ns).sort((a, b) => byText(workloadName(a), workloadName(b)));
    if (!inNamespace.length) return [[code(ns), ...modes, 'none', '', '']];
    return inNamespace.map((p) => [code(ns), ...modes, workloadName(p), meetsText(p, nsLevels), hostAccess(p)]);
  });
  return [
    '### Pod Security per namespace',
    '',
    'Each Namespace\'s `pod-security.kubernetes.io` labels (an unset `enforce` admits anything: privileged), the pods that run there and the strictest Pod Security level each meets.',
    '',
    ...table(['Namespace', ...PSS_MODES, 'Pods of', 'Meets', 'Host access'], grouped(rows, 4)),
    '',
  ];
}

// RBAC -----------------------------------------------------------------------------------------------------------

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

const subjectId = (s: Subject) => (s.kind === 'ServiceAccount' ? `${s.namespace}/${s.name}` : `${s.kind} ${s.name}`);

/** Whether the pods of a workload get an API token: the pod's setting, else the ServiceAccount's, else yes. */
function tokenMounted(pod: PodSource, accounts: readonly KubernetesObject[]): string {
  const spec = rawPodSpec(pod);
  const projected = arr(spec.volumes).some((v) => arr(rec(rec(v).projected).sources).some((s) => rec(s).serviceAccountToken !== undefined));
  const own = spec.automountServiceAccountToken;
  const account = accounts.find((a) => a.metadata.name === serviceAccountOf(pod) && (a.metadata.namespace ?? 'default') === (pod.namespace ?? 'default'));
  // The operator mounts the token of a Prometheus unless its CR says not to (its CRD says so; Alertmanager's does not).
  const operatorDefault = /^Prometheus(Agent)?$/.test(pod.manifest.kind) && isGroup(pod.manifest, 'monitoring.coreos.com') ? true : undefined;
  const mounted = typeof own === 'boolean' ? own : operatorDefault ?? (typeof account?.automountServiceAccountToken === 'boolean' ? account.automountServiceAccountToken : true);
  return mounted ? 'token mounted' : projected ? 'projected token' : 'no token';
}

const serviceAccountOf = (pod: PodSource) => pod.spec.serviceAccountName ?? pod.spec.serviceAccount ?? 'default';

const WILDCARD = '**⚠ wildcard**';

/** `alertmanagers (+/finalizers, /status)`: subresources next to their resource, in the order written. */
function resourcesText(resources: string[], names: string[]): string {
  const bases: string[] = [];
  const subs = new Map<string, string[]>();
  for (const r of resources) {
    const [base, sub] = r.includes('/') ? [r.slice(0, r.indexOf('/')), r.slice(r.indexOf('/'))] : [r, undefined];
    if (!subs.has(base)) { bases.push(base); subs.set(base, []); }
    if (sub) subs.get(base)!.push(sub);
  }
  const text = bases.map((b) => {
    const s = subs.get(b)!;
    const listed = resources.includes(b);
    return listed ? `${b}${s.length ? ` (+${s.join(', ')})` : ''}` : s.map((x) => `${b}${x}`).join(', ');
  }).join(', ');
  return `${text}${names.length ? ` (only ${names.map(code).join(', ')})` : ''}`;
}

const wild = (v: string) => (v === '*' ? code('*') : v);
const listText = (values: string[], empty: string) => (values.length ? values.map((v) => (v === '' ? 'core' : wild(v))).join(', ') : empty) + (values.includes('*') ? ` ${WILDCARD}` : '');

function ruleRows(role: KubernetesObject | undefined): Row[] {
  if (!role) return [['(not written by the stack)', '', '']];
  const aggregation = arr(rec(role.aggregationRule).clusterRoleSelectors);
  const rules = arr(role.rules).map(rec);
  if (!rules.length) return [[aggregation.length ? `aggregates ClusterRoles labelled ${aggregation.map((s) => selectorText(rec(s) as LabelSelector)).join(' or ')}` : 'no rules', '', '']];
  return rules.map((r) => {
    const urls = strings(r.nonResourceURLs);
    const verbs = listText(strings(r.verbs), 'none');
    if (urls.length) return ['(non-resource)', `URLs ${urls.map(code).join(', ')}${urls.some((u) => u.endsWith('*')) ? ` ${WILDCARD}` : ''}`, verbs];
    const resources = strings(r.resources);
    return [listText(strings(r.apiGroups), 'none'), resourcesText(resources.map(wild), strings(r.resourceNames)) + (resources.includes('*') ? ` ${WILDCARD}` : ''), verbs];
  });
}

function rbacSection({ manifests, pods }: Context): string[] {
  const rbac = manifests.filter((m) => isGroup(m, 'rbac.authorization.k8s.io'));
  const accounts = manifests.filter((m) => m.kind === 'ServiceAccount' && m.apiVersion === 'v1');
  const bindings = rbac.filter((m) => m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding');
  const roles = rbac.filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role');
  const subjectsOf = (b: KubernetesObject): Subject[] => arr(b.subjects).map(rec).map((s) => ({
    kind: str(s.kind) ?? '?', name: str(s.name) ?? '?',
    namespace: str(s.kind) === 'ServiceAccount' ? str(s.namespace) ?? b.metadata.namespace ?? 'default' : undefined,
  }));
  const subjects = new Map<string, Subject>();
  for (const a of accounts) subjects.set(`${a.metadata.namespace ?? 'default'}/${a.metadata.name}`, { kind: 'ServiceAccount', name: a.metadata.name, namespace: a.metadata.namespace ?? 'default' });
  for (const b of bindings) for (const s of subjectsOf(b)) subjects.set(subjectId(s), s);

  const rows: Row[] = [];
  for (const s of subjects.values()) {
    const id = s.kind === 'ServiceAccount' ? code(`${s.namespace}/${s.name}`) : `${s.kind} ${code(s.name)}`;
    const users = s.kind === 'ServiceAccount'
      ? pods.filter((p) => (p.namespace ?? 'default') === s.namespace && serviceAccountOf(p) === s.name).map((p) => `${workloadName(p)} (${tokenMounted(p, accounts)})`).sort(byText)
      : [];
    const usedBy = s.kind === 'ServiceAccount' ? users.join('<br>') || 'no pod of the stack' : '—';
    const own = bindings.filter((b) => subjectsOf(b).some((x) => subjectId(x) === subjectId(s)));
    if (!own.length) rows.push([id, usedBy, 'no role bound', '', '', '', '']);
    for (const b of own) {
      const ref = rec(b.roleRef);
      const kind = str(ref.kind) ?? '?';
      const name = str(ref.name) ?? '?';
      const role = roles.find((r) => r.kind === kind && r.metadata.name === name && (kind === 'ClusterRole' || r.metadata.namespace === b.metadata.namespace));
      const scope = b.kind === 'ClusterRoleBinding' ? 'cluster-wide' : `namespace ${code(b.metadata.namespace ?? 'default')}`;
      const roleText = `${kind} ${name}${kind === 'ClusterRole' && name === 'cluster-admin' ? ` ${WILDCARD} (everything)` : ''}`;
      const rules = kind === 'ClusterRole' && name === 'cluster-admin' && !role ? [['`*`', '`*`', '`*`']] : ruleRows(role);
      for (const r of rules) rows.push([id, usedBy, `${roleText}<br>(${b.kind} ${b.metadata.name})`, scope, ...r]);
    }
  }
  // Service accounts first (by namespace and name), then users and groups; each one's bindings sorted, rules as written.
  const order = (r: Row) => (r[0].startsWith('`') ? '0' : '1') + r[0];
  const sorted = rows.map((r, i) => ({ r, i })).sort((a, b) => byText(order(a.r), order(b.r)) || byText(a.r[2], b.r[2]) || a.i - b.i).map((x) => x.r);
  return [
    '### RBAC per ServiceAccount',
    '',
    'What each ServiceAccount (and every other subject of a binding) may do, rule by rule, and which pods run as it.',
    '',
    ...table(['Subject', 'Used by', 'Role (binding)', 'Scope', 'API groups', 'Resources', 'Verbs'], sorted.map((r, i) => {
      // One subject's rows, and one binding's rules, read as a group: what repeats the row above is left blank.
      const prev = sorted[i - 1];
      const sameSubject = prev !== undefined && prev[0] === r[0];
      const sameBinding = sameSubject && prev[2] === r[2];
      return [sameSubject ? '' : r[0], sameSubject ? '' : r[1], sameBinding ? '' : r[2], sameBinding ? '' : r[3], ...r.slice(4)];
    })),
    '',
  ];
}

// NetworkPolicies ------------------------------------------------------------------------------------------------

/** Names of the stack's workloads whose pods a selector picks in the namespaces `inNamespace` accepts. */
function workloadsSelected(pods: readonly PodSource[], selector: LabelSelector, inNamespace: (ns: string) => boolean): string[] {
  return pods.filter((p) => inNamespace(p.namespace ?? 'default') && selects(selector, p.labels)).map(workloadName).sort(byText);
}

const NAMESPACE_NAME = 'kubernetes.io/metadata.name';

/** A namespaceSelector in words, and which namespaces it picks (by name, when it names them). */
function namespacesOf(selector: LabelSelector, manifests: readonly KubernetesObject[]): { text: string; picks: (ns: string) => boolean } {
  if (isEmptySelector(selector)) return { text: 'every namespace', picks: () => true };
  const labels = rec(selector.matchLabels);
  const named = str(labels[NAMESPACE_NAME]);
  if (named && Object.keys(labels).length === 1 && !(selector.matchExpressions ?? []).length) return { text: `namespace ${code(named)}`, picks: (ns) => ns === named };
  const inExpression = (selector.matchExpressions ?? []).find((e) => e.key === NAMESPACE_NAME && e.operator === 'In');
  if (inExpression && !Object.keys(labels).length && (selector.matchExpressions ?? []).length === 1) {
    return { text: `namespaces ${(inExpression.values ?? []).map(code).join(', ')}`, picks: (ns) => (inExpression.values ?? []).includes(ns) };
  }
  // Other labels: the namespaces the stack writes that carry them (the cluster may have more).
  const written = manifests.filter((m) => m.kind === 'Namespace').filter((n) => selects(selector, { ...n.metadata.labels, [NAMESPACE_NAME]: n.metadata.name }));
  return { text: `namespaces labelled ${selectorText(selector)}`, picks: (ns) => written.some((n) => n.metadata.name === ns) };
}

function peerText(peer: Record<string, Json>, policyNamespace: string, context: Context): string {
  const ip = rec(peer.ipBlock);
  if (str(ip.cidr)) {
    const except = strings(ip.except);
    const any = ip.cidr === '0.0.0.0/0' || ip.cidr === '::/0' ? ' (any address)' : '';
    return `${code(str(ip.cidr)!)}${any}${except.length ? ` except ${except.map(code).join(', ')}` : ''}`;
  }
  const podSelector = peer.podSelector === undefined ? undefined : (rec(peer.podSelector) as LabelSelector);
  const namespaces = peer.namespaceSelector === undefined
    ? { text: `namespace ${code(policyNamespace)}`, picks: (ns: string) => ns === policyNamespace, own: true }
    : { ...namespacesOf(rec(peer.namespaceSelector) as LabelSelector, context.manifests), own: false };
  if (!podSelector || isEmptySelector(podSelector)) return `every pod of ${namespaces.text}`;
  const named = workloadsSelected(context.pods, podSelector, namespaces.picks);
  const who = named.length ? named.join(', ') : `pods ${selectorText(podSelector)}`;
  return namespaces.own ? who : `${who} in ${namespaces.text}`;
}

/** The peers of one rule; `0.0.0.0/0` and `::/0` with the same exceptions read as one "any address". */
function peersText(peers: Array<Record<string, Json>>, namespace: string, context: Context): string {
  const block = (p: Record<string, Json>) => rec(p.ipBlock);
  const everywhere = peers.filter((p) => block(p).cidr === '0.0.0.0/0' || block(p).cidr === '::/0');
  const excepts = [...new Set(everywhere.flatMap((p) => strings(block(p).except)))];
  const bothFamilies = everywhere.length === 2 && new Set(everywhere.map((p) => block(p).cidr)).size === 2;
  const texts = bothFamilies
    ? [`any address${excepts.length ? ` except ${excepts.map(code).join(', ')}` : ''}`, ...peers.filter((p) => !everywhere.includes(p)).map((p) => peerText(p, namespace, context))]
    : peers.map((p) => peerText(p, namespace, context));
  return texts.join(' or ');
}

function portsText(ports: Json): string {
  const list = arr(ports).map(rec);
  if (!list.length) return 'any port';
  return list.map((p) => {
    const port = str(p.port);
    const protocol = str(p.protocol) ?? 'TCP';
    if (port === undefined) return `any ${protocol} port`;
    return `${port}${p.endPort !== undefined ? `-${String(p.endPort)}` : ''}/${protocol}`;
  }).join(', ');
}

function directionText(spec: Record<string, Json>, direction: 'ingress' | 'egress', namespace: string, context: Context): string {
  const types = strings(spec.policyTypes);
  const rules = arr(spec[direction]).map(rec);
  // Without policyTypes, a policy restricts ingress always and egress when it has egress rules.
  const restricts = types.length ? types.includes(direction === 'ingress' ? 'Ingress' : 'Egress') : direction === 'ingress' || rules.length > 0;
  if (!restricts) return 'not restricted by this policy';
  if (!rules.length) return 'nothing (all denied)';
  const peersField = direction === 'ingress' ? 'from' : 'to';
  const anyone = direction === 'ingress' ? 'any source' : 'any destination';
  return rules.map((r) => {
    const peers = arr(r[peersField]).map(rec);
    const who = peers.length ? peersText(peers, namespace, context) : `**${anyone}**`;
    return `${direction === 'ingress' ? 'from' : 'to'} ${who} on ${portsText(r.ports)}`;
  }).join('<br>');
}

function networkPolicySection(context: Context): string[] {
  const policies = context.manifests.filter((m) => m.kind === 'NetworkPolicy' && isGroup(m, 'networking.k8s.io'));
  const rows = sortRows(policies.map((p): Row => {
    const spec = rec(p.spec);
    const namespace = p.metadata.namespace ?? 'default';
    const selector = rec(spec.podSelector) as LabelSelector;
    const selected = workloadsSelected(context.pods, selector, (ns) => ns === namespace);
    const selectsText = isEmptySelector(selector) ? `every pod of ${code(namespace)}` : selected.length ? selected.join(', ') : `pods ${selectorText(selector)} (none of the stack's)`;
    return [code(nsName(p)), selectsText, directionText(spec, 'ingress', namespace, context), directionText(spec, 'egress', namespace, context)];
  }));
  const unselected = context.pods.filter((pod) => !policies.some((p) => (p.metadata.namespace ?? 'default') === (pod.namespace ?? 'default') && selects(rec(rec(p.spec).podSelector) as LabelSelector, pod.labels)));
  return [
    '### NetworkPolicies',
    '',
    'What each policy lets its pods receive and reach; a pod selected by several policies gets the union of their rules.',
    '',
    ...(rows.length ? table(['Policy', 'Selects', 'Ingress allowed', 'Egress allowed'], rows) : ['No NetworkPolicy: every pod accepts and opens any connection.']),
    ...(unselected.length ? ['', `Selected by no policy (any pod may reach them): ${unselected.map(workloadName).sort(byText).join(', ')}.`] : []),
    ...networkAssumptions(context.network),
    '',
  ];
}

/** Where the egress is *any address* only because `common.network` does not say where things are. */
function networkAssumptions(network: ResolvedNetwork | undefined): string[] {
  if (!network) return [];
  const anywhere = (cidrs: readonly string[]) => cidrs.some((c) => c.endsWith('/0'));
  const notes = [
    ...(anywhere(network.apiServer.cidrs) ? [`- The API server is *any address* on ${network.apiServer.ports.join(', ')} (\`common.network.apiServer\` unset): the pods that reach it (and Grafana's dashboard sidecar, which fetches \`.url\` keys) may reach any host on those ports. Set its endpoints' CIDRs (\`kubectl get endpoints kubernetes -n default\`).`] : []),
    ...(anywhere(network.nodeCidrs) ? ['- The nodes are *any address* (`common.network.nodeCidrs` unset): Prometheus may reach any host on the kubelet and exporter ports. Set the nodes\' CIDRs.'] : []),
    ...(network.clusterCidrs.length ? [] : ['- The cluster\'s pod and Service CIDRs are not known (`common.network.clusterCidrs`): *any address* rules include them (CNIs match pod IPs against ipBlocks differently).']),
  ];
  return notes.length ? ['', 'Assumed, for want of `common.network`:', '', ...notes] : [];
}

// Exposed ports --------------------------------------------------------------------------------------------------

interface HostPort { readonly container: string; readonly port: string; readonly protocol: string }

function hostPorts(pod: PodSource): HostPort[] {
  const spec = rawPodSpec(pod);
  return [...arr(spec.initContainers), ...arr(spec.containers)].map(rec).flatMap((c) => arr(c.ports).map(rec)
    .filter((p) => p.hostPort !== undefined)
    .map((p) => ({ container: str(c.name) ?? '?', port: `${String(p.hostPort)}/${str(p.protocol) ?? 'TCP'}`, protocol: str(p.protocol) ?? 'TCP' })));
}

function containerPorts(pod: PodSource): string[] {
  const spec = rawPodSpec(pod);
  return [...arr(spec.initContainers), ...arr(spec.containers)].map(rec).flatMap((c) => arr(c.ports).map(rec).map((p) => `${String(p.containerPort)}/${str(p.protocol) ?? 'TCP'}`));
}

function serviceRow(s: KubernetesObject, context: Context): Row {
  const spec = rec(s.spec);
  const type = str(spec.type) ?? 'ClusterIP';
  const headless = spec.clusterIP === 'None' || spec.clusterIp === 'None';
  const external = type === 'LoadBalancer' || type === 'NodePort' || strings(spec.externalIPs).length > 0;
  const typeText = type === 'ExternalName' ? `ExternalName ${code(str(spec.externalName) ?? '?')}` : `${type}${headless ? ' (headless)' : ''}${external ? ' **⚠ reachable from outside the cluster**' : ''}`;
  const ports = arr(spec.ports).map(rec).map((p) => `${String(p.port)}/${str(p.protocol) ?? 'TCP'} → ${str(p.targetPort) ?? String(p.port)}${p.nodePort !== undefined ? ` (node port ${String(p.nodePort)})` : type === 'NodePort' || type === 'LoadBalancer' ? ' (a node port)' : ''}`);
  const ips = strings(spec.externalIPs);
  const selector = rec(spec.selector);
  const namespace = s.metadata.namespace ?? 'default';
  const backends = Object.keys(selector).length
    ? workloadsSelected(context.pods, { matchLabels: selector as Record<string, string> }, (ns) => ns === namespace).join(', ') || `pods ${labelsText(selector)}`
    : 'no selector (endpoints managed elsewhere)';
  return [`Service ${code(nsName(s))}`, typeText, [...ports, ...(ips.length ? [`external IPs ${ips.map(code).join(', ')}`] : [])].join(', ') || 'none', backends];
}

function routeRows(m: KubernetesObject): Row[] {
  const spec = rec(m.spec);
  if (m.kind === 'Ingress') {
    const tlsHosts = new Set(arr(spec.tls).flatMap((t) => strings(rec(t).hosts)));
    const backend = (b: Json) => {
      const svc = rec(rec(b).service);
      return `${str(svc.name) ?? '?'}:${str(rec(svc.port).number) ?? str(rec(svc.port).name) ?? '?'}`;
    };
    const rules = arr(spec.rules).map(rec).flatMap((r) => arr(rec(r.http).paths).map(rec).map((p) => {
      const host = str(r.host) ?? '*';
      return `${host}${str(p.path) ?? '/'} → ${backend(p.backend)} (${tlsHosts.has(host) ? 'TLS' : '**plain HTTP**'})`;
    }));
    if (spec.defaultBackend) rules.push(`default → ${backend(spec.defaultBackend)}`);
    return [[`Ingress ${code(nsName(m))}`, `class ${str(spec.ingressClassName) ?? '(default)'}`, rules.join('<br>') || 'no rules', '']];
  }
  if (isGroup(m, 'gateway.networking.k8s.io')) {
    const hosts = strings(spec.hostnames);
    const backends = arr(spec.rules).flatMap((r) => arr(rec(r).backendRefs).map(rec).map((b) => `${str(b.name) ?? '?'}:${str(b.port) ?? '?'}`));
    const parents = arr(spec.parentRefs).map(rec).map((p) => `${str(p.namespace) ? `${str(p.namespace)}/` : ''}${str(p.name) ?? '?'}`);
    return [[`${m.kind} ${code(nsName(m))}`, `via Gateway ${parents.join(', ') || '?'}`, `${hosts.length ? hosts.join(', ') : '*'} → ${backends.join(', ') || '?'}`, '']];
  }
  // OpenShift Route.
  const to = rec(spec.to);
  const tls = rec(spec.tls);
  return [[`Route ${code(nsName(m))}`, 'OpenShift router', `${str(spec.host) ?? '*'}${str(spec.path) ?? ''} → ${str(to.name) ?? '?'}:${str(rec(spec.port).targetPort) ?? '?'} (${tls.termination ? `TLS ${String(tls.termination)}` : '**plain HTTP**'})`, '']];
}

function exposedPortsSection(context: Context): string[] {
  const services = sortRows(context.manifests.filter((m) => m.kind === 'Service' && m.apiVersion === 'v1').map((s) => serviceRow(s, context)));
  const host = sortRows(context.pods.flatMap((p): Row[] => {
    const spec = rawPodSpec(p);
    const ports = hostPorts(p);
    const where = `${p.manifest.kind} ${code(`${p.namespace ?? 'default'}/${p.manifest.metadata.name}`)}`;
    const rows: Row[] = [];
    if (spec.hostNetwork === true) rows.push([where, 'hostNetwork **⚠ on the node\'s addresses**', `every port it listens on (declared: ${containerPorts(p).join(', ') || 'none'})`, 'its own']);
    else if (ports.length) rows.push([where, 'hostPort **⚠ on the node\'s addresses**', ports.map((x) => `${x.port} (container ${x.container})`).join(', '), 'its own']);
    return rows;
  }));
  const routes = sortRows(context.manifests.filter((m) => (m.kind === 'Ingress' && isGroup(m, 'networking.k8s.io'))
    || (/^(HTTP|GRPC|TLS|TCP|UDP)Route$/.test(m.kind) && isGroup(m, 'gateway.networking.k8s.io'))
    || (m.kind === 'Route' && isGroup(m, 'route.openshift.io'))).flatMap(routeRows));
  return [
    '### Exposed ports',
    '',
    ...table(['Object', 'Type', 'Ports', 'Pods'], [...services, ...host, ...routes]),
    '',
    ...(routes.length ? [] : ['No Ingress or route: nothing is published outside the cluster but what the table says.', '']),
  ];
}

// Scrape TLS and authentication ---------------------------------------------------------------------------------

const secretRef = (ref: Json, namespace: string) => {
  const r = rec(ref);
  return str(r.name) ? `Secret ${code(`${namespace}/${str(r.name)}`)}${str(r.key) ? ` key ${code(str(r.key)!)}` : ''}` : undefined;
};

/** A SafeTLSConfig's CA: a file in the Prometheus pod, or a Secret or ConfigMap of the monitor's namespace. */
function caText(tls: Record<string, Json>, namespace: string): string | undefined {
  if (str(tls.caFile)) return `CA file ${code(str(tls.caFile)!)}`;
  const ca = rec(tls.ca);
  if (ca.secret) return `CA from ${secretRef(ca.secret, namespace)}`;
  if (ca.configMap) return `CA from ConfigMap ${code(`${namespace}/${str(rec(ca.configMap).name) ?? '?'}`)}`;
  return undefined;
}

function tlsText(scheme: string, tlsConfig: Json, namespace: string): string {
  const tls = rec(tlsConfig);
  if (scheme !== 'https') return `plain HTTP${Object.keys(tls).length ? ' (tlsConfig unused)' : ''}`;
  if (tls.insecureSkipVerify === true) return '**not verified** (insecureSkipVerify)';
  const ca = caText(tls, namespace) ?? "the Prometheus image's system CAs";
  const client = tls.keySecret || str(tls.keyFile) ? ', client certificate' : '';
  return `verified with ${ca}${str(tls.serverName) ? `, serverName ${code(str(tls.serverName)!)}` : ', the target address as serverName'}${client}`;
}

function authText(endpoint: Record<string, Json>, namespace: string): string {
  const found: string[] = [];
  if (str(endpoint.bearerTokenFile)) found.push(`bearer token file ${code(str(endpoint.bearerTokenFile)!)}`);
  const bearer = secretRef(endpoint.bearerTokenSecret, namespace);
  if (bearer) found.push(`bearer token from ${bearer}`);
  const authorization = rec(endpoint.authorization);
  if (Object.keys(authorization).length) {
    const from = secretRef(authorization.credentials, namespace) ?? (str(authorization.credentialsFile) ? `file ${code(str(authorization.credentialsFile)!)}` : 'no credentials');
    found.push(`authorization ${str(authorization.type) ?? 'Bearer'} from ${from}`);
  }
  const basic = rec(endpoint.basicAuth);
  if (Object.keys(basic).length) {
    const secrets = [...new Set([basic.username, basic.password].map((r) => str(rec(r).name)).filter((n): n is string => !!n))];
    found.push(`basic auth from ${secrets.length ? secrets.map((n) => `Secret ${code(`${namespace}/${n}`)}`).join(', ') : 'no Secret'}`);
  }
  const oauth2 = rec(endpoint.oauth2);
  if (Object.keys(oauth2).length) found.push(`OAuth2 at ${code(str(oauth2.tokenUrl) ?? '?')}, client secret from ${secretRef(oauth2.clientSecret, namespace) ?? '?'}`);
  return found.join(', ') || 'none';
}

const schemeOf = (v: Json) => (str(v) ?? 'http').toLowerCase();

function endpointText(e: Record<string, Json>): string {
  const port = str(e.port) ? `port ${code(str(e.port)!)}` : str(e.targetPort) ? `target port ${code(str(e.targetPort)!)}` : 'every port';
  return `${port} ${str(e.path) ?? '/metrics'}`;
}

function scrapeRows(m: KubernetesObject): Row[] {
  const spec = rec(m.spec);
  const namespace = m.metadata.namespace ?? 'default';
  const id = `${m.kind} ${code(nsName(m))}`;
  const row = (endpoint: string, e: Record<string, Json>, scheme: string): Row => [id, endpoint, scheme.toUpperCase(), tlsText(scheme, e.tlsConfig, namespace), authText(e, namespace)];
  switch (m.kind) {
    case 'ServiceMonitor': return arr(spec.endpoints).map(rec).map((e) => row(endpointText(e), e, schemeOf(e.scheme)));
    case 'PodMonitor': return arr(spec.podMetricsEndpoints).map(rec).map((e) => row(endpointText(e), e, schemeOf(e.scheme)));
    case 'Probe': {
      const prober = rec(spec.prober);
      return [row(`prober ${code(str(prober.url) ?? '?')}${str(prober.path) ? ` ${str(prober.path)}` : ''}`, spec, schemeOf(prober.scheme))];
    }
    case 'ScrapeConfig': {
      const sources = Object.keys(spec).filter((k) => k.endsWith('SDConfigs') || k === 'staticConfigs').sort(byText);
      return [row(sources.join(', ') || 'no targets', spec, schemeOf(spec.scheme))];
    }
    default: return [];
  }
}

function scrapeSection({ manifests }: Context): string[] {
  const monitors = manifests.filter((m) => isGroup(m, 'monitoring.coreos.com') && ['ServiceMonitor', 'PodMonitor', 'Probe', 'ScrapeConfig'].includes(m.kind));
  // Sorted by monitor; endpoints keep their written order (a ServiceMonitor's endpoints are an ordered list).
  const rows = monitors.sort((a, b) => byText(`${a.kind} ${nsName(a)}`, `${b.kind} ${nsName(b)}`)).flatMap(scrapeRows);
  return [
    '### Scrape TLS and auth',
    '',
    'How Prometheus reaches each target: a target whose certificate is not verified can be impersonated on the network.',
    '',
    ...(rows.length ? table(['Monitor', 'Endpoint', 'Scheme', 'TLS', 'Authentication'], grouped(rows)) : ['No ServiceMonitor, PodMonitor, Probe or ScrapeConfig.']),
    '',
  ];
}
