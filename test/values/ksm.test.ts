// kube-state-metrics problems point at the list and index the mistake is in.
import type { CrStatusMonitor, CustomResourceState } from '../../src/ksm/types';
import { renderError } from '../helpers';

const resource: CustomResourceState = { group: 'example.com', version: 'v1', kind: 'Thing', plural: 'things', metrics: [{ name: 'thing_count', help: 'x', type: 'Gauge', path: ['status', 'count'] }] };
const monitor: CrStatusMonitor = { group: 'platform.example.com', version: 'v1', kind: 'Platform', plural: 'platforms', states: ['Ready', 'Error'], healthy: 'Ready' };

describe('kube-state-metrics problems name the right entry', () => {
  test('a monitor with a bad plural is reported under crStatusMonitors, not customResources', () => {
    const message = renderError({ kubeStateMetrics: { customResources: [resource], crStatusMonitors: [{ ...monitor, plural: 'Platforms' }] } });
    expect(message).toContain("kubeStateMetrics.crStatusMonitors[0].plural: 'Platforms' is not a resource plural");
    expect(message).not.toContain('customResources[1]');
    expect(message).toContain('1 problem');
  });

  test('a monitor of the same kind as a custom resource names both entries', () => {
    const message = renderError({ kubeStateMetrics: { customResources: [{ ...resource, group: monitor.group, kind: 'Platform' }], crStatusMonitors: [monitor] } });
    expect(message).toContain('kubeStateMetrics.crStatusMonitors[0]: platform.example.com/Platform is configured twice (also at kubeStateMetrics.customResources[0])');
  });

  test('a monitor list with a bad label and an empty path names the list', () => {
    const message = renderError({ kubeStateMetrics: { crStatusMonitors: [{ ...monitor, lists: [{ path: [], label: 'my-module' }] }] } });
    expect(message).toContain("kubeStateMetrics.crStatusMonitors[0].lists[0].label: 'my-module' is not a label name");
    expect(message).toContain('kubeStateMetrics.crStatusMonitors[0].lists[0].path: is empty');
    expect(message).toContain('2 problems');
  });

  test('a custom resource problem keeps its customResources index when monitors come first in the values', () => {
    const message = renderError({ kubeStateMetrics: { crStatusMonitors: [monitor], customResources: [resource, { ...resource, kind: 'Other', plural: 'others', metrics: [] }] } });
    expect(message).toContain('kubeStateMetrics.customResources[1].metrics: is empty');
  });
});
