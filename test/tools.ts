// The real Prometheus tools at the versions the stack deploys (src/core/tools.ts). The README's test command builds
// them (`o11y tools install`); on a machine without them these tests say they were skipped, and under CI=true they fail.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { hasTool, toolFile, type ToolName } from '../src/core/tools';

/** `test` when the tools are there; otherwise a skipped test that says why (or a failing one under CI). */
export function testWithTool(tools: ToolName | ToolName[], title: string, body: jest.ProvidesCallback, timeoutMs?: number): void {
  const missing = [tools].flat().filter((t) => !hasTool(t));
  if (!missing.length) test(title, body, timeoutMs);
  else if (process.env.CI === 'true') test(title, () => { throw new Error(`${missing.join(', ')} not installed; CI must have it`); });
  else test.skip(`SKIPPED (${missing.join(', ')} not installed): ${title}`, body);
}

/** A test that runs a drill: real Prometheus, Alertmanager, node_exporter and the kube-rbac-proxy in front of it. */
export function drillTest(title: string, body: jest.ProvidesCallback, timeoutMs?: number): void {
  testWithTool(['prometheus', 'alertmanager', 'node_exporter', 'kube-rbac-proxy'], title, body, timeoutMs);
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  /** stdout and stderr together. */
  output: string;
}

/** Writes `files` into a fresh temporary folder and runs the tool there. */
export function runTool(tool: ToolName, args: string[], files: Record<string, string>): ToolRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-tool-'));
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    const result = spawnSync(toolFile(tool), args, { cwd: dir, encoding: 'utf8', timeout: 180000 });
    return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A port nothing listens on now, on 127.0.0.1, for a server a test starts. */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
