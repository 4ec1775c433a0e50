import { Namespace } from '../../src/components/namespace';
import { at, render } from '../helpers';
import { common, synth } from './props';

describe('namespace component', () => {
  test('creates the stack namespace, named by common.namespace', () => {
    const [ns] = synth((chart) => new Namespace(chart, 'namespace', { ...common(), common: { namespace: 'observability', instance: 'test' } }));
    expect(ns).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observability' } });
    expect(at(ns, 'metadata.namespace')).toBeUndefined();
  });

  test('enforces Pod Security restricted in the stack namespace, and privileged only in node-exporter\'s', () => {
    const [ns, node] = synth((chart) => new Namespace(chart, 'namespace', { ...common(), nodeNamespace: 'monitoring-node' }));
    expect(at(ns, 'metadata.labels')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(at(node, 'metadata.name')).toBe('monitoring-node');
    expect(at(node, 'metadata.labels')).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/audit': 'baseline', 'pod-security.kubernetes.io/warn': 'baseline',
    });
  });

  test('the stack puts node-exporter in <namespace>-node, or where nodeExporter.namespace says', () => {
    // Its workload objects; its rules and dashboards go where Prometheus and Grafana read them.
    const nodeNamespaceOf = (stack: ReturnType<typeof render>) => stack.objects
      .filter((o) => o.component === 'node-exporter' && ['DaemonSet', 'Service', 'ServiceAccount', 'ServiceMonitor', 'NetworkPolicy'].includes(o.manifest.kind))
      .map((o) => o.manifest.metadata.namespace);
    expect(new Set(nodeNamespaceOf(render({})))).toEqual(new Set(['monitoring-node']));
    expect(new Set(nodeNamespaceOf(render({ nodeExporter: { namespace: 'node-metrics' } })))).toEqual(new Set(['node-metrics']));
    expect(render({ nodeExporter: { enabled: false } }).objects.filter((o) => o.manifest.kind === 'Namespace').map((o) => o.manifest.metadata.name)).toEqual(['monitoring']);
  });

  test('common labels reach every object of the stack', () => {
    const stack = render({ common: { labels: { team: 'platform', 'example.com/cost-center': 'ops' } } });
    for (const { manifest } of stack.objects) expect(at(manifest, 'metadata.labels')).toMatchObject({ team: 'platform', 'example.com/cost-center': 'ops' });
  });
});
