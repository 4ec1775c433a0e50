// A production-shaped stack: persistent storage, remote write, a team's application with its own alerts,
// and two escape hatches. `npx o11y synth stacks/production.ts` writes it to dist/production/.
import { defineStack } from 'cdk8s-o11y';

export default defineStack(
  {
    common: {
      namespace: 'observability',
      clusterName: 'eu-prod-1',
      labels: { team: 'platform' },
      images: { grafana: { tag: '12.1.1' } },
    },
    prometheus: {
      replicas: 2,
      retention: '30d',
      retentionSize: '90GB',
      storage: { size: '100Gi', storageClassName: 'fast-ssd' },
      externalLabels: { region: 'eu-west-1' },
      // Spread over zones too, not only nodes.
      scheduling: { topologySpread: [{ topologyKey: 'topology.kubernetes.io/zone' }] },
      externalUrl: 'https://prometheus.example.com/',
      remoteWrite: [
        {
          name: 'long-term',
          url: 'https://metrics.example.com/api/v1/push',
          basicAuth: {
            username: { name: 'remote-write', key: 'username' },
            password: { name: 'remote-write', key: 'password' },
          },
          keepMetricsMatching: 'up|node_.*|kube_.*|slo:.*',
        },
      ],
    },
    alertmanager: { storage: { size: '5Gi' }, externalUrl: 'https://alertmanager.example.com/' },
    grafana: {
      rootUrl: 'https://grafana.example.com/',
      // The shop team ships dashboards as labeled ConfigMaps in its own namespace (a Role there, nowhere else).
      dashboardNamespaces: ['shop'],
      ingressNamespaces: ['ingress-nginx'],
      dashboardFiles: ['../dashboards/checkout.json'],
      dashboardFolder: 'Shop',
    },
    kubeStateMetrics: { metricLabelsAllowlist: { pods: ['app', 'team'], namespaces: ['team'] } },
    applications: [
      {
        name: 'checkout',
        namespace: 'shop',
        selector: { 'app.kubernetes.io/name': 'checkout' },
        port: 'http-metrics',
        interval: '15s',
        records: [
          {
            record: 'job:http_requests:rate5m',
            expr: 'sum by (job) (rate(http_requests_total{job="checkout"}[5m]))',
          },
        ],
        alerts: [
          {
            alert: 'CheckoutHighErrorRate',
            expr: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="checkout"}[5m])) > 0.05',
            for: '10m',
            severity: 'critical',
            summary: 'Checkout fails more than 5% of requests.',
            description: '{{ $value | humanizePercentage }} of checkout requests fail.',
          },
        ],
      },
    ],
    rules: {
      runbookBaseUrl: 'https://runbooks.example.com',
      files: ['../rules/checkout.yaml'],
      // The checkout service's own metrics: no component of the stack produces them.
      knownMetrics: ['http_requests_total', 'checkout_request_duration_seconds_bucket'],
      extraLabels: { cluster_tier: 'production' },
      disable: ['KubeCPUQuotaOvercommit'],
      overrides: { KubePodCrashLooping: { severity: 'critical', labels: { team: 'platform' } } },
      tests: [
        {
          name: 'checkout latency above 500ms for 10 minutes pages the shop team',
          input: [
            { series: 'checkout_request_duration_seconds_bucket{job="checkout", le="0.5"}', values: '0+10x30' },
            { series: 'checkout_request_duration_seconds_bucket{job="checkout", le="1"}', values: '0+100x30' },
            { series: 'checkout_request_duration_seconds_bucket{job="checkout", le="+Inf"}', values: '0+100x30' },
          ],
          expect: [
            { at: '5m', alert: 'CheckoutSlowRequests', firing: [] },
            { at: '25m', alert: 'CheckoutSlowRequests', firing: [{ job: 'checkout' }] },
          ],
        },
      ],
    },
    patches: [
      // An escape hatch for what no value covers: the kubectl container Grafana's pod opens by default.
      {
        kind: 'Deployment',
        name: 'grafana',
        ops: [{ op: 'add', path: '/spec/template/metadata/annotations', value: { 'kubectl.kubernetes.io/default-container': 'grafana' } }],
      },
    ],
  },
  (stack) => {
    // Construct-level changes: anything the values do not cover.
    stack.addObject({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'observability-defaults', namespace: 'observability' },
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '50m', memory: '64Mi' } }] },
    });
  },
);
