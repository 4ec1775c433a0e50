// Chaos experiments from our reference talk, each with the alerts it must set off (its contract), checked at
// synth against the rules and the routing before anything runs:
// DNS errors for chosen domains in checkout (its memory alert must fire), a pod-failure on checkout, and CPU and
// memory stress on the web server (its latency alert must fire and reach the incident tool).
// `npx o11y drill stacks/chaos.ts` plays the contracts on a real Prometheus and Alertmanager: built-in simulations of
// the pod failure and the stress, and the scenario below for the DNS errors, which no simulation can guess.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: { clusterName: 'staging' },
  applications: [
    {
      name: 'checkout',
      namespace: 'shop',
      selector: { 'app.kubernetes.io/name': 'checkout' },
      port: 'metrics',
      alerts: [
        {
          alert: 'CheckoutMemoryHigh',
          expr: 'max by (namespace, pod) (container_memory_working_set_bytes{namespace="shop", pod=~"checkout-.*", container!=""}) > 500 * 1024 * 1024',
          for: '2m',
          severity: 'warning',
          summary: 'Checkout pod {{ $labels.pod }} uses more than 500 MiB.',
        },
      ],
    },
    {
      name: 'web',
      namespace: 'web',
      selector: { 'app.kubernetes.io/name': 'web' },
      port: 'metrics',
      alerts: [
        {
          alert: 'WebLatencyHigh',
          expr: 'histogram_quantile(0.99, sum by (namespace, le) (rate(http_request_duration_seconds_bucket{namespace="web"}[5m]))) > 1',
          for: '5m',
          severity: 'critical',
          summary: 'The web server answers slowly: p99 {{ $value | humanizeDuration }} in {{ $labels.namespace }}.',
        },
      ],
    },
  ],
  rules: { knownMetrics: ['http_request_duration_seconds_bucket'] },
  alertmanager: {
    receivers: [
      { name: 'null', type: 'null' },
      { name: 'incident-tool', type: 'webhook', url: 'https://incidents.example.com/api/v1/alertmanager', bearerToken: { name: 'alertmanager-incident-tool', key: 'token' } },
    ],
    route: {
      receiver: 'incident-tool',
      groupBy: ['alertname', 'namespace'],
      routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }],
    },
  },
  drill: {
    scenarios: [
      {
        // No built-in simulation knows what DNS errors do to checkout: here, its retry queue grows until memory alerts.
        name: 'checkout retries pile up while DNS fails',
        chaos: 'checkout-dns-errors',
        startsAt: '4m',
        series: [
          {
            series: 'container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", namespace="shop", pod="checkout-6d5f8b7c9-x2k4p", container="checkout"}',
            values: '300000000x4 450000000 600000000+20000000x10 800000000x20',
          },
        ],
      },
    ],
  },
  chaos: {
    schedules: [
      {
        name: 'checkout-dns-errors',
        schedule: '0 3 * * 1-5',
        experiment: { kind: 'DNSChaos', action: 'error', patterns: ['payments.example.com', '*.psp.example.com'] },
        selector: { namespaces: ['shop'], labels: { 'app.kubernetes.io/name': 'checkout' } },
        mode: { mode: 'one' },
        duration: '10m',
        expects: [{ alert: 'CheckoutMemoryHigh', within: '10m', receivers: ['incident-tool'] }],
      },
      {
        name: 'checkout-pod-failure',
        schedule: '0 4 * * 2',
        experiment: { kind: 'PodChaos', action: 'pod-failure' },
        selector: { namespaces: ['shop'], labels: { 'app.kubernetes.io/name': 'checkout' } },
        mode: { mode: 'fixed-percent', value: 50 },
        duration: '20m',
        expects: [{ alert: 'KubeDeploymentReplicasMismatch', within: '25m', receivers: ['incident-tool'] }],
      },
      {
        name: 'web-stress',
        schedule: '30 4 * * 3',
        experiment: { kind: 'StressChaos', cpu: { workers: 2, load: 80 }, memory: { workers: 1, size: '256MB' } },
        selector: { namespaces: ['web'], labels: { 'app.kubernetes.io/name': 'web' } },
        mode: { mode: 'all' },
        allow: { modeAll: true },
        duration: '15m',
        expects: [{ alert: 'WebLatencyHigh', within: '10m', receivers: ['incident-tool'] }],
      },
    ],
  },
});
