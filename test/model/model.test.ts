// What is checked is what is written: patches, the customize hook and extra objects go through the same checks as
// values, because every analyzer reads the model of the final objects.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { ObservabilityStack, defineStack, type StackValues } from '../../src';
import { buildModel } from '../../src/model/build';
import { renderStack, type RenderInput } from '../../src/synth/pipeline';
import { loadStackFile } from '../../src/load/stack-file';
import { find, render, renderError } from '../helpers';

const STACKS = path.resolve(__dirname, '../../stacks');
const stackInput = (file: string): RenderInput => loadStackFile(path.join(STACKS, file));

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('the model is read from the final objects', () => {
  test('its rules are the PrometheusRule objects as written, with the tests alerts were built with', () => {
    const { model } = render();
    const written = model.objects.filter((o) => o.manifest.kind === 'PrometheusRule').flatMap((o) => (o.manifest.spec as { groups: Array<{ rules: unknown[] }> }).groups.flatMap((g) => g.rules));
    const read = model.rules.flatMap((s) => s.groups.flatMap((g) => g.rules));
    expect(read).toHaveLength(written.length);
    const watchdog = read.find((r) => 'alert' in r && r.alert === 'Watchdog');
    expect(watchdog).toMatchObject({ severity: 'none', summary: expect.any(String) });
    expect(read.filter((r) => 'alert' in r && r.tests).length).toBeGreaterThan(100);
  });

  test('its dashboards are those the delivery objects hold, and its routing is the Secret and the teams\' AlertmanagerConfigs', () => {
    const teams = renderStack(stackInput('teams.ts'));
    const configMaps = teams.objects.filter((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.annotations?.grafana_folder !== undefined);
    expect(teams.model.dashboards.map((d) => d.json.uid).sort()).toHaveLength(configMaps.length);
    expect(teams.model.alerting?.teams.map((t) => [t.namespace, t.route.receiver])).toEqual([['shop', 'shop-slack']]);
    expect(teams.model.alerting?.global.receivers.map((r) => r.name)).toEqual(teams.model.values.alertmanager.receivers.map((r) => r.name));
    expect(teams.model.prometheus?.alertLabels).toEqual({ cluster: 'eu-prod-1', prometheus: 'monitoring/k8s' });
  });

  test('a written custom-resource-state config feeds the metric catalogue', () => {
    const { model } = renderStack(stackInput('platform.ts'));
    expect(model.customResources.map((r) => r.kind)).toEqual(expect.arrayContaining(['Platform']));
    expect(model.metrics).toContain('kube_customresource_platform_state');
  });
});

describe('patches are checked like values', () => {
  const patchedRule = (ops: StackValues['patches']) => ({ patches: ops });

  test('a patch that breaks an alert\'s PromQL stops the synth, naming the rule', () => {
    const message = renderError(patchedRule([{ kind: 'PrometheusRule', name: 'prometheus-k8s-rules', ops: [{ op: 'replace', path: '/spec/groups/0/rules/0/expr', value: 'sum(rate(up[5m])' }] }]));
    expect(message).toMatch(/prometheus-k8s-rules › .* syntax error at column/);
  });

  test('replace and remove on a path that does not exist are errors naming the operation', () => {
    expect(renderError({ patches: [{ kind: 'Prometheus', name: 'k8s', ops: [{ op: 'replace', path: '/spec/replica', value: 3 }] }] }))
      .toContain("patches[0].ops[0]: cannot apply to Prometheus 'k8s': /spec/replica does not exist, so it cannot be replaced");
    expect(renderError({ patches: [{ kind: 'Deployment', name: 'grafana', ops: [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'remove', path: '/spec/template/spec/nodeSelectr' }] }] }))
      .toContain('patches[0].ops[1]: cannot apply to Deployment \'grafana\': /spec/template/spec/nodeSelectr does not exist, so it cannot be removed');
  });

  test('a failing test operation stops the patch', () => {
    expect(renderError({ patches: [{ kind: 'Prometheus', name: 'k8s', ops: [{ op: 'test', path: '/spec/replicas', value: 5 }, { op: 'replace', path: '/spec/replicas', value: 1 }] }] }))
      .toContain('patches[0].ops[0]: cannot apply to Prometheus \'k8s\': test failed: /spec/replicas is 2, not 5');
  });

  test('a valid patch is written, by every synth path', () => {
    const stack = render({ patches: [{ kind: 'Prometheus', name: 'k8s', ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }] });
    expect(find(stack, 'Prometheus', 'k8s').spec).toMatchObject({ replicas: 3 });
  });

  test('a patch routing a team to a receiver it does not define is a routing error', () => {
    const input = stackInput('teams.ts');
    const definition = defineStack({ ...input.definition.values, patches: [{ kind: 'AlertmanagerConfig', name: 'shop-routing', ops: [{ op: 'replace', path: '/spec/route/receiver', value: 'nobody' }] }] });
    expect(errorOf(() => renderStack({ ...input, definition }))).toContain("receiver 'nobody' is not defined in this team's receivers");
  });

  test('a patch pointing a chaos experiment at kube-system is refused like the same value', () => {
    const input = stackInput('chaos.ts');
    const definition = defineStack({ ...input.definition.values, patches: [{ kind: 'Schedule', name: 'checkout-pod-failure', ops: [{ op: 'replace', path: '/spec/podChaos/selector/namespaces/0', value: 'kube-system' }] }] });
    expect(errorOf(() => renderStack({ ...input, definition }))).toMatch(/chaos\.schedules\[\d\] \(checkout-pod-failure\): .*kube-system/);
  });

  test('a patch that empties a dashboard query\'s PromQL is a dashboard error', () => {
    const stack = render();
    const configMap = stack.objects.find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === 'grafana-dashboard-o11y-prometheus-overview')!;
    const [key, text] = Object.entries(configMap.manifest.data as Record<string, string>)[0];
    const broken = text.replace(/"expr": "(?:[^"\\]|\\.)*"/, '"expr": "sum(rate(up[5m])"');
    expect(errorOf(() => render({ patches: [{ kind: 'ConfigMap', name: configMap.manifest.metadata.name, ops: [{ op: 'replace', path: `/data/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: broken }] }] })))
      .toMatch(/dashboard .*syntax error/);
    expect(errorOf(() => render({ patches: [{ kind: 'ConfigMap', name: configMap.manifest.metadata.name, ops: [{ op: 'replace', path: `/data/${key}`, value: '{"uid": ' }] }] })))
      .toContain(`ConfigMap ${configMap.manifest.metadata.name} › data.${key}: is not valid JSON`);
  });
});

describe('extra objects and the customize hook are checked like values', () => {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } };

  test('an extra object that duplicates a generated one is an error, unless it says it replaces it', () => {
    expect(renderError({ extraObjects: [namespace] })).toContain('extraObjects[0]: Namespace monitoring is also generated by component namespace');
    const replaced = render({}, (stack) => stack.addObject({ ...namespace, metadata: { ...namespace.metadata, labels: { team: 'platform' } } }, { replaces: true }));
    const namespaces = replaced.objects.filter((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'monitoring');
    expect(namespaces.map((o) => [o.component, o.manifest.metadata.labels])).toEqual([['extra', { team: 'platform' }]]);
    expect(renderError({}, (stack) => stack.addObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } }, { replaces: true })))
      .toContain('replaces Namespace elsewhere, but the stack generates no such object');
    // The same, from the values.
    const fromValues = render({ replacementObjects: [{ ...namespace, metadata: { ...namespace.metadata, labels: { team: 'values' } } }] });
    expect(fromValues.objects.filter((o) => o.manifest.kind === 'Namespace' && o.manifest.metadata.name === 'monitoring').map((o) => o.manifest.metadata.labels)).toEqual([{ team: 'values' }]);
    expect(renderError({ replacementObjects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } }] }))
      .toContain('replacementObjects[0]: replaces Namespace elsewhere, but the stack generates no such object');
  });

  test('an object without metadata is a user error, not an internal one', () => {
    const message = renderError({}, (stack) => stack.addObject({ apiVersion: 'v1', kind: 'ConfigMap' } as never));
    expect(message).toContain('addObject(): ConfigMap has no metadata');
  });

  test('an exception in the customize function names the stack file and line', () => {
    const input: RenderInput = {
      name: 'thrower',
      source: 'model.test.ts',
      baseDir: __dirname,
      definition: defineStack({}, () => {
        throw new Error('something in my stack code');
      }),
    };
    expect(errorOf(() => renderStack(input))).toMatch(/model\.test\.ts:\d+:\d+: customize threw: something in my stack code/);
  });

  test('a patch that makes Grafana privileged, or writable, is a policy error on the written Deployment', () => {
    const message = renderError({ patches: [{ kind: 'Deployment', name: 'grafana', ops: [
      { op: 'add', path: '/spec/template/spec/containers/0/securityContext/privileged', value: true },
      { op: 'replace', path: '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', value: false },
    ] }] });
    expect(message).toContain('Deployment monitoring/grafana › container grafana');
    expect(message).toMatch(/privileged/);
    expect(message).toMatch(/readOnlyRootFilesystem/);
  });

  test('an extra object is checked against Kubernetes\' schema and the secure defaults, like a generated one', () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'extra-app', namespace: 'monitoring' },
      spec: { replicas: 'two', selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'nginx' }] } } },
    };
    const message = renderError({ extraObjects: [deployment] });
    expect(message).toMatch(/Deployment monitoring\/extra-app.*\/spec\/replicas/);
    expect(message).toContain('Deployment monitoring/extra-app: pods may run as root');
    expect(message).toContain('Deployment monitoring/extra-app › container x: can write to its root filesystem');
    const customized = renderError({}, (stack) => stack.addObject(deployment));
    expect(customized).toMatch(/\/spec\/replicas/);
  });
});

describe('a plain cdk8s app', () => {
  let outdir: string;
  beforeEach(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-app-'));
  });
  afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('synthesizes a stack with the same patches and checks as o11y synth', () => {
    const app = new App({ outdir });
    const stack = new ObservabilityStack(app, 'prod', { prometheus: { replicas: 3 } });
    stack.patch('Prometheus', 'k8s', [{ op: 'add', path: '/spec/priorityClassName', value: 'system-cluster-critical' }]);
    app.synth();
    const written = fs.readFileSync(path.join(outdir, fs.readdirSync(outdir)[0]), 'utf8');
    expect(written).toContain('priorityClassName: system-cluster-critical');
    expect(written).toContain('kind: PrometheusRule');
    const model = buildModel(stack, 'prod');
    expect(model.objects.find((o) => o.manifest.kind === 'Prometheus')?.manifest.spec).toMatchObject({ replicas: 3, priorityClassName: 'system-cluster-critical' });
  });

  test('refuses at app.synth() what o11y synth refuses', () => {
    const app = new App({ outdir });
    const stack = new ObservabilityStack(app, 'prod', {});
    stack.patch('PrometheusRule', 'prometheus-k8s-rules', [{ op: 'replace', path: '/spec/groups/0/rules/0/expr', value: 'rate(up[5m]' }]);
    expect(() => app.synth()).toThrow(/prometheus-k8s-rules › .*syntax error/);
    const bad = new App({ outdir });
    new ObservabilityStack(bad, 'bad', { patches: [{ kind: 'Prometheus', name: 'k8s', ops: [{ op: 'replace', path: '/spec/replica', value: 3 }] }] });
    expect(() => bad.synth()).toThrow('/spec/replica does not exist');
  });

  test('values that name files need them loaded first', () => {
    expect(() => new ObservabilityStack(new App({ outdir }), 'prod', { rules: { files: ['../rules'] } })).toThrow('rules.files: names files, but none were loaded');
  });
});
