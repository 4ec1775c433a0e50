import { StackError } from '../../src';
import { stackFiles } from '../../src/synth/layout';
import { render, renderError } from '../helpers';

describe('stack values are checked before anything is built', () => {
  test('an unknown component option is rejected, naming the field and the closest known option', () => {
    const message = renderError({ prometheus: { replics: 3 } as never });
    expect(message).toContain('stack test: 1 problem');
    expect(message).toContain("prometheus.replics: unknown option 'replics'");
    expect(message).toContain("did you mean 'replicas'?");
  });

  test('an unknown top-level section is rejected', () => {
    expect(renderError({ promethues: {} } as never)).toContain("promethues: unknown option 'promethues'");
  });

  test('a value of the wrong type names the field, what it must be and what it got', () => {
    expect(renderError({ prometheus: { replicas: '3' as never } })).toContain('prometheus.replicas: must be number, got string "3"');
  });

  test('a value outside an enumeration lists the allowed values', () => {
    const message = renderError({ grafana: { dashboardNamespaces: 'everywhere' as never } });
    expect(message).toContain('grafana.dashboardNamespaces: "everywhere" is not allowed');
    expect(message).toContain('use one of "stack", "all"');
  });

  test('an invalid namespace name is rejected with the rule it breaks', () => {
    const message = renderError({ common: { namespace: 'Monitoring_NS' } });
    expect(message).toContain("common.namespace: 'Monitoring_NS' is not a valid namespace name");
    expect(message).toContain('RFC 1123');
  });

  test('every problem is reported at once, not only the first', () => {
    const message = renderError({ common: { namespace: 'UPPER' }, prometheus: { replicas: 0, retention: '15 days' } });
    expect(message).toContain('3 problems');
    expect(message).toContain('prometheus.replicas: must be a whole number of at least 1, got 0');
    expect(message).toContain("prometheus.retention: '15 days' is not a Prometheus duration");
  });

  test('bad quantities, label values and URLs are rejected', () => {
    const message = renderError({
      nodeExporter: { resources: { requests: { memory: '180 MB' } } },
      common: { labels: { team: 'platform team' } },
      prometheus: { remoteWrite: [{ url: 'ftp://example' }] },
    });
    expect(message).toContain("nodeExporter.resources.requests.memory: '180 MB' is not a Kubernetes quantity");
    expect(message).toContain("common.labels.team: 'platform team' is not a valid Kubernetes label value");
    expect(message).toContain("prometheus.remoteWrite[0].url: 'ftp://example' is not an http(s) URL");
  });

  test('the cluster external label can only come from common.clusterName', () => {
    expect(renderError({ prometheus: { externalLabels: { cluster: 'x' } } })).toContain('set common.clusterName instead');
  });

  test('two applications with the same name conflict', () => {
    const app = { name: 'api', namespace: 'shop', selector: { app: 'api' }, port: 'http' };
    expect(renderError({ applications: [app, { ...app, namespace: 'billing' }] })).toContain(
      "applications[1].name: 'api' is already used by applications[0]",
    );
  });

  test('two objects that would share a file are rejected, naming both', () => {
    const stack = render({
      extraObjects: [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'a' } },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', namespace: 'b' } },
      ],
    });
    expect(() => stackFiles(stack)).toThrow(
      'ConfigMap b/shared (component extra): would be written to test/extra/ConfigMap-shared.yaml, as is ConfigMap a/shared (component extra)',
    );
  });

  test('an object name that would escape its folder is rejected', () => {
    const stack = render({ patches: [{ kind: 'Service', name: 'grafana', ops: [{ op: 'replace', path: '/metadata/name', value: '../../x' }] }] });
    expect(() => stackFiles(stack)).toThrow('kind and name must be non-empty and hold no "/"');
  });

  test('a patch that matches no object names the patch and lists the objects of that kind', () => {
    const message = renderError({ patches: [{ kind: 'Deployment', name: 'grafna', ops: [{ op: 'replace', path: '/spec/replicas', value: 2 }] }] });
    expect(message).toContain("patches[0]: no generated Deployment is named 'grafna'");
    expect(message).toContain('grafana/grafana');
  });

  test('a patch whose path does not exist in the object fails with the reason', () => {
    const message = renderError({ patches: [{ kind: 'Deployment', name: 'grafana', ops: [{ op: 'replace', path: '/spec/nope/deeper', value: 1 }] }] });
    expect(message).toContain("patches[0].ops[0]: cannot apply to Deployment 'grafana'");
  });

  test('errors are StackErrors, which the CLI prints without a stack trace', () => {
    expect(() => render({ common: { namespace: '-bad' } })).toThrow(StackError);
  });
});
