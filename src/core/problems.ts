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
  constructor(public readonly stackName: string, public readonly problems: readonly StackProblem[]) {
    super(formatProblems(stackName, problems));
    this.name = 'StackError';
  }
}

/** At most this many problems are spelled out; a stack with hundreds usually has one mistake repeated. */
const SHOWN_PROBLEMS = 25;

export function formatProblems(stackName: string, problems: readonly StackProblem[]): string {
  const lines = problems.slice(0, SHOWN_PROBLEMS).map((p) => `  ${p.field}: ${p.message}${p.fix ? `\n    fix: ${p.fix}` : ''}`);
  if (problems.length > SHOWN_PROBLEMS) lines.push(`  ... and ${problems.length - SHOWN_PROBLEMS} more`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return `stack ${stackName}: ${count}\n${lines.join('\n')}`;
}
