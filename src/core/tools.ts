// The real Prometheus tools that `o11y test`, `o11y drill` and the test suite run: built from the Go module proxy at
// exactly the versions of the stack's default images (images.ts), cached per version, never taken from PATH (a
// distribution's promtool is another Prometheus than the one the stack deploys).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_IMAGES } from './images';
import { StackError } from './problems';

export type ToolName = 'promtool' | 'prometheus' | 'amtool' | 'alertmanager' | 'node_exporter';

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
}

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
export function toolVersions(): { prometheus: string; alertmanager: string; nodeExporter: string } {
  return { prometheus: TOOLS.prometheus.version, alertmanager: TOOLS.alertmanager.version, nodeExporter: TOOLS.node_exporter.version };
}
