// The real Prometheus tools (Debian packages prometheus and prometheus-alertmanager). The README's test command
// installs them; on a machine without them these tests say they were skipped, and under CI=true they fail.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** `test` when the tool is there; otherwise a skipped test that says why (or a failing one under CI). */
export function testWithTool(tool: string, title: string, body: () => void): void {
  if (hasTool(tool)) test(title, body);
  else if (process.env.CI === 'true') test(title, () => { throw new Error(`${tool} is not installed; CI must have it`); });
  else test.skip(`SKIPPED (${tool} not installed): ${title}`, body);
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  /** stdout and stderr together. */
  output: string;
}

/** Writes `files` into a fresh temporary folder and runs the tool there. */
export function runTool(tool: string, args: string[], files: Record<string, string>): ToolRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-tool-'));
  try {
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
    const result = spawnSync(tool, args, { cwd: dir, encoding: 'utf8', timeout: 180000 });
    return { status: result.status, stdout: result.stdout, output: `${result.stdout}${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
