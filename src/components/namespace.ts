import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { Component, type ComponentProps } from './component';

export interface NamespaceProps extends ComponentProps {
  /**
   * node-exporter's namespace, the only one that admits host namespaces and host paths.
   * @default none: node-exporter is disabled
   */
  readonly nodeNamespace?: string;
}

/** The Pod Security labels of a namespace: what it enforces, and the level audited and warned about. */
function podSecurity(enforce: 'privileged' | 'restricted', auditAndWarn: 'baseline' | 'restricted'): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/audit': auditAndWarn,
    'pod-security.kubernetes.io/warn': auditAndWarn,
  };
}

/**
 * The stack's namespace (`common.namespace`), enforcing Pod Security `restricted`, and node-exporter's, the one
 * namespace that is `privileged`: audited and warned at `baseline`, so that anything else run there shows.
 */
export class Namespace extends Component {
  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id, props);
    const namespace = (name: string, labels: Record<string, string>) =>
      new k8s.KubeNamespace(this, `Namespace-${name}`, { metadata: { name, labels: { ...this.labels(name, 'namespace'), ...labels } } });
    namespace(this.namespace, podSecurity('restricted', 'restricted'));
    if (props.nodeNamespace) namespace(props.nodeNamespace, podSecurity('privileged', 'baseline'));
  }
}
