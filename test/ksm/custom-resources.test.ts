import * as path from 'path';
import { parse } from 'yaml';
import type { CrStatusMonitor } from '../../src/ksm/types';
import { promtoolTestFiles, testCasesOf, TESTS_FILE } from '../../src/rules/unit-tests';
import { loadStackFile } from '../../src/load/stack-file';
import { buildModel } from '../../src/model/build';
import { buildStack, renderStack } from '../../src/synth/pipeline';
import { at, find, podTemplate, render, renderError } from '../helpers';
import { runTool, testWithTool } from '../tools';

const moduleMonitor: CrStatusMonitor = {
  group: 'platform.example.com', version: 'v1', kind: 'Module', plural: 'modules',
  states: ['Error', 'Ready'], healthy: 'Ready', conditions: true, alertAfter: '10m',
};
const platform: CrStatusMonitor = {
  group: 'platform.example.com', version: 'v1', kind: 'Platform', plural: 'platforms', namespaced: false,
  states: ['Error', 'Processing', 'Ready'], healthy: 'Ready', lists: [{ path: ['status', 'modules'], label: 'module' }],
};
const stack = render({ kubeStateMetrics: { crStatusMonitors: [platform, moduleMonitor] } });
const config = parse((at(find(stack, 'ConfigMap', 'kube-state-metrics-custom-resources'), 'data') as Record<string, string>)['config.yaml']);

describe('kube-state-metrics custom-resource-state', () => {
  test('a monitor becomes a StateSet of its state, of each list element, and a gauge per condition', () => {
    const [platformResource, moduleResource] = config.spec.resources;
    expect(platformResource.groupVersionKind).toEqual({ group: 'platform.example.com', version: 'v1', kind: 'Platform' });
    expect(platformResource.labelsFromPath).toEqual({ name: ['metadata', 'name'] });
    expect(platformResource.metrics[0]).toEqual({
      name: 'platform_state', help: 'State of each Platform (1 for the current state)',
      each: { type: 'StateSet', stateSet: { path: ['status', 'state'], labelName: 'state', list: ['Error', 'Processing', 'Ready'] } },
    });
    expect(platformResource.metrics[1].each.stateSet).toEqual({
      path: ['status', 'modules'], valueFrom: ['state'], labelName: 'state', list: ['Error', 'Processing', 'Ready'], labelsFromPath: { module: ['name'] },
    });
    expect(moduleResource.labelsFromPath).toEqual({ name: ['metadata', 'name'], namespace: ['metadata', 'namespace'] });
    expect(moduleResource.metrics[1]).toEqual({
      name: 'module_condition', help: 'Status of each condition of each Module (1 True, 0 False or Unknown)',
      each: { type: 'Gauge', gauge: { path: ['status', 'conditions'], valueFrom: ['status'], labelsFromPath: { condition: ['type'], reason: ['reason'] } } },
    });
  });

  test('the config is mounted into kube-state-metrics and passed with its flag', () => {
    const pod = podTemplate(find(stack, 'Deployment', 'kube-state-metrics'));
    expect(pod.spec.containers[0].args).toContain('--custom-resource-state-config-file=/etc/kube-state-metrics/config.yaml');
    expect(pod.spec.volumes).toEqual([{ name: 'custom-resources', configMap: { name: 'kube-state-metrics-custom-resources' } }]);
  });

  test('RBAC grants list/watch on exactly the configured resources, and CRDs for discovery', () => {
    const rules = at(find(stack, 'ClusterRole', 'kube-state-metrics'), 'rules') as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>;
    expect(rules.filter((r) => ['platform.example.com', 'apiextensions.k8s.io'].includes(r.apiGroups[0]))).toEqual([
      { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list', 'watch'] },
      { apiGroups: ['platform.example.com'], resources: ['modules', 'platforms'], verbs: ['list', 'watch'] },
    ]);
    const plain = at(find(render(), 'ClusterRole', 'kube-state-metrics'), 'rules') as Array<{ apiGroups: string[] }>;
    expect(plain.some((r) => r.apiGroups[0] === 'apiextensions.k8s.io')).toBe(false);
  });

  test('a wildcard kind needs an explicit opt-in, widens RBAC to the group, and is flagged in the summary', () => {
    const wildcard = { group: 'example.com', version: 'v1', kind: '*', plural: 'all', metrics: [{ name: 'example_info', help: 'x', type: 'Info' as const }] };
    expect(renderError({ kubeStateMetrics: { customResources: [wildcard] } })).toContain("wildcard kind '*' lets kube-state-metrics read every kind of example.com");
    const allowed = render({ kubeStateMetrics: { customResources: [wildcard], allowWildcardResources: true } });
    expect(at(find(allowed, 'ClusterRole', 'kube-state-metrics'), 'rules')).toContainEqual({ apiGroups: ['example.com'], resources: ['*'], verbs: ['list', 'watch'] });
    expect(allowed.warnings.map((w) => w.code)).toContain('ksm/wildcard-resource');
  });

  test('the metrics join the metric catalogue, with the kube_customresource_ names', () => {
    const built = buildStack({ definition: require('../../src').defineStack({ kubeStateMetrics: { crStatusMonitors: [platform, moduleMonitor] } }), name: 's', source: 's.ts' });
    const known = buildModel(built, 's.ts').metrics;
    for (const name of ['kube_customresource_platform_state', 'kube_customresource_platform_module_state', 'kube_customresource_module_state', 'kube_customresource_module_condition']) expect(known).toContain(name);
  });

  test('alerts use only labels their expressions keep, and carry runbook URLs', () => {
    const groups = at(find(stack, 'PrometheusRule', 'kube-state-metrics-custom-resources'), 'spec.groups') as Array<{ rules: Array<{ alert: string; annotations: Record<string, string> }> }>;
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(['PlatformNotHealthy', 'PlatformModuleNotHealthy', 'ModuleNotHealthy', 'ModuleConditionFalse']);
    expect(groups[0].rules[1].annotations.runbook_url).toBe('https://runbooks.prometheus-operator.dev/runbooks/custom-resources/platformmodulenothealthy');
    expect(stack.warnings.filter((w) => !w.code.startsWith('routing/'))).toEqual([]);
  });

  test('a dashboard per monitor: state per object over time, current states and conditions', () => {
    const dashboard = stack.dashboards.find((d) => d.json.uid === 'o11y-cr-module')!;
    expect((dashboard.json.panels ?? []).map((p) => p.title)).toEqual(expect.arrayContaining(['Objects by state', 'Not Ready, per object', 'Current state', 'Conditions']));
  });

  testWithTool('promtool', 'every generated alert fires on the series kube-state-metrics would emit, and stays silent on healthy ones', () => {
    const built = buildStack({ definition: require('../../src').defineStack({ kubeStateMetrics: { crStatusMonitors: [platform, moduleMonitor] } }), name: 's', source: 's.ts' });
    built.finalize();
    const sources = built.rules.effective();
    const cases = testCasesOf(sources.find((s) => s.objectName === 'kube-state-metrics-custom-resources')!.groups);
    expect(cases).toHaveLength(8);
    const result = runTool('promtool', ['test', 'rules', TESTS_FILE], promtoolTestFiles(sources, cases, '30s'));
    expect(result.output).not.toContain('FAILED');
    expect(result.status).toBe(0);
  });

  test('mistakes are clear errors: bad names, duplicates, empty paths, StateSet without states, unknown healthy value', () => {
    const message = renderError({
      kubeStateMetrics: {
        customResources: [{
          group: 'example.com', version: 'v1', kind: 'Thing', plural: 'things', metrics: [
            { name: 'thing-count', help: 'x', type: 'Gauge', path: ['status', 'count'] },
            { name: 'thing_ready', help: 'x', type: 'Gauge', path: [] },
            { name: 'thing_ready', help: 'x', type: 'StateSet', path: ['status', 'phase'], labelName: 'phase', list: [] },
          ],
        }],
        crStatusMonitors: [{ ...moduleMonitor, healthy: 'Healthy' }],
      },
    });
    expect(message).toContain("kubeStateMetrics.customResources[0].metrics[0].name: 'kube_customresource_thing-count' is not a valid metric name");
    expect(message).toContain('kubeStateMetrics.customResources[0].metrics[1].path: is empty');
    expect(message).toContain("metric 'kube_customresource_thing_ready' is also defined at kubeStateMetrics.customResources[0].metrics[1]");
    expect(message).toContain('kubeStateMetrics.customResources[0].metrics[2].list: a StateSet needs the list of its states');
    expect(message).toContain("kubeStateMetrics.crStatusMonitors[0].healthy: 'Healthy' is not among the states (Error, Ready)");
  });
});

describe('the platform example stack', () => {
  const example = renderStack(loadStackFile(path.resolve(__dirname, '../../stacks/platform.ts')), { strict: true });

  test('synthesizes with every analyzer satisfied, even in strict mode', () => {
    // Besides a digest for each image (strict mode asks for them; the default images carry none).
    expect(example.warnings.map((w) => w.code).filter((c) => c !== 'policy/image-digest')).toEqual(['routing/no-receivers']);
  });

  test('yields a state metric, a per-module state metric and a per-condition metric, each alertable', () => {
    const alerts = example.objects
      .filter((o) => o.manifest.metadata.name === 'kube-state-metrics-custom-resources' && o.manifest.kind === 'PrometheusRule')
      .flatMap((o) => (at(o.manifest, 'spec.groups') as Array<{ rules: Array<{ alert: string; expr: string }> }>).flatMap((g) => g.rules));
    expect(alerts.map((a) => a.expr)).toEqual([
      'max by (customresource_group, customresource_kind, name, state) (kube_customresource_platform_state{state!="Ready"} == 1)',
      'max by (customresource_group, customresource_kind, name, module, state) (kube_customresource_platform_module_state{state!="Ready"} == 1)',
      'max by (customresource_group, customresource_kind, namespace, name, state) (kube_customresource_module_state{state!="Ready"} == 1)',
      'max by (customresource_group, customresource_kind, namespace, name, condition) (kube_customresource_module_condition) == 0',
    ]);
  });
});

describe('plurals', () => {
  test('when the stack carries the CRD, a plural that differs from its definition is an error', () => {
    const fs = require('fs');
    const os = require('os');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'o11y-crd-'));
    fs.writeFileSync(path.join(dir, 'platform.yaml'), [
      'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: platforms.platform.example.com }',
      'spec: { group: platform.example.com, scope: Cluster, names: { kind: Platform, plural: platforms, singular: platform }, versions: [] }', '',
    ].join('\n'));
    expect(renderError({ crds: { paths: [dir] }, kubeStateMetrics: { crStatusMonitors: [{ ...platform, plural: 'platformes' }] } }))
      .toContain("plural 'platformes' is not the CRD's ('platforms')");
    expect(render({ crds: { paths: [dir] }, kubeStateMetrics: { crStatusMonitors: [platform] } }).objects.length).toBeGreaterThan(0);
  });
});
