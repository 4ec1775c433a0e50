// The default stack: what kube-prometheus deploys, with every default of cdk8s-o11y.
// `npx o11y synth stacks/default.ts` writes it to dist/default/.
// `npx o11y drill stacks/default.ts` proves its alerting on a real Prometheus and Alertmanager: a real node_exporter
// stopped (TargetDown), the Watchdog heartbeat, and the three scenarios below.
import { defineStack } from 'cdk8s-o11y';

const ksm = (metric: string, labels: string, values: string) => ({ series: `${metric}{job="kube-state-metrics", ${labels}}`, values });

export default defineStack({
  common: {
    namespace: 'monitoring',
    clusterName: 'default',
  },
  drill: {
    scenarios: [
      {
        // Info alerts wait for something serious: InfoInhibitor holds them while nothing else fires in the namespace.
        name: 'a quota almost full stays quiet',
        series: [
          ksm('kube_resourcequota', 'namespace="team-a", resourcequota="objects", resource="pods", type="hard"', '100x40'),
          ksm('kube_resourcequota', 'namespace="team-a", resourcequota="objects", resource="pods", type="used"', '50x4 95x35'),
        ],
        expect: [{ alert: 'KubeQuotaAlmostFull', inhibited: true }],
      },
      {
        // Routes group by namespace: a crash-looping pod and a pending one in `shop` reach the receiver together.
        name: 'a bad rollout in shop',
        series: [
          ksm('kube_pod_container_status_waiting_reason', 'namespace="shop", pod="api-7d9f-x2k4p", container="api", reason="CrashLoopBackOff"', '0x4 1x35'),
          ksm('kube_pod_status_phase', 'namespace="shop", pod="api-7d9f-z8m1q", phase="Pending"', '0x4 1x35'),
          ksm('kube_pod_owner', 'namespace="shop", pod="api-7d9f-z8m1q", owner_kind="ReplicaSet", owner_name="api-7d9f"', '1x40'),
        ],
        expect: [
          { alert: 'KubePodCrashLooping', receivers: ['null'], groupedWith: ['KubePodNotReady'] },
          { alert: 'KubePodNotReady', receivers: ['null'], groupedWith: ['KubePodCrashLooping'] },
        ],
      },
      {
        // A built-in simulation: one of four nodes stops reporting Ready, and its node-exporter goes quiet.
        name: 'a node goes down',
        simulate: { kind: 'node-down', namespace: 'monitoring', app: 'node-exporter', replicas: 4, affected: 1 },
        expect: [{ alert: 'KubeNodeNotReady', receivers: ['null'] }, { alert: 'TargetDown', receivers: ['null'] }],
      },
    ],
  },
});
