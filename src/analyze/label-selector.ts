// Kubernetes label selectors (metav1.LabelSelector), shared by the analyzers that match pods and namespaces.

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  readonly matchLabels?: Labels;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: readonly string[] }>;
}

/**
 * Kubernetes label selector semantics: matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) all
 * hold; an empty selector selects everything, a missing one nothing (callers decide what a missing field means).
 */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return false;
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => has(k) && labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return has(e.key) && (e.values ?? []).includes(labels[e.key]);
      case 'NotIn': return !has(e.key) || !(e.values ?? []).includes(labels[e.key]);
      case 'Exists': return has(e.key);
      case 'DoesNotExist': return !has(e.key);
      // The API server rejects any other operator; a selector it would not accept selects nothing.
      default: return false;
    }
  });
}
