import { at, objectsOf, render } from '../helpers';

describe('namespace component', () => {
  test('creates the stack namespace, named by common.namespace', () => {
    const [ns] = objectsOf(render({ common: { namespace: 'observability' } }), 'namespace');
    expect(ns.manifest).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observability' } });
    expect(at(ns.manifest, 'metadata.namespace')).toBeUndefined();
  });

  test('admits node-exporter (privileged) and warns about any pod that is not restricted', () => {
    const labels = at(objectsOf(render(), 'namespace')[0].manifest, 'metadata.labels');
    expect(labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  test('common labels reach every object of the stack', () => {
    const stack = render({ common: { labels: { team: 'platform', 'example.com/cost-center': 'ops' } } });
    for (const { manifest } of stack.objects) expect(at(manifest, 'metadata.labels')).toMatchObject({ team: 'platform', 'example.com/cost-center': 'ops' });
  });
});
