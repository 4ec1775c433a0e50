// The default stack: what kube-prometheus deploys, with every default of cdk8s-o11y.
// `npx o11y synth stacks/default.ts` writes it to dist/default/.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: {
    namespace: 'monitoring',
    clusterName: 'default',
  },
});
