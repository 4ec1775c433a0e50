// Control-plane tracing: Kelemetry turns the kube-apiserver's audit events, the cluster's Events and object changes
// into one trace per object (a Deployment's trace holds its ReplicaSets' and Pods', linked by owner references), in
// Jaeger, shown in the Jaeger UI and in Grafana. `npx o11y synth stacks/tracing.ts` writes dist/tracing/, with
// control-plane-config/ (the audit policy and webhook kubeconfig for the kube-apiserver) and the steps in SUMMARY.md.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: { clusterName: 'tracing-dev' },
  controlPlaneTracing: {
    enabled: true,
    webhook: {
      // A free address of the cluster's Service CIDR: the kube-apiserver reaches it through kube-proxy.
      clusterIP: '10.96.0.50',
      // The control-plane nodes' subnet: the only sources let into the webhook.
      apiServerCidrs: ['10.0.0.0/24'],
    },
    storage: { type: 'badger', size: '20Gi', retention: '168h' },
    // Also trace a team's custom resources (Kelemetry gets get/list/watch on exactly these).
    traceResources: [
      { group: '', resources: ['pods', 'nodes', 'namespaces', 'services', 'persistentvolumeclaims', 'serviceaccounts'] },
      { group: 'apps', resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
      { group: 'batch', resources: ['jobs', 'cronjobs'] },
      { group: 'platform.example.com', resources: ['modules'] },
    ],
  },
});
