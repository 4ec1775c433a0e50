// Fleets: one stack file, several clusters. Each cluster is a stack of its own (its values the base with the
// cluster's overrides merged over it, its name the cluster's), written to `<out>/<cluster>/`.
import { StackError, formatProblems, type StackProblem } from '../core/problems';
import { deepMerge } from '../values/resolve';
import type { StackValues } from '../values/stack-values';
import { defineStack, type StackDefinition } from './definition';
import type { ObservabilityStack } from './observability-stack';

const MARKER = 'cdk8s-o11y/fleet-definition';

/** Cluster names are stack names: folders under dist/ and the default `common.clusterName`. */
const CLUSTER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface FleetSpec {
  /** Values every cluster starts from. */
  readonly base: StackValues;
  /** Per cluster (by name), values merged over `base` the way stack values merge over the defaults. */
  readonly clusters: Readonly<Record<string, StackValues>>;
  /** Runs after each cluster's stack is built, as a stack's customize hook does. */
  readonly customize?: (stack: ObservabilityStack, cluster: string) => void;
}

/** What a fleet file exports (as its default export). */
export interface FleetDefinition extends FleetSpec {
  readonly [MARKER]: true;
}

/**
 * Declares a fleet: `export default defineFleet({ base, clusters: { 'eu-1': {...}, 'us-1': {...} } })`.
 * Objects merge key by key, arrays and scalars of a cluster replace the base's.
 */
export function defineFleet(spec: FleetSpec): FleetDefinition {
  return { [MARKER]: true, ...spec };
}

/** Duck-typed, like isStackDefinition. */
export function isFleetDefinition(value: unknown): value is FleetDefinition {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[MARKER] === true;
}

export interface FleetCluster {
  readonly cluster: string;
  readonly definition: StackDefinition;
}

/** Each cluster of a fleet as a stack definition; throws a StackError naming the fleet file when the fleet is malformed. */
export function fleetClusters(fleet: FleetDefinition, source: string): FleetCluster[] {
  const problems: StackProblem[] = [];
  const clusters = typeof fleet.clusters === 'object' && fleet.clusters !== null ? Object.keys(fleet.clusters).sort() : [];
  if (!clusters.length) problems.push({ field: 'clusters', message: 'names no cluster', fix: "list them: clusters: { 'eu-1': {}, 'us-1': { prometheus: { replicas: 3 } } }" });
  if (fleet.base?.name !== undefined) problems.push({ field: 'base.name', message: 'is set, but every cluster is named by its key', fix: 'remove `name`: the cluster key is the stack name' });
  for (const cluster of clusters) {
    if (!CLUSTER_NAME.test(cluster)) {
      problems.push({ field: `clusters.${cluster}`, message: `'${cluster}' is not a cluster name`, fix: 'use lowercase letters, digits and "-" (at most 63, starting and ending with a letter or digit), e.g. eu-1' });
    }
    if (fleet.clusters[cluster]?.name !== undefined) problems.push({ field: `clusters.${cluster}.name`, message: 'is set, but the cluster is named by its key', fix: 'remove `name`, or rename the key' });
  }
  if (problems.length) throw new FleetError(`fleet ${source}`, `fleet ${source}`, problems);
  return clusters.map((cluster) => {
    const merged = deepMerge(fleet.base ?? {}, fleet.clusters[cluster]) as StackValues;
    const argocd = merged.gitops?.argocd;
    // Each cluster's Application deploys to that cluster: by default the Argo CD cluster of the same name.
    const values: StackValues = {
      ...merged,
      name: cluster,
      ...(argocd && !argocd.destination ? { gitops: { ...merged.gitops, argocd: { ...argocd, destination: { name: cluster } } } } : {}),
    };
    const customize = fleet.customize;
    return { cluster, definition: defineStack(values, customize && ((stack) => customize(stack, cluster))) };
  });
}

/** A cluster's error, headed by the fleet file and the cluster: `fleet stacks/fleet.ts, cluster eu-1: 1 problem`. */
export function clusterError(error: StackError, source: string, cluster: string): StackError {
  return new FleetError(`fleet ${source}, cluster ${cluster}`, cluster, error.problems);
}

/** A StackError headed by where in a fleet it is, in place of `stack <name>`. */
class FleetError extends StackError {
  constructor(heading: string, stackName: string, problems: readonly StackProblem[]) {
    super(stackName, problems);
    this.message = `${heading}: ${formatProblems(stackName, problems).slice(`stack ${stackName}: `.length)}`;
  }
}
