// An OpenTelemetry Collector path (as FLUIDOS nodes run it): the Collector scrapes node-exporter and
// kube-state-metrics with the job and instance labels Prometheus would give them and sends their series to
// Prometheus by remote write (Prometheus no longer scrapes them, so nothing is duplicated); the rule catalogue and
// the dashboards work unchanged. Applications send OTLP metrics and traces to the Collector (4317 gRPC, 4318 HTTP):
// metrics go to Prometheus with their pod's metadata, traces to Jaeger.
import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  common: { clusterName: 'fluidos-edge' },
  otelCollector: {
    enabled: true,
    traces: {
      endpoint: 'jaeger-collector.tracing.svc:4317',
      insecure: true,
      query: { type: 'jaeger', url: 'http://jaeger-query.tracing.svc:16686' },
    },
    otlpFromNamespaces: ['shop', 'web'],
  },
});
