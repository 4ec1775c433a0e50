import { defineStack, type ObservabilityStack, type StackValues } from '../src';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderStack, type Manifest, type RenderedObject, type RenderedStack } from '../src/synth/pipeline';

/** GIVEN stack values WHEN rendered THEN the model: every object with its component. */
export function render(values: StackValues = {}, customize?: (stack: ObservabilityStack) => void): RenderedStack {
  return renderStack({ definition: defineStack(values, customize), name: values.name ?? 'test', source: 'stacks/test.ts' });
}

export function objectsOf(stack: RenderedStack, component: string): RenderedObject[] {
  return stack.objects.filter((o) => o.component === component);
}

/** The one object of this kind and name; fails the test when there is not exactly one. */
export function find(stack: RenderedStack, kind: string, name: string): Manifest {
  const found = stack.objects.filter((o) => o.manifest.kind === kind && o.manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name}, found ${found.length}`);
  return found[0].manifest;
}

/** Reads a nested field by a dotted path (numbers index arrays). */
export function at(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}

/** The StackError message a render throws, or a failure when it does not throw. */
export function renderError(values: StackValues, customize?: (stack: ObservabilityStack) => void): string {
  try {
    render(values, customize);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the stack to be rejected, but it rendered');
}

export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    securityContext?: Record<string, unknown>;
    containers: Array<Record<string, unknown> & { name: string; securityContext?: Record<string, unknown>; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }>;
    volumes?: Array<Record<string, unknown>>;
    serviceAccountName?: string;
    hostNetwork?: boolean;
  };
}

export function podTemplate(manifest: Manifest): PodTemplate {
  return at(manifest, 'spec.template') as PodTemplate;
}

/** Temporary folders of the test file that imports this, removed once its tests are done. */
const folders: string[] = [];
afterAll(() => {
  for (const dir of folders.splice(0)) {
    try {
      // Some tests make folders read-only on purpose: writable again, so that they can go.
      fs.chmodSync(dir, 0o700);
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // A folder a test locked for good stays; the system's tmp cleanup takes it.
    }
  }
});

/** A new folder under the system's temporary folder, removed after the test file. */
export function tempFolder(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(dir);
  return dir;
}
