// A fleet: one stack per cluster, each the shared base (stacks/lib/common.ts) with the cluster's overrides merged
// over it. `npx o11y synth stacks/fleet.ts` writes dist/eu-1/ and dist/us-1/, each with an Argo CD Application
// and a Flux Kustomization in its gitops/ folder.
import { defineFleet } from 'cdk8s-o11y';
import { base } from './lib/common';

export default defineFleet({
  base,
  clusters: {
    'eu-1': {
      prometheus: { externalLabels: { region: 'eu-west-1' } },
    },
    'us-1': {
      prometheus: { replicas: 3, retention: '30d', externalLabels: { region: 'us-east-1' } },
    },
  },
});
