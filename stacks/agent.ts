// A leaf cluster in agent mode: a PrometheusAgent scrapes what a full stack would (the exporters, the control
// plane, applications) and remote-writes everything to the central Prometheus, where the rules, Alertmanager and
// Grafana run. `npx o11y synth stacks/agent.ts` writes it to dist/agent/: no PrometheusRule, no Alertmanager.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: { clusterName: 'edge-store-42' },
  prometheus: {
    mode: 'agent',
    replicas: 1,
    walCompression: true,
    remoteWrite: [{
      name: 'central',
      url: 'https://metrics.example.com/api/v1/write',
      bearerToken: { name: 'remote-write', key: 'token' },
    }],
  },
  applications: [
    { name: 'till', namespace: 'store', selector: { 'app.kubernetes.io/name': 'till' }, port: 'metrics' },
  ],
});
