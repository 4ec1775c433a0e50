// `o11y drill` end to end: the example stacks' drills pass on a real Prometheus and Alertmanager, a broken route or
// rule fails with a readable report, Ctrl-C stops everything, and missing binaries say how to install them.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import { DEFAULT_IMAGES } from '../../src/core/images';
import { TOOLS } from '../../src/core/tools';
import { drillTest } from '../tools';
import { MAIN, REPO, o11y, stackVariant } from './drill-cli';
import { tempFolder } from '../helpers';

describe('o11y drill', () => {
  drillTest('the default stack: node_exporter stopped, Watchdog, an inhibited info alert, a grouped rollout and a node down all pass', () => {
    const run = o11y(['drill', 'stacks/default.ts', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const { factor, versions, results } = JSON.parse(run.stdout);
    expect(factor).toBe(60);
    // It ran the software the stack deploys, and says so.
    expect(versions).toEqual({
      prometheus: DEFAULT_IMAGES.prometheus.tag.slice(1), alertmanager: DEFAULT_IMAGES.alertmanager.tag.slice(1),
      nodeExporter: DEFAULT_IMAGES.nodeExporter.tag.slice(1), kubeRbacProxy: DEFAULT_IMAGES.kubeRbacProxy.tag.slice(1),
    });
    const result = (scenario: string, alert: string) => results.find((r: { scenario: string; alert: string }) => r.scenario === scenario && r.alert === alert);
    expect(results.map((r: { scenario: string; alert: string }) => `${r.scenario}: ${r.alert}`)).toEqual([
      'node_exporter stopped: TargetDown',
      'Watchdog heartbeat: Watchdog',
      'a quota almost full stays quiet: KubeQuotaAlmostFull',
      'a bad rollout in shop: KubePodCrashLooping',
      'a bad rollout in shop: KubePodNotReady',
      'a node goes down: KubeNodeNotReady',
      'a node goes down: TargetDown',
    ]);
    expect(results.every((r: { passed: boolean }) => r.passed)).toBe(true);
    // TargetDown has `for: 10m`: about 10 s after node_exporter stopped, not before.
    const stopped = result('node_exporter stopped', 'TargetDown');
    expect(stopped).toMatchObject({ expected: { receivers: ['null'] }, inhibitedBy: [] });
    expect(stopped.firedAfter).toBeGreaterThanOrEqual(9);
    expect(stopped.delivered.null).toBeGreaterThanOrEqual(stopped.firedAfter);
    expect(result('a quota almost full stays quiet', 'KubeQuotaAlmostFull')).toMatchObject({ inhibitedBy: ['InfoInhibitor'], delivered: {} });
    expect(result('a bad rollout in shop', 'KubePodCrashLooping').groupedWith).toContain('KubePodNotReady');
  }, 180000);

  test('a broken route and a contract that promises too much are refused before anything starts, naming the schedule', () => {
    const file = stackVariant('broken', (source) => source
      // The Watchdog route now also swallows the pod-failure alert...
      .replace('alertname=~"Watchdog|InfoInhibitor"', 'alertname=~"Watchdog|InfoInhibitor|KubeDeploymentReplicasMismatch"')
      // ...and the stress contract promises an alert sooner than its `for: 5m` allows.
      .replace("expects: [{ alert: 'WebLatencyHigh', within: '10m'", "expects: [{ alert: 'WebLatencyHigh', within: '4m'"));
    const run = o11y(['drill', file, '--timeout', '35']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("chaos.schedules[1] (checkout-pod-failure) › expects[0] (KubeDeploymentReplicasMismatch): reaches [null], not 'incident-tool'");
    expect(run.stderr).toContain('chaos.schedules[2] (web-stress) › expects[0] (WebLatencyHigh): cannot fire in time: for 300s + scrape interval 30s + evaluation interval 30s = 360s, more than within 4m');
    expect(run.stdout).toBe('');
  });

  for (const [signal, exitCode, name] of [['SIGINT', 130, 'Ctrl-C'], ['SIGTERM', 143, 'SIGTERM']] as const) {
    drillTest(`${name} stops every process it started and exits ${exitCode}`, async () => {
      const tmp = tempFolder('o11y-drill-sigint-');
      const child = spawn(process.execPath, [MAIN, 'drill', 'stacks/default.ts'], { cwd: REPO, env: { ...process.env, TMPDIR: tmp } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const running = () => spawnSync('pgrep', ['-f', tmp]).stdout.toString().trim().split('\n').filter(Boolean);
      for (let i = 0; i < 200 && running().length < 2; i++) await new Promise((r) => setTimeout(r, 100));
      expect(running().length).toBeGreaterThanOrEqual(2);
      child.kill(signal);
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code).toBe(exitCode);
      expect(stderr).toContain('interrupted; every Prometheus, Alertmanager, node_exporter and kube-rbac-proxy it started is stopped');
      expect(running()).toEqual([]);
      expect(fs.readdirSync(tmp)).toEqual([]);
    }, 60000);
  }

  drillTest('options that make no sense are named, with nothing started', () => {
    const run = o11y(['drill', 'stacks/default.ts', '--factor', '0', '--parallel', 'two']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("--factor: '0' is not a number of at least 1");
    expect(run.stderr).toContain("--parallel: 'two' is not a whole number of at least 1");
    expect(run.stdout).toBe('');
  });

  test('without the tools built it names each one, its version and the install command, with nothing started', () => {
    const empty = tempFolder('o11y-no-tools-');
    const run = o11y(['drill', 'stacks/default.ts'], { ...process.env, O11Y_TOOLS_DIR: empty });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`alertmanager: ${TOOLS.alertmanager.version} (the version the stack deploys) is not installed in ${empty}`);
    expect(run.stderr).toContain(`prometheus: ${TOOLS.prometheus.version}`);
    expect(run.stderr).toContain('fix: run `npx o11y tools install`');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });
});
