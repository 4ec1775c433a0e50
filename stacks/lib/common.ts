// Values every cluster of the fleet shares. A module under stacks/lib/ is never taken for a stack: stack files
// import it (`import { base } from './lib/common'`).
import type { StackValues } from 'cdk8s-o11y';

/** The GitOps repository the synthesized dist/ is committed to. */
export const GITOPS_REPO = 'https://github.com/example/observability.git';

export const base: StackValues = {
  common: { namespace: 'monitoring', labels: { team: 'platform' } },
  prometheus: { replicas: 2, retention: '15d' },
  gitops: {
    argocd: { repoURL: GITOPS_REPO, syncPolicy: { prune: true } },
    flux: { sourceRef: { name: 'observability' } },
  },
};
