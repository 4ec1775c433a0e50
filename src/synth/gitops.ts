// The GitOps output of a stack (values `gitops`): an Argo CD Application and a Flux Kustomization in
// `<stack>/gitops/`, a `kustomization.yaml` in the stack folder for Flux, and sync waves on the manifests for
// Argo CD. Both tools apply exactly the stack's manifests: never the dashboard JSON, SUMMARY.md, the plain files
// an administrator installs by hand, nor the gitops/ objects themselves.
import { checkGoDuration } from '../core/checks';
import type { KubernetesObject } from '../core/primitives';
import { StackError, type StackProblem } from '../core/problems';
import { toYaml } from '../core/yaml';
import { GITOPS_DEFAULTS, type ArgoCdValues, type FluxValues, type GitopsValues } from '../values/gitops';

/** Folder of the Application and Kustomization, inside the stack folder (excluded from what they apply). */
export const GITOPS_FOLDER = 'gitops';
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/**
 * The order objects are applied in: CRDs, then Namespaces, then the Prometheus Operator (which must run before
 * the custom resources it reconciles), then the rest. Argo CD reads it as sync waves; the kustomization.yaml lists
 * the files in the same order.
 */
export function applyOrder(kind: string, component: string): number {
  if (kind === 'CustomResourceDefinition') return -3;
  if (kind === 'Namespace') return -2;
  if (component === 'prometheus-operator') return -1;
  return 0;
}

/**
 * The manifest as Argo CD syncs it: its sync wave, and server-side apply for CRDs (the Prometheus Operator's are too
 * large for the last-applied annotation of a client-side apply).
 */
export function withSyncWave(manifest: KubernetesObject, component: string): KubernetesObject {
  const crd = manifest.kind === 'CustomResourceDefinition';
  const annotations = {
    ...manifest.metadata.annotations,
    [SYNC_WAVE]: String(applyOrder(manifest.kind, component)),
    ...(crd ? { [SYNC_OPTIONS]: 'ServerSideApply=true' } : {}),
  };
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/** One manifest file of the stack folder, as the layout writes it. */
export interface ManifestFile {
  /** Relative to the stack folder: `<component>/<Kind>-<name>.yaml`. */
  readonly path: string;
  readonly kind: string;
  readonly component: string;
}

export interface GitopsInput {
  readonly stackName: string;
  readonly gitops: GitopsValues | undefined;
  readonly manifests: readonly ManifestFile[];
  /** Files in the stack folder that are not objects to apply (plain configuration files), relative to it. */
  readonly plainFiles: readonly string[];
}

/** A file of the GitOps output, relative to the stack folder, without its header. */
export interface GitopsFile {
  readonly path: string;
  readonly content: string;
}

function checkGitops(gitops: GitopsValues): StackProblem[] {
  const problems: StackProblem[] = [];
  const path = gitops.path ?? GITOPS_DEFAULTS.path;
  if (path === '' || path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '')) {
    problems.push({ field: 'gitops.path', message: `'${path}' is not a folder of the repository`, fix: "give the synth output folder relative to the repository root, e.g. 'dist' or 'clusters/dist'" });
  }
  const argocd = gitops.argocd;
  if (argocd) {
    if (typeof argocd.repoURL !== 'string' || !argocd.repoURL.trim()) {
      problems.push({ field: 'gitops.argocd.repoURL', message: 'is empty', fix: "name the Git repository Argo CD syncs from, e.g. 'https://github.com/acme/observability.git'" });
    }
    if (argocd.destination?.server !== undefined && argocd.destination.name !== undefined) {
      problems.push({ field: 'gitops.argocd.destination', message: 'sets both server and name', fix: 'keep one: server (the API URL) or name (an Argo CD cluster)' });
    }
  }
  const flux = gitops.flux;
  if (flux) {
    if (typeof flux.sourceRef?.name !== 'string' || !flux.sourceRef.name.trim()) {
      problems.push({ field: 'gitops.flux.sourceRef.name', message: 'is empty', fix: 'name the Flux GitRepository (or OCIRepository, Bucket) holding the synth output' });
    }
    const interval = checkGoDuration(flux.interval, 'gitops.flux.interval');
    if (interval) problems.push(interval);
  }
  return problems;
}

/** Brace list of Argo CD globs: `{a,b}`, or the one pattern alone. */
const globs = (patterns: readonly string[]): string => (patterns.length === 1 ? patterns[0] : `{${patterns.join(',')}}`);

function argoApplication(input: GitopsInput, argocd: ArgoCdValues, repoPath: string): KubernetesObject {
  const d = GITOPS_DEFAULTS.argocd;
  const sync = argocd.syncPolicy ?? {};
  const destination = argocd.destination?.name !== undefined ? { name: argocd.destination.name } : { server: argocd.destination?.server ?? d.server };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: input.stackName, namespace: argocd.namespace ?? d.namespace },
    spec: {
      project: argocd.project ?? d.project,
      source: {
        repoURL: argocd.repoURL,
        targetRevision: argocd.targetRevision ?? d.targetRevision,
        path: `${repoPath}/${input.stackName}`,
        // Every YAML file below the stack folder is an object to apply, except these.
        directory: {
          recurse: true,
          include: '*.yaml',
          exclude: globs([KUSTOMIZATION_FILE, `${GITOPS_FOLDER}/*`, ...input.plainFiles]),
        },
      },
      destination,
      syncPolicy: (sync.automated ?? d.automated) ? { automated: { prune: sync.prune ?? d.prune, selfHeal: sync.selfHeal ?? d.selfHeal } } : {},
    },
  };
}

function fluxKustomization(input: GitopsInput, flux: FluxValues, repoPath: string): KubernetesObject {
  const d = GITOPS_DEFAULTS.flux;
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: input.stackName, namespace: flux.namespace ?? d.namespace },
    spec: {
      interval: flux.interval ?? d.interval,
      // Flux builds the stack folder's kustomization.yaml: exactly the manifests it lists.
      path: `./${repoPath}/${input.stackName}`,
      prune: flux.prune ?? d.prune,
      sourceRef: { kind: flux.sourceRef.kind ?? d.kind, name: flux.sourceRef.name, ...(flux.sourceRef.namespace !== undefined ? { namespace: flux.sourceRef.namespace } : {}) },
    },
  };
}

/** The stack's manifest files in apply order (CRDs first), then by path. */
export function manifestsInApplyOrder(manifests: readonly ManifestFile[]): ManifestFile[] {
  return [...manifests].sort((a, b) => applyOrder(a.kind, a.component) - applyOrder(b.kind, b.component) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The GitOps files of a stack (none without `gitops` values); throws a StackError on wrong values. */
export function gitopsFiles(input: GitopsInput): GitopsFile[] {
  const gitops = input.gitops;
  if (!gitops || (!gitops.argocd && !gitops.flux)) return [];
  const problems = checkGitops(gitops);
  if (problems.length) throw new StackError(input.stackName, problems);
  const repoPath = (gitops.path ?? GITOPS_DEFAULTS.path).replace(/^\.\//, '');
  const files: GitopsFile[] = [];
  if (gitops.argocd) files.push({ path: `${GITOPS_FOLDER}/argocd-application.yaml`, content: toYaml(argoApplication(input, gitops.argocd, repoPath)) });
  if (gitops.flux) {
    files.push({ path: `${GITOPS_FOLDER}/flux-kustomization.yaml`, content: toYaml(fluxKustomization(input, gitops.flux, repoPath)) });
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: manifestsInApplyOrder(input.manifests).map((m) => m.path),
    };
    files.push({ path: KUSTOMIZATION_FILE, content: toYaml(kustomization) });
  }
  return files;
}
