// `o11y tools`: builds promtool, prometheus, amtool, alertmanager and node_exporter at the versions of the stack's
// default images, from the Go module proxy, into the tools cache (once per version).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { StackError } from '../core/problems';
import { TOOLS, hasTool, toolFile, toolsDir, type ToolSpec } from '../core/tools';

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
const goEnv = () => ({ ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod', CGO_ENABLED: '0' });

/** What promu sets: the version the binary reports, and where it came from. */
function versionFlags(spec: ToolSpec): string {
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

function build(spec: ToolSpec, source: string): number {
  const started = Date.now();
  const target = path.dirname(toolFile(spec.name));
  fs.mkdirSync(toolsDir(), { recursive: true });
  const staging = fs.mkdtempSync(path.join(toolsDir(), `.${spec.name}-`));
  try {
    const binary = path.join(staging, spec.name);
    const folder = spec.unbuiltEmbeds.length ? withUnbuiltEmbeds(spec, source, path.join(staging, 'source')) : source;
    const tags = spec.tags.length ? [`-tags=${spec.tags.join(',')}`] : [];
    const run = spawnSync('go', ['build', '-trimpath', ...tags, '-ldflags', versionFlags(spec), '-o', binary, spec.command], { cwd: folder, encoding: 'utf8', env: goEnv() });
    if (run.status !== 0) {
      throw new StackError('o11y tools', [{ field: spec.name, message: `go build failed: ${(run.stderr || String(run.error)).trim().split('\n').slice(-5).join(' | ')}`, fix: 'see the go build error above; Go 1.24 or newer is needed' }]);
    }
    const reported = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    const says = `${reported.stdout}${reported.stderr}`;
    if (!says.includes(`version ${spec.version}`)) {
      throw new StackError('o11y tools', [{ field: spec.name, message: `the built binary reports '${says.split('\n')[0]}', not version ${spec.version}` }]);
    }
    // A folder per version, swapped in whole: a build killed half-way leaves only a staging folder behind.
    fs.rmSync(path.join(staging, 'source'), { recursive: true, force: true });
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return (Date.now() - started) / 1000;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Builds every tool not in the cache yet; says what it built and what was there. */
export function installTools(log: (line: string) => void = console.log): void {
  if (spawnSync('go', ['version']).status !== 0) {
    throw new StackError('o11y tools', [{ field: 'go', message: 'is not installed', fix: 'install Go 1.24 or newer (https://go.dev/dl/): the tools are built from the Go module proxy' }]);
  }
  // Stale staging folders of an interrupted install.
  if (fs.existsSync(toolsDir())) for (const entry of fs.readdirSync(toolsDir())) if (entry.startsWith('.')) fs.rmSync(path.join(toolsDir(), entry), { recursive: true, force: true });
  for (const spec of Object.values(TOOLS)) {
    if (hasTool(spec.name)) {
      log(`${spec.name} ${spec.version}: built already (${toolFile(spec.name)})`);
      continue;
    }
    log(`${spec.name} ${spec.version}: building from ${spec.module}@${spec.moduleVersion} ...`);
    const seconds = build(spec, moduleSource(spec));
    log(`${spec.name} ${spec.version}: built in ${seconds.toFixed(0)} s (${toolFile(spec.name)})`);
  }
}

export function listTools(): void {
  for (const spec of Object.values(TOOLS)) {
    console.log(`${spec.name.padEnd(14)} ${spec.version.padEnd(8)} ${hasTool(spec.name) ? toolFile(spec.name) : `not built (o11y tools install)`}`);
  }
}

export function toolsCommand(action: string | undefined): void {
  if (action === undefined || action === 'list') return listTools();
  if (action === 'install') return installTools();
  throw new StackError('o11y tools', [{ field: action, message: 'is not a tools command', fix: 'use `o11y tools install` or `o11y tools list`' }]);
}

