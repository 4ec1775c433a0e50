// Object names the community's rules and dashboards expect (kube-prometheus conventions): the Service name
// becomes the `job` label, so these are a public contract.
export const NAMES = {
  prometheusOperator: 'prometheus-operator',
  prometheusCr: 'k8s',
  prometheus: 'prometheus-k8s',
  alertmanagerCr: 'main',
  alertmanager: 'alertmanager-main',
  alertmanagerConfigSecret: 'alertmanager-main-config',
  nodeExporter: 'node-exporter',
  kubeStateMetrics: 'kube-state-metrics',
  grafana: 'grafana',
} as const;

/** Labels the operator puts on the pods of a Prometheus or Alertmanager CR; their Services select by them. */
export const OPERATOR_POD_SELECTORS = {
  // Both a Prometheus' and a PrometheusAgent's pods (whose app.kubernetes.io/name the operator sets to
  // prometheus-agent; `prometheus` comes from the stack's podMetadata there).
  prometheus: { 'app.kubernetes.io/managed-by': 'prometheus-operator', prometheus: NAMES.prometheusCr },
  alertmanager: { 'app.kubernetes.io/name': 'alertmanager', alertmanager: NAMES.alertmanagerCr },
} as const;

export const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const SERVICE_ACCOUNT_CA = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';
