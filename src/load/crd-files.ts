import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '../core/primitives';
import { StackError } from '../core/problems';


/** The YAML files a `crds.paths` entry names: the file itself, or a folder's *.yaml and *.yml in name order. */
function filesOf(entry: string, field: string, stackName: string): string[] {
  const fail = (message: string, fix: string): never => {
    throw new StackError(stackName, [{ field, message, fix }]);
  };
  if (!fs.existsSync(entry)) return fail(`'${entry}' does not exist`, 'give a CRD file or a folder of them, relative to the stack file');
  if (!fs.statSync(entry).isDirectory()) return [entry];
  const files = fs.readdirSync(entry).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(entry, f));
  return files.length ? files : fail(`folder '${entry}' holds no .yaml files`, 'point at the folder that holds the CRD files');
}

function readCrds(file: string, field: string, stackName: string): KubernetesObject[] {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return documents.flatMap((doc, index) => {
    const where = `${field} (${file}, document ${index + 1})`;
    if (doc.errors.length) throw new StackError(stackName, [{ field: where, message: `is not valid YAML: ${doc.errors[0].message.split('\n')[0]}` }]);
    const object = doc.toJS() as KubernetesObject | null;
    if (object === null) return [];
    if (object.kind !== 'CustomResourceDefinition' || !object.metadata?.name) {
      throw new StackError(stackName, [{
        field: where,
        message: `is a ${object.kind ?? 'document without kind'}, not a CustomResourceDefinition`,
        fix: 'list only CRD files here; add other objects with extraObjects',
      }]);
    }
    return [object];
  });
}


/** Reads every CRD a stack's `crds.paths` names (relative to the stack file); a CRD given twice is an error. */
export function loadCrdFiles(entries: readonly string[], baseDir: string, stackName: string): KubernetesObject[] {
  const seen = new Map<string, string>();
  const crds: KubernetesObject[] = [];
  entries.forEach((entry, i) => {
    const field = `crds.paths[${i}]`;
    for (const file of filesOf(path.resolve(baseDir, entry), field, stackName)) {
      for (const crd of readCrds(file, field, stackName)) {
        const first = seen.get(crd.metadata.name);
        if (first !== undefined) {
          throw new StackError(stackName, [{ field, message: `CRD ${crd.metadata.name} is given twice (also in ${first})`, fix: 'list each CRD once' }]);
        }
        seen.set(crd.metadata.name, file);
        crds.push(crd);
      }
    }
  });
  return crds;
}
