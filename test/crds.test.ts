import * as path from 'path';
import { describeWithSharedCrds, SHARED_CRDS } from './crd-schemas';
import { render } from './helpers';
import { defaultStackFiles, loadStacks } from '../src/load/stack-file';
import { renderStack, type RenderedStack } from '../src/synth/pipeline';

const REPO = path.resolve(__dirname, '..');

/** Every stack file in stacks/, plus one with every optional part switched on. */
function stacksUnderTest(): RenderedStack[] {
  const files = defaultStackFiles(path.join(REPO, 'stacks')).flatMap((f) => loadStacks(f)).map((s) => renderStack(s));
  const everything = render({
    name: 'everything',
    prometheus: {
      storage: { size: '10Gi' },
      retentionSize: '9GB',
      remoteWrite: [
        { url: 'https://a.example/push', bearerToken: { name: 'rw', key: 'token' } },
        { url: 'https://b.example/push', basicAuth: { username: { name: 'rw', key: 'u' }, password: { name: 'rw', key: 'p' } } },
      ],
    },
    alertmanager: { storage: { size: '1Gi', storageClassName: 'standard' } },
    prometheusOperator: { watchNamespaces: ['a', 'b'] },
    applications: [
      {
        name: 'api', namespace: 'shop', selector: { app: 'api' }, port: 'http', path: '/m', interval: '10s',
        alerts: [{ alert: 'ApiDown', expr: 'up{job="api"} == 0', for: '5m', severity: 'critical', summary: 'api is down', labels: { team: 'shop' } }],
        records: [{ record: 'job:up:sum', expr: 'sum by (job) (up)' }],
      },
    ],
  });
  return [...files, everything];
}

describeWithSharedCrds('every generated custom resource is valid against the upstream CRD schema', (schemas) => {
  test('the schemas of all three operators load and compile (with the two documented fixes)', () => {
    expect(schemas().kinds).toEqual(expect.arrayContaining([
      'monitoring.coreos.com/v1/Prometheus', 'monitoring.coreos.com/v1/ServiceMonitor', 'chaos-mesh.org/v1alpha1/Schedule',
      'grafana.integreatly.org/v1beta1/GrafanaDashboard',
    ]));
    for (const kind of schemas().kinds) {
      const [group, version, name] = kind.split('/');
      // Compiling is part of validate(); a schema that does not compile throws here.
      expect(() => schemas().validate({ apiVersion: `${group}/${version}`, kind: name })).not.toThrow();
    }
  });

  const stacks = stacksUnderTest();
  for (const stack of stacks) {
    test(`stack ${stack.name}: every custom resource passes`, () => {
      const custom = stack.objects.filter((o) => schemas().covers(o.manifest.apiVersion));
      expect(custom.length).toBeGreaterThan(5);
      const failures = custom.flatMap((o) => schemas().validate(o.manifest).map((e) => `${o.component}/${o.manifest.kind}-${o.manifest.metadata.name}: ${e}`));
      expect(failures).toEqual([]);
    });
  }

  test('the check catches an invalid resource (it is not vacuous)', () => {
    const stack = render({ patches: [{ kind: 'ServiceMonitor', name: 'grafana', ops: [{ op: 'add', path: '/spec/endpoints/0/scheme', value: 'gopher' }] }] });
    const monitor = stack.objects.find((o) => o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.name === 'grafana')!;
    expect(schemas().validate(monitor.manifest).join('\n')).toContain('/spec/endpoints/0/scheme must be equal to one of the allowed values');
  });

  test('CRD files the stack points at are written to crds/, one per file', () => {
    const stack = render({ crds: { paths: [path.join(SHARED_CRDS, 'prometheus-operator')] } });
    const crds = stack.objects.filter((o) => o.component === 'crds');
    expect(crds.map((o) => o.manifest.metadata.name)).toContain('prometheuses.monitoring.coreos.com');
    expect(crds).toHaveLength(10);
    expect(crds.every((o) => o.manifest.kind === 'CustomResourceDefinition')).toBe(true);
  });
});
