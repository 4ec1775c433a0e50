// Small factories for the objects every component repeats, with the secure choices made once.
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';

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

export interface IngressAllowance {
  /** Pods (in the same namespace) allowed in; omit with `namespaces` to allow whole namespaces. */
  readonly fromPods?: Record<string, string>[];
  /** Namespaces (by name) allowed in; `all` for every namespace. */
  readonly fromNamespaces?: string[] | 'all';
  /** Addresses outside the pod network allowed in (e.g. the kube-apiserver's nodes), as CIDRs. */
  readonly fromCidrs?: string[];
  readonly ports: { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
}

/**
 * Default-deny ingress for the selected pods except what is listed. Egress stays open: scrapers, the operator
 * and Alertmanager reach the API server and receivers whose addresses a policy cannot know.
 */
export function networkPolicy(
  scope: Construct,
  meta: ObjectMeta,
  podSelector: Record<string, string>,
  allowances: IngressAllowance[],
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `NetworkPolicy-${meta.name}`, {
    metadata: meta,
    spec: {
      podSelector: { matchLabels: podSelector },
      policyTypes: ['Ingress', 'Egress'],
      egress: [{}],
      ingress: allowances.map((allow) => ({
        from: [
          ...(allow.fromPods ?? []).map((labels) => ({ podSelector: { matchLabels: labels } })),
          ...(allow.fromNamespaces === 'all'
            ? [{ namespaceSelector: {} }]
            : (allow.fromNamespaces ?? []).map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }))),
          ...(allow.fromCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
        ],
        ports: allow.ports.map((p) => ({ port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' })),
      })),
    },
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
