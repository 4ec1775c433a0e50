import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { StackError } from '../core/problems';
import { Component, type StackContext } from './component';

interface CrdDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly [field: string]: unknown;
}

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

function readCrds(file: string, field: string, stackName: string): CrdDocument[] {
  const documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return documents.flatMap((doc, index) => {
    const where = `${field} (${file}, document ${index + 1})`;
    if (doc.errors.length) throw new StackError(stackName, [{ field: where, message: `is not valid YAML: ${doc.errors[0].message.split('\n')[0]}` }]);
    const object = doc.toJS() as CrdDocument | null;
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

/** CustomResourceDefinitions the user points the stack at (e.g. the operator's), written to `crds/`. */
export class Crds extends Component {
  /** Plural of every CRD given, by `group/Kind`: what RBAC for its resources must name. */
  readonly plurals = new Map<string, string>();

  constructor(scope: Construct, context: StackContext, baseDir: string) {
    super(scope, 'crds', context);
    const seen = new Map<string, string>();
    this.values.crds.paths.forEach((entry, i) => {
      const field = `crds.paths[${i}]`;
      for (const file of filesOf(path.resolve(baseDir, entry), field, this.values.name)) {
        for (const crd of readCrds(file, field, this.values.name)) {
          const first = seen.get(crd.metadata.name);
          if (first !== undefined) {
            throw new StackError(this.values.name, [{ field, message: `CRD ${crd.metadata.name} is given twice (also in ${first})`, fix: 'list each CRD once' }]);
          }
          seen.set(crd.metadata.name, file);
          new ApiObject(this, `CustomResourceDefinition-${crd.metadata.name}`, crd);
          const names = (crd as { spec?: { group?: string; names?: { kind?: string; plural?: string } } }).spec;
          if (names?.group && names.names?.kind && names.names.plural) this.plurals.set(`${names.group}/${names.names.kind}`, names.names.plural);
        }
      }
    });
  }
}
