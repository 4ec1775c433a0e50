// A drill never hangs and never leaks: its servers and temporary folders go with it however it ends (SIGKILL
// included), a server that dies mid-run is reported with how it ended and what it last logged, and a port another
// process holds ends the scenario at once. A drill run as a child process gets a TMPDIR of its own, and its
// processes are found by that folder in their command line (/proc); a scenario run in this process is found among
// this process's descendants. Each test kills whatever is left of what it started when it ends.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { runScenario, type DrillScenario, type DrillSetup } from '../../src/drill/run';
import { toYaml } from '../../src/core/yaml';
import { drillTest } from '../tools';

const REPO = path.resolve(__dirname, '..', '..');
const MAIN = path.join(REPO, 'build/src/cli/main.js');

interface DrillProcess {
  readonly pid: number;
  /** The binary's name: prometheus, alertmanager, node_exporter, or node (a supervisor). */
  readonly name: string;
  readonly args: string[];
}

/** Every process, with its parent and environment; zombies (no command line) left out. */
function allProcesses(): Array<DrillProcess & { parent: number; env: string[] }> {
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const args = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // The parent is the 4th field of stat, after the command in parentheses (which may hold spaces).
      const parent = Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
      const env = fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
      return args.length ? [{ pid: Number(p), parent, env, name: path.basename(args[0]), args }] : [];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/**
 * The processes of drills run with TMPDIR=dir: they inherit it (node_exporter's command line names no folder), and
 * the servers' and supervisors' command lines name folders under it.
 */
function processesUnder(dir: string): DrillProcess[] {
  return allProcesses().filter((p) => p.env.includes(`TMPDIR=${dir}`) || p.args.some((a) => a.includes(dir)));
}

/** The drill processes this test process started: its supervisors (children) and their servers. */
function ownDrillProcesses(): DrillProcess[] {
  const all = allProcesses();
  const supervisors = all.filter((p) => p.parent === process.pid && p.args.some((a) => a.includes('o11y-drill-')));
  return [...supervisors, ...all.filter((p) => supervisors.some((s) => s.pid === p.parent))];
}

/** Of these processes, the Prometheus and Alertmanager that answer ready on their address. */
async function readyServers(processes: DrillProcess[]): Promise<DrillProcess[]> {
  const servers = processes.filter((p) => p.name === 'prometheus' || p.name === 'alertmanager');
  const ready = await Promise.all(servers.map(async (s) => {
    const address = s.args.find((a) => a.startsWith('--web.listen-address='))?.split('=')[1];
    const response = address ? await fetch(`http://${address}/-/ready`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined) : undefined;
    return response?.ok ? [s] : [];
  }));
  return ready.flat();
}

async function waitUntil<T>(what: string, found: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await found();
    if (value) return value;
    if (Date.now() > until) throw new Error(`${what} within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killAll(processes: DrillProcess[]): void {
  for (const p of processes) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The scenario folder a server works in, from its command line. */
const folderOf = (server: DrillProcess) => path.dirname(server.args.find((a) => a.startsWith('--config.file='))!.split('=')[1]);

/** Within a few seconds, none of these processes runs (or is a zombie of ours) and none of these folders exists. */
async function expectGone(processes: () => DrillProcess[], folders: string[], withinMs: number): Promise<void> {
  const left = () => ({ processes: processes().map((p) => `${p.name} (${p.pid})`), folders: folders.filter((f) => fs.existsSync(f)) });
  await waitUntil('the drill\'s processes and folders to be gone', async () => {
    const now = left();
    return now.processes.length === 0 && now.folders.length === 0;
  }, withinMs).catch(() => undefined);
  expect(left()).toEqual({ processes: [], folders: [] });
}

// A scenario that waits a minute for an alert that never fires: long enough to be interrupted.
const setup: DrillSetup = {
  rulesYaml: toYaml({ groups: [{ name: 'never', rules: [{ alert: 'Never', expr: 'vector(1) == 2' }] }] }),
  alertmanagerConfig: (url) => ({ route: { receiver: 'capture' }, receivers: [{ name: 'capture', webhook_configs: [{ url: `${url}/capture` }] }] }),
  interval: '1s',
  externalLabels: {},
  resendDelay: '1s',
  timeoutMs: 60000,
};
const waiting: DrillScenario = { name: 'waits', origin: 'test', series: [], stepMs: 1000, expect: [{ alert: 'Never' }] };


describe('the lifecycle of a drill', () => {
  drillTest('a drill killed with SIGKILL leaves no Prometheus, Alertmanager or node_exporter running and no temporary folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-lifecycle-'));
    const drill = spawn(process.execPath, [MAIN, 'drill', 'stacks/default.ts'], { cwd: REPO, env: { ...process.env, TMPDIR: dir }, stdio: 'ignore' });
    try {
      const servers = await waitUntil('a Prometheus and an Alertmanager of the drill to be ready', async () => {
        const ready = await readyServers(processesUnder(dir));
        return ready.some((s) => s.name === 'prometheus') && ready.some((s) => s.name === 'alertmanager') && ready;
      }, 30000);
      expect(fs.readdirSync(dir).some((f) => f.startsWith('o11y-drill-'))).toBe(true);
      // No exit handler runs on SIGKILL: the supervisors see their pipe from the drill close.
      drill.kill('SIGKILL');
      await expectGone(() => processesUnder(dir), servers.map(folderOf), 5000);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      drill.kill('SIGKILL');
      killAll(processesUnder(dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  drillTest('a server that dies during the run is reported at once, with its signal and its last log lines', async () => {
    try {
      const running = runScenario(setup, waiting);
      const [prometheus] = await waitUntil('the drill\'s Prometheus to be ready', async () => {
        const ready = (await readyServers(ownDrillProcesses())).filter((s) => s.name === 'prometheus');
        return ready.length > 0 && ready;
      }, 30000);
      const started = ownDrillProcesses();
      const killedAt = Date.now();
      process.kill(prometheus.pid, 'SIGKILL');
      const [result] = await running;
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(result.passed).toBe(false);
      expect(result.problems[0]).toMatch(/^prometheus was killed by SIGKILL; its last log lines:(\n {2}\S.*){1,5}$/);
      // What Prometheus logged last before it was killed: it was up.
      expect(result.problems[0]).toContain('Server is ready to receive web requests.');
      await expectGone(() => allProcesses().filter((p) => started.some((s) => s.pid === p.pid)), [folderOf(prometheus)], 2000);
    } finally {
      killAll(ownDrillProcesses());
    }
  }, 60000);

  drillTest('a port another process holds (it accepts and never answers) ends the scenario at once, saying so', async () => {
    const sockets: net.Socket[] = [];
    const squatter = net.createServer((socket) => sockets.push(socket));
    try {
      const port = await new Promise<number>((resolve) => squatter.listen(0, '127.0.0.1', () => resolve((squatter.address() as net.AddressInfo).port)));
      const started = Date.now();
      const [result] = await runScenario({ ...setup, ports: { prometheus: port } }, waiting);
      expect(Date.now() - started).toBeLessThan(10000);
      expect(result.passed).toBe(false);
      expect(result.problems[0]).toMatch(/^prometheus exited \(code 1\); its last log lines:\n/);
      expect(result.problems[0]).toContain(`127.0.0.1:${port}: bind: address already in use`);
      await expectGone(ownDrillProcesses, [], 2000);
    } finally {
      sockets.forEach((s) => s.destroy());
      squatter.close();
      killAll(ownDrillProcesses());
    }
  }, 30000);
});
