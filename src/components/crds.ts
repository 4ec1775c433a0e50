import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import type { KubernetesObject } from '../core/primitives';
import { Component, type ComponentProps } from './component';

export interface CrdValues {
  /**
   * CRD YAML files or folders of them (relative to the stack file), written to `crds/` so that one
   * `kubectl apply` installs the operator's CRDs with the stack.
   * @default []
   */
  readonly paths?: string[];
}

export const CRDS_DEFAULTS = { paths: [] as string[] } satisfies CrdValues;

export interface CrdsProps extends ComponentProps {
  /** The CustomResourceDefinitions, as loaded from `crds.paths`. */
  readonly crds: readonly KubernetesObject[];
}

/** CustomResourceDefinitions the user points the stack at (e.g. the operator's, loaded from `crds.paths`), written to `crds/`. */
export class Crds extends Component {
  /** Plural of every CRD given, by `group/Kind`: what RBAC for its resources must name. */
  readonly plurals = new Map<string, string>();

  constructor(scope: Construct, id: string, props: CrdsProps) {
    super(scope, id, props);
    for (const crd of props.crds) {
      new ApiObject(this, `CustomResourceDefinition-${crd.metadata.name}`, crd);
      const names = (crd as { spec?: { group?: string; names?: { kind?: string; plural?: string } } }).spec;
      if (names?.group && names.names?.kind && names.names.plural) this.plurals.set(`${names.group}/${names.names.kind}`, names.names.plural);
    }
  }
}
