import { isSecretKey, redactText } from './redact';

/** One thing wrong with a stack: where (a dotted field path or an object), what, and how to fix it. */
export interface StackProblem {
  readonly field: string;
  readonly message: string;
  readonly fix?: string;
}

/**
 * An error in the user's input (stack values, stack file, CLI arguments). The CLI prints its message as is,
 * without a stack trace, and exits 1.
 */
export class StackError extends Error {
  readonly problems: readonly StackProblem[];

  constructor(public readonly stackName: string, problems: readonly StackProblem[]) {
    super(formatProblems(stackName, problems));
    this.name = 'StackError';
    // The problems travel further than the message (JSON output, tests): redacted the same way.
    this.problems = problems.map(redactProblem);
  }
}

/** At most this many problems are spelled out; a stack with hundreds usually has one mistake repeated. */
const SHOWN_PROBLEMS = 25;

/** A value quoted under a field named like a credential (`...password: 'hunter2' is ...`). */
const QUOTED = /'[^'\s]+'|"[^"\s]+"/g;

/**
 * The problem with nothing in it that looks like a credential: checks quote values, and a value pasted into the
 * wrong field may be a secret. Quoted values under a field named like a credential are never shown.
 */
export function redactProblem(problem: StackProblem): StackProblem {
  const last = /([A-Za-z0-9_-]+)\W*$/.exec(problem.field)?.[1];
  const message = isSecretKey(last) ? problem.message.replace(QUOTED, (q) => `${q[0]}…${q[0]} (redacted)`) : problem.message;
  const redacted = { field: redactText(problem.field), message: redactText(message), ...(problem.fix !== undefined ? { fix: redactText(problem.fix) } : {}) };
  return redacted.field === problem.field && redacted.message === problem.message && redacted.fix === problem.fix ? problem : redacted;
}

export function formatProblems(stackName: string, problems: readonly StackProblem[]): string {
  const lines = problems.slice(0, SHOWN_PROBLEMS).map(redactProblem).map((p) => `  ${p.field}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}`);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`  ... and ${problems.length - SHOWN_PROBLEMS} more`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `stack ${stackName}: ${count}\n${lines.join('\n')}`;
}
