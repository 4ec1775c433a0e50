// The servers of a drill scenario die with the drill, however it ends. A drill killed with SIGKILL runs no exit
// handler, so it cannot stop them itself: each scenario's servers run under a small supervisor process (node) that
// reads a pipe from the drill. When that pipe closes (the drill closed it, or the drill died: the kernel closes a
// dead process's end, SIGKILL included) the supervisor kills every server, removes the scenario's temporary folder
// and exits. The same pipe carries the drill's requests (start, stop), and the supervisor's stdout reports back
// each server that ends on its own, with its exit code or signal.
import { spawn, type ChildProcess } from 'child_process';

/** How a server ended without being asked to. */
export interface ServerExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when it could not be started at all (e.g. the binary is missing). */
  readonly error?: string;
}

type Request = { start: string; command: string; args: string[]; log: string } | { stop: string };
type Report = { exited: string; code: number | null; signal: NodeJS.Signals | null } | { failed: string; error: string };

// Plain JavaScript, run with `node -e`: it must not depend on the build or on ts-jest. argv[1] is the folder.
const SUPERVISOR = String.raw`// cdk8s-o11y drill: the supervisor of one scenario's servers
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const dir = process.argv[1];
const servers = new Map();
const alive = new Set();
let finishing = false;
const report = (message) => { try { process.stdout.write(JSON.stringify(message) + '\n'); } catch (e) {} };
function removeDir() {
  for (let attempt = 0; attempt < 5; attempt++) {
    try { fs.rmSync(dir, { recursive: true, force: true }); return; } catch (e) {}
  }
}
function finish() {
  if (finishing) return;
  finishing = true;
  for (const child of alive) child.kill('SIGKILL');
  const done = () => { if (alive.size === 0) { removeDir(); process.exit(0); } };
  for (const child of alive) child.once('exit', done);
  done();
}
function start(request) {
  let log;
  try {
    log = fs.openSync(request.log, 'w');
  } catch (error) {
    report({ failed: request.start, error: error.message });
    return;
  }
  const child = spawn(request.command, request.args, { stdio: ['ignore', 'ignore', log] });
  fs.closeSync(log);
  servers.set(request.start, child);
  alive.add(child);
  child.on('error', (error) => {
    if (child.pid === undefined) alive.delete(child);
    if (!finishing) report({ failed: request.start, error: error.message });
  });
  child.on('exit', (code, signal) => {
    alive.delete(child);
    if (!finishing) report({ exited: request.start, code, signal });
  });
}
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
    const request = JSON.parse(buffer.slice(0, newline));
    buffer = buffer.slice(newline + 1);
    if (finishing) continue;
    if (request.start) start(request);
    if (request.stop) servers.get(request.stop)?.kill('SIGKILL');
  }
});
process.stdin.on('end', finish);
process.stdin.on('error', finish);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, finish);
`;

/** The supervisor of one scenario's servers, and the folder it removes when it ends. */
export class Supervisor {
  private readonly child: ChildProcess;
  private readonly stopping = new Set<string>();
  private readonly exited: Promise<void>;
  private closing = false;

  /** `onExit` hears of every server that ends without being stopped, and of the supervisor itself ending early. */
  constructor(dir: string, onExit: (exit: ServerExit) => void) {
    this.child = spawn(process.execPath, ['-e', SUPERVISOR, dir], { stdio: ['pipe', 'pipe', 'ignore'] });
    // Writing to a supervisor that is gone must not throw in the drill: its exit is reported below.
    this.child.stdin!.on('error', () => undefined);
    let buffer = '';
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const report = JSON.parse(buffer.slice(0, newline)) as Report;
        buffer = buffer.slice(newline + 1);
        if ('failed' in report) onExit({ name: report.failed, code: null, signal: null, error: report.error });
        else if (!this.stopping.has(report.exited) && !this.closing) onExit({ name: report.exited, code: report.code, signal: report.signal });
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        if (!this.closing) onExit({ name: 'the supervisor of the servers', code, signal });
        resolve();
      });
      // It could not even start: there is nothing to wait for.
      this.child.on('error', (error) => {
        if (this.child.pid !== undefined) return;
        onExit({ name: 'the supervisor of the servers', code: null, signal: null, error: error.message });
        resolve();
      });
    });
  }

  private send(request: Request): void {
    this.child.stdin!.write(`${JSON.stringify(request)}\n`);
  }

  /** Starts a server, its stderr written to `log`. */
  start(name: string, command: string, args: string[], log: string): void {
    this.send({ start: name, command, args, log });
  }

  /** Stops a server on purpose: its exit is not reported. */
  stop(name: string): void {
    this.stopping.add(name);
    this.send({ stop: name });
  }

  /** Kills every server and removes the folder: resolves when the supervisor has done so and exited. */
  async close(): Promise<void> {
    this.closing = true;
    this.child.stdin!.end();
    await this.exited;
  }
}
