// `cdk8s synth` through the project's cdk8s.yaml, offline, as in CI or an air-gapped GitOps runner. The cdk8s CLI
// asks registry.npmjs.org for a newer version of itself before every command (lib/cli/index.js, option
// `check-upgrade`, read from the environment as CDK8S_CHECK_UPGRADE by yargs' `.env('CDK8S')`); offline, that
// prints a stack trace. The network is cut here by a preloaded module, so the tests say the same online and off.
// Runs the built CLI: `npx tsc -p tsconfig.json` first.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempFolder } from '../helpers';

const REPO = path.resolve(__dirname, '../..');
const CDK8S = path.join(REPO, 'node_modules', '.bin', 'cdk8s');

/** A copy of the project with one stack (links to its build and modules), so that the real dist/ is not touched. */
function project(): string {
  const dir = tempFolder('o11y-cdk8s-');
  for (const entry of ['build', 'node_modules', 'package.json', 'cdk8s.yaml']) fs.symlinkSync(path.join(REPO, entry), path.join(dir, entry));
  fs.mkdirSync(path.join(dir, 'stacks'));
  fs.copyFileSync(path.join(REPO, 'stacks', 'default.ts'), path.join(dir, 'stacks', 'default.ts'));
  return dir;
}

/** A module preloaded into every node process: each HTTP(S) request fails at once and leaves a mark. */
function offline(): { nodeOptions: string; attempts: () => string[] } {
  const dir = tempFolder('o11y-offline-');
  const log = path.join(dir, 'attempts.log');
  const preload = path.join(dir, 'offline.js');
  fs.writeFileSync(preload, `
    const fs = require('fs');
    for (const name of ['http', 'https']) {
      const mod = require(name);
      const cut = (target) => { fs.appendFileSync(${JSON.stringify(log)}, String(target && (target.href || target.host || target)) + '\\n'); throw new Error('getaddrinfo ENOTFOUND (offline)'); };
      mod.request = cut;
      mod.get = cut;
    }
  `);
  return { nodeOptions: `--require ${preload}`, attempts: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

function cdk8sSynth(args: string[], env: Record<string, string>) {
  const dir = project();
  const net = offline();
  const out = path.join(tempFolder('o11y-cdk8s-out-'), 'cdk8s.out');
  // A fresh home: no cached version answer (~/.cdk8s-cli.version) hides the check.
  const home = tempFolder('o11y-home-');
  const run = spawnSync(CDK8S, ['synth', '--output', out, ...args], {
    cwd: dir, encoding: 'utf8', timeout: 120000,
    env: { ...process.env, HOME: home, NODE_OPTIONS: net.nodeOptions, FORCE_COLOR: '0', ...env },
  });
  return { ...run, dir, out, attempts: net.attempts() };
}

const STACK_TRACE = /^\s+at .+\(.+:\d+:\d+\)$/m;

describe('cdk8s synth offline', () => {
  test('with CDK8S_CHECK_UPGRADE=false: no network, no stack trace; dist/ written, one stream per stack in the cdk8s output', () => {
    const run = cdk8sSynth([], { CDK8S_CHECK_UPGRADE: 'false' });
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stderr).not.toContain('A new version');
    expect(run.status).toBe(0);
    expect(run.attempts).toEqual([]);
    // Our writer filled dist/, and cdk8s' output folder holds one stream per stack for its validation plugins.
    expect(fs.readFileSync(path.join(run.dir, 'dist', 'default', 'SUMMARY.md'), 'utf8')).toContain('# Stack `default`');
    expect(fs.readdirSync(run.out)).toEqual(['default.k8s.yaml']);
  }, 180000);

  test('--no-check-upgrade does the same', () => {
    const run = cdk8sSynth(['--no-check-upgrade'], {});
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(run.status).toBe(0);
    expect(run.attempts).toEqual([]);
  }, 180000);

  test('without either, the version check goes to the registry and, offline, prints a stack trace', () => {
    const run = cdk8sSynth([], {});
    expect(run.attempts.some((a) => a.includes('registry.npmjs.org'))).toBe(true);
    expect(run.stderr).toMatch(STACK_TRACE);
    // The synth itself still runs: the trace is noise, which is why the README says to switch the check off.
    expect(run.status).toBe(0);
  }, 180000);
});
