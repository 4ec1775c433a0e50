import { Namespace } from '../../src/components/namespace';
import { at, render } from '../helpers';
import { common, synth } from './props';

describe('namespace component', () => {
  test('creates the stack namespace, named by common.namespace', () => {
    const [ns] = synth((chart) => new Namespace(chart, 'namespace', { ...common(), common: { namespace: 'observability', instance: 'test' } }));
    expect(ns).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'observability' } });
    expect(at(ns, 'metadata.namespace')).toBeUndefined();
  });

  test('admits node-exporter (privileged) and warns about any pod that is not restricted', () => {
    const [ns] = synth((chart) => new Namespace(chart, 'namespace', common()));
    expect(at(ns, 'metadata.labels')).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'pod-security.kubernetes.io/warn': 'restricted' });
  });

  test('common labels reach every object of the stack', () => {
    const stack = render({ common: { labels: { team: 'platform', 'example.com/cost-center': 'ops' } } });
    for (const { manifest } of stack.objects) expect(at(manifest, 'metadata.labels')).toMatchObject({ team: 'platform', 'example.com/cost-center': 'ops' });
  });
});
