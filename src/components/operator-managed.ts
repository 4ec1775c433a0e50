// What the Prometheus and Alertmanager components share: both are StatefulSets the operator runs from a custom resource.
import type { PodSecurityContext, StorageSpec } from '../k8s/monitoring';
import type { Quantity } from '../core/primitives';
import type { Affinity } from '../k8s/scheduling';

export interface StorageValues {
  /** Size of each replica's volume, e.g. `50Gi`. */
  readonly size: Quantity;
  /** @default the cluster's default StorageClass */
  readonly storageClassName?: string;
}

export function storageSpec(storage: StorageValues | undefined): StorageSpec | undefined {
  if (!storage) return undefined;
  return {
    volumeClaimTemplate: {
      spec: {
        ...(storage.storageClassName ? { storageClassName: storage.storageClassName } : {}),
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: storage.size } },
      },
    },
  };
}

/** Prefers spreading replicas over nodes, so that one node going down never takes all of them. */
export function spreadOverNodes(selector: Record<string, string>): Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } },
      ],
    },
  };
}

/** The images' own non-root user, with a group that owns the volume. */
export const OPERATOR_POD_SECURITY: PodSecurityContext = { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 2000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } };

/**
 * Which objects of a kind the operator hands to Prometheus or Alertmanager, from every namespace: `all`, as
 * kube-prometheus does (other teams' and charts' objects work without a label), or only those with these labels.
 */
export type Selection = 'all' | { readonly matchLabels: Record<string, string> };

export function labelSelector(selection: Selection): { matchLabels?: Record<string, string> } {
  return selection === 'all' ? {} : { matchLabels: { ...selection.matchLabels } };
}
