// Our reference platform: a cluster-wide `Platform` resource whose status says how the whole platform is
// (state, and a list of modules with a state each), and one `Module` resource per module with its conditions.
// Three metrics come out (platform state, per-module state, per-condition status), each with an alert and a
// dashboard: "is every module healthy?" in one place. `npx o11y synth stacks/platform.ts` writes dist/platform/.
import { defineStack } from 'cdk8s-o11y';

const STATES = ['Error', 'Processing', 'Ready', 'Deleting', 'Warning'];

export default defineStack({
  common: { clusterName: 'platform-dev' },
  kubeStateMetrics: {
    crStatusMonitors: [
      {
        group: 'platform.example.com',
        version: 'v1',
        kind: 'Platform',
        plural: 'platforms',
        namespaced: false,
        states: STATES,
        healthy: 'Ready',
        lists: [{ path: ['status', 'modules'], label: 'module', nameField: ['name'], stateField: ['state'] }],
        alertAfter: '15m',
        severity: 'critical',
      },
      {
        group: 'platform.example.com',
        version: 'v1',
        kind: 'Module',
        plural: 'modules',
        states: STATES,
        healthy: 'Ready',
        conditions: true,
        alertAfter: '10m',
      },
    ],
  },
});
