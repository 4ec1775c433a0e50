// Every typed option at once: what a kube-prometheus-stack user configures, without an escape hatch.
// `npx o11y synth stacks/full.ts --strict` writes it to dist/full/ with no warning; `npx o11y drill stacks/full.ts`
// proves an SLO's fast burn pages and a failing probe alerts. (Agent mode, which leaves most of this out, is
// stacks/agent.ts.)
import { defineStack } from 'cdk8s-o11y';

const digest = (hex: string) => `sha256:${hex.repeat(64 / hex.length)}`;
const onMonitoringNodes = {
  nodeSelector: { 'node-role.example.com/monitoring': 'true' },
  tolerations: [{ key: 'dedicated', operator: 'Equal' as const, value: 'monitoring', effect: 'NoSchedule' as const }],
  topologySpread: [{ topologyKey: 'topology.kubernetes.io/zone' }],
  priorityClassName: 'monitoring-critical',
};

export default defineStack({
  common: {
    namespace: 'monitoring',
    clusterName: 'eu-full-1',
    // Every image from the company mirror, each pinned by digest (`--strict` warns about an image without one).
    imageRegistry: 'registry.example.com/mirror',
    images: {
      prometheusOperator: { digest: digest('01') }, prometheusConfigReloader: { digest: digest('02') }, prometheus: { digest: digest('03') },
      thanos: { digest: digest('04') }, alertmanager: { digest: digest('05') }, nodeExporter: { digest: digest('06') },
      kubeStateMetrics: { digest: digest('07') }, grafana: { digest: digest('08') }, grafanaSidecar: { digest: digest('09') },
      kubeRbacProxy: { digest: digest('0a') }, prometheusAdapter: { digest: digest('0b') }, blackboxExporter: { digest: digest('0c') },
    },
    network: {
      apiServer: { cidrs: ['10.0.0.0/24'], ports: [6443] },
      nodeCidrs: ['10.0.0.0/16'],
      clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'],
    },
    ingressController: { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    gatewayController: { namespace: 'gateway', podLabels: { 'app.kubernetes.io/name': 'envoy' } },
  },
  prometheusOperator: { scheduling: { priorityClassName: 'monitoring-critical' } },
  prometheus: {
    replicas: 2,
    retention: '15d',
    retentionSize: '40GB',
    storage: { size: '50Gi', storageClassName: 'fast-ssd' },
    walCompression: true,
    enableFeatures: ['exemplar-storage'],
    queryLog: true,
    scheduling: onMonitoringNodes,
    remoteWrite: [{
      name: 'long-term',
      url: 'https://metrics.example.com/api/v1/push',
      basicAuth: { username: { name: 'remote-write', key: 'username' }, password: { name: 'remote-write', key: 'password' } },
    }],
    additionalAlertmanagers: [{ namespace: 'central-alerting', name: 'alertmanager', port: 'web' }],
    thanos: {
      objectStorageConfig: { name: 'thanos-objstore', key: 'objstore.yml' },
      objectStorageUrl: 'https://s3.eu-west-1.amazonaws.com',
      queriedFrom: { namespace: 'thanos', pods: { 'app.kubernetes.io/name': 'thanos-query' } },
      // Outside the cluster (as the backends below): the policies are checked against the URL's address and port.
      queryUrl: 'https://thanos.example.com',
    },
    ingress: { host: 'prometheus.example.com', className: 'nginx', tls: { secretName: 'prometheus-tls' } },
  },
  alertmanager: {
    scheduling: onMonitoringNodes,
    httpRoute: { hostnames: ['alertmanager.example.com'], parentRefs: [{ name: 'public', namespace: 'gateway' }] },
    receivers: [
      { name: 'null', type: 'null' },
      { name: 'oncall', type: 'webhook', url: 'https://incidents.example.com/api/v1/alertmanager', bearerToken: { name: 'alertmanager-incident-tool', key: 'token' } },
    ],
    route: {
      receiver: 'oncall',
      groupBy: ['alertname', 'namespace'],
      routes: [{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }],
    },
  },
  nodeExporter: { scheduling: { priorityClassName: 'system-node-critical' } },
  kubeStateMetrics: { scheduling: onMonitoringNodes },
  controlPlane: { kubeScheduler: { enabled: true }, kubeControllerManager: { enabled: true }, kubeProxy: { enabled: true } },
  prometheusAdapter: {
    enabled: true,
    scheduling: onMonitoringNodes,
    customMetrics: [{
      seriesQuery: 'http_requests_total{namespace!="", pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^(.*)_total$', as: '${1}_per_second' },
      metricsQuery: 'sum by (<<.GroupBy>>) (rate(<<.Series>>{<<.LabelMatchers>>}[2m]))',
    }],
  },
  blackboxExporter: { scheduling: onMonitoringNodes },
  probes: [
    { name: 'shop-frontpage', module: 'http_2xx', targets: ['https://shop.example.com/healthz'], interval: '1m', labels: { team: 'shop' } },
    { name: 'checkout-service', module: 'tcp_connect', targets: ['checkout.shop.svc:8080'] },
  ],
  grafana: {
    replicas: 1,
    scheduling: onMonitoringNodes,
    ingress: { host: 'grafana.example.com', className: 'nginx', tls: { secretName: 'grafana-tls' } },
    datasources: [
      { name: 'Loki', type: 'loki', url: 'https://logs.example.com', basicAuth: { user: 'grafana', passwordSecret: { name: 'loki-auth', key: 'password' } } },
      { name: 'Tempo', type: 'tempo', url: 'https://traces.example.com' },
      { name: 'Jaeger', type: 'jaeger', url: 'https://jaeger.example.com' },
    ],
    persistence: { enabled: true, size: '10Gi' },
    plugins: [{ id: 'grafana-piechart-panel', version: '1.6.4' }],
    sso: { provider: 'github', clientId: 'Iv1.0123456789abcdef', clientSecret: { name: 'grafana-github', key: 'client-secret' }, allowedOrganizations: ['example'] },
    settings: { auth: { disableLoginForm: true }, users: { autoAssignOrgRole: 'Viewer' }, log: { level: 'warn' } },
  },
  applications: [
    {
      name: 'checkout',
      namespace: 'shop',
      selector: { 'app.kubernetes.io/name': 'checkout' },
      port: 'https-metrics',
      scheme: 'https',
      authorization: { credentials: { name: 'checkout-scrape', key: 'token' } },
      tlsConfig: { ca: { configMap: { name: 'checkout-ca', key: 'ca.crt' } }, serverName: 'checkout.shop.svc' },
      metricRelabelings: [{ action: 'drop', sourceLabels: ['__name__'], regex: 'go_gc_.*' }],
    },
    {
      name: 'batch-worker',
      namespace: 'shop',
      kind: 'PodMonitor',
      selector: { 'app.kubernetes.io/name': 'batch-worker' },
      port: 'metrics',
      relabelings: [{ action: 'replace', sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
    },
  ],
  scrapeConfigs: [
    { name: 'databases', staticConfigs: [{ targets: ['10.20.0.5:9187', 'db-1.example.com:9187'], labels: { site: 'dc1' } }] },
  ],
  slos: [
    {
      name: 'checkout-availability',
      service: 'checkout',
      objective: 99.9,
      window: '30d',
      indicator: { ratio: { errors: 'http_requests_total{job="checkout", code=~"5.."}', total: 'http_requests_total{job="checkout"}' } },
    },
    {
      name: 'checkout-latency',
      service: 'checkout',
      objective: 99,
      window: '28d',
      indicator: { latency: { histogram: 'http_request_duration_seconds', threshold: '0.3', selector: '{job="checkout"}' } },
    },
  ],
  rules: { knownMetrics: ['http_requests_total', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_count'] },
  drill: {
    scenarios: [
      {
        // One request in ten fails for 20 minutes: 100x the budget of a 99.9% objective, a page within minutes.
        name: 'checkout burns its error budget',
        series: [
          { series: 'http_requests_total{job="checkout", code="200"}', values: '0+900x40' },
          { series: 'http_requests_total{job="checkout", code="500"}', values: '0+0x4 0+100x35' },
        ],
        expect: [{ alert: 'SLOErrorBudgetBurn', receivers: ['oncall'] }],
      },
      {
        name: 'the shop front page stops answering',
        series: [{ series: 'probe_success{job="probe/monitoring/shop-frontpage", instance="https://shop.example.com/healthz"}', values: '1x4 0x35' }],
        expect: [{ alert: 'ProbeFailed', receivers: ['oncall'] }],
      },
    ],
  },
});
