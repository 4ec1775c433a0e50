// Real kills: a child process writes a 500-file stack and is killed with SIGKILL at random moments of its write
// phase. After every kill the stack folder must be exactly the old tree or exactly the new one, and the next
// write must recover: the new tree complete, no .o11y-* folder or temporary file left.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { GENERATED_MARKER } from '../../src/synth/layout';
import { workFolders, writeStack } from '../../src/synth/writer';
import { addForeign, differences, expectedStats, expectedTree, fileSet, foreignIdentity, leftovers, snapshot, tempDir, type Snapshot } from './trees';

const CHILD = path.join(__dirname, 'write-child.js');
const SRC = path.resolve(__dirname, '..', '..', 'src');

/**
 * Transpiles src/synth/writer.ts and what it imports into `lib` (mirroring src/), so that the child runs the current
 * source without loading the TypeScript compiler each time. layout.ts, of which the writer needs only the marker,
 * becomes a stub: the child does not load the renderer.
 */
function compileWriter(lib: string): string {
  const pending = [path.join(SRC, 'synth', 'writer.ts')];
  const done = new Set<string>();
  while (pending.length) {
    const file = pending.pop() as string;
    if (done.has(file)) continue;
    done.add(file);
    const target = path.join(lib, path.relative(SRC, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (file === path.join(SRC, 'synth', 'layout.ts')) {
      fs.writeFileSync(target, `exports.GENERATED_MARKER = ${JSON.stringify(GENERATED_MARKER)};\n`);
      continue;
    }
    const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    fs.writeFileSync(target, outputText);
    for (const [, request] of outputText.matchAll(/require\("(\.[^"]+)"\)/g)) pending.push(`${path.resolve(path.dirname(file), request)}.ts`);
  }
  return path.join(lib, 'synth');
}
const OLD = fileSet('big', 'old');
const NEW = fileSet('big', 'new');

interface ChildRun {
  /** Whether SIGKILL ended it (false: it finished first). */
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the child; `killAfterMs` after it printed "go" (its write phase starts), kills it with SIGKILL. */
function runChild(lib: string, out: string, filesJson: string, killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, lib, out, 'big', filesJson], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      const started = !stdout.includes('go\n');
      stdout += chunk.toString();
      if (started && stdout.includes('go\n') && killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ killed: true, stdout, stderr });
      else if (code === 0) resolve({ killed: false, stdout, stderr });
      else reject(new Error(`the write child failed (exit ${code}): ${stderr}`));
    });
  });
}

describe('writer: SIGKILL at any moment of a write', () => {
  const expectedOld = expectedTree('big', OLD);
  const expectedNew = expectedTree('big', NEW);

  function classify(out: string): 'old' | 'new' | 'between the renames' {
    const stackDir = path.join(out, 'big');
    if (!fs.existsSync(stackDir)) {
      // Killed in the microseconds between the two renames of the swap: the old tree waits beside, whole.
      expect(differences(snapshot(workFolders(out, 'big').previous), expectedOld)).toEqual([]);
      return 'between the renames';
    }
    const now: Snapshot = snapshot(stackDir);
    if (differences(now, expectedOld).length === 0) return 'old';
    // Not the old tree: then exactly the new one (a failure shows how it differs from the new tree, and from the old).
    expect({ fromNew: differences(now, expectedNew), fromOld: differences(now, expectedOld) }).toEqual({ fromNew: [], fromOld: expect.anything() });
    return 'new';
  }

  test('GIVEN a 500-file stack WHEN its write is killed at random moments THEN the folder is always whole, old or new, and the next write recovers', async () => {
    expect(OLD.length).toBeGreaterThanOrEqual(500);
    const work = tempDir('o11y-kill-');
    const filesJson = path.join(work, 'new.json');
    fs.writeFileSync(filesJson, JSON.stringify(NEW));

    const lib = compileWriter(path.join(work, 'lib'));

    // How long the write phase takes here, from old to new, to the end of the child.
    const calibration = path.join(work, 'calibration');
    writeStack(calibration, 'big', OLD);
    addForeign(path.join(calibration, 'big'));
    const full = await runChild(lib, calibration, filesJson);
    const phaseMs = Number(/^done (\S+)/m.exec(full.stdout)?.[1]);
    expect(phaseMs).toBeGreaterThan(0);
    expect(differences(snapshot(path.join(calibration, 'big')), expectedNew)).toEqual([]);

    const out = path.join(work, 'dist');
    writeStack(out, 'big', OLD);
    addForeign(path.join(out, 'big'));
    const foreign = foreignIdentity(path.join(out, 'big'));
    const outcomes: Record<string, number> = { old: 0, new: 0, 'between the renames': 0, 'not killed (finished first)': 0 };
    const delays: string[] = [];
    // Random delays over [0, latest]; `latest` follows how long a write really takes (fsync times vary a lot), so
    // that the kills spread over the whole write phase: staging, swap, removal of the old tree.
    let latest = phaseMs * 1.5;
    let attempts = 0;
    const kills = () => attempts - outcomes['not killed (finished first)'];
    while ((kills() < 16 || outcomes.new === 0) && attempts < 60) {
      attempts++;
      const delay = Math.random() * latest;
      const run = await runChild(lib, out, filesJson, delay);
      const outcome = run.killed ? classify(out) : 'not killed (finished first)';
      outcomes[outcome]++;
      delays.push(`${delay.toFixed(1)}:${outcome}`);
      if (!run.killed) {
        latest *= 0.85;
        expect(differences(snapshot(path.join(out, 'big')), expectedNew)).toEqual([]);
      } else if (outcome === 'old' && delay > latest * 0.6) latest *= 1.25;
      if (outcome !== 'between the renames') expect(foreignIdentity(path.join(out, 'big'))).toEqual(foreign);

      if (attempts % 2 === 0 || outcome !== 'old') {
        // The next synth recovers: complete, with the right counts, nothing left behind ...
        const stats = writeStack(out, 'big', NEW);
        expect(stats).toEqual(outcome === 'old' || outcome === 'between the renames' ? expectedStats(OLD, NEW) : expectedStats(NEW, NEW));
        expect(differences(snapshot(path.join(out, 'big')), expectedNew)).toEqual([]);
        expect(foreignIdentity(path.join(out, 'big'))).toEqual(foreign);
        expect(leftovers(out)).toEqual([]);
        // ... and back to the old tree for the next kill.
        expect(writeStack(out, 'big', OLD)).toEqual(expectedStats(NEW, OLD));
        expect(differences(snapshot(path.join(out, 'big')), expectedOld)).toEqual([]);
        expect(leftovers(out)).toEqual([]);
      }
      // Else the leftovers of this kill stay: the next child must recover from them (and may be killed doing so).
    }
    const final = writeStack(out, 'big', NEW);
    expect(final.written + final.unchanged).toBe(NEW.length);
    expect(differences(snapshot(path.join(out, 'big')), expectedNew)).toEqual([]);
    expect(foreignIdentity(path.join(out, 'big'))).toEqual(foreign);
    expect(leftovers(out)).toEqual([]);

    console.log(`kill test: write phase ${phaseMs.toFixed(1)} ms (calibration); ${attempts} runs, ${kills()} kills: ${JSON.stringify(outcomes)}\ndelay (ms):outcome: ${delays.join(', ')}`);
    expect(kills()).toBeGreaterThanOrEqual(10);
    fs.rmSync(work, { recursive: true, force: true });
  }, 120000);
});
