import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { KubernetesObject } from '../core/primitives';
import { Component, type StackContext } from './component';

/** CustomResourceDefinitions the user points the stack at (e.g. the operator's, loaded from `crds.paths`), written to `crds/`. */
export class Crds extends Component {
  /** Plural of every CRD given, by `group/Kind`: what RBAC for its resources must name. */
  readonly plurals = new Map<string, string>();

  constructor(scope: Construct, context: StackContext, crds: readonly KubernetesObject[]) {
    super(scope, 'crds', context);
    for (const crd of crds) {
      new ApiObject(this, `CustomResourceDefinition-${crd.metadata.name}`, crd);
      const names = (crd as { spec?: { group?: string; names?: { kind?: string; plural?: string } } }).spec;
      if (names?.group && names.names?.kind && names.names.plural) this.plurals.set(`${names.group}/${names.names.kind}`, names.names.plural);
    }
  }
}
