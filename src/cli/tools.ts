// `o11y tools`: builds promtool, prometheus, amtool, alertmanager, node_exporter, kube-rbac-proxy and the OpenTelemetry Collector at
// the versions of the stack's default images, from the Go module proxy, into the tools cache (once per version).
import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../core/problems';
import { TOOLS, hasTool, toolFile, toolsDir, type CollectorManifest, type ToolSpec } from '../core/tools';
import { toYaml } from '../core/yaml';

/** Where `go mod download` put a module's source (the module cache), downloading it first if needed. */
function moduleSource(spec: ToolSpec): string {
  const run = spawnSync('go', ['mod', 'download', '-json', `${spec.module}@${spec.moduleVersion}`], { encoding: 'utf8', env: goEnv() });
  const info = run.status === 0 ? (JSON.parse(run.stdout) as { Dir?: string; Error?: string }) : undefined;
  if (!info?.Dir) {
    throw new StackError('o11y tools', [{ field: `${spec.module}@${spec.moduleVersion}`, message: `cannot be downloaded: ${(info?.Error ?? run.stderr ?? '').trim().split('\n').slice(-1)[0]}`, fix: 'check that the Go module proxy is reachable (go env GOPROXY)' }]);
  }
  return info.Dir;
}

// Built inside the module's own folder, as its main module, so its go.mod's replace directives apply (which `go
// install module@version` refuses); GOWORK=off because the published module names workspace folders it does not ship.
// GOGC=400: the compiler collects garbage a quarter as often (builds ~10% faster, the memory is there).
const goEnv = () => ({ GOGC: '400', ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' });

/** What promu sets: the version the binary reports, and where it came from. */
function versionFlags(spec: ToolSpec): string {
  if (spec.versioning) return spec.versioning.ldflags;
  const v = 'github.com/prometheus/common/version';
  return [`-X ${v}.Version=${spec.version}`, `-X ${v}.Revision=${spec.moduleVersion}`, `-X ${v}.Branch=${spec.module}`, `-X ${v}.BuildUser=cdk8s-o11y`].join(' ');
}

/** A writable copy of the module's source with a page in every embedded folder the module does not ship. */
function withUnbuiltEmbeds(spec: ToolSpec, source: string, copy: string): string {
  fs.cpSync(source, copy, { recursive: true });
  // The module cache is read-only, and so is its copy: its folders must be writable to add to and remove them.
  const writable = (dir: string): void => {
    fs.chmodSync(dir, 0o755);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) writable(path.join(dir, entry.name));
  };
  writable(copy);
  for (const folder of spec.unbuiltEmbeds) {
    fs.mkdirSync(path.join(copy, folder), { recursive: true });
    fs.writeFileSync(path.join(copy, folder, 'index.html'), `<p>${spec.name} ${spec.version} built by cdk8s-o11y for tests: the web UI is not built; the HTTP API is complete.</p>\n`);
  }
  return copy;
}

function failed(spec: ToolSpec, what: string, run: SpawnSyncReturns<string>): StackError {
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}` || String(run.error);
  return new StackError('o11y tools', [{ field: spec.name, message: `${what} failed: ${output.trim().split('\n').slice(-5).join(' | ')}`, fix: 'see the error above; Go 1.24 or newer is needed' }]);
}

/** `go build` of the command in the module's folder, with promu's version flags. */
function goBuild(spec: ToolSpec, staging: string, binary: string): void {
  const source = moduleSource(spec);
  const folder = spec.unbuiltEmbeds.length ? withUnbuiltEmbeds(spec, source, path.join(staging, 'source')) : source;
  const tags = spec.tags.length ? [`-tags=${spec.tags.join(',')}`] : [];
  // -s -w: no symbol table or DWARF (as release builds): a shorter link, the same program.
  const run = spawnSync('go', ['build', '-trimpath', ...tags, '-ldflags', `-s -w ${versionFlags(spec)}`, '-o', binary, spec.command], { cwd: folder, encoding: 'utf8', env: goEnv() });
  if (run.status !== 0) throw failed(spec, 'go build', run);
}

/** A Collector distribution of exactly the manifest's components, by the OpenTelemetry Collector Builder. */
function collectorBuild(spec: ToolSpec, manifest: CollectorManifest, staging: string, binary: string): void {
  const bin = path.join(staging, 'bin');
  const install = spawnSync('go', ['install', `${spec.module}@${spec.moduleVersion}`], { encoding: 'utf8', env: { ...goEnv(), GOBIN: bin } });
  if (install.status !== 0) throw failed(spec, `go install ${spec.module}@${spec.moduleVersion}`, install);
  const config = path.join(staging, 'builder.yaml');
  const kinds = Object.fromEntries(Object.entries(manifest).map(([kind, list]) => [kind, list.map((c) => ({ gomod: c.gomod }))]));
  fs.writeFileSync(config, toYaml({
    dist: { name: spec.name, description: `${spec.name} ${spec.version} built by cdk8s-o11y for tests`, output_path: path.join(staging, 'out'), version: spec.version, build_tags: spec.tags.join(',') },
    ...kinds,
  }));
  const run = spawnSync(path.join(bin, 'builder'), ['--config', config], { cwd: staging, encoding: 'utf8', env: { ...goEnv(), GOFLAGS: '' } });
  if (run.status !== 0) throw failed(spec, 'the Collector builder', run);
  fs.renameSync(path.join(staging, 'out', spec.name), binary);
  fs.rmSync(path.join(staging, 'out'), { recursive: true, force: true });
}

function build(spec: ToolSpec): number {
  const started = Date.now();
  const target = path.dirname(toolFile(spec.name));
  fs.mkdirSync(toolsDir(), { recursive: true });
  const staging = fs.mkdtempSync(path.join(toolsDir(), `.${spec.name}-`));
  try {
    const binary = path.join(staging, spec.name);
    if (spec.collector) collectorBuild(spec, spec.collector, staging, binary);
    else goBuild(spec, staging, binary);
    const reported = spawnSync(binary, [...(spec.versioning?.args ?? ['--version'])], { encoding: 'utf8' });
    const says = `${reported.stdout}${reported.stderr}`;
    if (!says.includes(spec.versioning?.prints ?? `version ${spec.version}`)) {
      throw new StackError('o11y tools', [{ field: spec.name, message: `the built binary reports '${says.split('\n')[0]}', not version ${spec.version}` }]);
    }
    // A folder per version, swapped in whole: a build killed half-way leaves only a staging folder behind.
    for (const scratch of ['source', 'bin', 'builder.yaml']) fs.rmSync(path.join(staging, scratch), { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return (Date.now() - started) / 1000;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** One tool in `o11y tools --json`. */
export interface ToolJson {
  readonly name: string;
  readonly version: string;
  /** The Go module (and version) it is built from. */
  readonly module: string;
  /** The binary, or null when it is missing. */
  readonly path: string | null;
  /** list: installed or missing; install: built now, or cached (built already). */
  readonly state: 'installed' | 'missing' | 'built' | 'cached';
  /** How long the build took (install, built only). */
  readonly seconds?: number;
}

/** `o11y tools list --json` and `o11y tools install --json`. A stable shape: fields are only ever added. */
export interface ToolsJson {
  /** The tools cache ($O11Y_TOOLS_DIR, else ~/.cache/cdk8s-o11y/tools). */
  readonly dir: string;
  readonly tools: ToolJson[];
}

const moduleOf = (spec: ToolSpec) => `${spec.module}@${spec.moduleVersion}`;

/** Builds every tool (or those named) not in the cache yet; says what it built and what was there. */
export function installTools(names: readonly string[] = [], log: (line: string) => void = console.log): ToolJson[] {
  const unknown = names.filter((n) => !(n in TOOLS));
  if (unknown.length) throw new StackError('o11y tools', unknown.map((n) => ({ field: n, message: 'is not a tool', fix: `name one of ${Object.keys(TOOLS).join(', ')}` })));
  if (spawnSync('go', ['version']).status !== 0) {
    throw new StackError('o11y tools', [{ field: 'go', message: 'is not installed', fix: 'install Go 1.24 or newer (https://go.dev/dl/): the tools are built from the Go module proxy' }]);
  }
  const specs = Object.values(TOOLS).filter((t) => !names.length || names.includes(t.name));
  // Stale staging folders of an interrupted install of these tools (another install may be building others).
  const staging = (entry: string) => specs.some((spec) => entry.startsWith(`.${spec.name}-`));
  if (fs.existsSync(toolsDir())) for (const entry of fs.readdirSync(toolsDir())) if (staging(entry)) fs.rmSync(path.join(toolsDir(), entry), { recursive: true, force: true });
  const results: ToolJson[] = [];
  for (const spec of specs) {
    const tool = { name: spec.name, version: spec.version, module: moduleOf(spec), path: toolFile(spec.name) };
    if (hasTool(spec.name)) {
      log(`${spec.name} ${spec.version}: built already (${toolFile(spec.name)})`);
      results.push({ ...tool, state: 'cached' });
      continue;
    }
    log(`${spec.name} ${spec.version}: building from ${spec.module}@${spec.moduleVersion} ...`);
    const seconds = build(spec);
    log(`${spec.name} ${spec.version}: built in ${seconds.toFixed(0)} s (${toolFile(spec.name)})`);
    results.push({ ...tool, state: 'built', seconds: Math.round(seconds * 10) / 10 });
  }
  return results;
}

export function listTools(options: { readonly json?: boolean } = {}): void {
  if (options.json) {
    const tools: ToolJson[] = Object.values(TOOLS).map((spec) => ({
      name: spec.name, version: spec.version, module: moduleOf(spec),
      ...(hasTool(spec.name) ? { path: toolFile(spec.name), state: 'installed' as const } : { path: null, state: 'missing' as const }),
    }));
    console.log(JSON.stringify({ dir: toolsDir(), tools } satisfies ToolsJson, null, 2));
    return;
  }
  for (const spec of Object.values(TOOLS)) {
    console.log(`${spec.name.padEnd(15)} ${spec.version.padEnd(8)} ${hasTool(spec.name) ? toolFile(spec.name) : `not built (o11y tools install)`}`);
  }
}

/** `o11y tools [list|install] [tools...]`; with --json, ToolsJson on stdout and the build progress on stderr. */
export function toolsCommand(action: string | undefined, names: readonly string[] = [], options: { readonly json?: boolean } = {}): void {
  if (action === undefined || action === 'list') return listTools(options);
  if (action === 'install') {
    if (!options.json) {
      installTools(names);
      return;
    }
    const tools = installTools(names, (line) => console.error(line));
    console.log(JSON.stringify({ dir: toolsDir(), tools } satisfies ToolsJson, null, 2));
    return;
  }
  throw new StackError('o11y tools', [{ field: action, message: 'is not a tools command', fix: 'use `o11y tools install` or `o11y tools list`' }]);
}
