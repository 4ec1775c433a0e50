import { describeConsumer, referencedSecrets } from '../analyze/prerequisites';
import { renderStacks, stackFilesFor } from './stacks';

/** Prints each stack with its components, how many objects each generates, and the Secrets it needs first. */
export function listCommand(args: string[]): void {
  for (const stack of renderStacks(stackFilesFor(args))) {
    console.log(`${stack.name} (${stack.source}): ${stack.objects.length} objects`);
    const counts = new Map<string, number>();
    for (const o of stack.objects) counts.set(o.component, (counts.get(o.component) ?? 0) + 1);
    const width = Math.max(...[...counts.keys()].map((c) => c.length));
    for (const [component, count] of counts) console.log(`  ${component.padEnd(width)}  ${String(count).padStart(4)}`);
    const secrets = referencedSecrets(stack.objects);
    console.log(`  Secrets to create before deploying (${secrets.length})${secrets.length ? ':' : ': none'}`);
    for (const s of secrets) {
      console.log(`    ${s.namespace}/${s.name}  ${s.keys.length ? `keys: ${s.keys.join(', ')}` : 'mounted whole'}  (${s.usedBy.join(', ')})`);
      for (const c of s.consumers) console.log(`      ${describeConsumer(c)}`);
    }
  }
}
