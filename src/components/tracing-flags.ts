// The command-line options of the control-plane tracing programs, at the versions the stack deploys, as their
// source defines them. Only the options the generated objects use (and a few next to them) are listed, each with
// where it is defined: the table is read from the source at the pinned tag, not from documentation, and a new
// version means reading it again (see the README, "Control-plane tracing"). The analyzer checks every flag the
// written objects pass against it, so a patch or a version bump cannot pass a flag the binary refuses at start.

/** What a flag takes: a boolean flag may stand alone (`--x`) or take `=true|false`; `choice` takes one of `values`. */
export type FlagKind = 'bool' | 'string' | 'int' | 'float' | 'duration' | 'list' | 'map' | 'choice';

export interface FlagDefinition {
  readonly kind: FlagKind;
  /** File (and registering call) in the program's source at the pinned tag. */
  readonly source: string;
  /** The implementations a `choice` (a Kelemetry mux) knows. */
  readonly values?: readonly string[];
}

export interface FlagTable {
  /** Program and version the table was read from, e.g. `kelemetry v0.2.7`. */
  readonly program: string;
  /** The release, as the image tag names it. */
  readonly version: string;
  readonly flags: Readonly<Record<string, FlagDefinition>>;
}

const flag = (kind: FlagKind, source: string, values?: readonly string[]): FlagDefinition => (values ? { kind, source, values } : { kind, source });

/**
 * Kelemetry v0.2.7 (github.com/kubewharf/kelemetry, tag v0.2.7, commit 3ebebdb). Components register their options
 * in `Setup(fs *pflag.FlagSet)`; a mux (`manager.NewMux(name, ...)`, pkg/manager/mux.go) registers `--<name>`
 * choosing one of the implementations that call `ProvideMuxImpl`; `multileader.Config.SetupOptions(fs, prefix, ...)`
 * (pkg/k8s/multileader/elector.go) registers `--<prefix>-leader-election-{enable,namespace,name,...}`.
 */
export const KELEMETRY_FLAGS: FlagTable = {
  program: 'kelemetry v0.2.7',
  version: 'v0.2.7',
  flags: {
    // Audit webhook -> local queue -> consumer (pkg/audit/...).
    'audit-webhook-enable': flag('bool', 'pkg/audit/webhook/webhook.go options.Setup'),
    'audit-producer-enable': flag('bool', 'pkg/audit/producer/producer.go options.Setup'),
    'audit-consumer-enable': flag('bool', 'pkg/audit/consumer/consumer.go options.Setup'),
    'audit-consumer-partition': flag('list', 'pkg/audit/consumer/consumer.go options.Setup (Int32SliceVar, default 0,1,2,3,4)'),
    mq: flag('choice', 'pkg/audit/mq/interface.go NewMux("mq"); local: pkg/audit/mq/local/local.go', ['local']),
    // Diff: the controller watches objects, the decorator joins the diffs to audit events (pkg/diff/...).
    'diff-controller-enable': flag('bool', 'pkg/diff/controller/controller.go ctrlOptions.Setup'),
    'diff-controller-leader-election-enable': flag('bool', 'pkg/diff/controller/controller.go SetupOptions(fs, "diff-controller", ...) -> pkg/k8s/multileader/elector.go'),
    'diff-writer-leader-election-enable': flag('bool', 'pkg/diff/controller/controller.go SetupOptions(fs, "diff-writer", ...) -> pkg/k8s/multileader/elector.go'),
    'diff-decorator-enable': flag('bool', 'pkg/diff/decorator/decorator.go decoratorOptions.Setup'),
    'diff-cache': flag('choice', 'pkg/diff/cache/interface.go NewMux("diff-cache"); local: pkg/diff/cache/local/local.go, etcd: pkg/diff/cache/etcd/etcd.go', ['etcd', 'local']),
    // Events (pkg/event/controller.go).
    'event-informer-enable': flag('bool', 'pkg/event/controller.go options.Setup'),
    'event-informer-configmap-name': flag('string', 'pkg/event/controller.go options.Setup'),
    'event-informer-configmap-namespace': flag('string', 'pkg/event/controller.go options.Setup'),
    'event-informer-leader-election-enable': flag('bool', 'pkg/event/controller.go SetupOptions(fs, "event-informer", ...) -> pkg/k8s/multileader/elector.go'),
    // Spans: aggregation, linking, export (pkg/aggregator/..., pkg/ownerlinker, pkg/annotationlinker).
    'span-cache': flag('choice', 'pkg/aggregator/spancache/interface.go NewMux("span-cache"); local: pkg/aggregator/spancache/local/local.go', ['etcd', 'local']),
    'owner-linker-enable': flag('bool', 'pkg/ownerlinker/linker.go options.Setup'),
    'annotation-linker-enable': flag('bool', 'pkg/annotationlinker/linker.go options.Setup'),
    'linker-worker-count': flag('int', 'pkg/aggregator/linker/job/worker/worker.go options.Setup (default 0: no link job runs)'),
    'tracer-otel-endpoint': flag('string', 'pkg/aggregator/tracer/otel/otel.go options.Setup (OTLP gRPC host:port)'),
    'tracer-otel-insecure': flag('bool', 'pkg/aggregator/tracer/otel/otel.go options.Setup'),
    'filter-exclude-types': flag('list', 'pkg/filter/filter.go options.Setup (default events,events.k8s.io/events,coordination.k8s.io/leases)'),
    'object-cache-size': flag('int', 'pkg/k8s/objectcache/objectcache.go options.Setup (bytes, default 1<<30)'),
    // Cluster access (pkg/k8s).
    'kube-target-cluster': flag('string', 'pkg/k8s/config/mapoption/mapoption.go options.Setup'),
    'kube-target-rest-qps': flag('float', 'pkg/k8s/k8s.go options.Setup'),
    'kube-target-rest-burst': flag('int', 'pkg/k8s/k8s.go options.Setup'),
    // Servers: HTTP (webhook), Prometheus metrics, logging.
    'http-port': flag('int', 'pkg/http/server.go options.Setup (default 8080)'),
    'http-tls-cert': flag('string', 'pkg/http/server.go options.Setup'),
    'http-tls-key': flag('string', 'pkg/http/server.go options.Setup'),
    metrics: flag('choice', 'pkg/metrics/interface.go NewMux("metrics"); prom: pkg/metrics/prometheus/prometheus.go, noop: pkg/metrics/noop/noop.go', ['noop', 'prom']),
    'metrics-port': flag('int', 'pkg/metrics/prometheus/prometheus.go options.Setup (default 9090)'),
    'log-level': flag('string', 'cmd/kelemetry/logging.go loggingOptions.setup (logrus level, default debug)'),
    'pprof-enable': flag('bool', 'cmd/kelemetry/pprof.go options.Setup (default false)'),
    // The Jaeger storage plugin that jaeger-query reads through (pkg/frontend/...).
    'jaeger-storage-plugin-enable': flag('bool', 'pkg/frontend/plugin.go options.Setup'),
    'jaeger-storage-plugin-address': flag('string', 'pkg/frontend/plugin.go options.Setup (default :17271)'),
    'jaeger-backend': flag('choice', 'pkg/frontend/backend/interface.go NewMux("jaeger-backend"); pkg/frontend/backend/jaeger-storage/backend.go', ['jaeger-storage']),
    'jaeger-trace-cache': flag('choice', 'pkg/frontend/tracecache/interface.go NewMux("jaeger-trace-cache"); local: pkg/frontend/tracecache/local/local.go', ['etcd', 'local']),
    'jaeger-cluster-names': flag('list', 'pkg/frontend/clusterlist/options/options.go Lister.Setup'),
    // Jaeger's own storage options (jaeger v1.57.0, Kelemetry's go.mod), renamed with a `jaeger-storage.` prefix by
    // pkg/frontend/backend/jaeger-storage/backend.go Backend.Setup.
    'jaeger-storage.span-storage.type': flag('choice', 'pkg/frontend/backend/jaeger-storage/backend.go Backend.Setup (rawPfs.String("span-storage.type"))', ['cassandra', 'elasticsearch', 'opensearch', 'kafka', 'badger', 'grpc-plugin']),
    'jaeger-storage.grpc-storage.server': flag('string', 'jaeger v1.57.0 plugin/storage/grpc/options.go (remoteServer), via pkg/frontend/backend/jaeger-storage/backend.go'),
  },
};

/**
 * Jaeger v1.75.0 (github.com/jaegertracing/jaeger, the Go module v1.75.0): the options of jaeger-collector,
 * jaeger-query and jaeger-remote-storage the stack passes. The storage backend is chosen by the SPAN_STORAGE_TYPE
 * environment variable (internal/storage/v1/factory/config.go; `--span-storage.type` is deprecated there).
 */
export const JAEGER_FLAGS: Readonly<Record<'collector' | 'query' | 'remote-storage', FlagTable>> = {
  collector: {
    program: 'jaeger-collector v1.75.0',
    version: '1.75.0',
    flags: {
      'admin.http.host-port': flag('string', 'cmd/internal/flags/admin.go AddFlags (default :14269)'),
      'collector.otlp.enabled': flag('bool', 'cmd/collector/app/flags/flags.go AddFlags'),
      'collector.otlp.grpc.host-port': flag('string', 'cmd/collector/app/flags/flags.go addGRPCFlags(otlpServerFlagsCfg.GRPC, ":4317")'),
      'collector.otlp.http.host-port': flag('string', 'cmd/collector/app/flags/flags.go addHTTPFlags(otlpServerFlagsCfg.HTTP, ":4318")'),
      'collector.grpc-server.host-port': flag('string', 'cmd/collector/app/flags/flags.go addGRPCFlags(grpcServerFlagsCfg, :14250)'),
      'collector.http-server.host-port': flag('string', 'cmd/collector/app/flags/flags.go addHTTPFlags(httpServerFlagsCfg, :14268)'),
      'grpc-storage.server': flag('string', 'internal/storage/v1/grpc/options.go AddFlags (remotePrefix "grpc-storage" + ".server")'),
    },
  },
  query: {
    program: 'jaeger-query v1.75.0',
    version: '1.75.0',
    flags: {
      'admin.http.host-port': flag('string', 'cmd/internal/flags/admin.go AddFlags (default :16687)'),
      'query.http-server.host-port': flag('string', 'cmd/query/app/flags.go AddFlags (default :16686)'),
      'query.grpc-server.host-port': flag('string', 'cmd/query/app/flags.go AddFlags (default :16685)'),
      'grpc-storage.server': flag('string', 'internal/storage/v1/grpc/options.go AddFlags'),
    },
  },
  'remote-storage': {
    program: 'jaeger-remote-storage v1.75.0',
    version: '1.75.0',
    flags: {
      'admin.http.host-port': flag('string', 'cmd/internal/flags/admin.go AddFlags (default :17270)'),
      'grpc.host-port': flag('string', 'cmd/remote-storage/app/flags.go AddFlags (default :17271)'),
      'memory.max-traces': flag('int', 'internal/storage/v1/memory/options.go AddFlags (default 0: unbounded)'),
      'badger.ephemeral': flag('bool', 'internal/storage/v1/badger/options.go AddFlags (default true)'),
      'badger.directory-key': flag('string', 'internal/storage/v1/badger/options.go AddFlags'),
      'badger.directory-value': flag('string', 'internal/storage/v1/badger/options.go AddFlags'),
      'badger.span-store-ttl': flag('duration', 'internal/storage/v1/badger/options.go AddFlags (default 72h)'),
    },
  },
};

/** The span storage types Jaeger v1.75.0 knows (internal/storage/v1/factory/factory.go AllStorageTypes). */
export const JAEGER_STORAGE_TYPES = ['cassandra', 'opensearch', 'elasticsearch', 'memory', 'kafka', 'badger', 'blackhole', 'grpc'] as const;

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/;

/** What is wrong with each `--flag[=value]` of `args` by the table: an unknown flag, a value of the wrong kind. */
export function flagProblems(args: readonly string[], table: FlagTable): string[] {
  return args.flatMap((arg) => {
    const match = /^--([a-z0-9][a-z0-9.-]*)(=(.*))?$/s.exec(arg);
    if (!match) return [`'${arg}' is not of the form --name or --name=value`];
    const [, name, withValue, value] = match;
    const definition = table.flags[name];
    if (!definition) return [`--${name} is not an option of ${table.program}`];
    if (withValue === undefined) return definition.kind === 'bool' ? [] : [`--${name} needs a value`];
    const wrong = (expected: string) => [`--${name}=${value}: expected ${expected}`];
    switch (definition.kind) {
      case 'bool': return /^(true|false)$/.test(value) ? [] : wrong('true or false');
      case 'int': return /^-?\d+$/.test(value) ? [] : wrong('a whole number');
      case 'float': return /^-?\d+(\.\d+)?$/.test(value) ? [] : wrong('a number');
      case 'duration': return GO_DURATION.test(value) ? [] : wrong('a Go duration such as 30s or 72h');
      case 'choice': return definition.values!.includes(value) ? [] : wrong(`one of ${definition.values!.join(', ')}`);
      default: return [];
    }
  });
}
