import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Component, type ComponentProps } from './component';

/** The stack's namespace (`common.namespace`). */
export class Namespace extends Component {
  constructor(scope: Construct, id: string, props: ComponentProps) {
    super(scope, id, props);
    new k8s.KubeNamespace(this, `Namespace-${this.namespace}`, {
      metadata: {
        name: this.namespace,
        labels: {
          ...this.labels(this.namespace, 'namespace'),
          // node-exporter needs host namespaces and host paths, which only the privileged level admits;
          // every other workload meets `restricted`, and is warned about if it ever stops to.
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
  }
}
