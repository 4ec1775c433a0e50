// `npm run bench`: wall time (median of several runs) and peak memory of `o11y synth`, as a user runs it,
// for the default stack and for generated stacks with 100 and 1,000 monitored applications.
// Output goes to the disk (what a user sees) and to tmpfs (our code's cost alone).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median } from './median';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'src', 'cli', 'main.js');
const PRELOAD = path.join(__dirname, 'max-rss.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** A stack file with `count` applications, each a ServiceMonitor, two alerts and a recording rule. */
function generatedStack(dir: string, count: number): string {
  const file = path.join(dir, `apps-${count}.ts`);
  fs.writeFileSync(file, `import { defineStack } from 'cdk8s-o11y';

export default defineStack({
  rules: { knownMetrics: ['http_requests_total'] },
  applications: Array.from({ length: ${count} }, (_, i) => ({
    name: \`app-\${i}\`,
    namespace: \`team-\${i % 20}\`,
    selector: { 'app.kubernetes.io/name': \`app-\${i}\` },
    port: 'metrics',
    records: [{ record: 'job:http_requests:rate5m', expr: \`sum by (job) (rate(http_requests_total{job="app-\${i}"}[5m]))\` }],
    alerts: [
      { alert: 'AppDown', expr: \`up{job="app-\${i}"} == 0\`, for: '5m', severity: 'critical', summary: 'app-\${i} is down' },
      { alert: 'AppHighErrorRate', expr: \`sum(rate(http_requests_total{job="app-\${i}",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="app-\${i}"}[5m])) > 0.05\`, for: '10m', severity: 'warning', summary: 'app-\${i} fails requests' },
    ],
  })),
});
`);
  return file;
}

interface Sample {
  seconds: number;
  maxRssKb: number;
}

function runOnce(stackFile: string, outRoot: string): Sample {
  const out = fs.mkdtempSync(path.join(outRoot, 'o11y-bench-out-'));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-r', PRELOAD, CLI, 'synth', stackFile, '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(out, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`synth of ${stackFile} failed:\n${run.stderr}`);
  const rss = /bench:max-rss-kb=(\d+)/.exec(run.stderr);
  return { seconds, maxRssKb: rss ? Number(rss[1]) : NaN };
}

interface Result {
  label: string;
  /** Median wall time with the output on disk, as a user runs it. */
  diskSeconds: number;
  /** Median wall time with the output in memory (tmpfs): our code's cost without the disk's. */
  memorySeconds: number;
  maxRssMb: number;
}

// The disk's cost per file varies a lot between runs (kernel writeback), so the code's own cost is measured
// with the output on tmpfs as well.
const MEMORY_ROOT = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

function measure(label: string, stackFile: string): Result {
  const medianOf = (outRoot: string) => {
    runOnce(stackFile, outRoot); // warm the file cache
    const samples = Array.from({ length: RUNS }, () => runOnce(stackFile, outRoot));
    return { seconds: median(samples.map((s) => s.seconds)), maxRssKb: Math.max(...samples.map((s) => s.maxRssKb)) };
  };
  const disk = medianOf(os.tmpdir());
  const memory = medianOf(MEMORY_ROOT);
  return { label, diskSeconds: disk.seconds, memorySeconds: memory.seconds, maxRssMb: Math.max(disk.maxRssKb, memory.maxRssKb) / 1024 };
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-bench-'));
  const results = [
    measure('default stack', path.join(ROOT, 'stacks', 'default.ts')),
    measure('100 applications', generatedStack(dir, 100)),
    measure('1,000 applications', generatedStack(dir, 1000)),
  ];
  console.log(`o11y synth: median wall time of ${RUNS} runs, each into a fresh output folder; peak RSS of any run`);
  console.log(`  ${'stack'.padEnd(20)} ${'disk'.padStart(9)} ${'memory'.padStart(9)} ${'peak RSS'.padStart(9)}`);
  for (const r of results) {
    console.log(`  ${r.label.padEnd(20)} ${r.diskSeconds.toFixed(3).padStart(7)} s ${r.memorySeconds.toFixed(3).padStart(7)} s ${r.maxRssMb.toFixed(0).padStart(6)} MB`);
  }
  const [, hundred, thousand] = results;
  // Linear growth means 10x the applications cost at most 10x: the ratio of the totals must stay <= 10.
  console.log(`  1,000 vs 100 applications: ${(thousand.diskSeconds / hundred.diskSeconds).toFixed(1)}x on disk, ` +
    `${(thousand.memorySeconds / hundred.memorySeconds).toFixed(1)}x in memory, for 10x the applications`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
