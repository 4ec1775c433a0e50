// `npm run bench:drill`: wall time (median of several runs) of `o11y drill` on the default and chaos example stacks,
// next to the time the scaled rules themselves need (the last expected alert's arrival): the rest is the drill's own
// cost (starting Prometheus and Alertmanager, waiting out the grace time, stopping everything).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { median } from './median';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'build', 'src', 'cli', 'main.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Result {
  readonly firedAfter: number | null;
  readonly delivered: Record<string, number>;
}

function runOnce(stack: string): { wall: number; lastArrival: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, 'drill', stack, '--json'], { cwd: ROOT, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`drill of ${stack} failed:\n${run.stdout}${run.stderr}`);
  const results = JSON.parse(run.stdout).results as Result[];
  const arrivals = results.flatMap((r) => [r.firedAfter ?? 0, ...Object.values(r.delivered)]);
  return { wall, lastArrival: Math.max(...arrivals) };
}

function main(): void {
  if (!fs.existsSync(CLI)) throw new Error('run `npm run build` first');
  console.log(`o11y drill at factor 60: median of ${RUNS} runs`);
  console.log(`  ${'stack'.padEnd(10)} ${'wall'.padStart(8)} ${'last alert'.padStart(11)} ${'overhead'.padStart(9)}`);
  for (const stack of ['default', 'chaos']) {
    const samples = Array.from({ length: RUNS }, () => runOnce(`stacks/${stack}.ts`));
    const wall = median(samples.map((s) => s.wall));
    const last = median(samples.map((s) => s.lastArrival));
    console.log(`  ${stack.padEnd(10)} ${wall.toFixed(1).padStart(6)} s ${last.toFixed(1).padStart(9)} s ${(wall - last).toFixed(1).padStart(7)} s`);
  }
}

main();
