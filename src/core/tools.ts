// The real Prometheus tools that `o11y test`, `o11y drill` and the test suite run: built from the Go module proxy at
// exactly the versions of the stack's default images (images.ts), cached per version, never taken from PATH (a
// distribution's promtool is another Prometheus than the one the stack deploys).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_IMAGES } from './images';
import { StackError } from './problems';

export type ToolName = 'promtool' | 'prometheus' | 'amtool' | 'alertmanager' | 'node_exporter' | 'kube-rbac-proxy' | 'otelcol' | 'jaeger';

export interface ToolSpec {
  readonly name: ToolName;
  /** The Go module, and the package of the command inside it. */
  readonly module: string;
  readonly command: string;
  /** The Go module version (Prometheus 3.x is published as module v0.3MM.P). */
  readonly moduleVersion: string;
  /** The release, as the image tag names it without its `v`, and as `<tool> --version` prints it. */
  readonly version: string;
  /** Go build tags. */
  readonly tags: readonly string[];
  /**
   * Folders the command embeds that the published module does not ship (a web UI its release process builds with
   * npm): the build gets a copy of the source with a page in each saying so. The HTTP API is complete without them.
   */
  readonly unbuiltEmbeds: readonly string[];
  /** A Collector distribution: built by the OpenTelemetry Collector Builder from these components, not `go build`. */
  readonly collector?: CollectorManifest;
  /**
   * How the binary is stamped with its version and asked for it, where that is not promu's way
   * (`-X github.com/prometheus/common/version.Version=...`, `--version` printing `version X`).
   */
  readonly versioning?: { readonly ldflags: string; readonly args: readonly string[]; readonly prints: string };
}

export type CollectorKind = 'receivers' | 'processors' | 'exporters' | 'extensions' | 'providers';

/** The Collector's components by kind: each its type (as a config names it) and its Go module at its version. */
export type CollectorManifest = Record<CollectorKind, ReadonlyArray<{ readonly type: string; readonly gomod: string }>>;

/**
 * The components of the stack's Collector, at the release of its image: the core modules and contrib ones share
 * the v0.x release; the confmap providers are the stable v1.x modules of that release.
 */
function collectorManifest(tag: string): CollectorManifest {
  const release = `v${tag.replace(/^v/, '')}`;
  const stable = STABLE_COLLECTOR_RELEASE[release];
  if (!stable) throw new Error(`Collector ${tag}: name the stable (v1.x) release that goes with it in STABLE_COLLECTOR_RELEASE`);
  const core = (path: string) => `go.opentelemetry.io/collector/${path} ${release}`;
  const contrib = (path: string) => `github.com/open-telemetry/opentelemetry-collector-contrib/${path} ${release}`;
  return {
    receivers: [{ type: 'otlp', gomod: core('receiver/otlpreceiver') }, { type: 'prometheus', gomod: contrib('receiver/prometheusreceiver') }],
    processors: [
      { type: 'memory_limiter', gomod: core('processor/memorylimiterprocessor') }, { type: 'batch', gomod: core('processor/batchprocessor') },
      { type: 'resource', gomod: contrib('processor/resourceprocessor') }, { type: 'k8s_attributes', gomod: contrib('processor/k8sattributesprocessor') },
    ],
    exporters: [
      { type: 'prometheus_remote_write', gomod: contrib('exporter/prometheusremotewriteexporter') },
      { type: 'otlp_http', gomod: core('exporter/otlphttpexporter') }, { type: 'otlp_grpc', gomod: core('exporter/otlpexporter') },
    ],
    extensions: [{ type: 'health_check', gomod: contrib('extension/healthcheckextension') }],
    providers: [
      { type: 'file', gomod: `go.opentelemetry.io/collector/confmap/provider/fileprovider ${stable}` },
      { type: 'env', gomod: `go.opentelemetry.io/collector/confmap/provider/envprovider ${stable}` },
    ],
  };
}

/** The Collector's v0.x releases and the v1.x release of its stable modules (from otelcol's go.mod). */
const STABLE_COLLECTOR_RELEASE: Record<string, string> = { 'v0.160.0': 'v1.66.0' };

const release = (tag: string) => tag.replace(/^v/, '');

/** Prometheus v3.MM.P is the Go module version v0.3MM.P. */
export function prometheusModuleVersion(tag: string): string {
  const match = /^v?3\.(\d+)\.(\d+)$/.exec(tag);
  if (!match) throw new Error(`Prometheus image tag ${tag} is not a v3.x.y release: the tools are built for Prometheus 3`);
  return `v0.3${match[1].padStart(2, '0')}.${match[2]}`;
}

function specs(): Record<ToolName, ToolSpec> {
  const prometheus = DEFAULT_IMAGES.prometheus.tag;
  const alertmanager = DEFAULT_IMAGES.alertmanager.tag;
  const nodeExporter = DEFAULT_IMAGES.nodeExporter.tag;
  const collector = DEFAULT_IMAGES.otelCollector.tag;
  const jaeger = DEFAULT_IMAGES.jaegerQuery.tag;
  const rbacProxy = DEFAULT_IMAGES.kubeRbacProxy.tag;
  const of = (name: ToolName, module: string, command: string, moduleVersion: string, tag: string, tags: string[] = [], unbuiltEmbeds: string[] = []): ToolSpec =>
    ({ name, module, command, moduleVersion, version: release(tag), tags, unbuiltEmbeds });
  // Without the cloud service discoveries (static and file discovery stay): the rule engine, PromQL, the TSDB and the
  // alerting are the released code, and the build compiles a third of the packages. No web UI assets either (the
  // API is complete without them).
  const prometheusTags = ['remove_all_sd'];
  return {
    promtool: of('promtool', 'github.com/prometheus/prometheus', './cmd/promtool', prometheusModuleVersion(prometheus), prometheus, prometheusTags),
    prometheus: of('prometheus', 'github.com/prometheus/prometheus', './cmd/prometheus', prometheusModuleVersion(prometheus), prometheus, prometheusTags),
    amtool: of('amtool', 'github.com/prometheus/alertmanager', './cmd/amtool', alertmanager, alertmanager),
    alertmanager: of('alertmanager', 'github.com/prometheus/alertmanager', './cmd/alertmanager', alertmanager, alertmanager, [], ['ui/app/dist']),
    node_exporter: of('node_exporter', 'github.com/prometheus/node_exporter', '.', nodeExporter, nodeExporter),
    // In front of the exporters' metrics: stamped and asked as Kubernetes components are (its Makefile's ldflags;
    // `--version` prints `kube-rbac-proxy v0.19.1`).
    'kube-rbac-proxy': {
      ...of('kube-rbac-proxy', 'github.com/brancz/kube-rbac-proxy', './cmd/kube-rbac-proxy', rbacProxy, rbacProxy),
      versioning: {
        ldflags: [
          `-X k8s.io/component-base/version.gitVersion=v${release(rbacProxy)}`, `-X k8s.io/component-base/version.gitCommit=v${release(rbacProxy)}`,
          '-X k8s.io/component-base/version/verflag.programName=kube-rbac-proxy',
        ].join(' '),
        args: ['--version'],
        prints: `kube-rbac-proxy v${release(rbacProxy)}`,
      },
    },
    // The builder's module; the Collector it builds gets the Kubernetes discovery only (as the contrib image has).
    otelcol: {
      ...of('otelcol', 'go.opentelemetry.io/collector/cmd/builder', '.', `v${release(collector)}`, collector, ['remove_all_sd', 'enable_kubernetes_sd']),
      collector: collectorManifest(collector),
    },
    // Jaeger all-in-one (collector, query and memory storage in one process) at the release of the control-plane
    // tracing images; its UI assets are not in the module, and it serves a placeholder page without them.
    jaeger: {
      ...of('jaeger', 'github.com/jaegertracing/jaeger', './cmd/all-in-one', `v${release(jaeger)}`, jaeger),
      versioning: {
        ldflags: `-X github.com/jaegertracing/jaeger/internal/version.latestVersion=v${release(jaeger)} -X github.com/jaegertracing/jaeger/internal/version.commitSHA=v${release(jaeger)}`,
        args: ['version'],
        prints: `"gitVersion":"v${release(jaeger)}"`,
      },
    },
  };
}

/** Every tool, at the version the stack deploys. */
export const TOOLS: Readonly<Record<ToolName, ToolSpec>> = specs();

/** Where built tools are kept: $O11Y_TOOLS_DIR, else the user's cache folder. */
export function toolsDir(): string {
  if (process.env.O11Y_TOOLS_DIR) return path.resolve(process.env.O11Y_TOOLS_DIR);
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'cdk8s-o11y', 'tools');
}

/** The binary of a tool at its version (whether it is there or not). */
export function toolFile(name: ToolName): string {
  const spec = TOOLS[name];
  return path.join(toolsDir(), `${spec.name}-${spec.version}`, spec.name);
}

export function hasTool(name: ToolName): boolean {
  return fs.existsSync(toolFile(name));
}

export const INSTALL_COMMAND = 'npx o11y tools install';

/** The binaries, or a StackError naming every one that is not built yet and how to build it. */
export function requireTools<T extends ToolName>(...names: T[]): Record<T, string> {
  const missing = names.filter((n) => !hasTool(n));
  if (missing.length) {
    throw new StackError('o11y', missing.map((m) => ({
      field: m,
      message: `${TOOLS[m].version} (the version the stack deploys) is not installed in ${toolsDir()}`,
      fix: `run \`${INSTALL_COMMAND}\`: it builds the tools with Go from the Go module proxy, once per version`,
    })));
  }
  return Object.fromEntries(names.map((n) => [n, toolFile(n)])) as Record<T, string>;
}

/** "Prometheus 3.13.5, Alertmanager 0.33.1": what a report says it ran on. */
export function toolVersions(): { prometheus: string; alertmanager: string; nodeExporter: string; kubeRbacProxy: string } {
  return { prometheus: TOOLS.prometheus.version, alertmanager: TOOLS.alertmanager.version, nodeExporter: TOOLS.node_exporter.version, kubeRbacProxy: TOOLS['kube-rbac-proxy'].version };
}
