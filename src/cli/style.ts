// How the CLI's output looks on a terminal: colors and progress lines, decided in one place so that every command
// agrees. Pure functions of the terminal facts (passed in), so that tests can pin them without a real TTY.

/** What decides the look of one output stream. */
export interface OutputFacts {
  /** Whether the stream is a terminal (`process.stdout.isTTY`). */
  readonly tty: boolean;
  /** The environment: `NO_COLOR` (any value, even empty) turns colors off; `CI=true` turns progress off. */
  readonly env: NodeJS.ProcessEnv;
  /** Machine-readable output: never colored, never interleaved with progress. @default false */
  readonly json?: boolean;
}

export type Tone = 'pass' | 'fail' | 'warning';

const SGR: Record<Tone, [number, number]> = { pass: [32, 39], fail: [31, 39], warning: [33, 39] };

/** Colors only on a terminal, never with NO_COLOR set (https://no-color.org: any value) and never in JSON. */
export function colorEnabled(facts: OutputFacts): boolean {
  return facts.tty && !facts.json && facts.env.NO_COLOR === undefined;
}

/** `text` in the color of its tone (PASS green, FAIL red, warnings yellow) where colors are on, else unchanged. */
export function style(text: string, tone: Tone, facts: OutputFacts): string {
  if (!colorEnabled(facts)) return text;
  const [on, off] = SGR[tone];
  return `\u001b[${on}m${text}\u001b[${off}m`;
}

/** Progress lines only for a person watching a terminal: not in CI, not when piped, never with JSON. */
export function progressEnabled(facts: OutputFacts): boolean {
  return facts.tty && !facts.json && facts.env.CI !== 'true';
}

/** One progress line: `  done <what> (<seconds> s)`. */
export function progressLine(what: string, seconds: number): string {
  return `  done ${what} (${seconds.toFixed(1)} s)`;
}

/** The facts of this process's stdout (results, tables, JSON). */
export function stdoutFacts(json = false): OutputFacts {
  return { tty: process.stdout.isTTY === true, env: process.env, json };
}

/** The facts of this process's stderr (warnings, progress). */
export function stderrFacts(json = false): OutputFacts {
  return { tty: process.stderr.isTTY === true, env: process.env, json };
}

/** Progress of a long command: `done` announces one finished item, where progress is on. */
export interface Progress {
  readonly enabled: boolean;
  done(what: string, seconds: number): void;
}

/** Progress lines go to stderr, so that they never mix into results or JSON on stdout; shown only where progressEnabled. */
export function progressReporter(json: boolean): Progress {
  const enabled = progressEnabled(stdoutFacts(json));
  return { enabled, done: (what, seconds) => enabled && process.stderr.write(`${progressLine(what, seconds)}\n`) };
}

/** PASS or FAIL, colored for stdout. */
export function verdict(passed: boolean, facts: OutputFacts = stdoutFacts()): string {
  return passed ? style('PASS', 'pass', facts) : style('FAIL', 'fail', facts);
}
