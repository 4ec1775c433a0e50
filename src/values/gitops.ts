// Values of the optional GitOps output: an Argo CD Application and/or a Flux Kustomization per stack, written to
// `<out>/<stack>/gitops/` and pointing at exactly the stack's manifests (never its dashboard JSON or SUMMARY.md).

/** An Argo CD `Application` (argoproj.io/v1alpha1) syncing the stack's manifests from the Git repository. */
export interface ArgoCdValues {
  /** The Git repository holding the synthesized output, e.g. `https://github.com/acme/observability.git`. */
  readonly repoURL: string;
  /**
   * Branch, tag or commit Argo CD syncs.
   * @default "main"
   */
  readonly targetRevision?: string;
  /**
   * The Argo CD project of the Application.
   * @default "default"
   */
  readonly project?: string;
  /**
   * Namespace Argo CD runs in: where the Application object lives.
   * @default "argocd"
   */
  readonly namespace?: string;
  /**
   * The cluster the stack is deployed to: `server` (API URL) or `name` (an Argo CD cluster secret's name), not both.
   * @default { server: "https://kubernetes.default.svc" }, in a fleet { name: <cluster> }
   */
  readonly destination?: { readonly server?: string; readonly name?: string };
  readonly syncPolicy?: {
    /**
     * Sync on every change of the repository (else only by hand).
     * @default true
     */
    readonly automated?: boolean;
    /**
     * Delete objects the stack no longer generates.
     * @default false
     */
    readonly prune?: boolean;
    /**
     * Undo changes made in the cluster by hand.
     * @default false
     */
    readonly selfHeal?: boolean;
  };
}

/** A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1) applying the stack folder's `kustomization.yaml`. */
export interface FluxValues {
  /** The Flux source holding the synthesized output. */
  readonly sourceRef: {
    /** @default "GitRepository" */
    readonly kind?: 'GitRepository' | 'OCIRepository' | 'Bucket';
    readonly name: string;
    /** @default the Kustomization's namespace */
    readonly namespace?: string;
  };
  /**
   * How often Flux reconciles the stack (a Go duration).
   * @default "5m"
   */
  readonly interval?: string;
  /**
   * Delete objects the stack no longer generates (Flux garbage collection).
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Namespace Flux runs in: where the Kustomization object lives.
   * @default "flux-system"
   */
  readonly namespace?: string;
}

/** Argo CD and Flux objects for the stack, beside its manifests in `<out>/<stack>/gitops/`. */
export interface GitopsValues {
  /**
   * Folder of the synth output in the repository (`o11y synth --out`): the stack's manifests are in `<path>/<stack>`.
   * @default "dist"
   */
  readonly path?: string;
  readonly argocd?: ArgoCdValues;
  readonly flux?: FluxValues;
}

export const GITOPS_DEFAULTS = {
  path: 'dist',
  argocd: { targetRevision: 'main', project: 'default', namespace: 'argocd', server: 'https://kubernetes.default.svc', automated: true, prune: false, selfHeal: false },
  flux: { kind: 'GitRepository', interval: '5m', prune: true, namespace: 'flux-system' },
} as const;
