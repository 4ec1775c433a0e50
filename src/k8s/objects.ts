// Small factories for the objects every component repeats, with the secure choices made once.
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { PeerAllowance } from './network';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

export function serviceAccount(scope: Construct, meta: ObjectMeta, automountToken: boolean): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, `ServiceAccount-${meta.name}`, {
    metadata: meta,
    automountServiceAccountToken: automountToken,
  });
}

/** A ClusterRole and its binding to one ServiceAccount. Rules are listed resource by resource: no wildcards. */
export function clusterRoleFor(scope: Construct, meta: ObjectMeta, rules: k8s.PolicyRule[]): void {
  const { namespace, ...clusterMeta } = meta;
  new k8s.KubeClusterRole(scope, `ClusterRole-${meta.name}`, { metadata: clusterMeta, rules });
  new k8s.KubeClusterRoleBinding(scope, `ClusterRoleBinding-${meta.name}`, {
    metadata: clusterMeta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: meta.name },
    subjects: [{ kind: 'ServiceAccount', name: meta.name, namespace }],
  });
}

/** A Role and its binding to the ServiceAccount of the same name, in one namespace. */
export function roleFor(scope: Construct, meta: ObjectMeta, rules: k8s.PolicyRule[]): void {
  new k8s.KubeRole(scope, `Role-${meta.name}`, { metadata: meta, rules });
  new k8s.KubeRoleBinding(scope, `RoleBinding-${meta.name}`, {
    metadata: meta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: meta.name },
    subjects: [{ kind: 'ServiceAccount', name: meta.name, namespace: meta.namespace }],
  });
}

/** What a component's pods may receive and reach; everything else is denied. */
export interface Allowances {
  readonly ingress: readonly PeerAllowance[];
  /** A function is called at synth, for egress that depends on what is added after the constructor. */
  readonly egress: readonly PeerAllowance[] | (() => readonly PeerAllowance[]);
}

function peers(allow: PeerAllowance): k8s.NetworkPolicyPeer[] {
  return [
    ...(allow.pods ?? []).map((labels) => ({ podSelector: { matchLabels: { ...labels } } })),
    ...(allow.podsIn ?? []).map((p) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } },
      podSelector: { matchLabels: { ...p.pods } },
    })),
    ...(allow.namespaces === 'all'
      ? [{ namespaceSelector: {} }]
      : (allow.namespaces ?? []).map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }))),
    ...(allow.cidrs ?? []).map((c) => (typeof c === 'string' ? { ipBlock: { cidr: c } } : { ipBlock: { cidr: c.cidr, ...(c.except?.length ? { except: [...c.except] } : {}) } })),
  ];
}

function ports(allow: PeerAllowance): k8s.NetworkPolicyPort[] | undefined {
  return allow.ports.length ? allow.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' })) : undefined;
}

/** An allowance that names no peer lets nobody through: written as an empty peer list it would let everybody. */
function rules<K extends 'from' | 'to'>(allowances: readonly PeerAllowance[], peersKey: K): Array<Record<K, k8s.NetworkPolicyPeer[]> & { ports?: k8s.NetworkPolicyPort[] }> {
  return allowances.filter((a) => peers(a).length > 0)
    .map((a) => ({ [peersKey]: peers(a), ...(ports(a) ? { ports: ports(a) } : {}) }) as Record<K, k8s.NetworkPolicyPeer[]> & { ports?: k8s.NetworkPolicyPort[] });
}

/**
 * Default-deny ingress and egress for the selected pods, except what is listed: least privilege on the network, as
 * the flow analyzer (analyze/network-flows.ts) checks on what is written.
 */
export function networkPolicy(scope: Construct, meta: ObjectMeta, podSelector: Record<string, string>, allow: Allowances): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `NetworkPolicy-${meta.name}`, {
    metadata: meta,
    spec: {
      podSelector: { matchLabels: podSelector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: rules(allow.ingress, 'from'),
      egress: typeof allow.egress === 'function' ? Lazy.any({ produce: () => rules((allow.egress as () => readonly PeerAllowance[])(), 'to') }) : rules(allow.egress, 'to'),
    },
  });
}

/**
 * More egress for pods another policy already isolates: policies add up, so this opens only what it lists (for
 * destinations known after the pods' own policy, such as a Prometheus' static scrape targets).
 */
export function egressPolicy(scope: Construct, meta: ObjectMeta, podSelector: Record<string, string>, egress: () => readonly PeerAllowance[]): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `NetworkPolicy-${meta.name}`, {
    metadata: meta,
    spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Egress'], egress: Lazy.any({ produce: () => rules(egress(), 'to') }) },
  });
}

/** Keeps all but one replica through voluntary disruptions (drains, upgrades). */
export function podDisruptionBudget(scope: Construct, meta: ObjectMeta, podSelector: Record<string, string>): void {
  new k8s.KubePodDisruptionBudget(scope, `PodDisruptionBudget-${meta.name}`, {
    metadata: meta,
    spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: podSelector } },
  });
}

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

export function service(
  scope: Construct,
  meta: ObjectMeta,
  selector: Record<string, string>,
  ports: ServicePort[],
  options: { headless?: boolean; sessionAffinity?: 'ClientIP' } = {},
): void {
  new k8s.KubeService(scope, `Service-${meta.name}`, {
    metadata: meta,
    spec: {
      selector,
      ...(options.headless ? { clusterIp: 'None' } : {}),
      ...(options.sessionAffinity ? { sessionAffinity: options.sessionAffinity } : {}),
      ports: ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: k8s.IntOrString.fromString(p.name),
        protocol: p.protocol ?? 'TCP',
      })),
    },
  });
}
