// `npm run bench`: wall time (median of several runs) and peak memory of `o11y synth`, as a user runs it,
// for the default stack and for generated stacks with 100 and 1,000 monitored applications.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'src', 'cli', 'main.js');
const PRELOAD = path.join(__dirname, 'max-rss.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** A stack file with `count` applications, each a ServiceMonitor, two alerts and a recording rule. */
function generatedStack(dir: string, count: number): string {
  const file = path.join(dir, `apps-${count}.ts`);
  fs.writeFileSync(file, `import { defineStack } from 'cdk8s-o11y';

export default defineStack({
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

function runOnce(stackFile: string): Sample {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-bench-out-'));
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-r', PRELOAD, CLI, 'synth', stackFile, '--out', out], { cwd: ROOT, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.rmSync(out, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`synth of ${stackFile} failed:\n${run.stderr}`);
  const rss = /bench:max-rss-kb=(\d+)/.exec(run.stderr);
  return { seconds, maxRssKb: rss ? Number(rss[1]) : NaN };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function measure(label: string, stackFile: string): { label: string; seconds: number; maxRssMb: number } {
  runOnce(stackFile); // warm the file cache
  const samples = Array.from({ length: RUNS }, () => runOnce(stackFile));
  return {
    label,
    seconds: median(samples.map((s) => s.seconds)),
    maxRssMb: Math.max(...samples.map((s) => s.maxRssKb)) / 1024,
  };
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-bench-'));
  const results = [
    measure('default stack', path.join(ROOT, 'stacks', 'default.ts')),
    measure('100 applications', generatedStack(dir, 100)),
    measure('1,000 applications', generatedStack(dir, 1000)),
  ];
  console.log(`o11y synth, median wall time of ${RUNS} runs (fresh output folder each run), peak RSS of any run`);
  for (const r of results) console.log(`  ${r.label.padEnd(20)} ${r.seconds.toFixed(3).padStart(7)} s  ${r.maxRssMb.toFixed(0).padStart(5)} MB`);
  const [base, hundred, thousand] = results;
  // Growth beyond the fixed cost of starting and writing the default stack: 10x apps should cost <= ~10x.
  const growth = (thousand.seconds - base.seconds) / (hundred.seconds - base.seconds);
  console.log(`  growth from 100 to 1,000 applications (minus the default stack's time): ${growth.toFixed(1)}x for 10x the applications`);
  fs.rmSync(dir, { recursive: true, force: true });
}

main();
