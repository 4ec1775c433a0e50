import { describeConsumer, referencedSecrets, type SecretReference } from '../analyze/prerequisites';
import { renderStacks, stackFilesFor } from './stacks';

export interface ListOptions {
  /** Print ListJson instead of the text listing. */
  readonly json?: boolean;
}

/** `o11y list --json`: one entry per stack. A stable shape: fields are only ever added. */
export interface ListJson {
  readonly stacks: Array<{
    readonly name: string;
    readonly source: string;
    readonly objects: number;
    /** Objects per component, in the order the stack generates them. */
    readonly components: Array<{ readonly name: string; readonly objects: number }>;
    /** The Secrets to create before deploying (the stack only references them). */
    readonly prerequisites: { readonly secrets: SecretReference[] };
  }>;
}

/** Prints each stack with its components, how many objects each generates, and the Secrets it needs first. */
export function listCommand(args: string[], options: ListOptions = {}): void {
  const json: ListJson['stacks'][number][] = [];
  for (const stack of renderStacks(stackFilesFor(args))) {
    const counts = new Map<string, number>();
    for (const o of stack.objects) counts.set(o.component, (counts.get(o.component) ?? 0) + 1);
    const secrets = referencedSecrets(stack.objects);
    if (options.json) {
      json.push({
        name: stack.name,
        source: stack.source,
        objects: stack.objects.length,
        components: [...counts].map(([name, objects]) => ({ name, objects })),
        prerequisites: { secrets },
      });
      continue;
    }
    console.log(`${stack.name} (${stack.source}): ${stack.objects.length} objects`);
    const width = Math.max(...[...counts.keys()].map((c) => c.length));
    for (const [component, count] of counts) console.log(`  ${component.padEnd(width)}  ${String(count).padStart(4)}`);
    console.log(`  Secrets to create before deploying (${secrets.length})${secrets.length ? ':' : ': none'}`);
    for (const s of secrets) {
      console.log(`    ${s.namespace}/${s.name}  ${s.keys.length ? `keys: ${s.keys.join(', ')}` : 'mounted whole'}  (${s.usedBy.join(', ')})`);
      for (const c of s.consumers) console.log(`      ${describeConsumer(c)}`);
    }
  }
  if (options.json) console.log(JSON.stringify({ stacks: json } satisfies ListJson, null, 2));
}
