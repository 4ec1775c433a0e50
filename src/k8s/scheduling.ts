// Where a component's pods run: the scheduling fields every component takes, the same for Deployments,
// DaemonSets and the operator's custom resources.

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: string[];
}

export interface SchedulingLabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: LabelSelectorRequirement[];
}

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  readonly values?: string[];
}

export interface NodeSelectorTerm {
  readonly matchExpressions?: NodeSelectorRequirement[];
  readonly matchFields?: NodeSelectorRequirement[];
}

export interface PodAffinityTerm {
  readonly topologyKey: string;
  readonly labelSelector?: SchedulingLabelSelector;
  readonly namespaces?: string[];
  readonly namespaceSelector?: SchedulingLabelSelector;
}

export interface PodAffinityRules {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: Array<{ readonly weight: number; readonly podAffinityTerm: PodAffinityTerm }>;
}

/** The Kubernetes pod affinity, as written in a pod spec. */
export interface Affinity {
  readonly nodeAffinity?: {
    readonly requiredDuringSchedulingIgnoredDuringExecution?: { readonly nodeSelectorTerms: NodeSelectorTerm[] };
    readonly preferredDuringSchedulingIgnoredDuringExecution?: Array<{ readonly weight: number; readonly preference: NodeSelectorTerm }>;
  };
  readonly podAffinity?: PodAffinityRules;
  readonly podAntiAffinity?: PodAffinityRules;
}

/** A topology spread of the component's own pods (the label selector is theirs, filled in). */
export interface TopologySpread {
  /** e.g. `topology.kubernetes.io/zone`. */
  readonly topologyKey: string;
  /** @default 1 */
  readonly maxSkew?: number;
  /** @default "ScheduleAnyway" */
  readonly whenUnsatisfiable?: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly minDomains?: number;
}

/** Where a component's pods may run and how they are spread; every component takes it. */
export interface SchedulingValues {
  /** Merged over `kubernetes.io/os: linux`. */
  readonly nodeSelector?: Record<string, string>;
  /** Added to the component's own tolerations. */
  readonly tolerations?: Toleration[];
  /** Replaces the component's default affinity (replicated components prefer one replica per node). */
  readonly affinity?: Affinity;
  readonly topologySpread?: TopologySpread[];
  /** A PriorityClass the cluster has, e.g. `system-cluster-critical`. */
  readonly priorityClassName?: string;
}

/** The pod spec fields of a component's scheduling, over its own defaults. */
export interface SchedulingFields {
  nodeSelector: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  topologySpreadConstraints?: Array<Required<Pick<TopologySpread, 'topologyKey' | 'maxSkew' | 'whenUnsatisfiable'>> & { minDomains?: number; labelSelector: { matchLabels: Record<string, string> } }>;
  priorityClassName?: string;
}

const LINUX = { 'kubernetes.io/os': 'linux' };

/**
 * The scheduling fields of pods selected by `podSelector`: the component's own tolerations and affinity first,
 * the values' fields over them. Empty lists are left out, so an unscheduled component's output is unchanged.
 */
export function schedulingFields(
  values: SchedulingValues | undefined,
  podSelector: Record<string, string>,
  own: { tolerations?: readonly Toleration[]; affinity?: Affinity; priorityClassName?: string } = {},
): SchedulingFields {
  const tolerations = [...(own.tolerations ?? []), ...(values?.tolerations ?? [])];
  const affinity = values?.affinity ?? own.affinity;
  const priorityClassName = values?.priorityClassName ?? own.priorityClassName;
  const spread = (values?.topologySpread ?? []).map((s) => ({
    maxSkew: s.maxSkew ?? 1,
    topologyKey: s.topologyKey,
    whenUnsatisfiable: s.whenUnsatisfiable ?? 'ScheduleAnyway' as const,
    ...(s.minDomains !== undefined ? { minDomains: s.minDomains } : {}),
    labelSelector: { matchLabels: { ...podSelector } },
  }));
  return {
    nodeSelector: { ...LINUX, ...values?.nodeSelector },
    ...(tolerations.length ? { tolerations } : {}),
    ...(affinity ? { affinity } : {}),
    ...(spread.length ? { topologySpreadConstraints: spread } : {}),
    ...(priorityClassName ? { priorityClassName } : {}),
  };
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What is wrong with a component's scheduling values, each naming its field under `field`. */
export function checkScheduling(values: SchedulingValues | undefined, field: string): Array<{ field: string; message: string; fix: string }> {
  const problems: Array<{ field: string; message: string; fix: string }> = [];
  if (!values) return problems;
  if (values.priorityClassName !== undefined && !(DNS_SUBDOMAIN.test(values.priorityClassName) && values.priorityClassName.length <= 253)) {
    problems.push({ field: `${field}.priorityClassName`, message: `'${values.priorityClassName}' is not a PriorityClass name`, fix: 'name a PriorityClass of the cluster (kubectl get priorityclasses), e.g. system-cluster-critical' });
  }
  (values.tolerations ?? []).forEach((t, i) => {
    if (t.operator === 'Exists' && t.value !== undefined) problems.push({ field: `${field}.tolerations[${i}]`, message: "operator 'Exists' takes no value", fix: "drop the value, or use operator 'Equal'" });
    if (t.key === undefined && t.operator !== 'Exists') problems.push({ field: `${field}.tolerations[${i}]`, message: 'a toleration without a key must use operator Exists (it then tolerates every taint)', fix: "add the taint's key, or set operator: 'Exists'" });
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') problems.push({ field: `${field}.tolerations[${i}].tolerationSeconds`, message: 'applies only to effect NoExecute', fix: "set effect: 'NoExecute', or drop tolerationSeconds" });
  });
  (values.topologySpread ?? []).forEach((s, i) => {
    if (s.maxSkew !== undefined && !(Number.isInteger(s.maxSkew) && s.maxSkew >= 1)) problems.push({ field: `${field}.topologySpread[${i}].maxSkew`, message: `must be a whole number of at least 1, got ${s.maxSkew}`, fix: 'use 1 to spread evenly' });
    if (s.minDomains !== undefined && s.whenUnsatisfiable !== 'DoNotSchedule') problems.push({ field: `${field}.topologySpread[${i}].minDomains`, message: 'Kubernetes accepts minDomains only with whenUnsatisfiable DoNotSchedule', fix: "set whenUnsatisfiable: 'DoNotSchedule', or drop minDomains" });
    if (!s.topologyKey) problems.push({ field: `${field}.topologySpread[${i}].topologyKey`, message: 'is empty', fix: 'name a node label, e.g. topology.kubernetes.io/zone' });
  });
  return problems;
}
