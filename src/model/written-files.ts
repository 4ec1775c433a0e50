// A stack's output folder read back as objects: `<component>/<Kind>-<name>.yaml` holds one object each; other YAML
// files are components' plain files. Dashboards' JSON copies and SUMMARY.md are derived from the objects and skipped.
import { parse } from 'yaml';
import { StackError } from '../core/problems';
import type { Manifest, ModelObject } from './stack-model';

export interface WrittenFiles {
  readonly objects: ModelObject[];
  /** Plain files (path relative to the stack folder -> content), compared as text. */
  readonly files: Map<string, string>;
}

const OBJECT_FILE = /^([^/]+)\/([^/]+)\.yaml$/;

function isManifest(value: unknown): value is Manifest {
  const v = value as Partial<Manifest> | null;
  return typeof v === 'object' && v !== null && typeof v.kind === 'string' && typeof v.apiVersion === 'string' && typeof v.metadata?.name === 'string';
}

/** The objects and plain files of one stack's output (`what` names the side, e.g. `dist/default at HEAD`, for errors). */
export function readWrittenFiles(output: ReadonlyMap<string, string>, stack: string, what: string): WrittenFiles {
  const objects: ModelObject[] = [];
  const files = new Map<string, string>();
  for (const [file, content] of [...output].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!file.endsWith('.yaml')) continue;
    const match = OBJECT_FILE.exec(file);
    let document: unknown;
    try {
      document = match ? parse(content) : undefined;
    } catch (error) {
      throw new StackError(stack, [{ field: `${what}/${file}`, message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}`, fix: 'run `o11y synth` to rewrite it, or compare against another ref or folder' }]);
    }
    if (match && isManifest(document) && match[2] === `${document.kind}-${document.metadata.name}`) objects.push({ component: match[1], manifest: document });
    else files.set(file, content);
  }
  return { objects, files };
}
